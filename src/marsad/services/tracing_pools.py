"""Candidate pools: where matching looks for a sought person.

A pool is a name and a loader of typed rows: each row a record as linkage reads it
(`RecordRow`), the candidate it stands for (`candidate_id`: the person, for the store's
records, the shelter member for registrations) and the status to show ("killed", "detained",
"sheltered"…). The store's persons are one pool, the shelter's registrations another; matching
reads every pool in `POOLS` with the same model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from marsad.domain.records import RecordRow
from marsad.services.shelter_pairs import SHELTERED, member_records
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


def sheltered_rows(conn: Connection) -> list[PoolRow]:
    """Every shelter registration, standing for its member (`shelter_members.id`): a sought
    person registered alive at a site is a candidate with status "sheltered"."""
    return [PoolRow(r, r.id, SHELTERED) for r in member_records(conn)]


POOLS: dict[str, CandidatePool] = {
    "persons": CandidatePool("persons", person_rows),
    "sheltered": CandidatePool("sheltered", sheltered_rows),
}
"""Pool name → pool; matching reads every pool here (a new capability adds its line)."""
