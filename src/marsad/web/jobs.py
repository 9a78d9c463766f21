"""The web app's job runner: uploads ingested in threads of the server process, their progress
and outcome kept in the store so that any server worker can report them.

An upload is saved to a temporary file by the page (`pages.data`), started as a job in the
store (`services.upload_jobs.start_job`), and read here by `ingest_file` (one transaction per
file) in one of two threads of this process. A request the services refuse becomes the job's
message; anything else is logged as a bug and the job says only what kind of failure it was.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from fastapi import Request
from sqlalchemy import Engine

from marsad.errors import MarsadError
from marsad.services.ingest import IngestSummary, RowProgress
from marsad.services.upload_jobs import (
    INTERRUPTED,
    RUNNING,
    JobView,
    ProgressWriter,
    fail_job,
    finish_job,
    newest_jobs,
)

log = logging.getLogger(__name__)
JOBS_KEPT = 50


Work = Callable[[RowProgress], IngestSummary]
"""An upload's ingest, given the callback that counts its rows."""


@dataclass
class IngestJobs:
    """The threads of this process that ingest uploads, and the rows each has read so far.

    The jobs themselves are in the store (`marsad.services.upload_jobs`), so that the redirect
    after an upload and the script's polls find them whichever server worker they reach. The
    count is also kept here because on SQLite the ingest holds the store's only write lock
    until it ends: its progress cannot be stored meanwhile, and only this process knows it.
    """

    rows: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="ingest")
    )

    def start(self, engine: Engine, job_id: str, folder: str, work: Work) -> None:
        """Run `work` for a job already started in the store; `folder` is left out of errors."""
        with self.lock:
            self.rows[job_id] = 0
        self.pool.submit(self._run, engine, job_id, folder, work)

    def _run(self, engine: Engine, job_id: str, folder: str, work: Work) -> None:
        writer = ProgressWriter(engine, job_id)

        def advance(rows: int) -> None:
            with self.lock:
                self.rows[job_id] = rows
            writer(rows)

        try:
            _store_outcome(engine, job_id, folder, work, advance)
        except Exception as error:
            log.error("upload job %s: outcome not stored: %s", job_id, type(error).__name__)
        finally:
            with self.lock:
                del self.rows[job_id]

    def newest(self, engine: Engine) -> list[JobView]:
        """The newest jobs of every worker, with this process's own counts where fresher."""
        jobs = newest_jobs(engine, JOBS_KEPT)
        with self.lock:
            live = dict(self.rows)
        return [
            replace(job, state=RUNNING, rows=max(job.rows, live[job.id]))
            if job.id in live and job.state in (RUNNING, INTERRUPTED)
            else job
            for job in jobs
        ]


def _store_outcome(
    engine: Engine, job_id: str, folder: str, work: Work, advance: RowProgress
) -> None:
    try:
        summary = work(advance)
    except (MarsadError, OSError) as error:
        fail_job(engine, job_id, str(error).replace(folder, ""))
    except Exception as error:
        log.error("ingest job %s failed: %s", job_id, type(error).__name__, exc_info=error)
        fail_job(engine, job_id, type(error).__name__)
    else:
        finish_job(engine, job_id, summary)


_jobs_lock = threading.Lock()


def ingest_jobs(request: Request) -> IngestJobs:
    with _jobs_lock:
        jobs: IngestJobs | None = getattr(request.app.state, "ingest_jobs", None)
        if jobs is None:
            jobs = IngestJobs()
            request.app.state.ingest_jobs = jobs
        return jobs
