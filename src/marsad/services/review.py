"""The reviewer's acts on linkage: accept, reject, split and merge, each one undoable.

The queue the reviewer works from is `review_queue`; why a person is made of its records,
`review_person`.

Every act is a `ReviewAction` with the human `LinkDecision`s it made, and an audit event;
undoing it revokes those decisions (never deletes them). A verdict on a pair is taken only for
records that a rule, the model or a reviewer paired before, or that are one person: joining
any two persons is a merge, its own act (`person merge`, permission `merge_persons`).
After each act the persons are rebuilt from the decisions in
the store (`recluster`) without re-running the model, so a reviewer sees the effect at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    func,
    insert,
    or_,
    select,
    update,
)

from marsad.errors import Conflict, InputError, NotFound
from marsad.services.audit import record_event
from marsad.services.link import recluster
from marsad.store.models import (
    LinkDecision,
    Person,
    Record,
    ReviewAction,
    utcnow,
)


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


Pairs = list[tuple[int, int, str]]


Decide = Callable[[Connection], tuple[list[int], Pairs]]
"""Checks an act against the store; returns the persons it concerns and the pairs it decides."""


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


def person_record_ids(conn: Connection, person_id: int) -> list[int]:
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
        records = person_record_ids(conn, person_id)
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
        first = person_record_ids(conn, person_a)
        second = person_record_ids(conn, person_b)
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


def actions_about(conn: Connection, person_id: int, records: Sequence[int]) -> list[ActionView]:
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
        return actions_about(conn, person_id, records)
