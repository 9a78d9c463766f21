"""Verification: statuses by explicit rules, and resolved values where records disagree."""
