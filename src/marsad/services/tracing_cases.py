"""The tracing query layer: every read of a case goes through `readable_cases`, which applies
the reporters' consent; and the acts on a case (workflow steps, consent withdrawal, opening a
reporter's contact).

A case is readable by an audience (`marsad.tracing.consent.AUDIENCES`) when the narrowest
consent among its reports not withdrawn allows it; a case whose every report is withdrawn is
readable by nobody. Pages, the API, the CLI, matching and exports all read cases here, so no
other path can show, match or export a case its reporters did not agree to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import Connection, Engine, case, func, insert, select, update

from marsad.domain.records import NAME_COLUMNS
from marsad.errors import InputError, NotFound, PermissionDenied
from marsad.evidence import witness as sealing
from marsad.services.audit import record_event
from marsad.services.testimony import open_data_key
from marsad.services.tracing_ingest import sealing_context
from marsad.services.users import can, find_user
from marsad.store.models import Person, Record, Source, User, utcnow
from marsad.store.records import record_rows, select_records
from marsad.store.tracing_tables import (
    MissingReport,
    TracingCandidate,
    TracingCase,
    TracingStep,
)
from marsad.tracing import workflow
from marsad.tracing.consent import AUDIENCES, CONSENT_SCOPES, allows, scopes_for
from marsad.tracing.reports import birth_years

ACTIVE = ("open", "possible_match")
"""The states of a case still sought: matching scores them, partners' exports list them."""


@dataclass(frozen=True)
class ReportView:
    """One report as the tracing team reads it: never the reporter's name or contact."""

    id: int
    report_ref: str
    source: str
    reported_on: str | None
    reporter_relationship: str | None
    consent_scope: str
    name: str
    name_first: str | None
    name_father: str | None
    name_grandfather: str | None
    name_family: str | None
    name_mother: str | None
    sex: str | None
    age_min: int | None
    age_max: int | None
    birth_year_min: int | None
    birth_year_max: int | None
    last_seen_date: str | None
    last_seen_place: str | None
    governorate: str | None
    pcode_adm1: str | None
    circumstances: str | None
    description: str | None
    notes: str | None
    has_contact: bool


@dataclass(frozen=True)
class CaseView:
    """A case readable by the audience that asked: its state, consent and live reports."""

    case_id: int
    state: str
    consent_scope: str
    updated_at: dt.datetime
    reports: tuple[ReportView, ...]

    @property
    def first(self) -> ReportView:
        return self.reports[0]

    @property
    def governorate(self) -> str | None:
        return next((r.governorate for r in self.reports if r.governorate), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "state": self.state,
            "consent_scope": self.consent_scope,
            "report_ids": [r.report_ref for r in self.reports],
            "reports": [asdict(r) for r in self.reports],
        }


_REPORT_FIELDS = [f.name for f in fields(ReportView) if f.name not in ("source", "has_contact")]
_RANK = case(
    *((MissingReport.consent_scope == s, i) for i, s in enumerate(CONSENT_SCOPES)),
    else_=0,
)


def readable_cases(
    conn: Connection,
    audience: str,
    *,
    case_ids: Sequence[int] | None = None,
    states: Sequence[str] | None = None,
) -> list[CaseView]:
    """The cases `audience` may read (module docstring), by id, each with its live reports in
    the order they came. The one function through which every read of a case goes."""
    if audience not in AUDIENCES:
        raise InputError(f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}")
    allowed = [CONSENT_SCOPES.index(s) for s in scopes_for(audience)]
    live = (
        select(MissingReport.case_id, func.min(_RANK).label("scope_rank"))
        .where(MissingReport.withdrawn_at.is_(None))
        .group_by(MissingReport.case_id)
        .subquery()
    )
    query = (
        select(TracingCase.id, TracingCase.state, TracingCase.updated_at, live.c.scope_rank)
        .join(live, live.c.case_id == TracingCase.id)
        .where(live.c.scope_rank.in_(allowed))
        .order_by(TracingCase.id)
    )
    if case_ids is not None:
        query = query.where(TracingCase.id.in_(list(case_ids)))
    if states is not None:
        query = query.where(TracingCase.state.in_(list(states)))
    cases = conn.execute(query).all()
    reports: dict[int, list[ReportView]] = {}
    ids = [c.id for c in cases]
    for start in range(0, len(ids), 5000):
        rows = conn.execute(
            select(
                *(getattr(MissingReport, f) for f in _REPORT_FIELDS),
                Source.name.label("source"),
                MissingReport.reporter_contact.is_not(None).label("has_contact"),
                MissingReport.case_id,
            )
            .join(Source, Source.id == MissingReport.source_id)
            .where(
                MissingReport.case_id.in_(ids[start : start + 5000]),
                MissingReport.withdrawn_at.is_(None),
            )
            .order_by(MissingReport.id)
        )
        for row in rows:
            values = row._asdict()
            reports.setdefault(values.pop("case_id"), []).append(ReportView(**values))
    views = [
        CaseView(c.id, c.state, CONSENT_SCOPES[c.scope_rank], c.updated_at, tuple(reports[c.id]))
        for c in cases
    ]
    assert all(allows(v.consent_scope, audience) for v in views)
    return views


def as_id(text: str) -> int | None:
    """A store id written in ASCII digits (at most 18), or None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def resolve_case(conn: Connection, audience: str, ident: str) -> CaseView:
    """The readable case named by `ident`: a case id, or the report_id of any of its reports."""
    ident = ident.strip()
    ids: list[int] = []
    if (case_id := as_id(ident)) is not None:
        ids = [case_id]
    ids += list(
        conn.scalars(
            select(MissingReport.case_id).where(
                MissingReport.report_ref == ident, MissingReport.withdrawn_at.is_(None)
            )
        )
    )
    found = {c.case_id: c for c in readable_cases(conn, audience, case_ids=ids)} if ids else {}
    for case_id in ids:
        if case_id in found:
            return found[case_id]
    raise NotFound(f"no case {ident!r} (a case id or a report_id)")


@dataclass(frozen=True)
class CandidateView:
    """A stored candidate of a case (the JSON shape of `marsad missing candidates`)."""

    person_id: int
    status: str
    probability: float
    records: list[dict[str, str]]
    why: list[str]
    pool: str = field(default="records")

    def as_dict(self, words: Callable[[str], str]) -> dict[str, Any]:
        """The JSON shape of `marsad missing candidates`; `words` turns reasons' catalogue
        keys into words."""
        return {
            "person_id": self.person_id,
            "status": self.status,
            "probability": self.probability,
            "records": self.records,
            "why": [words(k) for k in self.why],
        }


def stored_candidates(conn: Connection, case_id: int) -> list[CandidateView]:
    """The case's candidates from its latest match, best first. Callers reach a case id only
    through `readable_cases`."""
    rows = conn.execute(
        select(TracingCandidate.__table__)
        .where(TracingCandidate.case_id == case_id)
        .order_by(TracingCandidate.rank)
    )
    return [
        CandidateView(r.person_id, r.status, r.probability, list(r.records), list(r.why), r.pool)
        for r in rows
    ]


def history(conn: Connection, case_id: int) -> list[tuple[dt.datetime, workflow.Step]]:
    rows = conn.execute(
        select(TracingStep.__table__).where(TracingStep.case_id == case_id).order_by(TracingStep.id)
    )
    return [
        (r.at, workflow.Step(r.actor, r.act, r.state_from, r.state_to, dict(r.detail)))
        for r in rows
    ]


def record_step(conn: Connection, case_id: int, step: workflow.Step) -> None:
    """Keep a step in the case's history and the audit log, and move the case's state."""
    conn.execute(
        insert(TracingStep).values(
            case_id=case_id,
            actor=step.actor,
            act=step.act,
            state_from=step.state_from,
            state_to=step.state_to,
            detail=dict(step.detail),
        )
    )
    conn.execute(
        update(TracingCase)
        .where(TracingCase.id == case_id)
        .values(state=step.state_to, updated_at=utcnow())
    )
    record_event(
        conn,
        step.actor,
        f"tracing.{step.act}",
        f"case:{case_id}",
        {"from": step.state_from, "to": step.state_to},
    )


def _tracer(conn: Connection, username: str, permission: str) -> str:
    user = find_user(conn, User.username == username)
    if user is None or user.disabled or not can(user.role, permission):
        raise PermissionDenied(
            f"{username!r} may not do this: only an enabled account with the tracing role may"
        )
    return user.username


def _check_person(conn: Connection, person: object) -> None:
    """A death is confirmed on a person the store holds, named by id."""
    text = str(person or "").strip()
    person_id = as_id(text)
    if person_id is None or conn.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound(f"no person {text!r}: a death is confirmed on a person of the store")


def act_on_case(
    engine: Engine, ident: str, username: str, act: str, detail: Mapping[str, Any]
) -> workflow.Step:
    """A reviewer's act on a case (`marsad.tracing.workflow.ACTS`), by an enabled account that
    may trace; kept as a step and in the audit log."""
    with engine.begin() as conn:
        actor = _tracer(conn, username, "trace")
        view = resolve_case(conn, "internal", ident)
        steps = [s for _, s in history(conn, view.case_id)]
        if act == "confirm_dead":
            _check_person(conn, detail.get("person_id"))
        step = workflow.apply(view.state, steps, actor, act, detail)
        record_step(conn, view.case_id, step)
    return step


def withdraw_report(engine: Engine, report_ref: str, username: str, reason: str) -> int:
    """The reporter withdrew consent: the report leaves every read but the audit log; a case
    left with no report leaves with it. Returns the case id."""
    with engine.begin() as conn:
        actor = _tracer(conn, username, "trace")
        row = conn.execute(
            select(MissingReport.id, MissingReport.case_id).where(
                MissingReport.report_ref == report_ref, MissingReport.withdrawn_at.is_(None)
            )
        ).first()
        if row is None:
            raise NotFound(f"no report {report_ref!r} (or its consent was already withdrawn)")
        conn.execute(
            update(MissingReport)
            .where(MissingReport.id == row.id)
            .values(withdrawn_at=utcnow(), withdrawn_by=actor)
        )
        record_event(
            conn, actor, "tracing.consent_withdrawn", f"report:{row.id}", {"reason": reason}
        )
    return int(row.case_id)


@dataclass(frozen=True)
class Reporter:
    report_ref: str
    name: str | None
    contact: str | None
    relationship: str | None


def reveal_reporter(
    engine: Engine, kek: sealing.KeyEncryptionKey, report_ref: str, username: str, reason: str
) -> Reporter:
    """Open a reporter's name and contact for the tracing role; the audit entry is committed
    before anything is returned."""
    with engine.begin() as conn:
        actor = _tracer(conn, username, "view_reporter_contact")
        row = conn.execute(
            select(MissingReport.__table__).where(
                MissingReport.report_ref == report_ref, MissingReport.withdrawn_at.is_(None)
            )
        ).first()
        if row is None:
            raise NotFound(f"no report {report_ref!r} (or its consent was withdrawn)")
        opened: dict[str, str | None] = {"reporter_name": None, "reporter_contact": None}
        if row.reporter_key_id is not None:
            key = open_data_key(conn, kek, row.reporter_key_id)
            context = sealing_context(row.source_id, row.report_ref)
            for name in opened:
                sealed = getattr(row, name)
                if sealed is not None:
                    opened[name] = sealing.open_sealed(key, context, name, sealed)
        record_event(
            conn, actor, "tracing.reporter_revealed", f"report:{row.id}", {"reason": reason}
        )
    return Reporter(
        report_ref, opened["reporter_name"], opened["reporter_contact"], row.reporter_relationship
    )


def case_counts(conn: Connection, audience: str) -> list[tuple[str, str | None, int]]:
    """(state, governorate, cases) of the cases `audience` may read, in the workflow's order:
    the tracing dashboard. Missing persons are counted here, never among the killed."""
    counts: dict[tuple[str, str | None], int] = {}
    for view in readable_cases(conn, audience):
        key = (view.state, view.governorate)
        counts[key] = counts.get(key, 0) + 1
    order = {s: i for i, s in enumerate(workflow.STATES)}
    return sorted(
        ((s, g, n) for (s, g), n in counts.items()),
        key=lambda x: (order.get(x[0], 99), x[1] or ""),
    )


SIDE_BY_SIDE = (
    *NAME_COLUMNS,
    "sex",
    "born",
    "place",
    "date",
)
"""The rows of the case page's comparison: the sought person beside each candidate."""


def joined(values: list[str | None]) -> str:
    """Differing values of one field, each once, in order."""
    return " / ".join(dict.fromkeys(v for v in values if v))


def sought_fields(view: CaseView) -> dict[str, str]:
    """The sought person as the case's reports describe them, one value per compared field
    (several reports' differing values joined by " / ")."""

    born = [
        (f"{r.birth_year_min}" if r.birth_year_min == r.birth_year_max else
         f"{r.birth_year_min or '…'}–{r.birth_year_max}")
        if r.birth_year_max else None
        for r in view.reports
    ]  # fmt: skip
    fields = {f: joined([getattr(r, f) for r in view.reports]) for f in SIDE_BY_SIDE[:7]}
    return {
        **fields,
        "born": joined(born),
        "place": joined([r.last_seen_place or r.governorate for r in view.reports]),
        "date": joined([r.last_seen_date for r in view.reports]),
    }


def candidate_fields(conn: Connection, candidate: CandidateView) -> dict[str, str]:
    """A candidate's records read into the same fields as `sought_fields` (birth years from
    the age at death and its date; place and date of death)."""
    wanted = {(r["source"], r["record_id"]) for r in candidate.records}
    records = [
        r
        for r in record_rows(
            conn.execute(
                select_records().where(
                    Record.record_id.in_([rid for _, rid in wanted]),
                    Record.person_id == candidate.person_id,
                )
            )
        )
        if (r.source, r.record_id) in wanted
    ]

    born = []
    for r in records:
        low, high = birth_years(r.age_min, r.age_max, r.date_of_death)
        born.append(
            None if high is None else (str(high) if low == high else f"{low or '…'}–{high}")
        )
    fields = {f: joined([getattr(r, f) for r in records]) for f in SIDE_BY_SIDE[:7]}
    return {
        **fields,
        "born": joined(born),
        "place": joined([r.locality or r.governorate for r in records]),
        "date": joined([r.date_of_death for r in records]),
    }
