"""What a reviewer sees of one pair: the two records and, beside them, the other records of
the persons each already belongs to, so that "same person?" is answered knowing everything
each side already stands for. One row per field, one column per record (as the person page).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from marsad.domain.records import RecordRow
from marsad.services.person_page import FieldRow, side_by_side
from marsad.services.review_queue import ReviewItem, records_by_id
from marsad.store.models import Record

OTHERS_SHOWN = 4
"""Other records shown per side: enough to see what a person stands for, few enough to keep
the decision buttons in view."""


@dataclass(frozen=True)
class PairView:
    """The pair and their persons' other records, as columns: A, B, A's others, B's others."""

    item: ReviewItem
    columns: list[RecordRow]
    others_a: int
    others_b: int
    rows: list[FieldRow]
    differ_ab: frozenset[str]
    """The fields on which records A and B disagree (both give a value)."""


def _others(engine: Engine, record: RecordRow) -> list[RecordRow]:
    if record.person_id is None:
        return []
    with engine.connect() as conn:
        ids = conn.scalars(
            select(Record.id)
            .where(Record.person_id == record.person_id, Record.id != record.id)
            .order_by(Record.id)
            .limit(OTHERS_SHOWN)
        ).all()
        found = records_by_id(conn, ids)
    return [found[i] for i in ids]


def pair_view(engine: Engine, item: ReviewItem) -> PairView:
    a, b = item.record_a, item.record_b
    others_a = _others(engine, a) if a.person_id != b.person_id or a.person_id is None else []
    others_b = [r for r in _others(engine, b) if r.id != a.id and r not in others_a]
    columns = [a, b, *others_a, *others_b]
    rows = side_by_side(columns)
    differ = frozenset(
        row.field
        for row in rows
        if row.values[0] is not None
        and row.values[1] is not None
        and row.values[0] != row.values[1]
    )
    return PairView(item, columns, len(others_a), len(others_b), rows, differ)
