"""Operations (link, verify, estimate, report, export, release…) run as jobs by the web server,
kept in the store like uploads (`services.upload_jobs`) so that every worker reports them.

A job's row says what was asked (`params`), by whom, the stage it has reached, and once ended
what it gave (`result`, a JSON document, and the name of the file it wrote) or why it failed.
Stages are written in their own short transactions that never wait: on SQLite the operation
itself may hold the one write lock until it ends, and its page then shows the stage the
process keeps (`web.jobs.JobRunner`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, insert, select, update

from marsad.errors import InputError, MarsadError
from marsad.services.audit import record_event
from marsad.services.operations import OPERATIONS, Outcome, Stage, outputs_directory
from marsad.services.upload_jobs import (
    DONE,
    FAILED,
    INTERRUPTED,
    RUNNING,
    stale_jobs,
    started,
    write_without_waiting,
)
from marsad.store.models import utcnow
from marsad.store.web_tables import OperationJob

__all__ = ["DONE", "FAILED", "INTERRUPTED", "RUNNING"]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OperationView:
    """One operation job as its page and the API show it."""

    id: str
    kind: str
    params: dict[str, Any]
    user: str
    started_at: dt.datetime
    updated_at: dt.datetime
    state: str
    stage: str | None
    result: dict[str, Any] | None
    file_name: str | None
    error: str | None


def start_operation(
    engine: Engine, job_id: str, kind: str, params: dict[str, Any], user: str
) -> None:
    """A new running job, audited as "job.start"; StoreBusy when SQLite's writer stays busy."""
    now = utcnow()
    with started(engine) as conn:
        conn.execute(
            insert(OperationJob).values(
                id=job_id,
                kind=kind,
                params=params,
                started_by=user,
                started_at=now,
                updated_at=now,
                state=RUNNING,
            )
        )
        record_event(conn, user, "job.start", f"job:{job_id}", {"kind": kind, **params})


def record_stage(engine: Engine, job_id: str, stage: str) -> None:
    """Store the stage reached, unless the store is busy: never waits, never stops the job."""
    write_without_waiting(
        engine,
        update(OperationJob)
        .where(OperationJob.id == job_id, OperationJob.state == RUNNING)
        .values(stage=stage[:200], updated_at=utcnow()),
    )


def finish_operation(
    engine: Engine, job_id: str, result: dict[str, Any], file_name: str | None
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(OperationJob)
            .where(OperationJob.id == job_id)
            .values(state=DONE, updated_at=utcnow(), result=result, file_name=file_name)
        )


def fail_operation(engine: Engine, job_id: str, error: str) -> None:
    """The operation was refused or failed; `error` is what the page says. Audited."""
    with engine.begin() as conn:
        conn.execute(
            update(OperationJob)
            .where(OperationJob.id == job_id)
            .values(state=FAILED, updated_at=utcnow(), error=error)
        )
        user = conn.scalar(select(OperationJob.started_by).where(OperationJob.id == job_id))
        record_event(conn, user or "-", "job.failed", f"job:{job_id}", {"error": error})


def _views(engine: Engine, where: Any, limit: int) -> list[OperationView]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(OperationJob.__table__)
            .where(where)
            .order_by(OperationJob.started_at.desc(), OperationJob.id)
            .limit(limit)
        ).all()
    stale = stale_jobs(engine, rows, utcnow())
    return [
        OperationView(
            id=r.id,
            kind=r.kind,
            params=dict(r.params or {}),
            user=r.started_by,
            started_at=r.started_at,
            updated_at=r.updated_at,
            state=INTERRUPTED if r.id in stale else r.state,
            stage=r.stage,
            result=r.result,
            file_name=r.file_name,
            error=r.error,
        )
        for r in rows
    ]


def get_operation(engine: Engine, job_id: str) -> OperationView | None:
    views = _views(engine, OperationJob.id == job_id, 1)
    return views[0] if views else None


def newest_operations(engine: Engine, limit: int, user: str | None = None) -> list[OperationView]:
    """The newest jobs, of `user` only when given."""
    where = OperationJob.started_by == user if user is not None else OperationJob.id.is_not(None)
    return _views(engine, where, limit)


Work = Callable[[Path, Stage], Outcome]
"""A job's work, given its own folder (for the files it writes) and the stage callback."""


def run_job(engine: Engine, job_id: str, kind: str, work: Work, stage: Stage) -> None:
    """Run a started job to its end and store what it gave or why it failed. A refusal of the
    services (or a file it could not write) is the job's message, without the outputs
    directory; anything else is logged as a bug and the job names only its kind."""
    try:
        folder = outputs_directory(engine) / job_id
        folder.mkdir(parents=True, exist_ok=True)
        outcome = work(folder, stage)
    except (MarsadError, OSError) as error:
        message = str(error)
        with suppress(InputError):
            message = message.replace(f"{outputs_directory(engine)}/", "")
        fail_operation(engine, job_id, message)
    except Exception as error:
        log.error("%s job %s failed: %s", kind, job_id, type(error).__name__, exc_info=error)
        fail_operation(engine, job_id, type(error).__name__)
    else:
        finish_operation(engine, job_id, outcome.result, outcome.file_name)


def operation_work(engine: Engine, kind: str, asked: BaseModel, user: str) -> Work:
    """The work of an operation of `services.operations.OPERATIONS`."""
    run = OPERATIONS[kind].run
    return lambda folder, stage: run(engine, asked, user, folder, stage)


def job_file(engine: Engine, job: OperationView) -> Path | None:
    """The file a finished job wrote, if it is still there."""
    if job.file_name is None:
        return None
    path = outputs_directory(engine) / job.id / job.file_name
    return path if path.is_file() else None
