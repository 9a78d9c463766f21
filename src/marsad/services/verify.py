"""Verification: each person's status by the rules in force, resolved values and conflicts.

`verify` rebuilds every person's summary in one transaction; linkage and review call
`verify_persons` on the persons they touched, so statuses never lag behind the persons.
Large runs share the pure part of the work (resolving values, applying the rules) among
worker processes; the store is read and written by the calling connection alone.
The rules in force live in the store (`store_settings`), so every machine and every re-run
applies the same ones; `marsad verify --rules FILE` replaces them, audited.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from marsad.domain.records import RecordRow
from marsad.errors import InputError
from marsad.names import parse_name_parts
from marsad.services.audit import record_event
from marsad.services.ingest import bulk_insert
from marsad.services.persons import age_group, independent_list_names
from marsad.store.models import (
    Person,
    PersonSummary,
    Record,
    StatusDecision,
    StoreSetting,
    ValueChoice,
    utcnow,
)
from marsad.store.records import FIELDS as RECORD_FIELDS
from marsad.store.records import select_records
from marsad.verify.conflicts import FIELDS, PersonResolution, resolve_person
from marsad.verify.evidence import RecordEvidence
from marsad.verify.rules import (
    STATUSES,
    Verification,
    VerificationRules,
    load_rules,
    parse_rules,
    verify_person,
)

RULES_SETTING = "verification_rules"
SUMMARIES_SETTING = "summaries_version"
"""Changes whenever any person's summary is recomputed: what cached counts are checked against."""
CONFIRMED = "confirmed"
DECISIONS = (*STATUSES, CONFIRMED)
T = TypeVar("T")


class VerifyError(InputError):
    """A reviewer's request that cannot be applied (unknown person, value not on record…)."""


@dataclass(frozen=True)
class VerifySummary:
    """What one `marsad verify` found, for the CLI and the web."""

    persons: int
    by_status: dict[str, int]
    documented: int
    conflicting: int
    rules_sha256: str


def rules_in_force(conn: Connection) -> VerificationRules:
    """The store's rules, or the packaged defaults when none were set."""
    text = conn.scalar(select(StoreSetting.value).where(StoreSetting.name == RULES_SETTING))
    return load_rules() if text is None else parse_rules(text, "store setting verification_rules")


def set_rules(conn: Connection, path: Path, user: str) -> VerificationRules:
    """Make the rules in `path` the ones in force (checked before anything is stored)."""
    rules = load_rules(path)
    conn.execute(delete(StoreSetting).where(StoreSetting.name == RULES_SETTING))
    conn.execute(insert(StoreSetting).values(name=RULES_SETTING, value=rules.text, set_by=user))
    record_event(conn, user, "verify.rules", RULES_SETTING, {"sha256": rules.sha256})
    return rules


def week_start(date: str | None) -> str | None:
    """Monday of the ISO week of a full date; None for partial dates."""
    if date is None or len(date) != 10:
        return None
    day = dt.date.fromisoformat(date)
    return (day - dt.timedelta(days=day.weekday())).isoformat()


def _name_parts(row: RecordRow) -> tuple[str | None, str | None, str | None, str | None]:
    """The source's own name parts, or the full name's parts when it gave none (as linkage
    reads them), so that a list giving only full names can still identify a person."""
    given = (row.name_first, row.name_father, row.name_grandfather, row.name_family)
    if any(given) or not row.name:
        return given
    parsed = parse_name_parts(row.name)
    return (parsed.first, parsed.father, parsed.grandfather, parsed.family)


def _evidence(columns: tuple[Any, ...], lists: dict[int, str]) -> RecordEvidence:
    """A record's evidence from its row as `_persons_rows` reads it (RecordRow's columns, as a
    plain tuple, which is cheap to send to a worker process)."""
    row = RecordRow(*columns)
    first, father, grandfather, family = _name_parts(row)
    return RecordEvidence(
        record_id=row.id,
        source=row.source,
        independent_list=lists[row.source_id],
        name_first=first,
        name_father=father,
        name_grandfather=grandfather,
        name_family=family,
        sex=row.sex,
        age_min=row.age_min,
        age_max=row.age_max,
        date_of_death=row.date_of_death,
        pcode=row.pcode,
        governorate=row.pcode_adm1,
        district=row.district,
        status=row.status,
        civilian=row.civilian,
        cause=row.cause,
    )


_PERSON = RECORD_FIELDS.index("person_id")
_PersonRows = tuple[int, list[tuple[Any, ...]]]
"""A person's id and their records' rows (RecordRow's columns), in record order."""


def _persons_rows(conn: Connection, person_ids: Sequence[int] | None) -> Iterator[_PersonRows]:
    """(person id, record rows) for the given persons (None: all), streamed in person order."""
    query = select_records().where(Record.person_id.is_not(None))
    if person_ids is not None:
        query = query.where(Record.person_id.in_(person_ids))
    rows = conn.execute(
        query.order_by(Record.person_id, Record.id).execution_options(yield_per=20_000)
    )
    current: int | None = None
    group: list[tuple[Any, ...]] = []
    for row in rows.tuples():
        person_id = row[_PERSON]
        if person_id != current:
            if current is not None:
                yield current, group
            current, group = person_id, []
        group.append(tuple(row))
    if current is not None:
        yield current, group


def _persons_records(
    conn: Connection, person_ids: Sequence[int] | None
) -> Iterator[tuple[int, list[RecordEvidence]]]:
    """(person id, records) for the given persons (None: all), streamed in person order."""
    lists = independent_list_names(conn)
    for person_id, rows in _persons_rows(conn, person_ids):
        yield person_id, [_evidence(row, lists) for row in rows]


def _decisions_in_force(
    conn: Connection, person_ids: Sequence[int] | None
) -> tuple[dict[int, str], dict[int, tuple[str, str, str]]]:
    """Per person: the confirmation note, and the status set by hand, latest first."""
    query = select(StatusDecision.__table__).where(StatusDecision.revoked_at.is_(None))
    if person_ids is not None:
        query = query.where(StatusDecision.person_id.in_(person_ids))
    confirmed: dict[int, str] = {}
    overrides: dict[int, tuple[str, str, str]] = {}
    for d in conn.execute(query.order_by(StatusDecision.id)):
        if d.status == CONFIRMED:
            confirmed[d.person_id] = d.reason
        else:
            overrides[d.person_id] = (d.status, d.reason, d.decided_by)
    return confirmed, overrides


def _choices_in_force(
    conn: Connection, person_ids: Sequence[int] | None
) -> dict[int, dict[str, str]]:
    query = select(ValueChoice.__table__).where(ValueChoice.revoked_at.is_(None))
    if person_ids is not None:
        query = query.where(ValueChoice.person_id.in_(person_ids))
    choices: dict[int, dict[str, str]] = {}
    for c in conn.execute(query.order_by(ValueChoice.id)):
        choices.setdefault(c.person_id, {})[c.field] = c.value
    return choices


def _summary_row(
    person_id: int,
    records: Sequence[RecordEvidence],
    resolution: PersonResolution,
    verification: Verification,
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "status": resolution.status,
        "verification": verification.status,
        "verification_rule": verification.rule,
        "verification_records": list(verification.records),
        "verification_reasons": list(verification.reasons),
        "documented": verification.documented,
        "documented_missing": list(verification.documented_missing),
        "records": len(records),
        "sources": len({r.source for r in records}),
        "independent_sources": len({r.independent_list for r in records}),
        "sex": resolution.sex,
        "age_min": resolution.age_min,
        "age_max": resolution.age_max,
        "age_group": age_group(resolution.age_min, resolution.age_max),
        "date_of_death": resolution.date_of_death,
        "week": week_start(resolution.date_of_death),
        "month": resolution.date_of_death[:7]
        if resolution.date_of_death and len(resolution.date_of_death) >= 7
        else None,
        "governorate": resolution.governorate,
        "district": resolution.district,
        "civilian": resolution.civilian,
        "cause": resolution.cause,
        "conflicting": resolution.conflicting,
        "conflicts": resolution.conflicts_json(),
        "resolved_by": resolution.resolved_by_json(),
        "computed_at": now,
    }


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def verify_persons(
    conn: Connection,
    person_ids: Sequence[int] | None = None,
    rules: VerificationRules | None = None,
    *,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> VerifySummary:
    """Recompute the summaries of `person_ids` (None: every person) inside `conn`'s
    transaction, under `rules` (None: the rules in force); summaries of persons that no
    longer exist are removed. `workers` processes share the work (None: one per core from
    `PARALLEL_FROM` persons, else none); the summaries are the same either way.
    `progress` hears how far it got every `PROGRESS_EVERY` persons."""
    rules = rules or rules_in_force(conn)
    if person_ids is not None:
        total = len(person_ids)
    else:
        total = conn.scalar(select(func.count()).select_from(Person)) or 0
    workers = workers or ((os.cpu_count() or 1) if total >= PARALLEL_FROM else 1)
    _mark_changed(conn)
    tally = _Tally(total=total, progress=progress)
    lists = independent_list_names(conn)
    with _summariser(workers) as summarise:
        if person_ids is None:
            conn.execute(delete(PersonSummary))
            _verify_batch(conn, None, rules, lists, tally, summarise)
        else:
            for batch in _batched(person_ids, 5000):
                conn.execute(delete(PersonSummary).where(PersonSummary.person_id.in_(batch)))
                _verify_batch(conn, batch, rules, lists, tally, summarise)
    return VerifySummary(
        tally.persons, tally.by_status, tally.documented, tally.conflicting, rules.sha256
    )


def _mark_changed(conn: Connection) -> None:
    version = {"value": uuid.uuid4().hex, "set_by": "verify", "set_at": utcnow()}
    changed = conn.execute(
        update(StoreSetting).where(StoreSetting.name == SUMMARIES_SETTING).values(**version)
    )
    if changed.rowcount == 0:
        conn.execute(insert(StoreSetting).values(name=SUMMARIES_SETTING, **version))


def summaries_version(conn: Connection) -> str | None:
    """An id of the persons' summaries as they are now (None before any verification)."""
    return conn.scalar(select(StoreSetting.value).where(StoreSetting.name == SUMMARIES_SETTING))


PROGRESS_EVERY = 100_000
"""Persons between two progress messages of a verification."""


@dataclass
class _Tally:
    total: int
    progress: Callable[[str], None] | None
    persons: int = 0
    documented: int = 0
    conflicting: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, summary: dict[str, Any]) -> None:
        self.persons += 1
        self.documented += summary["documented"]
        self.conflicting += summary["conflicting"]
        status = summary["verification"]
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if self.progress is not None and self.persons % PROGRESS_EVERY == 0:
            self.progress(f"verifying persons: {self.persons:,} of {self.total:,}")


@dataclass(frozen=True)
class _Judge:
    """Everything a person's summary depends on besides their records.

    Pure and picklable, so that worker processes can each take a share of the persons.
    """

    rules: VerificationRules
    lists: dict[int, str]
    confirmed: dict[int, str]
    overrides: dict[int, tuple[str, str, str]]
    choices: dict[int, dict[str, str]]
    now: dt.datetime

    def summaries(self, persons: Sequence[_PersonRows]) -> list[dict[str, Any]]:
        rows = []
        for person_id, record_rows in persons:
            records = [_evidence(row, self.lists) for row in record_rows]
            resolution = resolve_person(records, self.choices.get(person_id))
            verification = verify_person(
                records,
                self.rules,
                confirmed_note=self.confirmed.get(person_id),
                override=self.overrides.get(person_id),
            )
            rows.append(_summary_row(person_id, records, resolution, verification, self.now))
        return rows


PARALLEL_FROM = 20_000
"""Persons from which `verify_persons` shares the work among worker processes by default:
below it, starting them costs more than it saves."""
CHUNK_PERSONS = 500
"""Persons sent to a worker at a time."""


Summarise = Callable[[_Judge, Iterator[list[_PersonRows]]], Iterator[list[dict[str, Any]]]]
"""Turns chunks of persons into their summaries, chunk by chunk, in order."""


def _in_this_process(
    judge: _Judge, chunks: Iterator[list[_PersonRows]]
) -> Iterator[list[dict[str, Any]]]:
    return map(judge.summaries, chunks)


@contextmanager
def _summariser(workers: int) -> Iterator[Summarise]:
    """Summarise in a pool of `workers` processes, or in this process (one worker, or a
    system that cannot fork, such as Windows).

    The pool keeps at most two chunks per worker in flight, so memory stays flat however
    many persons there are. Its processes are forks of this one: they run pure Python only
    (never DuckDB, Spark or the store, whose threads and connections they inherit), and,
    unlike spawned processes, they do not run the calling script again, so a script without
    an `if __name__ == "__main__":` guard works (and cannot deadlock on the store's locks).
    """
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield _in_this_process
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:

        def in_pool(
            judge: _Judge, chunks: Iterator[list[_PersonRows]]
        ) -> Iterator[list[dict[str, Any]]]:
            pending: deque[Future[list[dict[str, Any]]]] = deque()
            for chunk in chunks:
                pending.append(pool.submit(judge.summaries, chunk))
                if len(pending) >= 2 * workers:
                    yield _result(pending.popleft())
            while pending:
                yield _result(pending.popleft())

        yield in_pool


WORKER_STOPPED = (
    "a verification worker process stopped before it finished (out of memory, or killed);"
    " nothing was written by it"
)


def _result(future: Future[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    try:
        return future.result()
    except BrokenProcessPool as error:
        raise RuntimeError(WORKER_STOPPED) from error


def _verify_batch(
    conn: Connection,
    person_ids: Sequence[int] | None,
    rules: VerificationRules,
    lists: dict[int, str],
    tally: _Tally,
    summarise: Summarise,
) -> None:
    confirmed, overrides = _decisions_in_force(conn, person_ids)
    judge = _Judge(
        rules=rules,
        lists=lists,
        confirmed=confirmed,
        overrides=overrides,
        choices=_choices_in_force(conn, person_ids),
        now=utcnow(),
    )
    rows: list[dict[str, Any]] = []
    for chunk_rows in summarise(judge, _batched(_persons_rows(conn, person_ids), CHUNK_PERSONS)):
        for row in chunk_rows:
            tally.add(row)
        rows.extend(chunk_rows)
        if len(rows) >= 20_000:
            bulk_insert(conn, PersonSummary, rows)
            rows = []
    if rows:
        bulk_insert(conn, PersonSummary, rows)


def verify(
    engine: Engine,
    rules: Path | None = None,
    user: str = "system",
    progress: Callable[[str], None] | None = None,
) -> VerifySummary:
    """Recompute every person's status (with new rules first, when given)."""
    with engine.begin() as conn:
        if rules is not None:
            set_rules(conn, rules, user)
        summary = verify_persons(conn, progress=progress)
        record_event(
            conn,
            user,
            "verify.run",
            None,
            {"persons": summary.persons, "rules_sha256": summary.rules_sha256},
        )
        return summary


def _check_person(conn: Connection, person_id: int) -> None:
    if conn.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise VerifyError(f"no person {person_id}")


def decide_status(engine: Engine, person_id: int, status: str, reason: str, user: str) -> int:
    """A reviewer confirms a person ("confirmed") or sets a status by hand; returns its id."""
    if status not in DECISIONS:
        raise VerifyError(f"status must be one of {', '.join(DECISIONS)}, not {status!r}")
    if not reason.strip():
        raise VerifyError("a reason is required")
    with engine.begin() as conn:
        _check_person(conn, person_id)
        decision_id = conn.execute(
            insert(StatusDecision)
            .values(person_id=person_id, status=status, reason=reason, decided_by=user)
            .returning(StatusDecision.id)
        ).scalar_one()
        record_event(
            conn,
            user,
            "verify.status",
            f"person:{person_id}",
            {"status": status, "id": decision_id},
        )
        verify_persons(conn, [person_id])
        return int(decision_id)


def revoke_status(engine: Engine, decision_id: int, reason: str, user: str) -> int:
    """Revoke a reviewer's status decision (kept on record); returns the person id."""
    if not reason.strip():
        raise VerifyError("a reason is required")
    with engine.begin() as conn:
        row = conn.execute(
            select(StatusDecision.person_id, StatusDecision.revoked_at).where(
                StatusDecision.id == decision_id
            )
        ).first()
        if row is None:
            raise VerifyError(f"no status decision {decision_id}")
        if row.revoked_at is not None:
            raise VerifyError(f"status decision {decision_id} is already revoked")
        conn.execute(
            update(StatusDecision)
            .where(StatusDecision.id == decision_id)
            .values(revoked_at=utcnow(), revoked_by=user, revoke_reason=reason)
        )
        record_event(conn, user, "verify.revoke", f"person:{row.person_id}", {"id": decision_id})
        verify_persons(conn, [row.person_id])
        return int(row.person_id)


def choose_value(
    engine: Engine, person_id: int, field: str, value: str, reason: str, user: str
) -> None:
    """A reviewer picks which of a person's conflicting values is right."""
    if field not in FIELDS:
        raise VerifyError(f"field must be one of {', '.join(FIELDS)}, not {field!r}")
    if not reason.strip():
        raise VerifyError("a reason is required")
    with engine.begin() as conn:
        _check_person(conn, person_id)
        records = next(iter(_persons_records(conn, [person_id])), (person_id, []))[1]
        try:
            resolve_person(records, {field: value})
        except ValueError as error:
            raise VerifyError(str(error)) from error
        conn.execute(
            update(ValueChoice)
            .where(
                ValueChoice.person_id == person_id,
                ValueChoice.field == field,
                ValueChoice.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        conn.execute(
            insert(ValueChoice).values(
                person_id=person_id, field=field, value=value, reason=reason, chosen_by=user
            )
        )
        record_event(conn, user, "verify.choose", f"person:{person_id}", {"field": field})
        verify_persons(conn, [person_id])


@dataclass(frozen=True)
class StatusDecisionView:
    """A reviewer's word on a person's status, in force or revoked (kept on record); it holds
    no name."""

    id: int
    person_id: int
    status: str
    reason: str
    decided_by: str
    decided_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None
    revoke_reason: str | None


def status_decisions(conn: Connection, person_id: int | None = None) -> list[StatusDecisionView]:
    """Every status decision (of one person, when given), oldest first."""
    query = select(*(getattr(StatusDecision, f.name) for f in fields(StatusDecisionView))).order_by(
        StatusDecision.id
    )
    if person_id is not None:
        query = query.where(StatusDecision.person_id == person_id)
    return [StatusDecisionView(*row) for row in conn.execute(query)]


def conflicting_persons(
    engine: Engine, field_name: str | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """Persons whose records disagree, by person id, each with its conflicts (only those on
    `field_name`, when given): every value with its records and sources, and how it was
    resolved."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(PersonSummary.person_id, PersonSummary.conflicts)
            .where(PersonSummary.conflicting.is_(True))
            .order_by(PersonSummary.person_id)
        ).all()
    found = [
        (r.person_id, {f: c for f, c in r.conflicts.items() if field_name in (None, f)})
        for r in rows
    ]
    return [(person_id, conflicts) for person_id, conflicts in found if conflicts]
