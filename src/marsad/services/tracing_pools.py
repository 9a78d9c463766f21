"""Candidate pools: where matching looks for a sought person.

A pool is a name and a loader of typed rows: each row a record as linkage reads it
(`RecordRow`), the candidate it stands for (`candidate_id`: the person, for the store's
records) and the status to show ("killed", "detained", …). The store's persons are the first
pool; another capability adds its own with `register_pool` (the shelter's members, status
"sheltered"), and matching then looks there too, with the same model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from marsad.domain.records import RecordRow
from marsad.store.models import PersonSummary, Record
from marsad.store.records import record_rows, select_records


@dataclass(frozen=True, slots=True)
class PoolRow:
    """One record a candidate is known by, with the candidate and the status shown for it."""

    record: RecordRow
    candidate_id: int
    status: str


@dataclass(frozen=True)
class CandidatePool:
    name: str
    load: Callable[[Connection], list[PoolRow]]


def person_rows(conn: Connection) -> list[PoolRow]:
    """Every linked record, standing for its person; the status is the person's as
    verification resolved it, else the record's own (killed, injured, detained…)."""
    resolved: dict[int, str] = {
        r.person_id: r.status
        for r in conn.execute(select(PersonSummary.person_id, PersonSummary.status))
    }
    records = record_rows(
        conn.execute(select_records().where(Record.person_id.is_not(None)).order_by(Record.id))
    )
    return [
        PoolRow(r, r.person_id, resolved.get(r.person_id, r.status))
        for r in records
        if r.person_id is not None
    ]


POOLS: dict[str, CandidatePool] = {"persons": CandidatePool("persons", person_rows)}
"""Pool name → pool; matching reads every pool registered here."""


def register_pool(pool: CandidatePool) -> None:
    """Add a pool (a capability's own candidates) to those matching reads."""
    POOLS[pool.name] = pool
