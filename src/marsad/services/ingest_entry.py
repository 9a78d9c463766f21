"""One row at a time: a record typed in by hand (`ingest_entry`) and a quarantined row corrected
by a reviewer (`ingest_correction`), each a small import of its own, read with the profile its
file was read with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    func,
    select,
    update,
)

from marsad.domain.records import (
    OPTIONAL_READ,
    STANDARD_COLUMNS,
    FieldError,
)
from marsad.errors import InputError, NotFound
from marsad.ingest.parse import parse_row
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import MappingProfile, standard_profile
from marsad.ingest.table import RawRow
from marsad.services.audit import record_event
from marsad.services.ingest import IngestSummary, RowLoader, new_import, record_counts
from marsad.services.sources import get_or_create_source
from marsad.store.models import Import, QuarantineEntry, Record, Source
from marsad.store.models import RawRow as RawRowTable


class RowRefused(InputError):
    """A row typed or corrected in the web app still cannot become a record; nothing was stored."""

    def __init__(self, errors: tuple[FieldError, ...]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class _QuarantinedOrigin:
    source: str
    file_name: str
    row_number: int
    headers: tuple[str, ...]
    profile: MappingProfile
    profile_document: dict[str, Any]


def _stored_profile(document: dict[str, Any]) -> MappingProfile:
    """The profile an import was read with, rebuilt from the YAML kept in its Import row."""
    if "yaml" not in document:
        return standard_profile()
    return MappingProfile.from_yaml(
        document["yaml"], source=str(document.get("file", document["name"]))
    )


def _quarantined_origin(conn: Connection, raw_row_id: int) -> _QuarantinedOrigin:
    row = conn.execute(
        select(
            Source.name, Import.file_name, Import.profile, RawRowTable.row_number, RawRowTable.data
        )
        .join(Import, Import.id == RawRowTable.import_id)
        .join(Source, Source.id == Import.source_id)
        .where(RawRowTable.id == raw_row_id)
    ).first()
    waiting = conn.scalar(
        select(func.count())
        .select_from(QuarantineEntry)
        .where(
            QuarantineEntry.raw_row_id == raw_row_id,
            QuarantineEntry.resolved_by_record_id.is_(None),
        )
    )
    if row is None or not waiting:
        raise NotFound(f"raw row {raw_row_id} is not waiting in quarantine")
    return _QuarantinedOrigin(
        source=row.name,
        file_name=row.file_name,
        row_number=row.row_number,
        headers=tuple(row.data),
        profile=_stored_profile(row.profile),
        profile_document=row.profile,
    )


def quarantined_row_profile(engine: Engine, raw_row_id: int) -> MappingProfile:
    """The mapping profile a quarantined row was read with: which header holds which field."""
    with engine.connect() as conn:
        return _quarantined_origin(conn, raw_row_id).profile


def _ingest_one_row(
    conn: Connection,
    cells: dict[str, str],
    summary: IngestSummary,
    *,
    kind: str | None,
    profile: MappingProfile,
    profile_document: dict[str, Any],
    user: str,
) -> int:
    """Store one typed row as a one-row import through the loader; returns its record's id.

    Raises RowRefused (and so rolls the caller's transaction back) when the row would only
    reach quarantine, or would leave a value it gives unread: the person who typed it is there
    to fix it.
    """
    source_id = get_or_create_source(conn, summary.source, kind)
    import_id = new_import(
        conn,
        source_id,
        summary.file,
        summary.sha256,
        user,
        file_format="form",
        encoding=None,
        profile=profile_document,
        columns=list(cells),
    )
    summary.import_id = import_id
    row = RawRow(1, cells)
    parsed = parse_row(cells, profile, default_gazetteer())
    if parsed.unread:
        raise RowRefused((*parsed.errors, *(e for e in parsed.unread if e.field in OPTIONAL_READ)))
    loader = RowLoader(conn, import_id, source_id, summary, profile.header_map(cells))
    loader.load([row], [parsed])
    summary.rows_total = 1
    if parsed.record is None or summary.rows_quarantined:
        raise RowRefused(summary.quarantined[0].errors if summary.quarantined else ())
    loader.resolve_quarantine()
    record_counts(conn, import_id, summary)
    return int(
        conn.execute(
            select(Record.id).where(
                Record.source_id == source_id, Record.record_id == parsed.record.record_id
            )
        ).scalar_one()
    )


def _cells_digest(kind: str, key: object, cells: dict[str, str]) -> str:
    document = json.dumps([kind, key, cells], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def ingest_entry(
    engine: Engine, cells: Mapping[str, str], source: str, *, kind: str | None, user: str
) -> IngestSummary:
    """One report typed into the data entry form: a one-row import of `source` in the standard
    columns, read by the same parser and loader as a file, and audited as `entry.add`.

    Raises RowRefused with every field error when the report cannot become a record.
    """
    values = {k: v for k, v in cells.items() if v.strip()}
    summary = IngestSummary(
        file="data entry form", source=source, sha256=_cells_digest("entry", source, values)
    )
    with engine.begin() as conn:
        previous = conn.scalar(select(Import.id).where(Import.sha256 == summary.sha256))
        if previous is not None:
            summary.import_id = int(previous)
            summary.already_imported = True
            return summary
        record = _ingest_one_row(
            conn,
            values,
            summary,
            kind=kind,
            profile=standard_profile(),
            profile_document={"name": "standard"},
            user=user,
        )
        record_event(conn, user, "entry.add", f"record:{record}", {"import": summary.import_id})
    return summary


def ingest_correction(
    engine: Engine, raw_row_id: int, cells: Mapping[str, str], *, user: str
) -> IngestSummary:
    """A quarantined row corrected by hand: a one-row import of its source, read with the
    profile of its import, whose record resolves the row's quarantine entries.

    The raw row itself is never changed. `cells` keeps the row's headers and may add standard
    columns (e.g. a missing record_id). Audited as `quarantine.correct`. Raises RowRefused
    when the corrected row still cannot become a record, ValueError when the row is not
    waiting in quarantine or its headers were changed.
    """
    values = dict(cells)
    with engine.begin() as conn:
        origin = _quarantined_origin(conn, raw_row_id)
        added = set(values) - set(origin.headers)
        if set(origin.headers) - set(values) or added - set(STANDARD_COLUMNS):
            raise InputError("a corrected row keeps the row's columns and adds only standard ones")
        summary = IngestSummary(
            file=f"{origin.file_name} row {origin.row_number} corrected",
            source=origin.source,
            sha256=_cells_digest("correction", raw_row_id, values),
        )
        record = _ingest_one_row(
            conn,
            values,
            summary,
            kind=None,
            profile=origin.profile,
            profile_document=origin.profile_document,
            user=user,
        )
        conn.execute(
            update(QuarantineEntry)
            .where(
                QuarantineEntry.raw_row_id == raw_row_id,
                QuarantineEntry.resolved_by_record_id.is_(None),
            )
            .values(resolved_by_record_id=record)
        )
        detail = {"import": summary.import_id, "record": record}
        record_event(conn, user, "quarantine.correct", f"raw_row:{raw_row_id}", detail)
    return summary
