"""Files written out of the store: the links table and quarantined rows for correction."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Row, select

from marsad.store.models import Import, QuarantineEntry, RawRow, Record, Source

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell that spreadsheets will show as text, never run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_links(engine: Engine, out: Path) -> int:
    """Write `source,record_id,person_id` for every record; returns the number of rows."""
    count = 0
    with engine.connect() as conn, out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "record_id", "person_id"])
        rows = conn.execute(
            select(Source.name, Record.record_id, Record.person_id)
            .join(Source, Source.id == Record.source_id)
            .order_by(Source.name, Record.record_id)
        )
        for row in rows:
            writer.writerow(
                [
                    spreadsheet_safe(row.name),
                    spreadsheet_safe(row.record_id),
                    "" if row.person_id is None else row.person_id,
                ]
            )
            count += 1
    return count


@dataclass(frozen=True)
class QuarantineItem:
    """One quarantined raw row with every reason it was refused."""

    raw_row_id: int
    source: str
    file_name: str
    row_number: int
    record_id: str | None
    reasons: tuple[tuple[str, str], ...]
    cells: dict[str, str]


def quarantine_items(
    engine: Engine, source: str | None = None, include_resolved: bool = False
) -> Iterator[QuarantineItem]:
    """Quarantined rows, oldest first, grouped per raw row."""
    query = (
        select(
            QuarantineEntry.raw_row_id,
            Source.name,
            Import.file_name,
            RawRow.row_number,
            RawRow.data,
            QuarantineEntry.record_id,
            QuarantineEntry.field,
            QuarantineEntry.reason,
        )
        .join(Source, Source.id == QuarantineEntry.source_id)
        .join(Import, Import.id == QuarantineEntry.import_id)
        .join(RawRow, RawRow.id == QuarantineEntry.raw_row_id)
        .order_by(QuarantineEntry.raw_row_id, QuarantineEntry.id)
    )
    if source is not None:
        query = query.where(Source.name == source)
    if not include_resolved:
        query = query.where(QuarantineEntry.resolved_by_record_id.is_(None))
    with engine.connect() as conn:
        current: list[tuple[str, str]] = []
        head = None
        for row in conn.execute(query):
            if head is not None and head.raw_row_id != row.raw_row_id:
                yield _item(head, current)
                current = []
            head = row
            current.append((row.field, row.reason))
        if head is not None:
            yield _item(head, current)


def _item(row: Row[Any], reasons: list[tuple[str, str]]) -> QuarantineItem:
    return QuarantineItem(
        raw_row_id=row.raw_row_id,
        source=row.name,
        file_name=row.file_name,
        row_number=row.row_number,
        record_id=row.record_id,
        reasons=tuple(reasons),
        cells=dict(row.data),
    )


QUARANTINE_COLUMNS = ("_marsad_source", "_marsad_file", "_marsad_row", "_marsad_reasons")


def export_quarantine(engine: Engine, out: Path, source: str | None = None) -> int:
    """Write quarantined rows with their original columns plus the reasons, for correction.

    The corrected file can be ingested again with the same source and profile: the
    `_marsad_*` columns are ignored by the readers' mapping, and fixed rows resolve their
    quarantine entries.
    """
    items = list(quarantine_items(engine, source))
    columns: list[str] = []
    for item in items:
        columns.extend(c for c in item.cells if c not in columns)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*columns, *QUARANTINE_COLUMNS])
        for item in items:
            reasons = "; ".join(f"{f}: {r}" for f, r in item.reasons)
            writer.writerow(
                [spreadsheet_safe(item.cells.get(c, "")) for c in columns]
                + [item.source, item.file_name, item.row_number, reasons]
            )
    return len(items)
