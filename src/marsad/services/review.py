"""The reviewer's side of linkage: the queue of uncertain pairs, decisions that can be undone,
and why a person is made of its records.

Every act is a `ReviewAction` with the human `LinkDecision`s it made, and an audit event;
undoing it revokes those decisions (never deletes them). A verdict on a pair is taken only for
records that a rule, the model or a reviewer paired before, or that are one person: joining
any two persons is a merge, its own act (`person merge`, permission `merge_persons`).
After each act the persons are rebuilt from the decisions in
the store (`recluster`) without re-running the model, so a reviewer sees the effect at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Exists,
    Row,
    and_,
    case,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import aliased

from marsad.domain.records import RecordRow
from marsad.errors import Conflict, InputError, NotFound
from marsad.ingest.places import default_gazetteer, validate_pcode
from marsad.linkage.explain import PairExplanation, explain
from marsad.linkage.model import MATCH_THRESHOLD
from marsad.services.audit import record_event
from marsad.services.link import recluster
from marsad.store.models import (
    LinkDecision,
    LinkRun,
    Person,
    Record,
    ReviewAction,
    utcnow,
)
from marsad.store.records import record_rows, select_records


@dataclass(frozen=True)
class ReviewItem:
    """An uncertain pair waiting for a reviewer, with the model's reasons."""

    decision_id: int
    record_a: RecordRow
    record_b: RecordRow
    probability: float | None
    explanation: PairExplanation | None

    @property
    def held_back(self) -> bool:
        """Scored at the match threshold or above, yet left to a reviewer: the first names
        clearly disagree (`linkage.model.is_machine_match`), as brothers' do."""
        return self.probability is not None and self.probability >= MATCH_THRESHOLD


@dataclass(frozen=True)
class DecisionView:
    """One decision in force between two records: a rule, a model score or a reviewer."""

    id: int
    record_a_id: int
    record_b_id: int
    kind: str
    decision: str
    rule: str | None
    probability: float | None
    explanation: PairExplanation | None
    decided_by: str
    decided_at: dt.datetime
    note: str | None
    action_id: int | None


@dataclass(frozen=True)
class ActionView:
    """One reviewer's act and the pairs it decided: (record a, record b, decision)."""

    id: int
    kind: str
    person_ids: tuple[int, ...]
    decided_by: str
    decided_at: dt.datetime
    note: str | None
    undone_at: dt.datetime | None
    undone_by: str | None
    pairs: tuple[tuple[int, int, str], ...]


@dataclass(frozen=True)
class FlaggedPerson:
    person_id: int
    review_flag: str
    records: int


@dataclass(frozen=True)
class PersonDetail:
    """A person's records, the decisions in force among them, and the acts that shaped it."""

    person_id: int
    review_flag: str | None
    records: list[RecordRow]
    decisions: list[DecisionView]
    actions: list[ActionView]


DECISION_COLUMNS = (
    LinkDecision.id,
    LinkDecision.record_a_id,
    LinkDecision.record_b_id,
    LinkDecision.kind,
    LinkDecision.decision,
    LinkDecision.rule,
    LinkDecision.score,
    LinkDecision.gammas,
    LinkDecision.weights,
    LinkDecision.run_id,
    LinkDecision.decided_by,
    LinkDecision.decided_at,
    LinkDecision.note,
    LinkDecision.action_id,
)

ACTION_COLUMNS = (
    ReviewAction.id,
    ReviewAction.kind,
    ReviewAction.person_ids,
    ReviewAction.decided_by,
    ReviewAction.decided_at,
    ReviewAction.note,
    ReviewAction.undone_at,
    ReviewAction.undone_by,
)

KIND_ORDER = {"human": 0, "rule": 1, "model": 2}

Pairs = list[tuple[int, int, str]]
Decide = Callable[[Connection], tuple[list[int], Pairs]]
"""Checks an act against the store; returns the persons it concerns and the pairs it decides."""


def _records(conn: Connection, ids: Iterable[int]) -> dict[int, RecordRow]:
    wanted = sorted(set(ids))
    found: dict[int, RecordRow] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(select_records().where(Record.id.in_(wanted[start : start + 500])))
        for row in record_rows(rows):
            found[row.id] = row
    return found


def _models(conn: Connection, run_ids: Iterable[int | None]) -> dict[int, dict[str, Any]]:
    wanted = sorted({rid for rid in run_ids if rid is not None})
    if not wanted:
        return {}
    rows = conn.execute(select(LinkRun.id, LinkRun.model).where(LinkRun.id.in_(wanted)))
    return {row.id: row.model for row in rows if row.model}


def _explanation(
    models: Mapping[int, dict[str, Any]],
    kind: str,
    run_id: int | None,
    gammas: Sequence[int] | None,
    score: float | None,
    weights: Sequence[float] | None = None,
) -> PairExplanation | None:
    """The model's reasons for a model decision whose run kept its model; None otherwise."""
    if kind != "model" or gammas is None or run_id is None or run_id not in models:
        return None
    return explain(models[run_id], gammas, score, weights)


_HUMAN = aliased(LinkDecision, name="human")
_RECORD_A = aliased(Record, name="record_a")
_RECORD_B = aliased(Record, name="record_b")
"""Aliases made once: building one copies every column of the table, on every page load."""


def _decided_by_reviewer() -> Exists:
    """Whether a reviewer's decision still in force covers the pair of `LinkDecision`."""
    human = _HUMAN
    return exists().where(
        human.kind == "human",
        human.revoked_at.is_(None),
        or_(
            and_(
                human.record_a_id == LinkDecision.record_a_id,
                human.record_b_id == LinkDecision.record_b_id,
            ),
            and_(
                human.record_a_id == LinkDecision.record_b_id,
                human.record_b_id == LinkDecision.record_a_id,
            ),
        ),
    )


def _waiting() -> ColumnElement[bool]:
    return and_(
        LinkDecision.kind == "model",
        LinkDecision.decision == "uncertain",
        LinkDecision.revoked_at.is_(None),
        ~_decided_by_reviewer(),
    )


def governorate_pcode(value: str) -> str:
    """The governorate (admin-1 p-code) a reviewer names: its p-code, or its name in English,
    Arabic or a known variant. Raises InputError naming what was given."""
    gazetteer = default_gazetteer()
    known = gazetteer.governorate(value)
    if known is not None:
        return known.pcode
    try:
        code = validate_pcode(value)
    except ValueError:
        code = ""
    if len(code) == 4 and gazetteer.governorate_of_pcode(code) is not None:
        return code
    raise InputError(
        f"no governorate {value!r}: give its p-code (SY01-SY14) or its name, e.g. Tartous or طرطوس"
    )


def _touching(governorate: str | None) -> ColumnElement[bool]:
    """Pairs with a record in `governorate` (an admin-1 p-code); every pair when None.

    A team splits the queue by governorate, where a reviewer knows the families and places; a
    pair across two governorates is in both queues."""
    if governorate is None:
        return true()
    return exists().where(
        Record.id.in_((LinkDecision.record_a_id, LinkDecision.record_b_id)),
        Record.pcode_adm1 == governorate,
    )


def review_queue(
    engine: Engine, limit: int = 50, governorate: str | None = None
) -> list[ReviewItem]:
    """Uncertain model pairs no reviewer has decided, the likeliest matches first and pairs
    held back (first names clearly disagree) last; only those with a record in `governorate`
    (an admin-1 p-code) when it is given.

    An uncertain pair is not linked, so rejecting it leaves the count as it was; accepting it
    merges two persons. The likeliest first gives the most merges per hour of review: on
    100,000 people, 2,000 decisions in this order raise recall by 0.017, nearest-0.5 first by
    0.014 (`benchmarks/review_order.py`). Held-back pairs are mostly brothers.
    """
    if limit < 1:
        raise InputError("the review queue's limit must be at least 1")
    held_back = case((LinkDecision.score >= MATCH_THRESHOLD, 1), else_=0)
    with engine.connect() as conn:
        rows = conn.execute(
            select(*DECISION_COLUMNS)
            .where(_waiting(), _touching(governorate))
            .order_by(held_back, LinkDecision.score.desc().nulls_last(), LinkDecision.id)
            .limit(limit)
        ).all()
        records = _records(conn, [rid for r in rows for rid in (r.record_a_id, r.record_b_id)])
        models = _models(conn, (r.run_id for r in rows))
    return [
        ReviewItem(
            decision_id=r.id,
            record_a=records[r.record_a_id],
            record_b=records[r.record_b_id],
            probability=r.score,
            explanation=_explanation(models, r.kind, r.run_id, r.gammas, r.score, r.weights),
        )
        for r in rows
    ]


def queue_size(engine: Engine, governorate: str | None = None) -> int:
    """How many uncertain pairs are still waiting for a reviewer (in `governorate`, if given)."""
    with engine.connect() as conn:
        count = conn.scalar(
            select(func.count()).select_from(LinkDecision).where(_waiting(), _touching(governorate))
        )
        return int(count or 0)


def flagged_persons(engine: Engine) -> list[FlaggedPerson]:
    """Persons the linkage flagged for a reviewer, with why and how many records they hold."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Person.id, Person.review_flag, func.count(Record.id).label("records"))
            .join(Record, Record.person_id == Person.id)
            .where(Person.review_flag.is_not(None))
            .group_by(Person.id, Person.review_flag)
            .order_by(Person.id)
        )
        return [FlaggedPerson(r.id, r.review_flag, int(r.records)) for r in rows]


def reviewer_activity(
    engine: Engine, reviewer: str, since: dt.datetime
) -> tuple[int, ActionView | None]:
    """A reviewer's acts in force decided since `since`, and their latest act in force
    (what "undo my last" undoes) — by index, not by reading the whole history."""
    in_force = and_(ReviewAction.decided_by == reviewer, ReviewAction.undone_at.is_(None))
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).where(in_force, ReviewAction.decided_at >= since))
        last_id = conn.scalar(select(func.max(ReviewAction.id)).where(in_force))
        last = _actions(conn, [last_id])[0] if last_id is not None else None
    return int(count or 0), last


def _reviewer(user: str) -> str:
    name = user.strip()
    if not name:
        raise InputError("say who is deciding: the reviewer's name is empty")
    return name


def _record_persons(conn: Connection, record_ids: Sequence[int]) -> dict[int, int | None]:
    rows = conn.execute(select(Record.id, Record.person_id).where(Record.id.in_(record_ids)))
    found = {row.id: row.person_id for row in rows}
    missing = sorted(set(record_ids) - set(found))
    if missing:
        raise NotFound(f"no record with id {', '.join(map(str, missing))}")
    return found


def _person_records(conn: Connection, person_id: int) -> list[int]:
    if conn.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound(f"no person with id {person_id}")
    return list(
        conn.scalars(select(Record.id).where(Record.person_id == person_id).order_by(Record.id))
    )


def _act(
    engine: Engine,
    kind: str,
    user: str,
    note: str | None,
    decide: Decide,
) -> int:
    """Store one action and its decisions in one transaction, then rebuild the persons."""
    reviewer = _reviewer(user)
    text = (note or "").strip() or None
    now = utcnow()
    with engine.begin() as conn:
        person_ids, pairs = decide(conn)
        action_id = int(
            conn.execute(
                insert(ReviewAction)
                .values(
                    kind=kind,
                    person_ids=person_ids,
                    decided_by=reviewer,
                    decided_at=now,
                    note=text,
                )
                .returning(ReviewAction.id)
            ).scalar_one()
        )
        conn.execute(
            insert(LinkDecision),
            [
                {
                    "record_a_id": min(a, b),
                    "record_b_id": max(a, b),
                    "kind": "human",
                    "decision": decision,
                    "decided_by": reviewer,
                    "decided_at": now,
                    "note": text,
                    "action_id": action_id,
                }
                for a, b, decision in pairs
            ],
        )
        record_event(
            conn,
            reviewer,
            AUDIT_ACTIONS[kind],
            f"review_action:{action_id}",
            {"persons": person_ids, "pairs": len(pairs)},
        )
    recluster(engine)
    return action_id


AUDIT_ACTIONS = {
    "accept": "review.accept",
    "reject": "review.reject",
    "split": "person.split",
    "merge": "person.merge",
}
"""The audit log's name for each kind of review action ("review.undo" for undoing one)."""


def merged_person(engine: Engine, action_id: int) -> int | None:
    """The person that now holds the records an action joined (ids change on reclustering)."""
    with engine.connect() as conn:
        record = conn.scalar(
            select(LinkDecision.record_a_id).where(LinkDecision.action_id == action_id).limit(1)
        )
        if record is None:
            return None
        person: int | None = conn.scalar(select(Record.person_id).where(Record.id == record))
        return person


class NotProposed(Conflict):
    """A verdict on two records that no rule, model or reviewer ever paired and that are not
    one person: joining such records is a merge (`person merge`), not a review decision."""


def _already_paired(conn: Connection, a: int, b: int) -> bool:
    """Whether a rule, the model or a reviewer has ever decided on this pair."""
    found = conn.scalar(
        select(LinkDecision.id)
        .where(
            or_(
                and_(LinkDecision.record_a_id == a, LinkDecision.record_b_id == b),
                and_(LinkDecision.record_a_id == b, LinkDecision.record_b_id == a),
            )
        )
        .limit(1)
    )
    return found is not None


def _pair_decision(
    engine: Engine, kind: str, decision: str, a: int, b: int, user: str, note: str | None
) -> int:
    if a == b:
        raise InputError("a record cannot be compared with itself")

    def decide(conn: Connection) -> tuple[list[int], Pairs]:
        persons = _record_persons(conn, [a, b])
        same_person = persons[a] is not None and persons[a] == persons[b]
        if not same_person and not _already_paired(conn, a, b):
            raise NotProposed(
                f"records {a} and {b} were never proposed as a pair and are not one person; "
                "to join their persons, use `marsad person merge`"
            )
        return sorted({p for p in persons.values() if p is not None}), [(a, b, decision)]

    return _act(engine, kind, user, note, decide)


def accept(engine: Engine, record_a: int, record_b: int, user: str, note: str | None = None) -> int:
    """Say two records are the same person; returns the action id."""
    return _pair_decision(engine, "accept", "match", record_a, record_b, user, note)


def reject(engine: Engine, record_a: int, record_b: int, user: str, note: str | None = None) -> int:
    """Say two records are not the same person; returns the action id."""
    return _pair_decision(engine, "reject", "non_match", record_a, record_b, user, note)


def split(
    engine: Engine, person_id: int, keep: Sequence[int], user: str, note: str | None = None
) -> int:
    """Keep `keep` as this person and part them from its other records; returns the action id.

    Every kept record gets a "not the same person" decision against every other record, so no
    remaining link (machine or earlier reviewer's) can join the two sides again.
    """

    def decide(conn: Connection) -> tuple[list[int], Pairs]:
        records = _person_records(conn, person_id)
        kept = set(keep)
        if not kept:
            raise InputError("name at least one record to keep")
        strangers = sorted(kept - set(records))
        if strangers:
            raise InputError(f"person {person_id} has no record {', '.join(map(str, strangers))}")
        others = [rid for rid in records if rid not in kept]
        if not others:
            raise InputError(
                f"the records to keep are all {len(records)} records of person {person_id}: "
                "nothing to split"
            )
        pairs = [(k, o, "non_match") for k in sorted(kept) for o in others]
        return [person_id], pairs

    return _act(engine, "split", user, note, decide)


def merge(engine: Engine, person_a: int, person_b: int, user: str, note: str | None = None) -> int:
    """Say two persons are one: a reviewer's match between a record of each."""
    if person_a == person_b:
        raise InputError("a person cannot be merged with itself")

    def decide(conn: Connection) -> tuple[list[int], Pairs]:
        first = _person_records(conn, person_a)
        second = _person_records(conn, person_b)
        if not first or not second:
            empty = person_a if not first else person_b
            raise Conflict(f"person {empty} has no records")
        return sorted((person_a, person_b)), [(first[0], second[0], "match")]

    return _act(engine, "merge", user, note, decide)


def _actions(conn: Connection, action_ids: Iterable[int] | None) -> list[ActionView]:
    """Actions (all of them when `action_ids` is None), newest first."""
    query = select(*ACTION_COLUMNS).order_by(ReviewAction.decided_at.desc(), ReviewAction.id.desc())
    pairs_query = select(
        LinkDecision.action_id,
        LinkDecision.record_a_id,
        LinkDecision.record_b_id,
        LinkDecision.decision,
    ).where(LinkDecision.action_id.is_not(None))
    if action_ids is not None:
        wanted = sorted(set(action_ids))
        if not wanted:
            return []
        query = query.where(ReviewAction.id.in_(wanted))
        pairs_query = pairs_query.where(LinkDecision.action_id.in_(wanted))
    pairs: dict[int, list[tuple[int, int, str]]] = {}
    for row in conn.execute(pairs_query.order_by(LinkDecision.id)):
        pairs.setdefault(row.action_id, []).append((row.record_a_id, row.record_b_id, row.decision))
    return [
        ActionView(
            id=action.id,
            kind=action.kind,
            person_ids=tuple(action.person_ids),
            decided_by=action.decided_by,
            decided_at=action.decided_at,
            note=action.note,
            undone_at=action.undone_at,
            undone_by=action.undone_by,
            pairs=tuple(pairs.get(action.id, [])),
        )
        for action in conn.execute(query)
    ]


def _actions_about(conn: Connection, person_id: int, records: Sequence[int]) -> list[ActionView]:
    """Actions that named the person, or decided a pair touching one of its records."""
    touching: set[int] = set()
    for start in range(0, len(records), 500):
        chunk = records[start : start + 500]
        touching.update(
            conn.scalars(
                select(LinkDecision.action_id).where(
                    LinkDecision.action_id.is_not(None),
                    or_(LinkDecision.record_a_id.in_(chunk), LinkDecision.record_b_id.in_(chunk)),
                )
            )
        )
    named = {
        row.id
        for row in conn.execute(select(ReviewAction.id, ReviewAction.person_ids))
        if person_id in row.person_ids
    }
    return _actions(conn, touching | named)


def undo(engine: Engine, action_id: int, user: str) -> ActionView:
    """Undo a whole action: its decisions are revoked (kept, marked) and persons rebuilt."""
    reviewer = _reviewer(user)
    now = utcnow()
    with engine.begin() as conn:
        action = conn.execute(
            select(ReviewAction.undone_at, ReviewAction.undone_by).where(
                ReviewAction.id == action_id
            )
        ).first()
        if action is None:
            raise NotFound(f"no review action with id {action_id}")
        if action.undone_at is not None:
            raise Conflict(
                f"action {action_id} was already undone by {action.undone_by} "
                f"at {action.undone_at:%Y-%m-%d %H:%M}"
            )
        conn.execute(
            update(ReviewAction)
            .where(ReviewAction.id == action_id)
            .values(undone_at=now, undone_by=reviewer)
        )
        conn.execute(
            update(LinkDecision)
            .where(LinkDecision.action_id == action_id, LinkDecision.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        record_event(conn, reviewer, "review.undo", f"review_action:{action_id}")
    recluster(engine)
    with engine.connect() as conn:
        return _actions(conn, [action_id])[0]


def history(engine: Engine, person_id: int | None = None) -> list[ActionView]:
    """Reviewers' actions, undone ones included, newest first; only those about `person_id`."""
    with engine.connect() as conn:
        if person_id is None:
            return _actions(conn, None)
        records = list(conn.scalars(select(Record.id).where(Record.person_id == person_id)))
        return _actions_about(conn, person_id, records)


def _in_force(rows: Sequence[Row[Any]]) -> list[Row[Any]]:
    """Machine decisions, and for each pair only the latest reviewer's decision not revoked."""
    latest: dict[frozenset[int], Row[Any]] = {}
    machine: list[Row[Any]] = []
    for row in rows:
        if row.kind != "human":
            machine.append(row)
            continue
        pair = frozenset((row.record_a_id, row.record_b_id))
        current = latest.get(pair)
        if current is None or (row.decided_at, row.id) > (current.decided_at, current.id):
            latest[pair] = row
    return [*latest.values(), *machine]


def person_detail(engine: Engine, person_id: int) -> PersonDetail:
    """A person's records (by source), the decisions in force among them, and its actions."""
    with engine.connect() as conn:
        flag = conn.execute(select(Person.review_flag).where(Person.id == person_id)).first()
        if flag is None:
            raise NotFound(f"no person with id {person_id}")
        ids = list(conn.scalars(select(Record.id).where(Record.person_id == person_id)))
        records = sorted(_records(conn, ids).values(), key=lambda r: (r.source, r.record_id))
        record_a, record_b = _RECORD_A, _RECORD_B
        rows = conn.execute(
            select(*DECISION_COLUMNS)
            .join(record_a, record_a.id == LinkDecision.record_a_id)
            .join(record_b, record_b.id == LinkDecision.record_b_id)
            .where(
                record_a.person_id == person_id,
                record_b.person_id == person_id,
                LinkDecision.revoked_at.is_(None),
            )
        ).all()
        chosen = sorted(_in_force(rows), key=lambda r: (KIND_ORDER.get(r.kind, 3), r.id))
        models = _models(conn, (r.run_id for r in chosen))
        actions = _actions_about(conn, person_id, ids)
    decisions = [
        DecisionView(
            id=r.id,
            record_a_id=r.record_a_id,
            record_b_id=r.record_b_id,
            kind=r.kind,
            decision=r.decision,
            rule=r.rule,
            probability=r.score,
            explanation=_explanation(models, r.kind, r.run_id, r.gammas, r.score, r.weights),
            decided_by=r.decided_by,
            decided_at=r.decided_at,
            note=r.note,
            action_id=r.action_id,
        )
        for r in chosen
    ]
    return PersonDetail(
        person_id=person_id,
        review_flag=flag.review_flag,
        records=records,
        decisions=decisions,
        actions=actions,
    )
