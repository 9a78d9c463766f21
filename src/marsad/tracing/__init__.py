"""Tracing the missing: relatives' reports of a sought person, grouped into cases, matched
against the persons of the store, and worked through a workflow that never presumes death."""
