"""Ingest one file from one source: raw rows kept verbatim, records or quarantine for each.

One file is one transaction: a crash or a kill mid-way leaves the store as it was before.
Re-importing a file already seen (same SHA-256) changes nothing, and a record a source has
already sent (same source, same record_id, same content) is not stored twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, cast

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    Table,
    and_,
    exists,
    func,
    insert,
    select,
    text,
    update,
)

from marsad.domain.records import (
    OPTIONAL_READ,
    FieldError,
    ParsedRow,
    RecordFields,
)
from marsad.ingest.parse import parse_row
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import MappingProfile, standard_profile
from marsad.ingest.readers import open_table
from marsad.ingest.table import NO_LIMITS, RawRow, ReadLimits
from marsad.ingest.table import Table as ReadTable
from marsad.ingest.unread import UnreadTally
from marsad.names import NameKeys
from marsad.services.audit import record_event
from marsad.services.sources import get_or_create_source
from marsad.store.models import Base, Import, QuarantineEntry, Record, RecordNameKey
from marsad.store.models import RawRow as RawRowTable

BATCH_ROWS = 2000


QUARANTINE_SAMPLE = 20


RowProgress = Callable[[int], None]
"""Told how many rows of the file have been read so far."""


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
    unread: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per field, the values not understood (`UnreadTally.report`)."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def batches(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
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


class RowLoader:
    """Writes one file's rows inside the caller's transaction, batch by batch."""

    def __init__(
        self,
        conn: Connection,
        import_id: int,
        source_id: int,
        summary: IngestSummary,
        headers: Mapping[str, str],
    ):
        self.conn = conn
        self.import_id = import_id
        self.source_id = source_id
        self.summary = summary
        self.tally = UnreadTally(headers)

    def load(self, batch: list[RawRow], parsed: list[ParsedRow]) -> None:
        raw_ids = reserve_raw_row_ids(self.conn, len(batch))
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
            if not row.problems:
                self.tally.add(row.cells, result)
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
                            "unread": {e.field: e.value for e in result.unread} or None,
                            "content_sha256": digest,
                            "raw_row_id": raw_id,
                            "import_id": self.import_id,
                            "source_id": self.source_id,
                        }
                    )
                    continue
            record_id = record.record_id if record is not None else self._record_id_of(row)
            errors.extend(e for e in result.unread if e.field in OPTIONAL_READ)
            self._quarantine(row, record_id, errors, raw_id, quarantine)
        if records:
            record_ids = reserve_ids(self.conn, Record, len(records))
            keys: list[dict[str, Any]] = []
            for item, new_id in zip(records, record_ids, strict=True):
                item["id"] = new_id
                found = NameKeys.of_record(
                    item["name"],
                    item["name_first"],
                    item["name_father"],
                    item["name_grandfather"],
                    item["name_family"],
                ).present
                keys.extend({"key": key, "record_id": new_id} for key in found)
            bulk_insert(self.conn, Record, records)
            if keys:
                bulk_insert(self.conn, RecordNameKey, keys)
        if quarantine:
            self.conn.execute(insert(QuarantineEntry), quarantine)
        self.summary.rows_recorded += len(records)

    def _record_id_of(self, row: RawRow) -> str | None:
        """The record_id cell of a row that did not become a record, under the file's header
        for it, so that a corrected row sent later resolves the quarantine entry."""
        value = row.cells.get(self.tally.headers.get("record_id", "record_id"), "").strip()
        return value or None

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
                QuarantineEntry.subject == "record",
                QuarantineEntry.resolved_by_record_id.is_(None),
                QuarantineEntry.import_id != self.import_id,
                exists(record),
            )
            .values(resolved_by_record_id=record.scalar_subquery())
        )


def bulk_insert(conn: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the caller's transaction: COPY on PostgreSQL, the driver's
    executemany with plain tuples on SQLite.

    PostgreSQL's COPY is several times faster than multi-row INSERT for the raw rows and
    records of a large file. On SQLite, SQLAlchemy's per-row parameter handling cost as much
    as SQLite itself; the rows here carry every column and no Python-side default, so they go
    to the driver as they are (JSON columns serialised as SQLAlchemy would).
    """
    columns = list(rows[0])
    if conn.dialect.name != "postgresql":
        table = cast(Table, model.__table__)
        as_json = [isinstance(table.c[c].type, JSON) for c in columns]
        statement = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        conn.exec_driver_sql(
            statement,
            [
                tuple(
                    json.dumps(v) if encode and v is not None else v
                    for v, encode in zip(map(row.__getitem__, columns), as_json, strict=True)
                )
                for row in rows
            ],
        )
        return
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


def reserve_ids(conn: Connection, table: type[RawRowTable] | type[Record], count: int) -> list[int]:
    """Ids for the next `count` raw rows or records, so that rows can point to them without a
    RETURNING round trip per row (SQLite would insert row by row to keep their order).

    SQLite: this transaction already holds the database's only write lock, so the ids
    after the current maximum are ours. PostgreSQL: taken from the table's sequence.
    """
    if conn.dialect.name == "postgresql":
        sequence = f"{table.__tablename__}_id_seq"
        return list(
            conn.scalars(
                text(f"SELECT nextval('{sequence}') FROM generate_series(1, :n)"),
                {"n": count},
            )
        )
    start = (conn.scalar(select(func.max(table.id))) or 0) + 1
    return list(range(start, start + count))


def reserve_raw_row_ids(conn: Connection, count: int) -> list[int]:
    """Ids for the next `count` raw rows (see `reserve_ids`)."""
    return reserve_ids(conn, RawRowTable, count)


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
    progress: RowProgress | None = None,
    limits: ReadLimits = NO_LIMITS,
) -> IngestSummary:
    """Ingest `path` as a list from `source`, in one transaction (audited: "ingest"); a file
    past `limits` raises LimitExceeded and leaves the store as it was."""
    profile = MappingProfile.load(profile_path) if profile_path else standard_profile()
    gazetteer = default_gazetteer()
    digest = file_sha256(path)
    summary = IngestSummary(file=path.name, source=source, sha256=digest)
    with engine.begin() as conn:
        if seen_before(conn, summary):
            return summary
        if conn.dialect.name == "postgresql":
            # The tables grow inside this one transaction, before autovacuum can analyse
            # them, so the planner would scan `records` for every batch's id lookup.
            conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        source_id = get_or_create_source(conn, source, kind, copies)
        with open_table(path, profile.encoding, profile.sheet, limits) as table:
            summary.encoding = table.encoding
            import_id = file_import(
                conn, source_id, path, digest, user, table, _profile_document(profile, profile_path)
            )
            summary.import_id = import_id
            headers = profile.header_map(table.columns)
            loader = RowLoader(conn, import_id, source_id, summary, headers)
            for batch in batches(table.rows(), BATCH_ROWS):
                parsed = [parse_row(row.cells, profile, gazetteer) for row in batch]
                loader.load(batch, parsed)
                summary.rows_total += len(batch)
                if progress is not None:
                    progress(summary.rows_total)
            summary.unread = loader.tally.report()
            summary.warnings = [*table.warnings, *loader.tally.warnings(source, path.name)]
        loader.resolve_quarantine()
        record_counts(conn, import_id, summary)
        record_event(conn, user, "ingest", f"import:{import_id}", audit_counts(summary))
    return summary


def seen_before(conn: Connection, summary: IngestSummary) -> bool:
    """Whether the summary's file (by its SHA-256) was imported already; then the summary
    names that import and says so, and nothing is to change."""
    previous = conn.scalar(select(Import.id).where(Import.sha256 == summary.sha256))
    if previous is None:
        return False
    summary.import_id = int(previous)
    summary.already_imported = True
    return True


def audit_counts(summary: IngestSummary) -> dict[str, Any]:
    """What the audit log keeps of an ingest: the file, the source and the row counts."""
    return {
        "file": summary.file,
        "source": summary.source,
        "rows": summary.rows_total,
        "recorded": summary.rows_recorded,
        "quarantined": summary.rows_quarantined,
    }


def file_import(
    conn: Connection,
    source_id: int,
    path: Path,
    digest: str,
    user: str,
    table: ReadTable,
    profile: dict[str, Any],
) -> int:
    """The Import row of a file read as `table`, its format named by the file's suffix."""
    return new_import(
        conn,
        source_id,
        path.name,
        digest,
        user,
        file_format=path.suffix.lower().lstrip(".") or "csv",
        encoding=table.encoding,
        profile=profile,
        columns=list(table.columns),
    )


def new_import(
    conn: Connection,
    source_id: int,
    file_name: str,
    sha256: str,
    user: str,
    *,
    file_format: str,
    encoding: str | None,
    profile: dict[str, Any],
    columns: list[str],
) -> int:
    """The Import row every file (or typed report) is read under; its counts come at the end
    (`record_counts`)."""
    return int(
        conn.execute(
            insert(Import)
            .values(
                source_id=source_id,
                file_name=file_name,
                sha256=sha256,
                imported_by=user,
                file_format=file_format,
                encoding=encoding,
                profile=profile,
                columns=columns,
                warnings=[],
            )
            .returning(Import.id)
        ).scalar_one()
    )


def record_counts(conn: Connection, import_id: int, summary: IngestSummary) -> None:
    """Keep an import's row counts and warnings with it, as its summary says."""
    conn.execute(
        update(Import)
        .where(Import.id == import_id)
        .values(
            warnings=summary.warnings,
            rows_total=summary.rows_total,
            rows_recorded=summary.rows_recorded,
            rows_quarantined=summary.rows_quarantined,
            rows_already_present=summary.rows_already_present,
            unread=summary.unread,
        )
    )
