"""The review queue: uncertain pairs the model scored and no reviewer has decided yet, the
answers worth most first, split by governorate for a team; and the persons linkage flagged.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Exists,
    Row,
    and_,
    exists,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from marsad.domain.records import RecordRow
from marsad.errors import InputError
from marsad.ingest.places import default_gazetteer, validate_pcode
from marsad.linkage.explain import PairExplanation, explain
from marsad.linkage.learn import Correction, answer_value
from marsad.linkage.model import MATCH_THRESHOLD
from marsad.services.link import run_correction
from marsad.services.persons import independent_list_names
from marsad.store.models import (
    Import,
    LinkDecision,
    LinkRun,
    Person,
    Record,
    ReviewAction,
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
class FlaggedPerson:
    person_id: int
    review_flag: str
    records: int


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


def records_by_id(conn: Connection, ids: Iterable[int]) -> dict[int, RecordRow]:
    wanted = sorted(set(ids))
    found: dict[int, RecordRow] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(select_records().where(Record.id.in_(wanted[start : start + 500])))
        for row in record_rows(rows):
            found[row.id] = row
    return found


@dataclass(frozen=True)
class RunModel:
    """What explains a run's model decisions: its Splink model and what reviewers taught it."""

    model: dict[str, Any]
    correction: Correction | None
    one_to_one: bool = False
    """Whether the run scored pairs between lists one to one (`linkage.one_to_one`)."""


def run_models(conn: Connection, run_ids: Iterable[int | None]) -> dict[int, RunModel]:
    wanted = sorted({rid for rid in run_ids if rid is not None})
    if not wanted:
        return {}
    rows = conn.execute(
        select(LinkRun.id, LinkRun.model, LinkRun.settings).where(LinkRun.id.in_(wanted))
    )
    return {
        row.id: RunModel(
            row.model,
            run_correction(row.settings or {}),
            bool((row.settings or {}).get("one_to_one")),
        )
        for row in rows
        if row.model
    }


def model_explanation(
    models: Mapping[int, RunModel],
    kind: str,
    run_id: int | None,
    gammas: Sequence[int] | None,
    score: float | None,
    weights: Sequence[float] | None = None,
) -> PairExplanation | None:
    """The model's reasons for a model decision whose run kept its model; None otherwise."""
    if kind != "model" or gammas is None or run_id is None or run_id not in models:
        return None
    run = models[run_id]
    return explain(run.model, gammas, score, weights, run.correction, run.one_to_one)


_HUMAN = aliased(LinkDecision, name="human")
"""Made once: building an alias copies every column of the table, on every page load."""
_RECORD_A = aliased(Record, name="record_a")
_RECORD_B = aliased(Record, name="record_b")


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
    """Uncertain model pairs no reviewer has decided, the answers worth most first
    (`marsad.linkage.learn.answer_value`) and pairs held back (first names clearly disagree)
    last; only those with a record in `governorate` (an admin-1 p-code) when it is given.

    On the issue-14 scenario (20,000 people, 3,070 pairs waiting), 1,000 right answers in this
    order raise pairwise recall from 0.657 to 0.698, the likeliest first to 0.695; 0.703 and
    0.701 when the next run learns from them (`benchmarks/reviewer.py`).
    """
    if limit < 1:
        raise InputError("the review queue's limit must be at least 1")
    order = _queue_order(engine, governorate)
    with engine.connect() as conn:
        chosen: list[int] = []
        batch = max(2 * limit, 50)
        for start in range(0, len(order), batch):  # each still waiting, as others decide
            ids = order[start : start + batch]
            still = set(
                conn.scalars(select(LinkDecision.id).where(LinkDecision.id.in_(ids), _waiting()))
            )
            chosen += [i for i in ids if i in still]
            if len(chosen) >= limit:
                break
        chosen = chosen[:limit]
        found = {
            r.id: r
            for r in conn.execute(select(*DECISION_COLUMNS).where(LinkDecision.id.in_(chosen)))
        }
        rows = [found[i] for i in chosen]
        records = records_by_id(conn, [rid for r in rows for rid in (r.record_a_id, r.record_b_id)])
        models = run_models(conn, (r.run_id for r in rows))
    return [
        ReviewItem(
            decision_id=r.id,
            record_a=records[r.record_a_id],
            record_b=records[r.record_b_id],
            probability=r.score,
            explanation=model_explanation(models, r.kind, r.run_id, r.gammas, r.score, r.weights),
        )
        for r in rows
    ]


def _queue_state(conn: Connection) -> tuple[object, ...]:
    """What the queue's order depends on, from primary keys and the undo times: new records,
    link runs, reviewers' acts and their undoing. A pair decided since is skipped when read."""
    return (
        conn.scalar(select(func.max(Import.id))),
        conn.scalar(select(func.max(LinkRun.id))),
        conn.scalar(select(func.max(LinkDecision.id))),
        conn.scalar(select(func.max(ReviewAction.id))),
        conn.scalar(select(func.max(ReviewAction.undone_at))),
    )


_orders: dict[tuple[str, str | None], tuple[tuple[object, ...], list[int]]] = {}
_orders_lock = threading.Lock()
"""The queue's order per store and governorate, kept by this process: ordering every waiting
pair by what its answer is worth reads them all with their persons' lists (a seventh of a
second for 5,000 pairs at a million records), and every reviewer's page load would pay it."""


def _queue_order(engine: Engine, governorate: str | None) -> list[int]:
    """Ids of the waiting pairs, the answers worth most first; computed once per state (and
    by one thread, the others waiting for it without holding a connection)."""
    key = (str(engine.url), governorate)
    with engine.connect() as conn:
        state = _queue_state(conn)
    with _orders_lock:
        cached = _orders.get(key)
        if cached is not None and cached[0] == state:
            return cached[1]
        with engine.connect() as conn:
            waiting = conn.execute(
                select(
                    LinkDecision.id,
                    LinkDecision.score,
                    LinkDecision.gammas,
                    _RECORD_A.person_id.label("person_a"),
                    _RECORD_B.person_id.label("person_b"),
                )
                .join(_RECORD_A, _RECORD_A.id == LinkDecision.record_a_id)
                .join(_RECORD_B, _RECORD_B.id == LinkDecision.record_b_id)
                .where(_waiting(), _touching(governorate))
            ).all()
            order = [r.id for r in _most_valuable_first(conn, waiting)]
        _orders[key] = (state, order)
        return order


def _most_valuable_first(conn: Connection, rows: Sequence[Row[Any]]) -> list[Row[Any]]:
    """Waiting pairs (with their records' persons) by what an answer is worth, held-back last."""
    names = independent_list_names(conn)
    persons = sorted({p for r in rows for p in (r.person_a, r.person_b) if p is not None})
    lists: dict[int, set[str]] = {}
    for start in range(0, len(persons), 500):
        chunk = persons[start : start + 500]
        for person_id, source_id in conn.execute(
            select(Record.person_id, Record.source_id).where(Record.person_id.in_(chunk)).distinct()
        ):
            lists.setdefault(person_id, set()).add(names[source_id])
    # The vectors reviewers answered: from their decisions (few) to the model's on the same
    # pair; both name a pair by its lower record id first.
    human = _HUMAN
    labelled = Counter(
        tuple(gammas or ())
        for gammas in conn.scalars(
            select(LinkDecision.gammas)
            .join(
                human,
                and_(
                    human.record_a_id == LinkDecision.record_a_id,
                    human.record_b_id == LinkDecision.record_b_id,
                ),
            )
            .where(
                human.kind == "human",
                human.revoked_at.is_(None),
                LinkDecision.kind == "model",
                LinkDecision.gammas.is_not(None),
            )
        )
    )
    waiting = Counter(tuple(r.gammas) for r in rows if r.gammas is not None)

    def value(r: Row[Any]) -> float:
        if r.score is None or r.gammas is None:
            return 0.0
        vector = tuple(r.gammas)
        joined = r.person_a is not None and r.person_a == r.person_b
        return answer_value(
            r.score,
            None if joined else frozenset(lists.get(r.person_a, ())),
            frozenset(lists.get(r.person_b, ())),
            waiting[vector],
            labelled[vector],
        )

    return sorted(
        rows,
        key=lambda r: (
            r.score is not None and r.score >= MATCH_THRESHOLD,
            -value(r),
            -(r.score or 0.0),
            r.id,
        ),
    )


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
