"""A person as a documenter reads them: the name in both scripts, the records side by side
(one column per record, one row per field, disagreements marked), the sources that reported
them, and a timeline of reports, reviews and status decisions.

Built on `browse.view_person` (which writes the audit log's "person.view") and adds only what
the page needs and the file lacks: each record's import (who, when) and source kind, and how
many days apart the two dates of a linked pair are, so that an explanation can say "dates one
day apart" instead of the model's "within 3 days".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, select

from marsad.domain.records import STANDARD_COLUMNS, RecordRow
from marsad.names.arabic import has_arabic
from marsad.services.browse import PersonFile, view_person
from marsad.store.models import Import, Record, Source

FIELDS: tuple[str, ...] = tuple(
    c for c in STANDARD_COLUMNS if c not in ("record_id", "subdistrict", "incident_id", "notes")
)
"""The rows of the side-by-side table, in reading order."""


@dataclass(frozen=True)
class FieldRow:
    """One field across the person's records: a value per record (None when blank), and
    whether records that give it disagree."""

    field: str
    values: tuple[object, ...]
    differ: bool


@dataclass(frozen=True)
class SourceLine:
    name: str
    kind: str
    records: int
    first_reported: dt.datetime


@dataclass(frozen=True)
class TimelineEvent:
    """One dated event of a person's file: `kind` is "report", "review", "status", "revoke"
    or "verified"; `what` is the event's own code (a review's kind, a status) and `by` who."""

    at: dt.datetime
    kind: str
    what: str
    by: str
    note: str | None


@dataclass(frozen=True)
class PersonPage:
    file: PersonFile
    name_arabic: str | None
    name_latin: str | None
    records: list[RecordRow]
    rows: list[FieldRow]
    sources: list[SourceLine]
    timeline: list[TimelineEvent]
    days_apart: dict[int, int]
    """Link decision id → days between its two records' full dates of death."""


def _value(record: RecordRow, field: str) -> object:
    if field == "age":
        return record.age or None
    value = getattr(record, field)
    return None if value == "" else value


def _commonest(names: list[str]) -> str | None:
    return Counter(names).most_common(1)[0][0] if names else None


def side_by_side(records: list[RecordRow]) -> list[FieldRow]:
    """One row per field some record gives; a field no record gives is left out."""
    rows = []
    for field in FIELDS:
        values = tuple(_value(r, field) for r in records)
        given = {v for v in values if v is not None}
        if given:
            rows.append(FieldRow(field, values, len(given) > 1))
    return rows


def days_between(a: str | None, b: str | None) -> int | None:
    """Days between two full dates of death; None unless both are full dates."""
    if not a or not b or len(a) != 10 or len(b) != 10:
        return None
    return abs((dt.date.fromisoformat(a) - dt.date.fromisoformat(b)).days)


def person_page(engine: Engine, person_id: int, viewer: str, via: str) -> PersonPage:
    """Everything the person page shows; audited as `browse.view_person` is. NotFound for an
    unknown person."""
    file = view_person(engine, person_id, viewer, via)
    records = file.detail.records
    ids = [r.id for r in records]
    with engine.connect() as conn:
        imports = conn.execute(
            select(Record.id, Source.name, Source.kind, Import.imported_at, Import.imported_by)
            .join(Import, Import.id == Record.import_id)
            .join(Source, Source.id == Record.source_id)
            .where(Record.id.in_(ids))
        ).all()
    sources: dict[str, SourceLine] = {}
    timeline: list[TimelineEvent] = []
    for row in imports:
        known = sources.get(row.name)
        first = row.imported_at if known is None else min(known.first_reported, row.imported_at)
        count = 1 if known is None else known.records + 1
        sources[row.name] = SourceLine(row.name, row.kind, count, first)
    for name, line in sources.items():
        timeline.append(TimelineEvent(line.first_reported, "report", name, "", None))
    for action in file.detail.actions:
        timeline.append(
            TimelineEvent(action.decided_at, "review", action.kind, action.decided_by, action.note)
        )
        if action.undone_at is not None:
            timeline.append(
                TimelineEvent(action.undone_at, "undo", action.kind, action.undone_by or "", None)
            )
    for decision in file.status_decisions:
        timeline.append(
            TimelineEvent(
                decision.decided_at, "status", decision.status, decision.decided_by, decision.reason
            )
        )
        if decision.revoked_at is not None:
            timeline.append(
                TimelineEvent(
                    decision.revoked_at,
                    "revoke",
                    decision.status,
                    decision.revoked_by or "",
                    decision.revoke_reason,
                )
            )
    if file.status is not None:
        timeline.append(
            TimelineEvent(file.status.computed_at, "verified", file.status.verification, "", None)
        )
    by_id = {r.id: r for r in records}
    days_apart = {}
    for d in file.detail.decisions:
        a, b = by_id.get(d.record_a_id), by_id.get(d.record_b_id)
        apart = days_between(a.date_of_death, b.date_of_death) if a and b else None
        if apart is not None:
            days_apart[d.id] = apart
    names = [r.name for r in records if r.name]
    return PersonPage(
        file=file,
        name_arabic=_commonest([n for n in names if has_arabic(n)]),
        name_latin=_commonest([n for n in names if not has_arabic(n)]),
        records=records,
        rows=side_by_side(records),
        sources=sorted(sources.values(), key=lambda s: s.first_reported),
        timeline=sorted(timeline, key=lambda e: e.at),
        days_apart=days_apart,
    )
