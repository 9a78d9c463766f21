"""Uploads being ingested by the web server, kept in the store so that every worker shows them.

`marsad serve --workers N` runs several processes over one store; an upload is ingested in a
thread of the one that received it, while the redirect after it and the page's polls may reach
any other. So a job's progress and outcome are rows of `upload_jobs`, each written in its own
short transaction, apart from the ingest's own single transaction (which stays all-or-nothing).

A worker killed mid-upload cannot say so: its job's row says "running" for ever, while the
database has rolled its ingest back. Rather than have a starting worker sweep the table (it
cannot tell a dead worker's job from a live one's), the reader calls a running job whose row
has not moved for STALE_AFTER "interrupted". On SQLite the ingest holds the store's only write
lock for its whole transaction, so no progress reaches the row until it ends; there a stale job
is called interrupted only while no connection holds that lock.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, Select, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import Executable

from marsad.errors import StoreBusy
from marsad.services.audit import record_event
from marsad.services.ingest import IngestSummary
from marsad.store.db import waiting_at_most
from marsad.store.models import Import, UploadJob, utcnow

RUNNING, DONE, FAILED, INTERRUPTED = "running", "done", "failed", "interrupted"
STALE_AFTER = dt.timedelta(minutes=5)
"""A running job whose row has not moved for this long belongs to a worker that died."""
PROGRESS_SECONDS = 1.0
PROGRESS_ROWS = 5000
"""Progress is stored once both have passed since the last write: a few hundred small writes
for a million rows, not a million."""


@dataclass(frozen=True)
class JobView:
    """One upload job as the sources page and its script show it."""

    id: str
    file: str
    source: str
    user: str
    started_at: dt.datetime
    updated_at: dt.datetime
    state: str
    rows: int
    recorded: int | None
    quarantined: int | None
    already_present: int | None
    already_imported: bool | None
    error: str | None
    warnings: list[str]
    """The import's warnings (e.g. a column empty in every row), once done."""
    unread: dict[str, dict[str, Any]]
    """The import's values not understood, per field (`marsad.ingest.unread`), once done."""

    @property
    def needs_check(self) -> bool:
        """Ended, but not cleanly: rows quarantined, values not understood, warnings, nothing
        recorded, or a file imported before; the page must not call it simply done."""
        return self.state == DONE and bool(
            self.quarantined
            or self.unread
            or self.warnings
            or self.already_imported
            or not self.recorded
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "source": self.source,
            "state": self.state,
            "needs_check": self.needs_check,
            "user": self.user,
            "started_at": self.started_at.isoformat(),
            "rows": self.rows,
            "recorded": self.recorded,
            "quarantined": self.quarantined,
            "already_present": self.already_present,
            "already_imported": self.already_imported,
            "error": self.error,
            "warnings": self.warnings,
            "unread": self.unread,
        }


START_WAIT_MS = 3000
"""How long starting a job waits for SQLite's write lock before the page says the store is busy:
SQLite has one writer, and a running ingest holds it until it ends."""


def start_job(engine: Engine, job_id: str, file: str, source: str, user: str) -> None:
    """A new running job, before its ingest begins, so that the redirect finds it anywhere.

    Raises StoreBusy when SQLite is writing another import: the request is answered at once
    instead of waiting for that import to end.
    """
    now = utcnow()
    with started(engine) as conn:
        conn.execute(
            insert(UploadJob).values(
                id=job_id,
                file_name=file,
                source=source,
                started_by=user,
                started_at=now,
                updated_at=now,
                state=RUNNING,
                rows_read=0,
            )
        )
        record_event(conn, user, "upload", f"upload:{job_id}", {"file": file, "source": source})


@contextmanager
def started(engine: Engine) -> Iterator[Connection]:
    """A transaction that starts a job of any kind, committed at the end; StoreBusy when
    SQLite's one writer stays busy for START_WAIT_MS (a long job holds it until it ends)."""
    with engine.connect() as conn, waiting_at_most(conn, START_WAIT_MS):
        try:
            yield conn
            conn.commit()
        except OperationalError as error:
            conn.rollback()
            if conn.dialect.name == "sqlite" and "locked" in str(error):
                raise StoreBusy from error
            raise


def record_progress(engine: Engine, job_id: str, rows: int) -> bool:
    """Store the rows read so far; False when the store is busy (SQLite's one writer is the
    ingest itself): a progress write never waits and never stops the ingest it reports on."""
    return write_without_waiting(
        engine,
        update(UploadJob)
        .where(UploadJob.id == job_id, UploadJob.state == RUNNING)
        .values(rows_read=rows, updated_at=utcnow()),
    )


def write_without_waiting(engine: Engine, statement: Executable) -> bool:
    """Run one write in its own transaction unless the store is busy: False then. Progress of
    any job is written so, and never waits for (or stops) the job it reports on."""
    with engine.connect() as conn, waiting_at_most(conn, 0):
        try:
            conn.execute(statement)
            conn.commit()
        except OperationalError:
            conn.rollback()
            return False
    return True


class ProgressWriter:
    """The `progress` callback of one job's ingest: stores the running row count at most every
    PROGRESS_SECONDS and every PROGRESS_ROWS rows, whichever comes later."""

    def __init__(
        self, engine: Engine, job_id: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.engine = engine
        self.job_id = job_id
        self.clock = clock
        self.rows_stored = 0
        self.tried_at = clock()

    def __call__(self, rows: int) -> None:
        now = self.clock()
        if rows - self.rows_stored < PROGRESS_ROWS or now - self.tried_at < PROGRESS_SECONDS:
            return
        self.tried_at = now
        if record_progress(self.engine, self.job_id, rows):
            self.rows_stored = rows


def finish_job(engine: Engine, job_id: str, summary: IngestSummary) -> None:
    """The ingest committed: keep its counts with the job."""
    with engine.begin() as conn:
        conn.execute(
            update(UploadJob)
            .where(UploadJob.id == job_id)
            .values(
                state=DONE,
                updated_at=utcnow(),
                rows_read=summary.rows_total,
                rows_recorded=summary.rows_recorded,
                rows_quarantined=summary.rows_quarantined,
                rows_already_present=summary.rows_already_present,
                already_imported=summary.already_imported,
                import_id=summary.import_id,
            )
        )


def fail_job(engine: Engine, job_id: str, error: str) -> None:
    """The ingest was rolled back; `error` is what the page says (never a record's content).
    Audited ("upload.failed") as the user who uploaded."""
    with engine.begin() as conn:
        conn.execute(
            update(UploadJob)
            .where(UploadJob.id == job_id)
            .values(state=FAILED, updated_at=utcnow(), error=error)
        )
        user = conn.scalar(select(UploadJob.started_by).where(UploadJob.id == job_id))
        record_event(conn, user or "-", "upload.failed", f"upload:{job_id}", {"error": error})


def sqlite_writing(engine: Engine) -> bool:
    """Whether some connection holds SQLite's write lock, as a running ingest always does."""
    with engine.connect() as conn, waiting_at_most(conn, 0):
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError:
            return True
        conn.exec_driver_sql("ROLLBACK")
    return False


def stale_jobs(engine: Engine, rows: Sequence[Row[Any]], now: dt.datetime) -> set[str]:
    """The ids of running jobs (of any kind) whose rows have not moved for STALE_AFTER: their
    worker died, unless SQLite's write lock is held (a job there stores nothing until it ends)."""
    stale = {r.id for r in rows if r.state == RUNNING and now - r.updated_at > STALE_AFTER}
    if stale and engine.dialect.name == "sqlite" and sqlite_writing(engine):
        return set()
    return stale


def _views(engine: Engine, rows: Sequence[Row[Any]], now: dt.datetime) -> list[JobView]:
    stale = stale_jobs(engine, rows, now)
    return [
        JobView(
            id=r.id,
            file=r.file_name,
            source=r.source,
            user=r.started_by,
            started_at=r.started_at,
            updated_at=r.updated_at,
            state=INTERRUPTED if r.id in stale else r.state,
            rows=r.rows_read,
            recorded=r.rows_recorded,
            quarantined=r.rows_quarantined,
            already_present=r.rows_already_present,
            already_imported=r.already_imported,
            error=r.error,
            warnings=(r.import_warnings or []) if not r.already_imported else [],
            unread=(r.import_unread or {}) if not r.already_imported else {},
        )
        for r in rows
    ]


def _jobs_with_reports() -> Select[Any]:
    """Upload jobs with the warnings and values not understood of the import each made."""
    return select(
        UploadJob.__table__,
        Import.warnings.label("import_warnings"),
        Import.unread.label("import_unread"),
    ).outerjoin(Import, Import.id == UploadJob.import_id)


def newest_jobs(engine: Engine, limit: int) -> list[JobView]:
    """The `limit` most recently started jobs, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            _jobs_with_reports().order_by(UploadJob.started_at.desc(), UploadJob.id).limit(limit)
        ).all()
    return _views(engine, rows, utcnow())


def get_job(engine: Engine, job_id: str) -> JobView | None:
    """One job by its id, or None."""
    with engine.connect() as conn:
        rows = conn.execute(_jobs_with_reports().where(UploadJob.id == job_id)).all()
    views = _views(engine, rows, utcnow())
    return views[0] if views else None
