"""Incident events: a reviewer groups reports of one event from several sources, or takes one out.

Nothing is grouped automatically: `candidates` only proposes (marsad.verify.incident_events),
and the counts change by `group_reports` and `take_apart` alone, each audited in the same
transaction. A reviewer's "not one event" (`keep_apart`, and every `take_apart`) is kept so
that the pair is not proposed again; grouping the two later removes it. An event is stored as
the `event_id` its reports share, which is always the smallest id among them; an event never
has fewer than two reports (a report alone has no event_id), so labels cannot collide and
reading them needs no other table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update

from marsad.errors import InputError
from marsad.services.audit import record_event
from marsad.store.models import Incident, IncidentEventRejection, Source
from marsad.verify.incident_events import Candidate, IncidentReport, propose


class IncidentEventError(InputError):
    """A grouping the store cannot apply (unknown report, nothing to group, no note)."""


@dataclass(frozen=True)
class EventChange:
    """What a reviewer's act did: the event now holding the reports (None: no event left)."""

    event_id: int | None
    incidents: tuple[int, ...]


def incident_reports(conn: Connection) -> list[IncidentReport]:
    """Every stored incident report with its source's name, by id."""
    rows = conn.execute(
        select(
            Incident.id,
            Incident.source_id,
            Source.name,
            Incident.date,
            Incident.governorate,
            Incident.place,
            Incident.killed_min,
            Incident.killed_max,
            Incident.grade,
            Incident.event_id,
        )
        .join(Source, Source.id == Incident.source_id)
        .order_by(Incident.id)
    )
    return [IncidentReport(*row) for row in rows]


def rejected_pairs(conn: Connection) -> set[tuple[int, int]]:
    """(smaller id, larger id) of every pair of reports a reviewer said are not one event."""
    rows = conn.execute(
        select(IncidentEventRejection.incident_a_id, IncidentEventRejection.incident_b_id)
    )
    return {(int(a), int(b)) for a, b in rows}


def candidates(conn: Connection) -> list[Candidate]:
    """Groups of reports from different sources that may describe one event, with why; never
    two reports a reviewer has said are not one event."""
    return propose(incident_reports(conn), rejected_pairs(conn))


def _reject(conn: Connection, pairs: Iterable[tuple[int, int]], note: str, user: str) -> None:
    known = rejected_pairs(conn)
    rows = [
        {"incident_a_id": a, "incident_b_id": b, "note": note.strip() or None, "decided_by": user}
        for a, b in sorted({(min(x, y), max(x, y)) for x, y in pairs})
        if (a, b) not in known
    ]
    if rows:
        conn.execute(insert(IncidentEventRejection), rows)


def keep_apart(engine: Engine, first: int, second: int, note: str, user: str) -> None:
    """A reviewer says two reports are not one event: they are not proposed together again.

    Two reports already in one event must be taken apart first (`take_apart`), so that a count
    never changes here."""
    if first == second:
        raise IncidentEventError("give two different incident reports")
    if not note.strip():
        raise IncidentEventError("a note is required: why these reports are not one event")
    with engine.begin() as conn:
        events = _members(conn, [first, second])
        if events[first] is not None and events[first] == events[second]:
            raise IncidentEventError(
                f"reports {first} and {second} are one event: take one apart first"
            )
        _reject(conn, [(first, second)], note, user)
        record_event(
            conn,
            user,
            "incidents.different",
            f"incident:{min(first, second)}",
            {"incidents": sorted((first, second))},
        )


def _members(conn: Connection, ids: Iterable[int]) -> dict[int, int | None]:
    """Report id → event_id for `ids`, locked until the transaction ends (PostgreSQL)."""
    wanted = sorted(set(ids))
    rows = conn.execute(
        select(Incident.id, Incident.event_id).where(Incident.id.in_(wanted)).with_for_update()
    )
    found = {int(r.id): r.event_id for r in rows}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise IncidentEventError(f"no incident report {', '.join(map(str, missing))}")
    return found


def _in_events(conn: Connection, events: set[int]) -> set[int]:
    if not events:
        return set()
    return set(conn.scalars(select(Incident.id).where(Incident.event_id.in_(sorted(events)))))


def group_reports(engine: Engine, incident_ids: Iterable[int], note: str, user: str) -> EventChange:
    """A reviewer says these reports describe one event; reports already grouped with any of
    them come along, so two events become one. Returns the event and all its reports."""
    ids = sorted(set(incident_ids))
    if len(ids) < 2:
        raise IncidentEventError("give at least two different incident reports")
    if not note.strip():
        raise IncidentEventError("a note is required: why these reports are one event")
    with engine.begin() as conn:
        named = _members(conn, ids)
        events = {e for e in named.values() if e is not None}
        grouped = _in_events(conn, events)
        if len(events) == 1 and set(ids) <= grouped:
            raise IncidentEventError(f"reports {', '.join(map(str, ids))} are already one event")
        members = sorted(set(ids) | grouped)
        event_id = members[0]
        conn.execute(
            update(Incident)
            .where(Incident.id.in_(members))
            .values(event_id=event_id, event_note=note.strip())
        )
        conn.execute(
            delete(IncidentEventRejection).where(
                IncidentEventRejection.incident_a_id.in_(members),
                IncidentEventRejection.incident_b_id.in_(members),
            )
        )
        record_event(
            conn,
            user,
            "incidents.same",
            f"incident_event:{event_id}",
            {"incidents": members, "named": ids, "merged_events": sorted(events)},
        )
    return EventChange(event_id, tuple(members))


def take_apart(engine: Engine, incident_id: int, user: str, note: str = "") -> EventChange:
    """A reviewer takes a report out of its event: it is its own event again. The reports left
    keep one event (relabelled by their smallest id), or none if only one is left; the report
    is not proposed with them again."""
    with engine.begin() as conn:
        event = _members(conn, [incident_id])[incident_id]
        if event is None:
            raise IncidentEventError(f"incident report {incident_id} is not grouped in an event")
        rest = sorted(_in_events(conn, {event}) - {incident_id})
        remaining = rest[0] if len(rest) > 1 else None
        conn.execute(
            update(Incident)
            .where(Incident.id == incident_id)
            .values(event_id=None, event_note=note.strip() or None)
        )
        conn.execute(update(Incident).where(Incident.id.in_(rest)).values(event_id=remaining))
        _reject(conn, [(incident_id, other) for other in rest], note, user)
        record_event(
            conn,
            user,
            "incidents.apart",
            f"incident:{incident_id}",
            {"event": event, "remaining_event": remaining, "remaining": rest},
        )
    return EventChange(remaining, tuple(rest))
