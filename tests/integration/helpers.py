"""Small builders shared by the integration tests."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy import Engine, func, select

from marsad.domain.records import STANDARD_COLUMNS
from marsad.store.models import Import, QuarantineEntry, RawRow, Record


def write_csv(
    path: Path, rows: Iterable[Mapping[str, str]], columns: Iterable[str] = STANDARD_COLUMNS
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(dict(row))
    return path


def counts(engine: Engine) -> dict[str, int]:
    """How many rows each table holds: the store's state, to compare before and after."""
    with engine.connect() as conn:
        return {
            "imports": conn.scalar(select(func.count()).select_from(Import)) or 0,
            "raw_rows": conn.scalar(select(func.count()).select_from(RawRow)) or 0,
            "records": conn.scalar(select(func.count()).select_from(Record)) or 0,
            "quarantine": conn.scalar(select(func.count()).select_from(QuarantineEntry)) or 0,
        }


def person(
    record_id: str,
    name: str,
    date: str = "2025-03-07",
    governorate: str = "Lattakia",
    **extra: str,
) -> dict[str, str]:
    return {
        "record_id": record_id,
        "name": name,
        "date_of_death": date,
        "governorate": governorate,
        **extra,
    }
