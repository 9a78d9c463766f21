"""Shelter pages and API on a small store: the site list with occupancy, a site's page with its
charts, adding and editing a site through the form, a household's page (names: view_names,
audited), and the API's counts withheld under min_cell for roles that may not see names."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from marsad.services.users import create_token
from marsad.store.models import AuditEvent
from tests.integration.shelter_helpers import shelter_store
from tests.web.conftest import login, page_csrf


def test_site_list_site_page_and_household(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    shelter_store(engine, tmp_path)
    assert login(client, team["data_entry"]) == 303
    listing = client.get("/shelter?date=2025-03-09")
    assert listing.status_code == 200
    assert 'data-site="S1"' in listing.text and "Hmeimim airbase" in listing.text
    site = client.get("/shelter/sites/S1?date=2025-03-20")
    assert site.status_code == 200
    for chart in ("chart-occupancy", "chart-pyramid", "chart-arrivals", "chart-departures"):
        assert chart in site.text
    arabic = client.get("/shelter/sites/S1?date=2025-03-20&lang=ar")
    assert "قاعدة حميميم" in arabic.text and "الأفراد في الموقع يوماً بيوم" in arabic.text
    household = client.get("/shelter/households/H1")
    assert household.status_code == 200 and "محمد علي حسن" in household.text
    with engine.connect() as conn:
        reads = conn.scalars(select(AuditEvent.target).where(AuditEvent.action == "names.read"))
        assert "/shelter/households" in set(reads)


def test_a_site_is_added_and_edited_through_the_form(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["data_entry"]) == 303
    token = page_csrf(client, "/shelter/sites/new")
    fields = {"csrf_token": token, "site_id": "S9", "name": "Safita school", "site_type": "camp"}
    bad = client.post("/shelter/sites", data={**fields, "opened_on": "soon"})
    assert bad.status_code == 400 and "opened_on" in bad.text
    saved = client.post("/shelter/sites", data=fields, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/shelter/sites/S9"
    edit = client.get("/shelter/sites/S9/edit")
    assert 'value="Safita school"' in edit.text
    fields.update(name="Safita school 2", capacity_individuals="300", editing="1")
    client.post("/shelter/sites", data=fields, follow_redirects=False)
    assert "Safita school 2" in client.get("/shelter/sites/S9").text


def test_api_withholds_small_counts_from_roles_without_names(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    shelter_store(engine, tmp_path)
    for role, shown in (("analyst", False), ("reviewer", True)):
        headers = {"Authorization": f"Bearer {create_token(engine, team[role], 'script')}"}
        body = client.get("/api/shelter/occupancy?date=2025-03-09", headers=headers).json()
        s1 = next(s for s in body["sites"] if s["site_id"] == "S1")
        assert (s1["individuals"] == 3) is shown and (s1["individuals"] is None) is not shown
        sites = client.get("/api/shelter/sites", headers=headers).json()
        assert {s["site_id"] for s in sites} == {"S1", "S2", "S3"}
        detail = client.get("/api/shelter/sites/S2?date=2025-03-09", headers=headers).json()
        assert detail["site"]["name"] == "St Elias church"


def test_the_dashboard_shows_the_displaced(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    shelter_store(engine, tmp_path)
    assert login(client, team["viewer"]) == 303
    page = client.get("/").text
    assert 'id="displacement-figures"' in page and 'id="displaced-sites">3<' in page
