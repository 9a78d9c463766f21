"""Incident events: which reports of deaths without names may describe one event, and how an
event is counted.

Two sources reporting the same shelling are two rows in `incidents`; summed, the same dead are
counted twice. Casualty recorders (Airwars, ACLED) group such reports into one event. Here the
machine only *proposes* groups, each with a sentence saying why; a reviewer decides, and a count
changes only by the reviewer's act (`marsad.services.incident_events`).

A candidate joins reports of different sources that agree on everything both give: dates at most
`MAX_DAYS_APART` apart, the same governorate, the same place key when both name a place
(`marsad.names.name_key`, the cross-script key linkage uses for localities, so "Jableh" and
"جبلة" agree), and death ranges that overlap or nearly meet. Two reports of one source are
never proposed together: a source tells its own events apart, so two of its reports that agree
are most likely two events (a reviewer who knows better can still group them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import combinations

from marsad.ingest.incidents import GRADES
from marsad.names import name_key

MAX_DAYS_APART = 1
"""Reports a day apart may describe one event: a night attack is dated either side of midnight,
and a source may date the report rather than the event."""

CLOSE_DEAD = 2
CLOSE_SHARE = 0.2
"""Ranges that do not overlap are still close when the gap between them is at most CLOSE_DEAD
deaths or CLOSE_SHARE of the larger maximum: early counts grow as bodies are recovered."""


@dataclass(frozen=True)
class IncidentReport:
    """One stored incident report, as the candidate logic reads it.

    `event_id` is the reviewer's grouping (None: the report is its own event).
    """

    id: int
    source_id: int
    source: str
    date: str | None
    governorate: str | None
    place: str | None
    killed_min: int
    killed_max: int
    grade: str
    event_id: int | None = None


@dataclass(frozen=True)
class Candidate:
    """Reports that plausibly describe one event, one event per source, and why."""

    reports: tuple[IncidentReport, ...]
    reason: str

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(r.id for r in self.reports)


def place_key(place: str | None) -> str | None:
    """The cross-script key of a place, None when there is no readable place."""
    if place is None or not place.strip():
        return None
    return name_key(place.strip()) or None


def _day(date: str | None) -> dt.date | None:
    """A full ISO date; a partial one (year, month) cannot place a report within a day."""
    if date is None or len(date) != 10:
        return None
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        return None


def _ranges_meet(a: IncidentReport, b: IncidentReport) -> bool:
    gap = max(a.killed_min, b.killed_min) - min(a.killed_max, b.killed_max)
    return gap <= max(CLOSE_DEAD, CLOSE_SHARE * max(a.killed_max, b.killed_max))


def agree(a: IncidentReport, b: IncidentReport) -> bool:
    """Whether two reports of different sources may describe one event."""
    day_a, day_b = _day(a.date), _day(b.date)
    if a.source_id == b.source_id or day_a is None or day_b is None:
        return False
    if abs((day_a - day_b).days) > MAX_DAYS_APART:
        return False
    if a.governorate is None or a.governorate != b.governorate:
        return False
    key_a, key_b = place_key(a.place), place_key(b.place)
    if key_a is not None and key_b is not None and key_a != key_b:
        return False
    return _ranges_meet(a, b)


def _events(reports: Iterable[IncidentReport]) -> list[tuple[IncidentReport, ...]]:
    """Reports grouped by the reviewer's events; a report without one is its own event."""
    grouped: dict[tuple[str, int], list[IncidentReport]] = {}
    for r in sorted(reports, key=lambda r: r.id):
        key = ("event", r.event_id) if r.event_id is not None else ("report", r.id)
        grouped.setdefault(key, []).append(r)
    return sorted((tuple(g) for g in grouped.values()), key=lambda g: g[0].id)


def _events_agree(
    x: Sequence[IncidentReport],
    y: Sequence[IncidentReport],
    rejected: AbstractSet[tuple[int, int]],
) -> bool:
    """Events of disjoint sources whose every pair of reports agrees, and no pair of which a
    reviewer has said are not one event."""
    if {r.source_id for r in x} & {r.source_id for r in y}:
        return False
    if any((min(a.id, b.id), max(a.id, b.id)) in rejected for a in x for b in y):
        return False
    return all(agree(a, b) for a in x for b in y)


def propose(
    reports: Iterable[IncidentReport], rejected: AbstractSet[tuple[int, int]] = frozenset()
) -> list[Candidate]:
    """Candidate groups, by their smallest report id.

    Events that agree are joined into connected groups; a group whose events all agree with one
    another and come from distinct sources is one candidate, otherwise (A agrees with B and B
    with C, but not A with C) each agreeing pair is its own candidate, for the reviewer to pick.
    `rejected` holds (smaller id, larger id) pairs a reviewer said are not one event: they are
    never proposed together again.
    """
    events = _events(reports)
    by_governorate: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        governorates = {r.governorate for r in event}
        if len(governorates) == 1 and (governorate := governorates.pop()) is not None:
            by_governorate.setdefault(governorate, []).append(i)
    agreeing = sorted(
        (i, j)
        for block in by_governorate.values()
        for i, j in combinations(block, 2)
        if _events_agree(events[i], events[j], rejected)
    )
    neighbours: dict[int, set[int]] = {}
    for i, j in agreeing:
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    found: list[Candidate] = []
    seen: set[int] = set()
    for start in sorted(neighbours):
        if start in seen:
            continue
        group, todo = {start}, [start]
        while todo:
            for other in neighbours[todo.pop()] - group:
                group.add(other)
                todo.append(other)
        seen |= group
        pairs = [(i, j) for i, j in agreeing if i in group]
        if len(pairs) == len(group) * (len(group) - 1) // 2:
            found.append(_candidate([events[i] for i in sorted(group)]))
        else:
            found.extend(_candidate([events[i], events[j]]) for i, j in pairs)
    return sorted(found, key=lambda c: c.ids)


def _candidate(events: Sequence[tuple[IncidentReport, ...]]) -> Candidate:
    reports = tuple(sorted((r for e in events for r in e), key=lambda r: r.id))
    return Candidate(reports, explain(reports))


def explain(reports: Sequence[IncidentReport]) -> str:
    """One sentence: what the reports share, and how their death ranges compare."""
    days = sorted({d for r in reports if (d := _day(r.date)) is not None})
    if len(days) == 1:
        when = f"same date {days[0].isoformat()}"
    else:
        when = f"dates {days[0].isoformat()} to {days[-1].isoformat()}"
        when += f" ({(days[-1] - days[0]).days} day apart)" if len(days) == 2 else ""
    where = f"same governorate {reports[0].governorate}"
    keys = [k for r in reports if (k := place_key(r.place)) is not None]
    if not keys:
        place = "no place given"
    elif len(keys) == len(reports):
        place = "same place"
    else:
        place = f"same place where given ({len(keys)} of {len(reports)} reports)"
    ranges = ", ".join(f"{r.killed_min}–{r.killed_max}" for r in reports)
    overlap = max(r.killed_min for r in reports) <= min(r.killed_max for r in reports)
    dead = f"killed {ranges} {'overlap' if overlap else 'are close'}"
    return f"{when.capitalize()}, {where}, {place}; {dead}."


def _rank(grade: str) -> int:
    """Strength of a grade, 0 the strongest; a grade unknown to GRADES ranks last."""
    return GRADES.index(grade) if grade in GRADES else len(GRADES)


def event_count(reports: Iterable[tuple[str, int, int]]) -> tuple[str, int, int]:
    """An event's grade and range from its reports' (grade, killed_min, killed_max).

    The grade is the strongest any report gives (confirmed > fair > weak > contested >
    discounted, so an event is discounted only when every report is). The range comes from the
    reports of that grade alone, as the largest minimum and the largest maximum among them. The
    strongest evidence sets the range: a weaker report's other figure is what the stronger
    evidence did not bear out, and mixing it in would let the weakest source move a confirmed
    number. Among reports of that grade each minimum is a floor one credible report
    established, so the event's floor is the highest of them (counts grow as bodies are
    recovered), and its ceiling the highest maximum.
    """
    graded = list(reports)
    if not graded:
        raise ValueError("an event has at least one report")
    grade = min((g for g, _, _ in graded), key=_rank)
    strongest = [(low, high) for g, low, high in graded if g == grade]
    return grade, max(low for low, _ in strongest), max(high for _, high in strongest)
