"""The web app's one job runner: uploads and every operation (link, verify, estimate, report,
export, release…) run in threads of the server process, their progress and outcome kept in
the store so that any server worker can report them.

A job is first started in the store (`services.upload_jobs.start_job`,
`services.operation_jobs.start_operation`), then run here in one of two threads. What a job
has reached (rows read, or a stage) is also kept in this process: on SQLite a running job holds
the store's only write lock until it ends, so its progress cannot be stored meanwhile. A
request the services refuse becomes the job's message; anything else is logged as a bug and
the job says only what kind of failure it was. An upload that recorded new records is followed
by a link job, so that they join persons without anyone running `marsad link`.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from sqlalchemy import Engine

from marsad.errors import MarsadError, StoreBusy, TooManyJobs
from marsad.services.ingest import IngestSummary, RowProgress
from marsad.services.operation_jobs import (
    OperationView,
    get_operation,
    operation_work,
    record_stage,
    run_job,
    start_operation,
)
from marsad.services.operation_jobs import Work as OperationWork
from marsad.services.operations import LinkRequest
from marsad.services.upload_jobs import (
    INTERRUPTED,
    RUNNING,
    JobView,
    ProgressWriter,
    fail_job,
    finish_job,
    newest_jobs,
)
from marsad.web.auth import settings_of

log = logging.getLogger(__name__)
JOBS_KEPT = 50


Work = Callable[[RowProgress], IngestSummary]
"""An upload's ingest, given the callback that counts its rows."""
Live = int | str
"""How far a job of this process is: rows read (an upload) or the stage reached."""
Task = Callable[[Callable[[Live], None]], None]
"""A job's whole run, storing its own outcome, given the callback that says how far it is."""


@dataclass
class JobRunner:
    """The threads of this process that run jobs, and how far each has got."""

    max_operations: int = 4
    """Past this many operations running or waiting here, a new one is refused as busy."""
    live: dict[str, Live] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    """The kind of each operation running or waiting here."""
    one_of_a_kind: dict[str, threading.Lock] = field(default_factory=dict)
    """Operations of one kind run one after the other: two link runs (or two releases) over
    one store would only race each other."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
    )

    def start(self, job_id: str, task: Task) -> None:
        """Run `task` for a job already started in the store."""
        with self.lock:
            self.live[job_id] = 0
        self.pool.submit(self._run, job_id, task)

    def _run(self, job_id: str, task: Task) -> None:
        def advance(value: Live) -> None:
            with self.lock:
                self.live[job_id] = value

        try:
            task(advance)
        except Exception as error:
            log.error("job %s: outcome not stored: %s", job_id, type(error).__name__)
        finally:
            with self.lock:
                del self.live[job_id]
                self.kinds.pop(job_id, None)

    def running_here(self, job_id: str) -> Live | None:
        with self.lock:
            return self.live.get(job_id)

    def start_upload(self, engine: Engine, job_id: str, folder: str, work: Work, user: str) -> None:
        """Ingest an upload; `folder` is left out of errors. New records are then linked."""

        def task(advance: Callable[[Live], None]) -> None:
            writer = ProgressWriter(engine, job_id)

            def rows(count: int) -> None:
                advance(count)
                writer(count)

            summary = _store_outcome(engine, job_id, folder, work, rows)
            if summary is not None and summary.rows_recorded:
                try:
                    self.start_operation(engine, "link", LinkRequest(), user)
                except TooManyJobs:
                    log.warning("upload job %s: too many jobs; its records wait for a link", job_id)

        self.start(job_id, task)

    def start_operation(self, engine: Engine, kind: str, asked: BaseModel, user: str) -> str:
        """Start an operation (`services.operations.OPERATIONS`); returns the job's id."""
        work = operation_work(engine, kind, asked, user)
        return self.start_work(engine, kind, asked.model_dump(), user, work)

    def start_work(
        self, engine: Engine, kind: str, params: dict[str, Any], user: str, work: OperationWork
    ) -> str:
        """Start a job of any kind, kept in the store as `params` asked by `user`; returns its
        id. Raises TooManyJobs when too many wait here or SQLite's writer stays busy."""
        job_id = "op-" + secrets.token_urlsafe(9)
        with self.lock:
            if len(self.kinds) >= self.max_operations:
                busy = f"{len(self.kinds)} jobs are running or waiting; try again later"
                raise TooManyJobs(busy)
            self.kinds[job_id] = kind
            turn = self.one_of_a_kind.setdefault(kind, threading.Lock())
        try:
            start_operation(engine, job_id, kind, params, user)
        except StoreBusy as busy:
            with self.lock:
                del self.kinds[job_id]
            raise TooManyJobs("the store is busy writing; try again later") from busy
        except BaseException:
            with self.lock:
                del self.kinds[job_id]
            raise

        def task(advance: Callable[[Live], None]) -> None:
            def stage(text: str) -> None:
                advance(text)
                record_stage(engine, job_id, text)

            with turn:
                run_job(engine, job_id, kind, work, stage)

        self.start(job_id, task)
        return job_id

    def operation(self, engine: Engine, job_id: str) -> OperationView | None:
        """A job as the store has it, with this process's own stage where fresher."""
        job = get_operation(engine, job_id)
        live = self.running_here(job_id)
        if job is None or live is None or job.state not in (RUNNING, INTERRUPTED):
            return job
        return replace(job, state=RUNNING, stage=live if isinstance(live, str) else job.stage)

    def newest(self, engine: Engine) -> list[JobView]:
        """The newest uploads of every worker, with this process's own counts where fresher."""
        jobs = newest_jobs(engine, JOBS_KEPT)
        with self.lock:
            live = {k: v for k, v in self.live.items() if isinstance(v, int)}
        return [
            replace(job, state=RUNNING, rows=max(job.rows, live[job.id]))
            if job.id in live and job.state in (RUNNING, INTERRUPTED)
            else job
            for job in jobs
        ]


def _store_outcome(
    engine: Engine, job_id: str, folder: str, work: Work, advance: RowProgress
) -> IngestSummary | None:
    try:
        summary = work(advance)
    except (MarsadError, OSError) as error:
        fail_job(engine, job_id, str(error).replace(folder, ""))
    except Exception as error:
        log.error("ingest job %s failed: %s", job_id, type(error).__name__, exc_info=error)
        fail_job(engine, job_id, type(error).__name__)
    else:
        finish_job(engine, job_id, summary)
        return summary
    return None


_jobs_lock = threading.Lock()


def job_runner(request: Request) -> JobRunner:
    """The one runner of this process (made on first use)."""
    with _jobs_lock:
        jobs: JobRunner | None = getattr(request.app.state, "job_runner", None)
        if jobs is None:
            jobs = JobRunner(max_operations=settings_of(request).max_jobs)
            request.app.state.job_runner = jobs
        return jobs
