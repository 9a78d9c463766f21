"""Read-only views of the store for the web and the CLI: store totals, the dashboard's figures,
pages of persons, records, estimates and audit events, and a person's full file.

Every listing is paginated: a store holds 100,000s of rows. Counts come from the counts layer
(`marsad.services.counts`) and overlaps from the estimators' own capture histories, so the
dashboard says what `marsad counts`, the report and `marsad estimate` say. Reading a person's
full file is itself an act the audit log keeps (`view_person`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from marsad.domain.estimates import CaptureHistories
from marsad.domain.records import RecordRow
from marsad.i18n import LANGUAGES
from marsad.services.audit import record_event
from marsad.services.counts import (
    CountRow,
    EstimatedTotal,
    count_persons,
    documented_missing,
    latest_estimate,
    standard_definitions,
    totals,
)
from marsad.services.persons import independent_list_names
from marsad.services.review_person import PersonDetail, person_detail
from marsad.services.review_queue import queue_size
from marsad.services.sources import SourceSize, source_sizes
from marsad.services.verify import StatusDecisionView, status_decisions, summaries_version
from marsad.store.models import (
    AuditEvent,
    EstimateRun,
    Import,
    LinkRun,
    Person,
    PersonSummary,
    Record,
    ReviewAction,
    Source,
)
from marsad.store.records import record_rows, select_records


@dataclass(frozen=True)
class Overview:
    sources: list[SourceSize]
    records: int
    persons: int
    quarantined: int
    review_queue: int


def overview(engine: Engine) -> Overview:
    """What the store holds now, for the dashboard."""
    with engine.connect() as conn:
        sizes = source_sizes(conn)
        persons = conn.scalar(select(func.count()).select_from(Person)) or 0
    return Overview(
        sources=sizes,
        records=sum(s.records for s in sizes),
        persons=int(persons),
        quarantined=sum(s.quarantined for s in sizes),
        review_queue=queue_size(engine),
    )


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's figures: persons killed under every counting standard, the estimate,
    deaths per week by governorate and the independent lists' overlaps."""

    overview: Overview
    totals: CountRow
    definitions: dict[str, dict[str, str]]
    """Language → standard → what it counts, by the rules in force."""
    not_documented: dict[str, int]
    estimated: EstimatedTotal | None
    weeks_by_governorate: list[tuple[str | None, list[tuple[dt.date, int]]]]
    undated: int
    overlaps: CaptureHistories | None


def _weeks_by_governorate(
    rows: Sequence[CountRow],
) -> tuple[list[tuple[str | None, list[tuple[dt.date, int]]]], int]:
    """Reported persons per (governorate, week), and how many have no full date."""
    by_governorate: dict[str | None, list[tuple[dt.date, int]]] = {}
    undated = 0
    for row in rows:
        week, governorate = row.keys["week"], row.keys["governorate"]
        if week is None:
            undated += row.reported
            continue
        key = None if governorate is None else str(governorate)
        by_governorate.setdefault(key, []).append((dt.date.fromisoformat(str(week)), row.reported))
    ordered = sorted(by_governorate.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return ordered, undated


def overlaps(conn: Connection, status: str = "killed") -> CaptureHistories | None:
    """The capture histories of persons of `status` over the independent lists, as
    `estimate.capture_histories` makes them, counted in SQL so the store sends a few rows
    (one per combination of lists) instead of every person: each independent list is a bit,
    and a person's combination is the sum of the distinct bits of their records."""
    lists = independent_list_names(conn)
    names = sorted(set(lists.values()))
    bit = {name: 1 << i for i, name in enumerate(names)}
    if not names:
        return None
    mask = case(
        *((Record.source_id == source_id, bit[name]) for source_id, name in lists.items()),
        else_=0,
    )
    per_person = (
        select(func.sum(mask.distinct()).label("mask"))
        .join(PersonSummary, PersonSummary.person_id == Record.person_id)
        .where(PersonSummary.status == status)
        .group_by(Record.person_id)
        .subquery()
    )
    counts = {
        int(m): int(n)
        for m, n in conn.execute(
            select(per_person.c.mask, func.count()).group_by(per_person.c.mask)
        )
    }
    present = [name for name in names if any(m & bit[name] for m in counts)]
    if not present:
        return None
    return CaptureHistories(
        tuple(present),
        {tuple(int(bool(m & bit[name])) for name in present): n for m, n in counts.items()},
    )


def store_state(conn: Connection) -> tuple[object, ...]:
    """What the dashboard's figures depend on, read from primary keys and one setting: when
    none of it changed, neither did the figures."""
    return (
        conn.scalar(select(func.max(Import.id))),
        conn.scalar(select(func.max(LinkRun.id))),
        conn.scalar(select(func.max(ReviewAction.id))),
        conn.scalar(select(func.max(EstimateRun.id))),
        summaries_version(conn),
    )


_dashboards: dict[str, tuple[tuple[object, ...], Dashboard]] = {}
_dashboards_lock = threading.Lock()
"""Held while a dashboard is computed, so that the team members who open it at the same
moment wait for one computation instead of each running their own."""


def dashboard(engine: Engine) -> Dashboard:
    """Everything the dashboard shows; persons killed, as the report. Computed once per state
    of the store and kept by this process: on a million records it takes seconds, and every
    page load of every team member would otherwise pay them."""
    with engine.connect() as conn:
        state = store_state(conn)
    key = str(engine.url)
    with _dashboards_lock:
        cached = _dashboards.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
        board = _dashboard(engine)
        _dashboards[key] = (state, board)
        return board


def _dashboard(engine: Engine) -> Dashboard:
    figures = overview(engine)
    with engine.connect() as conn:
        headline = totals(conn)
        weeks, undated = _weeks_by_governorate(count_persons(conn, ("governorate", "week")))
        return Dashboard(
            overview=figures,
            totals=headline,
            definitions={lang: standard_definitions(conn, lang) for lang in LANGUAGES},
            not_documented=documented_missing(conn),
            estimated=latest_estimate(conn),
            weeks_by_governorate=weeks,
            undated=undated,
            overlaps=overlaps(conn),
        )


@dataclass(frozen=True)
class PersonRow:
    id: int
    records: int
    sources: list[str]
    names: list[str]


def _count(conn: Connection, query: Any) -> int:
    return int(conn.scalar(select(func.count()).select_from(query.subquery())) or 0)


def persons_page(engine: Engine, offset: int, limit: int) -> tuple[int, list[PersonRow]]:
    """(total, persons offset..offset+limit by id), each with its record count, sources, names."""
    with engine.connect() as conn:
        total = int(conn.scalar(select(func.count()).select_from(Person)) or 0)
        rows = conn.execute(
            select(Person.id, func.count(Record.id).label("records"))
            .outerjoin(Record, Record.person_id == Person.id)
            .group_by(Person.id)
            .order_by(Person.id)
            .offset(offset)
            .limit(limit)
        ).all()
        ids = [r.id for r in rows]
        sources: dict[int, set[str]] = {pid: set() for pid in ids}
        names: dict[int, set[str]] = {pid: set() for pid in ids}
        if ids:
            details = conn.execute(
                select(Record.person_id, Source.name.label("source"), Record.name)
                .join(Source, Source.id == Record.source_id)
                .where(Record.person_id.in_(ids))
            )
            for d in details:
                sources[d.person_id].add(d.source)
                names[d.person_id].add(d.name)
    return total, [
        PersonRow(r.id, int(r.records), sorted(sources[r.id]), sorted(names[r.id])) for r in rows
    ]


def records_page(
    engine: Engine, offset: int, limit: int, source: str | None = None
) -> tuple[int, list[RecordRow]]:
    """(total, records by id) optionally of one source."""
    query = select_records()
    if source is not None:
        query = query.where(Source.name == source)
    with engine.connect() as conn:
        total = _count(conn, query)
        rows = conn.execute(query.order_by(Record.id).offset(offset).limit(limit))
        return total, record_rows(rows)


@dataclass(frozen=True)
class EstimateRow:
    id: int
    created_at: dt.datetime
    method: str
    settings: dict[str, Any]
    result: dict[str, Any]


def estimates_page(engine: Engine, offset: int, limit: int) -> tuple[int, list[EstimateRow]]:
    """(total, estimation runs newest first)."""
    with engine.connect() as conn:
        total = int(conn.scalar(select(func.count()).select_from(EstimateRun)) or 0)
        rows = conn.execute(
            select(
                EstimateRun.id,
                EstimateRun.created_at,
                EstimateRun.method,
                EstimateRun.settings,
                EstimateRun.result,
            )
            .order_by(EstimateRun.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return total, [EstimateRow(**row._asdict()) for row in rows]


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class AuditFilter:
    """Which audit events to list: by whom, which actions, and from / to which day (UTC)."""

    actor: str | None = None
    actions: Sequence[str] = ()
    since: dt.date | None = None
    until: dt.date | None = None


def audit_choices(engine: Engine) -> tuple[list[str], list[str]]:
    """(actors, actions) the log holds, for the audit page's filters."""
    with engine.connect() as conn:
        actors = list(conn.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))
        actions = list(
            conn.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
        )
    return actors, actions


def audit_page(
    engine: Engine,
    offset: int,
    limit: int,
    actions: Sequence[str] = (),
    where: AuditFilter | None = None,
) -> tuple[int, list[AuditRow]]:
    """(total, audit events newest first), optionally only of some actions, or as `where`
    says."""
    query = select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.target,
        AuditEvent.detail,
    )
    where = where or AuditFilter()
    wanted = [*actions, *where.actions]
    if wanted:
        query = query.where(AuditEvent.action.in_(wanted))
    if where.actor:
        query = query.where(AuditEvent.actor == where.actor)
    if where.since:
        query = query.where(AuditEvent.at >= dt.datetime.combine(where.since, dt.time()))
    if where.until:
        end = dt.datetime.combine(where.until + dt.timedelta(days=1), dt.time())
        query = query.where(AuditEvent.at < end)
    with engine.connect() as conn:
        total = _count(conn, query)
        rows = conn.execute(query.order_by(AuditEvent.id.desc()).offset(offset).limit(limit))
        return total, [AuditRow(**row._asdict()) for row in rows]


@dataclass(frozen=True)
class PersonStatus:
    """A person's verification and resolved values, as `marsad verify` last stored them."""

    status: str
    verification: str
    rule: str
    evidence: list[int]
    reasons: list[str]
    documented: bool
    documented_missing: list[str]
    sex: str | None
    age_min: int | None
    age_max: int | None
    date_of_death: str | None
    governorate: str | None
    district: str | None
    conflicting: bool
    conflicts: dict[str, Any]
    resolved_by: dict[str, str]
    computed_at: dt.datetime


@dataclass(frozen=True)
class PersonFile:
    """A person's full record: records by source, link decisions and their explanations,
    verification with its reasons and conflicts, and reviewers' status decisions."""

    detail: PersonDetail
    status: PersonStatus | None
    status_decisions: list[StatusDecisionView]


def _person_status(conn: Connection, person_id: int) -> PersonStatus | None:
    row = conn.execute(
        select(PersonSummary.__table__).where(PersonSummary.person_id == person_id)
    ).first()
    if row is None:
        return None
    return PersonStatus(
        status=row.status,
        verification=row.verification,
        rule=row.verification_rule,
        evidence=list(row.verification_records),
        reasons=list(row.verification_reasons),
        documented=bool(row.documented),
        documented_missing=list(row.documented_missing),
        sex=row.sex,
        age_min=row.age_min,
        age_max=row.age_max,
        date_of_death=row.date_of_death,
        governorate=row.governorate,
        district=row.district,
        conflicting=bool(row.conflicting),
        conflicts=dict(row.conflicts),
        resolved_by=dict(row.resolved_by),
        computed_at=row.computed_at,
    )


def person_status_decisions(engine: Engine, person_id: int) -> list[StatusDecisionView]:
    """A person's status decisions, in force or revoked, oldest first (they hold no name)."""
    with engine.connect() as conn:
        return status_decisions(conn, person_id)


def view_person(engine: Engine, person_id: int, viewer: str, via: str) -> PersonFile:
    """A person's full file, written to the audit log as "person.view" by `viewer` (`via`
    says which face: "web", "api"…). Raises NotFound for an unknown person."""
    detail = person_detail(engine, person_id)
    with engine.begin() as conn:
        status = _person_status(conn, person_id)
        decisions = status_decisions(conn, person_id)
        record_event(conn, viewer, "person.view", f"person:{person_id}", {"via": via})
    return PersonFile(detail, status, decisions)
