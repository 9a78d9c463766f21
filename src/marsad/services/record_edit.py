"""Editing a record: a new version of its reading, with who and why; the raw row never changes.

The edit is read like a typed-in row (`ingest.parse.parse_row` with the standard profile and
the gazetteer), so a value the parser would refuse is refused with the field and the reason.
The first edit also keeps version 1, the record as the raw row was read, so every version can
be shown and compared; the record row holds the newest version, with its name keys, and the
source's record id never changes. Persons, statuses and counts follow at the next link and
verification (the dashboard says the data changed since).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from marsad.domain.records import STANDARD_COLUMNS
from marsad.errors import InputError, NotFound
from marsad.ingest.parse import parse_row
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import standard_profile
from marsad.names import NameKeys
from marsad.services.audit import record_event
from marsad.services.ingest_entry import RowRefused
from marsad.store.models import Record, RecordNameKey, utcnow
from marsad.store.web_tables import RecordVersion

EDITABLE = tuple(c for c in STANDARD_COLUMNS if c != "record_id")
"""What an edit may change: every standard column but the source's own id."""
READING = (
    "name", "name_first", "name_father", "name_grandfather", "name_family", "name_mother",
    "sex", "age_min", "age_max", "date_of_death", "governorate", "district", "subdistrict",
    "locality", "pcode", "pcode_adm1", "status", "civilian", "cause", "incident_id", "notes",
)  # fmt: skip
"""The record's columns an edit can change (the canonical reading of `parse_row`)."""


@dataclass(frozen=True)
class VersionView:
    version: int
    fields: dict[str, Any]
    edited_by: str
    edited_at: Any
    reason: str | None


def record_reading(conn: Connection, record_id: int) -> dict[str, Any]:
    row = conn.execute(select(Record.__table__).where(Record.id == record_id)).first()
    if row is None:
        raise NotFound(f"no record {record_id}")
    return {column: getattr(row, column) for column in ("record_id", *READING)}


def form_values(reading: Mapping[str, Any]) -> dict[str, str]:
    """A reading as the edit form shows it (the standard columns, as text)."""
    values = {c: "" if reading.get(c) is None else str(reading[c]) for c in STANDARD_COLUMNS}
    low, high = reading.get("age_min"), reading.get("age_max")
    values["age"] = "" if low is None else str(low) if low == high else f"{low}-{high}"
    civilian = reading.get("civilian")
    values["civilian"] = "" if civilian is None else "yes" if civilian else "no"
    return values


def edit_record(
    engine: Engine, record_id: int, cells: Mapping[str, str], reason: str, user: str
) -> int:
    """Store a new version of the record from the edited `cells`; returns its number.
    RowRefused names each field the parser refuses; InputError when no reason is given or
    nothing changed."""
    if not reason.strip():
        raise InputError("say why the record is edited")
    with engine.begin() as conn:
        before = record_reading(conn, record_id)
        typed = {c: str(cells.get(c, "")).strip() for c in EDITABLE}
        parsed = parse_row(
            {**typed, "record_id": before["record_id"]}, standard_profile(), default_gazetteer()
        )
        if parsed.record is None:
            raise RowRefused(tuple(parsed.errors))
        after = {c: getattr(parsed.record, c) for c in READING}
        changed = {c: v for c, v in after.items() if v != before[c]}
        if not changed:
            raise InputError("nothing was changed")
        latest = conn.scalar(
            select(func.max(RecordVersion.version)).where(RecordVersion.record_id == record_id)
        )
        if latest is None:
            conn.execute(
                insert(RecordVersion).values(
                    record_id=record_id, version=1, fields=dict(before), edited_by="ingest",
                    edited_at=utcnow(), reason=None,
                )
            )  # fmt: skip
            latest = 1
        conn.execute(
            insert(RecordVersion).values(
                record_id=record_id, version=latest + 1, fields={**before, **after},
                edited_by=user, edited_at=utcnow(), reason=reason.strip(),
            )
        )  # fmt: skip
        conn.execute(update(Record).where(Record.id == record_id).values(**after))
        conn.execute(delete(RecordNameKey).where(RecordNameKey.record_id == record_id))
        keys = NameKeys.of_record(
            after["name"], after["name_first"], after["name_father"],
            after["name_grandfather"], after["name_family"],
        ).present  # fmt: skip
        if keys:
            conn.execute(insert(RecordNameKey), [{"key": k, "record_id": record_id} for k in keys])
        record_event(
            conn, user, "record.edit", f"record:{record_id}",
            {"version": latest + 1, "fields": sorted(changed)},
        )  # fmt: skip
        return latest + 1


def record_versions(engine: Engine, record_id: int) -> list[VersionView]:
    """Every version of a record, newest first (none until it is first edited)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(RecordVersion.__table__)
            .where(RecordVersion.record_id == record_id)
            .order_by(RecordVersion.version.desc())
        ).all()
        return [
            VersionView(r.version, dict(r.fields), r.edited_by, r.edited_at, r.reason) for r in rows
        ]
