"""Reading one shelter file (sites, registrations, movements) into the store.

The conventions of `marsad.services.ingest`: one file is one transaction (a crash or a kill
leaves the store as it was), every row is kept verbatim as a raw row, a file already imported
(same SHA-256) changes nothing, and a row that cannot be read goes to quarantine with the
file, the row and every failing field. What a row becomes is the caller's: a `RowsLoader`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert

from marsad.domain.records import FieldError
from marsad.ingest.readers import open_table
from marsad.ingest.table import RawRow
from marsad.services.audit import record_event
from marsad.services.ingest import (
    BATCH_ROWS,
    QUARANTINE_SAMPLE,
    IngestSummary,
    QuarantinedRow,
    audit_counts,
    batches,
    bulk_insert,
    file_import,
    file_sha256,
    record_counts,
    reserve_raw_row_ids,
    seen_before,
)
from marsad.services.sources import get_or_create_source
from marsad.store.models import QuarantineEntry
from marsad.store.models import RawRow as RawRowTable


@dataclass(frozen=True)
class StoredRow:
    """A raw row of the file, with the id it is stored under."""

    row: RawRow
    raw_row_id: int


@dataclass(frozen=True)
class Refused:
    """A row that cannot be stored: its id as written (if any) and every reason."""

    stored: StoredRow
    ref: str | None
    errors: Sequence[FieldError]


RowsLoader = Callable[[Connection, int, int, list[StoredRow]], tuple[int, int, list[Refused]]]
"""(conn, import_id, source_id, rows) → (rows stored, rows already present, rows refused)."""


def ingest_rows(
    engine: Engine,
    path: Path,
    source: str,
    user: str,
    *,
    kind: str,
    load: RowsLoader,
    profile: dict[str, Any] | None = None,
    encoding: str | None = None,
) -> IngestSummary:
    """Read `path` (CSV, XLSX, JSON) from `source` through `load`, in one transaction.

    `kind` names the file in the import's profile, the quarantine's subject and the audit log
    ("shelter_site", "shelter_member", "shelter_movement").
    """
    digest = file_sha256(path)
    summary = IngestSummary(file=path.name, source=source, sha256=digest)
    with engine.begin() as conn:
        if seen_before(conn, summary):
            return summary
        source_id = get_or_create_source(conn, source, "field_team")
        with open_table(path, encoding) as table:
            summary.encoding = table.encoding
            import_id = file_import(
                conn, source_id, path, digest, user, table, {"name": kind, **(profile or {})}
            )
            summary.import_id = import_id
            for batch in batches(table.rows(), BATCH_ROWS):
                stored = _keep_raw(conn, import_id, batch)
                recorded, present, refused = load(conn, import_id, source_id, stored)
                summary.rows_recorded += recorded
                summary.rows_already_present += present
                _quarantine(conn, import_id, source_id, kind, refused, summary)
                summary.rows_total += len(batch)
            summary.warnings = list(table.warnings)
        record_counts(conn, import_id, summary)
        record_event(
            conn, user, "ingest", f"import:{import_id}", {**audit_counts(summary), "kind": kind}
        )
    return summary


def _keep_raw(conn: Connection, import_id: int, batch: list[RawRow]) -> list[StoredRow]:
    raw_ids = reserve_raw_row_ids(conn, len(batch))
    bulk_insert(
        conn,
        RawRowTable,
        [
            {"id": raw_id, "import_id": import_id, "row_number": row.row_number, "data": row.cells}
            for row, raw_id in zip(batch, raw_ids, strict=True)
        ],
    )
    return [StoredRow(row, raw_id) for row, raw_id in zip(batch, raw_ids, strict=True)]


def _quarantine(
    conn: Connection,
    import_id: int,
    source_id: int,
    kind: str,
    refused: list[Refused],
    summary: IngestSummary,
) -> None:
    entries: list[dict[str, Any]] = []
    for r in refused:
        errors = [*r.stored.row.problems, *r.errors]
        summary.rows_quarantined += 1
        if len(summary.quarantined) < QUARANTINE_SAMPLE:
            summary.quarantined.append(
                QuarantinedRow(r.stored.row.row_number, r.ref, tuple(errors))
            )
        entries.extend(
            {
                "raw_row_id": r.stored.raw_row_id,
                "import_id": import_id,
                "source_id": source_id,
                "record_id": r.ref[:200] if r.ref else None,
                "field": e.field,
                "reason": e.reason,
                "subject": kind,
            }
            for e in errors
        )
    if entries:
        conn.execute(insert(QuarantineEntry), entries)


def split_rows(
    rows: list[StoredRow],
    parse: Callable[[dict[str, str]], Any],
    ok: type,
    ref_of: Callable[[dict[str, str]], str | None],
) -> tuple[list[tuple[StoredRow, Any]], list[Refused]]:
    """Each row parsed: those read whole (and without a shape problem), and the refused with
    their id as written (`ref_of`), to find them in the file."""
    good: list[tuple[StoredRow, Any]] = []
    refused: list[Refused] = []
    for stored in rows:
        result = parse(stored.row.cells)
        if isinstance(result, ok) and not stored.row.problems:
            good.append((stored, result))
        else:
            errors = [] if isinstance(result, ok) else list(result)
            refused.append(Refused(stored, ref_of(stored.row.cells), errors))
    return good, refused


def cell_of(
    headers: Callable[[tuple[str, ...]], dict[str, str]], field: str
) -> Callable[[dict[str, str]], str | None]:
    """Reads `field` of a row as written, through a header map."""

    def ref(cells: dict[str, str]) -> str | None:
        header = headers(tuple(cells)).get(field)
        return (cells.get(header) or "").strip()[:200] or None if header else None

    return ref
