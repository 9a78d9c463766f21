"""Why a person is made of its records: the records, the link decisions in force among them
(a reviewer over a rule over the model) with the model's reasons, and the acts that shaped it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Engine,
    Row,
    select,
)
from sqlalchemy.orm import aliased

from marsad.domain.records import RecordRow
from marsad.errors import NotFound
from marsad.linkage.explain import PairExplanation
from marsad.services.review import ActionView, actions_about
from marsad.services.review_queue import (
    DECISION_COLUMNS,
    model_explanation,
    records_by_id,
    run_models,
)
from marsad.store.models import (
    LinkDecision,
    Person,
    Record,
)


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
class PersonDetail:
    """A person's records, the decisions in force among them, and the acts that shaped it."""

    person_id: int
    review_flag: str | None
    records: list[RecordRow]
    decisions: list[DecisionView]
    actions: list[ActionView]


KIND_ORDER = {"human": 0, "rule": 1, "model": 2}


_RECORD_A = aliased(Record, name="record_a")
_RECORD_B = aliased(Record, name="record_b")
"""Aliases made once: building one copies every column of the table, on every page load."""


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
        records = sorted(records_by_id(conn, ids).values(), key=lambda r: (r.source, r.record_id))
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
        models = run_models(conn, (r.run_id for r in chosen))
        actions = actions_about(conn, person_id, ids)
    decisions = [
        DecisionView(
            id=r.id,
            record_a_id=r.record_a_id,
            record_b_id=r.record_b_id,
            kind=r.kind,
            decision=r.decision,
            rule=r.rule,
            probability=r.score,
            explanation=model_explanation(models, r.kind, r.run_id, r.gammas, r.score, r.weights),
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
