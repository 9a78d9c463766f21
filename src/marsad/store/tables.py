"""Every table of the store, whichever capability owns it: what migrations and checks of the
schema compare against. A capability's tables live in a module of their own; import it here."""

from __future__ import annotations

from marsad.store import (
    evidence_tables,
    models,
    shelter_tables,
    tracing_tables,
    web_indexes,
    web_tables,
)

metadata = models.Base.metadata
"""The metadata of every table (each module above registers its tables on `Base`)."""

__all__ = [
    "evidence_tables",
    "metadata",
    "shelter_tables",
    "tracing_tables",
    "web_indexes",
    "web_tables",
]
