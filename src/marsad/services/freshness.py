"""When each figure of the dashboard was computed, and whether the data changed since.

Counts come from the persons' summaries (written by verification), the estimate from the
newest estimation run. Anything that can change them afterwards — an import, a linkage run, a
reviewer's decision or its undoing, a status decided by hand, a record edited — has its time in
the store; a figure older than the newest of these is "stale": it is shown with the warning
that the data changed since, until verification or the estimate is run again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from marsad.store.models import (
    AuditEvent,
    EstimateRun,
    Import,
    LinkRun,
    PersonSummary,
    ReviewAction,
    StatusDecision,
)
from marsad.store.web_tables import RecordVersion


@dataclass(frozen=True)
class Freshness:
    computed_at: dt.datetime | None
    changed_at: dt.datetime | None

    @property
    def stale(self) -> bool:
        """The data changed after the figure was computed (or it never was)."""
        if self.changed_at is None:
            return False
        return self.computed_at is None or self.changed_at > self.computed_at


@dataclass(frozen=True)
class DashboardFreshness:
    counts: Freshness
    estimate: Freshness


def data_changed_at(conn: Connection) -> dt.datetime | None:
    """The newest change that the counts and the estimate rest on."""
    moments = [
        conn.scalar(select(func.max(Import.imported_at))),
        conn.scalar(select(func.max(LinkRun.finished_at))),
        conn.scalar(select(func.max(ReviewAction.decided_at))),
        conn.scalar(select(func.max(ReviewAction.undone_at))),
        conn.scalar(select(func.max(StatusDecision.decided_at))),
        conn.scalar(select(func.max(StatusDecision.revoked_at))),
        conn.scalar(select(func.max(RecordVersion.edited_at))),
    ]
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def _verified_at(conn: Connection) -> dt.datetime | None:
    """When verification last ran (it rewrites only the summaries that changed, so their own
    times can be older than a run that found nothing new)."""
    ran = conn.scalar(select(func.max(AuditEvent.at)).where(AuditEvent.action == "verify.run"))
    return ran if ran is not None else conn.scalar(select(func.max(PersonSummary.computed_at)))


def dashboard_freshness(conn: Connection) -> DashboardFreshness:
    changed = data_changed_at(conn)
    return DashboardFreshness(
        counts=Freshness(_verified_at(conn), changed),
        estimate=Freshness(conn.scalar(select(func.max(EstimateRun.created_at))), changed),
    )
