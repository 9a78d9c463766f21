"""The audit log: one row per change, per export with names, per view of a full record.

Called inside the caller's transaction, so an operation and its audit row land together or
not at all. Details hold ids and counts, never a name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

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
