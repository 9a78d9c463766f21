"""Incident reports through the web, on SQLite and PostgreSQL: files imported from the page as
jobs, the candidate event proposed, grouped (same), one report taken out (apart), a pair kept
apart (different); each audited, and only reviewers decide."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from marsad.store.models import AuditEvent, Incident
from marsad.web.app import create_app
from tests.integration.helpers import write_csv
from tests.integration.test_incident_events import COLUMNS, FIELD_TEAM, HOSPITAL, MONITORS
from tests.web.conftest import login, page_csrf, username


@pytest.fixture
def client(
    db_url: str, engine: Engine, team: dict[str, str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TestClient]:  # fmt: skip
    monkeypatch.setenv("MARSAD_OUTPUT_DIR", str(tmp_path / "outputs"))
    app = create_app(db_url)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


def imported(client: TestClient, path: Path, source: str) -> dict[str, object]:
    answer = client.post(
        "/incidents/ingest",
        data={"source": source, "csrf_token": page_csrf(client, "/incidents")},
        files={"file": (path.name, path.read_bytes(), "text/csv")},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    job = answer.headers["location"].removeprefix("/jobs/")
    for _ in range(600):
        found: dict[str, object] = client.get(f"/api/jobs/{job}").json()
        if found["state"] != "running":
            return found
        time.sleep(0.1)
    raise AssertionError("the import did not end")


def test_incidents_imported_and_decided(client: TestClient, engine: Engine, tmp_path: Path) -> None:
    assert login(client, username("admin")) == 303
    for source, rows in (
        ("Field team", FIELD_TEAM),
        ("Monitors", MONITORS),
        ("Hospital", HOSPITAL),
    ):
        job = imported(client, write_csv(tmp_path / f"{source}.csv", rows, COLUMNS), source)
        assert job["state"] == "done" and job["result"]["recorded"] == len(rows), job  # type: ignore[index]
    page = client.get("/incidents").text
    assert 'id="candidate-1"' in page
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Incident.incident_ref, Incident.id)).tuples().all())

    def decide(path: str, data: dict[str, object]) -> int:
        token = page_csrf(client, "/incidents")
        answer = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        return int(answer.status_code)

    assert decide("/incidents/same", {"incident": [ids["A-1"], ids["B-1"]], "note": ""}) == 400
    assert decide("/incidents/same", {"incident": [ids["A-1"], ids["B-1"]], "note": "one"}) == 303
    assert 'id="grouped"' in client.get("/incidents").text
    assert decide("/incidents/apart", {"incident": ids["B-1"]}) == 303
    assert (
        decide("/incidents/different", {"first": ids["A-1"], "second": ids["C-1"], "note": "no"})
        == 303
    )
    with engine.connect() as conn:
        actions = set(conn.scalars(select(AuditEvent.action)))
        events = set(conn.scalars(select(Incident.event_id)))
    assert events == {None}
    assert {"incidents.same", "incidents.apart", "incidents.different"} <= actions

    assert login(client, username("data_entry")) == 303
    assert client.get("/incidents").status_code == 403
    assert login(client, username("analyst")) == 303
    assert client.get("/incidents").status_code == 403
