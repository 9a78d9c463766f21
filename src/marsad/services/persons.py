"""Each person as the estimators see them: their independent lists and resolved values, and
each of their records with what it lacks to enter capture histories."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import Connection, func, select

from marsad.store.models import PersonSummary, Record, Source
from marsad.verify.identifiable import IdentifiableRule, name_part_count, waived_for


@dataclass(frozen=True)
class PersonFacts:
    """One person as the counts and the estimators see them.

    `lists` are independent lists: a source that copies another is folded into the one it
    copies, because its records are not an independent capture.
    """

    person_id: int
    lists: frozenset[str]
    governorate: str | None
    sex: str | None
    date_of_death: str | None
    age_group: str
    status: str


def age_group(age_min: int | None, age_max: int | None) -> str:
    """child (<18), adult (18–59), elderly (60+) or unknown when the range straddles."""
    if age_max is not None and age_max < 18:
        return "child"
    if age_min is not None and age_min >= 60:
        return "elderly"
    if age_min is not None and age_min >= 18 and (age_max is None or age_max < 60):
        return "adult"
    return "unknown"


def independent_list_names(conn: Connection) -> dict[int, str]:
    """Source id → the name of the independent list it belongs to (following 'copies')."""
    rows = conn.execute(select(Source.id, Source.name, Source.copies_source_id)).all()
    by_id = {r.id: r for r in rows}
    names: dict[int, str] = {}
    for row in rows:
        current, seen = row, {row.id}
        while current.copies_source_id is not None and current.copies_source_id not in seen:
            seen.add(current.copies_source_id)
            current = by_id[current.copies_source_id]
        names[row.id] = current.name
    return names


def person_facts(conn: Connection, status: str | None = "killed") -> list[PersonFacts]:
    """Facts for every person of resolved `status` (None: any status), read from the person
    summaries, so that estimates stratify each person exactly as the counts do."""
    lists = independent_list_names(conn)
    query = (
        select(
            PersonSummary.person_id,
            PersonSummary.status,
            PersonSummary.governorate,
            PersonSummary.sex,
            PersonSummary.date_of_death,
            PersonSummary.age_group,
            Record.source_id,
        )
        .join(Record, Record.person_id == PersonSummary.person_id)
        .order_by(PersonSummary.person_id)
    )
    if status is not None:
        query = query.where(PersonSummary.status == status)
    facts: list[PersonFacts] = []
    for _, group in groupby(conn.execute(query), key=lambda r: r.person_id):
        rows = list(group)
        first = rows[0]
        facts.append(
            PersonFacts(
                person_id=int(first.person_id),
                lists=frozenset(lists[r.source_id] for r in rows),
                governorate=first.governorate,
                sex=first.sex,
                date_of_death=first.date_of_death,
                age_group=first.age_group,
                status=first.status,
            )
        )
    return facts


@dataclass(frozen=True, slots=True)
class EstimationRecord:
    """A record of a person with a summary: its source, independent list, and the
    identifiability requirements it does not meet (empty: it may enter capture histories)."""

    record_id: int
    person_id: int
    source_id: int
    list: str
    missing: tuple[str, ...]


NAMES = ("name", "name_first", "name_father", "name_grandfather", "name_family")
"""A record's full name and its name parts, in `name_part_count`'s order."""


def estimation_records(conn: Connection, rule: IdentifiableRule) -> list[EstimationRecord]:
    """Every record of every summarised person (any status), judged by `rule`."""
    lists = independent_list_names(conn)
    names = [getattr(Record, column) for column in NAMES]
    place = (Record.date_of_death, Record.pcode, Record.pcode_adm1)
    rows = conn.execute(
        select(Record.id, Record.person_id, Record.source_id, *names, *place)
        .join(PersonSummary, PersonSummary.person_id == Record.person_id)
        .order_by(Record.id)
    ).tuples()
    waived = _waived(conn)
    return [
        EstimationRecord(
            record_id=int(row[0]),
            person_id=int(row[1]),
            source_id=int(row[2]),
            list=lists[row[2]],
            missing=rule.missing(
                name_part_count(*row[3:8]),
                row[8],
                row[9],
                row[10],
                waived=waived.get(row[2], frozenset()),
            ),
        )
        for row in rows
    ]


def waived_requirements(conn: Connection) -> dict[str, list[str]]:
    """Per source that never records a date or a place, the requirements not asked of it."""
    names = dict(conn.execute(select(Source.id, Source.name)).tuples().all())
    return {names[source]: sorted(w) for source, w in sorted(_waived(conn).items()) if w}


def _waived(conn: Connection) -> dict[int, frozenset[str]]:
    """Per source, the identifiability requirements it never records (`waived_for`)."""
    rows = conn.execute(
        select(
            Record.source_id,
            func.count(Record.date_of_death),
            func.count(func.coalesce(Record.pcode, Record.pcode_adm1)),
        ).group_by(Record.source_id)
    )
    return {int(source): waived_for(int(dated), int(placed)) for source, dated, placed in rows}
