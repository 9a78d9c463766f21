"""`marsad init`: the store, created or brought up to date."""

from __future__ import annotations

from marsad.cli.common import DbOption, console, store
from marsad.store.db import describe, resolve_url


def init(db: DbOption = None) -> None:
    """Create the store, or bring its schema up to date."""
    store(db)
    console.print(f"store ready: {describe(resolve_url(db))}")
