"""Ingest one file from one source: raw rows kept verbatim, records or quarantine for each.

One file is one transaction: a crash or a kill mid-way leaves the store as it was before.
Re-importing a file already seen (same SHA-256) changes nothing, and a record a source has
already sent (same source, same record_id, same content) is not stored twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import Connection, Engine, and_, exists, func, insert, select, text, update

from marsad.domain.records import FieldError, ParsedRow, RecordFields
from marsad.ingest.parse import parse_row
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import MappingProfile, standard_profile
from marsad.ingest.readers import RawRow, open_table
from marsad.services.sources import get_or_create_source
from marsad.store.models import Base, Import, QuarantineEntry, Record
from marsad.store.models import RawRow as RawRowTable

BATCH_ROWS = 2000
QUARANTINE_SAMPLE = 20

Progress = Callable[[int], None]


@dataclass(frozen=True)
class QuarantinedRow:
    row_number: int
    record_id: str | None
    errors: tuple[FieldError, ...]


@dataclass
class IngestSummary:
    """What one ingest did, for the CLI's table and the web page."""

    file: str
    source: str
    sha256: str
    import_id: int | None = None
    already_imported: bool = False
    rows_total: int = 0
    rows_recorded: int = 0
    rows_quarantined: int = 0
    rows_already_present: int = 0
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _batches(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def content_hash(values: dict[str, Any]) -> str:
    """Hash of a record's canonical reading: the same record sent again, however formatted
    (other column order, "m" for "male"), hashes the same."""
    text = "\x1f".join("" if v is None else str(v) for v in values.values())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record_values(record: RecordFields) -> dict[str, Any]:
    """The record's canonical fields, in order: the columns of `records` it fills."""
    return dict(vars(record))


class _Loader:
    """Writes one file's rows inside the caller's transaction, batch by batch."""

    def __init__(self, conn: Connection, import_id: int, source_id: int, summary: IngestSummary):
        self.conn = conn
        self.import_id = import_id
        self.source_id = source_id
        self.summary = summary

    def load(self, batch: list[RawRow], parsed: list[ParsedRow]) -> None:
        raw_ids = _reserve_raw_row_ids(self.conn, len(batch))
        bulk_insert(
            self.conn,
            RawRowTable,
            [
                {
                    "id": raw_id,
                    "import_id": self.import_id,
                    "row_number": row.row_number,
                    "data": row.cells,
                }
                for row, raw_id in zip(batch, raw_ids, strict=True)
            ],
        )
        known = self._known_records(
            [p.record.record_id for p in parsed if p.record is not None and not p.errors]
        )
        records: list[dict[str, Any]] = []
        quarantine: list[dict[str, Any]] = []
        for row, result, raw_id in zip(batch, parsed, raw_ids, strict=True):
            errors = list(row.problems) + list(result.errors)
            record = result.record
            if record is not None and not errors:
                values = _record_values(record)
                digest = content_hash(values)
                seen = known.get(record.record_id)
                if seen == digest:
                    self.summary.rows_already_present += 1
                    continue
                if seen is not None:
                    errors.append(
                        FieldError(
                            "record_id",
                            f"record_id {record.record_id!r} was already received from this "
                            "source with different content; correct one of them",
                        )
                    )
                else:
                    known[record.record_id] = digest
                    records.append(
                        {
                            **values,
                            "content_sha256": digest,
                            "raw_row_id": raw_id,
                            "import_id": self.import_id,
                            "source_id": self.source_id,
                        }
                    )
                    continue
            record_id = record.record_id if record is not None else _guess_record_id(row)
            self._quarantine(row, record_id, errors, raw_id, quarantine)
        if records:
            bulk_insert(self.conn, Record, records)
        if quarantine:
            self.conn.execute(insert(QuarantineEntry), quarantine)
        self.summary.rows_recorded += len(records)

    def _quarantine(
        self,
        row: RawRow,
        record_id: str | None,
        errors: list[FieldError],
        raw_id: int,
        out: list[dict[str, Any]],
    ) -> None:
        self.summary.rows_quarantined += 1
        if len(self.summary.quarantined) < QUARANTINE_SAMPLE:
            self.summary.quarantined.append(
                QuarantinedRow(row.row_number, record_id, tuple(errors))
            )
        for error in errors:
            out.append(
                {
                    "raw_row_id": raw_id,
                    "import_id": self.import_id,
                    "source_id": self.source_id,
                    "record_id": record_id,
                    "field": error.field,
                    "reason": error.reason,
                }
            )

    def _known_records(self, record_ids: list[str]) -> dict[str, str]:
        """record_id → content hash for the ids of this batch that the source already sent."""
        if not record_ids:
            return {}
        known: dict[str, str] = {}
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            rows = self.conn.execute(
                select(Record.record_id, Record.content_sha256).where(
                    Record.source_id == self.source_id, Record.record_id.in_(chunk)
                )
            )
            known.update({r.record_id: r.content_sha256 for r in rows})
        return known

    def resolve_quarantine(self) -> None:
        """Quarantined rows of this source whose record_id now has a record are resolved."""
        record = select(Record.id).where(
            and_(
                Record.source_id == QuarantineEntry.source_id,
                Record.record_id == QuarantineEntry.record_id,
            )
        )
        self.conn.execute(
            update(QuarantineEntry)
            .where(
                QuarantineEntry.source_id == self.source_id,
                QuarantineEntry.resolved_by_record_id.is_(None),
                QuarantineEntry.import_id != self.import_id,
                exists(record),
            )
            .values(resolved_by_record_id=record.scalar_subquery())
        )


def bulk_insert(conn: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the caller's transaction: COPY on PostgreSQL, executemany elsewhere.

    PostgreSQL's COPY is several times faster than multi-row INSERT for the raw rows and
    records of a large file; SQLite's executemany is already as fast as it gets.
    """
    if conn.dialect.name != "postgresql":
        conn.execute(insert(model), rows)
        return
    columns = list(rows[0])
    cursor = cast(psycopg.Connection[Any], conn.connection.dbapi_connection).cursor()
    statement = f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    Jsonb(v) if isinstance(v, dict | list) else v
                    for v in map(row.__getitem__, columns)
                ]
            )


def _reserve_raw_row_ids(conn: Connection, count: int) -> list[int]:
    """Ids for the next `count` raw rows, so that records can point to them without a
    RETURNING round trip per row (SQLite would insert row by row to keep their order).

    SQLite: this transaction already holds the database's only write lock, so the ids
    after the current maximum are ours. PostgreSQL: taken from the table's sequence.
    """
    if conn.dialect.name == "postgresql":
        return list(
            conn.scalars(
                text("SELECT nextval('raw_rows_id_seq') FROM generate_series(1, :n)"),
                {"n": count},
            )
        )
    start = (conn.scalar(select(func.max(RawRowTable.id))) or 0) + 1
    return list(range(start, start + count))


def _guess_record_id(row: RawRow) -> str | None:
    value = row.cells.get("record_id", "").strip()
    return value or None


def _profile_document(profile: MappingProfile, path: Path | None) -> dict[str, Any]:
    if path is None:
        return {"name": profile.name}
    text = path.read_text(encoding="utf-8")
    return {"name": profile.name, "file": path.name, "yaml": text}


def ingest_file(
    engine: Engine,
    path: Path,
    source: str,
    *,
    kind: str | None = None,
    copies: str | None = None,
    profile_path: Path | None = None,
    user: str = "cli",
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest `path` as a list from `source`, in one transaction."""
    profile = MappingProfile.load(profile_path) if profile_path else standard_profile()
    gazetteer = default_gazetteer()
    digest = file_sha256(path)
    summary = IngestSummary(file=path.name, source=source, sha256=digest)
    with engine.begin() as conn:
        previous = conn.scalar(select(Import.id).where(Import.sha256 == digest))
        if previous is not None:
            summary.import_id = int(previous)
            summary.already_imported = True
            return summary
        if conn.dialect.name == "postgresql":
            # The tables grow inside this one transaction, before autovacuum can analyse
            # them, so the planner would scan `records` for every batch's id lookup.
            conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        source_id = get_or_create_source(conn, source, kind, copies)
        with open_table(path, encoding=profile.encoding, sheet=profile.sheet) as table:
            summary.encoding = table.encoding
            import_id = int(
                conn.execute(
                    insert(Import)
                    .values(
                        source_id=source_id,
                        file_name=path.name,
                        sha256=digest,
                        imported_by=user,
                        file_format=path.suffix.lower().lstrip(".") or "csv",
                        encoding=table.encoding,
                        profile=_profile_document(profile, profile_path),
                        columns=list(table.columns),
                        warnings=[],
                    )
                    .returning(Import.id)
                ).scalar_one()
            )
            summary.import_id = import_id
            loader = _Loader(conn, import_id, source_id, summary)
            for batch in _batches(table.rows(), BATCH_ROWS):
                parsed = [parse_row(row.cells, profile, gazetteer) for row in batch]
                loader.load(batch, parsed)
                summary.rows_total += len(batch)
                if progress is not None:
                    progress(summary.rows_total)
            summary.warnings = list(table.warnings)
        loader.resolve_quarantine()
        conn.execute(
            update(Import)
            .where(Import.id == import_id)
            .values(
                warnings=summary.warnings,
                rows_total=summary.rows_total,
                rows_recorded=summary.rows_recorded,
                rows_quarantined=summary.rows_quarantined,
                rows_already_present=summary.rows_already_present,
            )
        )
    return summary
