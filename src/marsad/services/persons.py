"""What is known of each person, resolved from their records, for estimation and counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from marsad.store.models import Record, Source


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


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)


def _most_specific_date(values: Iterable[str | None]) -> str | None:
    """The date most records agree on, preferring full dates over partial ones."""
    dates = [v for v in values if v]
    if not dates:
        return None
    longest = max(len(d) for d in dates)
    return _most_common(d for d in dates if len(d) == longest)


def person_facts(conn: Connection, status: str | None = "killed") -> list[PersonFacts]:
    """Facts for every person with at least one record of `status` (None: any status)."""
    lists = independent_list_names(conn)
    rows = conn.execute(
        select(
            Record.person_id,
            Record.source_id,
            Record.status,
            Record.pcode_adm1,
            Record.sex,
            Record.date_of_death,
            Record.age_min,
            Record.age_max,
        )
        .where(Record.person_id.is_not(None))
        .order_by(Record.person_id, Record.id)
    ).all()
    facts: list[PersonFacts] = []
    start = 0
    while start < len(rows):
        end = start
        pid = rows[start].person_id
        while end < len(rows) and rows[end].person_id == pid:
            end += 1
        group = rows[start:end]
        start = end
        statuses = {r.status for r in group}
        if status is not None and status not in statuses:
            continue
        exact_ages = [(r.age_min, r.age_max) for r in group if r.age_min is not None]
        ages = sorted(exact_ages, key=lambda a: (a[1] is None, (a[1] or 0) - (a[0] or 0)))
        facts.append(
            PersonFacts(
                person_id=int(pid),
                lists=frozenset(lists[r.source_id] for r in group),
                governorate=_most_common(r.pcode_adm1 for r in group),
                sex=_most_common(r.sex for r in group),
                date_of_death=_most_specific_date(r.date_of_death for r in group),
                age_group=age_group(*ages[0]) if ages else "unknown",
                status=status or _most_common(statuses) or "killed",
            )
        )
    return facts
