"""The operations through HTTP, on SQLite and PostgreSQL, over a store the real ingest and
linkage made: each started from its form or by the API as a job, polled to its end, its result
and file checked; roles without the permission are refused, and a job is seen only by whoever
started it (and admins)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from marsad.services.users import create_token
from marsad.store.models import AuditEvent, Record
from marsad.web.app import create_app
from tests.web.conftest import login, page_csrf, username
from tests.web.test_review_pages import linked_engine, linked_postgres, linked_url

__all__ = ["linked_engine", "linked_postgres", "linked_url"]
WAIT_SECONDS = 300


@pytest.fixture
def ops_client(
    linked_url: str, linked_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("MARSAD_OUTPUT_DIR", str(tmp_path / "outputs"))
    app = create_app(linked_url)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def finished(client: TestClient, path: str, headers: dict[str, str] | None = None) -> Any:
    """Poll a job (its API answer) until it has ended."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = client.get(path, headers=headers or {}).json()
        if job["state"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError(f"{path} still running after {WAIT_SECONDS} s")


def start(client: TestClient, kind: str, form: dict[str, Any]) -> str:
    """Post an operation's form as a browser does; returns the job's id."""
    token = page_csrf(client, "/operations")
    answer = client.post(
        f"/operations/{kind}", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/jobs/")
    return location.removeprefix("/jobs/")


def test_the_whole_job_through_the_operations_page(
    ops_client: TestClient, linked_engine: Engine
) -> None:
    client = ops_client
    assert login(client, username("admin")) == 303
    page = client.get("/operations").text
    for kind in ("link", "verify", "estimate", "report", "export", "release", "release_check"):
        assert f'id="form-{kind}"' in page

    link_job = finished(client, f"/api/jobs/{start(client, 'link', {'learning': 'on'})}")
    assert link_job["state"] == "done", link_job
    assert link_job["result"]["persons"] > 0
    shown = client.get(f"/jobs/{link_job['id']}").text
    assert 'data-state="done"' in shown and "Pairs to review" in shown

    verified = finished(client, f"/api/jobs/{start(client, 'verify', {})}")
    assert verified["state"] == "done" and verified["result"]["persons"] > 0

    form = {"method": "loglinear", "by": ["sex"], "preset": "fast", "seed": "3"}
    estimated = finished(client, f"/api/jobs/{start(client, 'estimate', form)}")
    assert estimated["state"] == "done", estimated
    assert estimated["result"]["estimate"] >= estimated["result"]["observed"] > 0
    assert estimated["params"]["by"] == ["sex"]

    report = finished(client, f"/api/jobs/{start(client, 'report', {'format': 'html'})}")
    assert report["state"] == "done", report
    downloaded = client.get(f"/jobs/{report['id']}/file")
    assert downloaded.status_code == 200 and "<html" in downloaded.text.lower()

    export = finished(client, f"/api/jobs/{start(client, 'export', {'kind': 'records'})}")
    assert export["state"] == "done" and export["result"]["pseudonymised"] is True
    rows = list(csv.DictReader(io.StringIO(client.get(f"/jobs/{export['id']}/file").text)))
    with linked_engine.connect() as conn:
        names = set(conn.scalars(select(Record.name)))
    assert len(rows) == export["result"]["rows"] > 0
    assert not names & {value for row in rows for value in row.values()}

    release = finished(client, f"/api/jobs/{start(client, 'release', {'name': 'r1'})}")
    assert release["state"] == "done", release
    check = finished(client, f"/api/jobs/{start(client, 'release_check', {'name': 'r1'})}")
    assert check["state"] == "done" and check["result"]["identical"] is True, check
    again = finished(client, f"/api/jobs/{start(client, 'release', {'name': 'r1'})}")
    assert again["state"] == "failed" and "exists already" in again["error"]
    assert "Failed" in client.get(f"/jobs/{again['id']}").text

    with linked_engine.connect() as conn:
        actions = set(conn.scalars(select(AuditEvent.action)))
    assert {"job.start", "link.run", "verify.run", "estimate.run", "export"} <= actions


def test_roles_and_owners(ops_client: TestClient, linked_engine: Engine) -> None:
    client = ops_client
    analyst = {"Authorization": f"Bearer {create_token(linked_engine, username('analyst'), 's')}"}
    viewer = {"Authorization": f"Bearer {create_token(linked_engine, username('viewer'), 's')}"}
    admin = {"Authorization": f"Bearer {create_token(linked_engine, username('admin'), 's')}"}
    reviewer = {"Authorization": f"Bearer {create_token(linked_engine, username('reviewer'), 's')}"}

    named = client.post("/api/jobs/export", json={"include_names": True}, headers=analyst)
    assert named.status_code == 403
    assert client.post("/api/jobs/estimate", json={}, headers=viewer).status_code == 403
    assert client.post("/api/jobs/release", json={"name": "x"}, headers=analyst).status_code == 403
    bad = client.post("/api/jobs/release", json={"name": "../x"}, headers=admin)
    assert bad.status_code == 422

    started = client.post("/api/jobs/export", json={"kind": "counts"}, headers=analyst)
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    done = finished(client, f"/api/jobs/{job_id}", analyst)
    assert done["state"] == "done" and done["file"] == f"/api/jobs/{job_id}/file"
    assert client.get(done["file"], headers=analyst).status_code == 200
    assert client.get(f"/api/jobs/{job_id}", headers=reviewer).status_code == 404
    assert client.get(f"/api/jobs/{job_id}", headers=admin).status_code == 200
    assert [j["id"] for j in client.get("/api/jobs", headers=analyst).json()] == [job_id]
    assert client.get("/api/jobs", headers=reviewer).json() == []

    assert login(client, username("viewer")) == 303
    assert 'id="no-operations"' in client.get("/operations").text
    token = page_csrf(client, "/operations")
    refused = client.post("/operations/estimate", data={"csrf_token": token})
    assert refused.status_code == 403
    assert client.get(f"/jobs/{job_id}").status_code == 404
