"""The audit log: one row per change, per export with names, per view of a full record, per
request that shows names.

Called inside the caller's transaction, so an operation and its audit row land together or
not at all. Details hold ids and counts, never a name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from marsad.store.models import AuditEvent


def record_event(
    conn: Connection,
    actor: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one event (e.g. action "export.include_names", target "persons")."""
    conn.execute(
        insert(AuditEvent).values(actor=actor, action=action, target=target, detail=detail or {})
    )


def record_names_read(engine: Engine, actor: str, what: str, count: int, via: str) -> None:
    """One row for a request that showed `count` records or persons with their names: who,
    what (the page or API route) and how many. A request that showed none leaves no row."""
    if count:
        with engine.begin() as conn:
            record_event(conn, actor, "names.read", what, {"count": count, "via": via})


def recent_events(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The newest events first, as plain dicts for the CLI and the web."""
    rows = conn.execute(select(AuditEvent.__table__).order_by(AuditEvent.id.desc()).limit(limit))
    return [
        {
            "id": e.id,
            "at": e.at.isoformat(timespec="seconds"),
            "actor": e.actor,
            "action": e.action,
            "target": e.target,
            "detail": e.detail,
        }
        for e in rows
    ]
