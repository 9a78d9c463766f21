"""Upload jobs in the store, on SQLite and PostgreSQL: started, advanced, finished or failed,
listed newest first, and called interrupted when a running job's row has stopped moving; a
progress write lands in its own transaction while the ingest's stays open, and on SQLite (whose
one writer is the ingest) it is skipped at once rather than waited for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine, insert, update

from marsad.services.ingest import IngestSummary, ingest_file
from marsad.services.upload_jobs import (
    PROGRESS_ROWS,
    PROGRESS_SECONDS,
    STALE_AFTER,
    ProgressWriter,
    fail_job,
    finish_job,
    get_job,
    newest_jobs,
    record_progress,
    start_job,
)
from marsad.store.models import Source, UploadJob, utcnow
from tests.integration.helpers import counts, person, write_csv


def age(engine: Engine, job_id: str, by: dt.timedelta) -> None:
    """Move a job's last sign of life `by` into the past, as a dead worker's job would be."""
    with engine.begin() as conn:
        conn.execute(
            update(UploadJob).where(UploadJob.id == job_id).values(updated_at=utcnow() - by)
        )


def test_a_job_is_started_advanced_and_finished(engine: Engine) -> None:
    start_job(engine, "job-1", "list.csv", "Field list", "clerk")
    started = get_job(engine, "job-1")
    assert started is not None
    assert (started.state, started.rows, started.recorded, started.user) == (
        "running",
        0,
        None,
        "clerk",
    )
    assert record_progress(engine, "job-1", 4000)
    advanced = get_job(engine, "job-1")
    assert advanced is not None and advanced.rows == 4000
    assert advanced.updated_at >= started.updated_at
    summary = IngestSummary(file="list.csv", source="Field list", sha256="0" * 64)
    summary.rows_total, summary.rows_recorded = 4100, 4000
    summary.rows_quarantined, summary.rows_already_present = 70, 30
    finish_job(engine, "job-1", summary)
    assert record_progress(engine, "job-1", 10)
    done = get_job(engine, "job-1")
    assert done is not None
    assert done.as_json() == {
        "id": "job-1",
        "file": "list.csv",
        "source": "Field list",
        "state": "done",
        "needs_check": True,  # rows were quarantined: not simply done
        "user": done.user,
        "started_at": done.started_at.isoformat(),
        "rows": 4100,
        "recorded": 4000,
        "quarantined": 70,
        "already_present": 30,
        "already_imported": False,
        "error": None,
        "warnings": [],
        "unread": {},
    }
    assert get_job(engine, "no-such-job") is None


def test_a_finished_job_shows_its_import_report(engine: Engine, tmp_path: Path) -> None:
    rows = [person("J-1", "Ali Hassan", sex="Homme?"), person("J-2", "Omar Issa", sex="H")]
    start_job(engine, "job-3", "list.csv", "Field list", "clerk")
    summary = ingest_file(engine, write_csv(tmp_path / "list.csv", rows), "Field list")
    finish_job(engine, "job-3", summary)
    done = get_job(engine, "job-3")
    assert done is not None and done.recorded == 2
    assert done.unread == {"sex": {"count": 1, "values": [["Homme?", 1]], "other": 0}}
    assert any("field age (column 'age') is empty in every row" in w for w in done.warnings)
    start_job(engine, "job-4", "list.csv", "Field list", "clerk")
    finish_job(engine, "job-4", ingest_file(engine, tmp_path / "list.csv", "Field list"))
    again = get_job(engine, "job-4")
    assert again is not None and again.already_imported
    assert (again.unread, again.warnings) == ({}, []), "nothing was read this time"


def test_a_failed_job_keeps_its_error(engine: Engine) -> None:
    start_job(engine, "job-2", "bad.xlsx", "Hospital", "clerk")
    fail_job(engine, "job-2", "bad.xlsx: not a spreadsheet")
    failed = get_job(engine, "job-2")
    assert failed is not None
    assert (failed.state, failed.error, failed.recorded) == (
        "failed",
        "bad.xlsx: not a spreadsheet",
        None,
    )


def test_newest_jobs_come_first_and_are_limited(engine: Engine) -> None:
    for n in range(3):
        start_job(engine, f"job-{n}", f"list{n}.csv", "Field list", "clerk")
        with engine.begin() as conn:
            conn.execute(
                update(UploadJob)
                .where(UploadJob.id == f"job-{n}")
                .values(started_at=utcnow() - dt.timedelta(minutes=10 - n))
            )
    assert [job.id for job in newest_jobs(engine, 2)] == ["job-2", "job-1"]
    assert len(newest_jobs(engine, 50)) == 3


def test_a_running_job_whose_row_stopped_moving_is_interrupted(engine: Engine) -> None:
    start_job(engine, "alive", "a.csv", "A", "clerk")
    start_job(engine, "dead", "b.csv", "B", "clerk")
    start_job(engine, "old-but-done", "c.csv", "C", "clerk")
    age(engine, "alive", STALE_AFTER / 2)
    age(engine, "dead", STALE_AFTER * 2)
    fail_job(engine, "old-but-done", "OSError")
    age(engine, "old-but-done", STALE_AFTER * 2)
    states = {job.id: job.state for job in newest_jobs(engine, 50)}
    assert states == {"alive": "running", "dead": "interrupted", "old-but-done": "failed"}
    dead = get_job(engine, "dead")
    assert dead is not None and dead.state == "interrupted"


def test_progress_never_waits_for_an_ingest_holding_the_store(engine: Engine) -> None:
    """On SQLite an open write transaction is the store's one writer: the progress write is
    skipped and a stale job is not called interrupted, since it may be the one writing."""
    sqlite = engine.dialect.name == "sqlite"
    start_job(engine, "busy", "a.csv", "A", "clerk")
    age(engine, "busy", STALE_AFTER * 2)
    with engine.begin() as conn:
        conn.execute(insert(Source).values(name="Being ingested", kind="media"))
        assert record_progress(engine, "busy", 2000) is not sqlite
        busy = get_job(engine, "busy")
        assert busy is not None
        assert (busy.rows, busy.state) == ((0, "running") if sqlite else (2000, "running"))
    assert record_progress(engine, "busy", 4000)
    job = get_job(engine, "busy")
    assert job is not None and (job.rows, job.state) == (4000, "running")
    age(engine, "busy", STALE_AFTER * 2)
    job = get_job(engine, "busy")
    assert job is not None and job.state == "interrupted"


def test_progress_is_stored_only_after_enough_rows_and_time(engine: Engine) -> None:
    now = [100.0]
    start_job(engine, "paced", "a.csv", "A", "clerk")
    writer = ProgressWriter(engine, "paced", clock=lambda: now[0])

    def stored() -> int:
        job = get_job(engine, "paced")
        assert job is not None
        return job.rows

    now[0] += PROGRESS_SECONDS / 2
    writer(PROGRESS_ROWS)
    assert stored() == 0, "too soon"
    now[0] += PROGRESS_SECONDS
    writer(PROGRESS_ROWS - 1)
    assert stored() == 0, "too few rows"
    writer(PROGRESS_ROWS)
    assert stored() == PROGRESS_ROWS
    now[0] += PROGRESS_SECONDS / 2
    writer(PROGRESS_ROWS * 4)
    assert stored() == PROGRESS_ROWS, "too soon after the last write"
    now[0] += PROGRESS_SECONDS * 10
    writer(PROGRESS_ROWS * 2 - 1)
    assert stored() == PROGRESS_ROWS, "too few rows since the last write"
    writer(PROGRESS_ROWS * 2)
    assert stored() == PROGRESS_ROWS * 2


def test_an_ingest_reports_progress_outside_its_own_transaction(
    engine: Engine, tmp_path: Path
) -> None:
    rows = (person(f"P-{i}", f"Person {i} Synthetic") for i in range(PROGRESS_ROWS + 1000))
    path = write_csv(tmp_path / "big.csv", rows)
    start_job(engine, "big", path.name, "Monitoring group", "clerk")
    ticks = iter(range(0, 10**6, 10))
    writer = ProgressWriter(engine, "big", clock=lambda: float(next(ticks)))
    seen: list[tuple[int, int, int]] = []

    def advance(rows: int) -> None:
        writer(rows)
        job = get_job(engine, "big")
        assert job is not None
        seen.append((rows, job.rows, counts(engine)["imports"]))

    summary = ingest_file(engine, path, "Monitoring group", progress=advance)
    finish_job(engine, "big", summary)
    last_rows, stored, imports_meanwhile = seen[-1]
    assert last_rows == summary.rows_total == PROGRESS_ROWS + 1000
    assert imports_meanwhile == 0, "the ingest's own transaction is still open"
    assert stored == (0 if engine.dialect.name == "sqlite" else last_rows)
    done = get_job(engine, "big")
    assert done is not None
    assert (done.state, done.rows, done.recorded) == ("done", last_rows, summary.rows_recorded)
