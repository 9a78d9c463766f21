"""Two app instances over one store stand for two `marsad serve --workers` processes: an upload
posted to one is followed, to the end, through the other's page and status call; a job whose
worker died is shown as interrupted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from marsad.services.upload_jobs import STALE_AFTER, start_job
from marsad.store.models import UploadJob, utcnow
from marsad.web.app import create_app
from tests.web.conftest import login
from tests.web.linked_store import write_upload
from tests.web.test_data_pages import upload


@pytest.fixture
def other_worker(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(db_url)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


def job_through(client: TestClient, job_id: str) -> dict[str, Any]:
    """The job as the page's script reads it, once it is no longer running."""
    deadline = time.monotonic() + 60
    while True:
        jobs: dict[str, dict[str, Any]] = {
            job["id"]: job for job in client.get("/sources/jobs").json()["jobs"]
        }
        if jobs[job_id]["state"] != "running":
            return jobs[job_id]
        assert time.monotonic() < deadline, "the upload never finished"
        time.sleep(0.05)


def test_an_upload_to_one_worker_is_followed_through_another(
    client: TestClient,
    other_worker: TestClient,
    team: dict[str, str],
    tmp_path: Path,
) -> None:
    assert login(client, team["data_entry"]) == 303
    other_worker.cookies.update(client.cookies)
    status, location = upload(client, write_upload(tmp_path / "list.csv"), "Field list")
    assert status == 303 and location.startswith("/sources?job=")
    job_id = location.removeprefix("/sources?job=")
    redirected = other_worker.get(location).text
    assert f'data-job="{job_id}"' in redirected and 'class="current"' in redirected
    assert ingest_threads(other_worker) == 0, "the other worker ingests nothing itself"
    job = job_through(other_worker, job_id)
    assert (job["file"], job["state"], job["rows"], job["recorded"], job["quarantined"]) == (
        "list.csv",
        "done",
        3,
        2,
        1,
    )
    page = other_worker.get(location).text
    assert 'data-state="done"' in page and "/quarantine?source=Field%20list" in page
    assert job_through(client, job_id) == job


def ingest_threads(client: TestClient) -> int:
    """How many jobs the app behind `client` is running in its own threads."""
    jobs = getattr(client.app.state, "job_runner", None)  # type: ignore[attr-defined]
    return 0 if jobs is None else len(jobs.live)


def test_a_job_whose_worker_died_is_interrupted(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["admin"]) == 303
    start_job(engine, "dead-worker", "lost.csv", "Field list", team["admin"])
    with engine.begin() as conn:
        conn.execute(
            update(UploadJob)
            .where(UploadJob.id == "dead-worker")
            .values(rows_read=6000, updated_at=utcnow() - STALE_AFTER * 2)
        )
    [job] = client.get("/sources/jobs").json()["jobs"]
    assert (job["state"], job["rows"], job["recorded"]) == ("interrupted", 6000, None)
    page = client.get("/sources").text
    assert 'data-state="interrupted"' in page and "the server stopped" in page
    assert "importing" not in page
    arabic = client.get("/sources?lang=ar").text
    assert "انقطع" in arabic


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_upload_while_sqlite_writes_another_import_is_refused_at_once(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    """SQLite has one writer: the page says so instead of hanging until the other ends."""
    assert login(client, team["data_entry"]) == 303
    listing = write_upload(tmp_path / "list.csv")
    with engine.connect() as writer:
        writer.exec_driver_sql("BEGIN IMMEDIATE")
        status, page = upload(client, listing, "Field list")
        writer.exec_driver_sql("ROLLBACK")
    assert status == 503
    assert "Another import is being written to the store" in page
    assert "Nothing was stored" in page and 'data-job="' not in page
    status, location = upload(client, listing, "Field list")
    assert status == 303 and location.startswith("/sources?job=")
