"""Tracing pages and API: the dashboard and report form, the case page with its candidate side
by side with the sought person in both languages, the workflow's forms, the API's JSON shape,
and roles: only the tracing role and admins see cases; nobody's page shows a reporter's contact."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from marsad.services.users import create_token
from marsad.store.tracing_tables import TracingCandidate
from tests.web.conftest import SOUGHT_NAME, Seeded, login, page_csrf

CONTACT = "+963-944-000-111"


def candidate(engine: Engine, seeded: Seeded, case_id: int) -> None:
    """The seeded person as the case's candidate, as `marsad missing match` stores one."""
    with engine.begin() as conn:
        conn.execute(
            insert(TracingCandidate).values(
                case_id=case_id, rank=1, person_id=seeded.person_id, pool="persons",
                status="killed", probability=0.97,
                records=[{"source": "List A", "record_id": "r0"}],
                why=["tracing.why.same_mother", "tracing.why.scripts"],
            )
        )  # fmt: skip


def test_case_page_shows_candidates_side_by_side_in_both_languages(
    client: TestClient, team: dict[str, str], engine: Engine, seeded: Seeded, tracing_seeded: int
) -> None:
    candidate(engine, seeded, tracing_seeded)
    assert login(client, team["tracing"]) == 303
    english = client.get(f"/tracing/cases/{tracing_seeded}?lang=en").text
    assert SOUGHT_NAME in english and seeded.names[0] in english
    assert "same mother&#39;s name" in english and "names written in different scripts" in english
    assert 'data-field="name_mother"' in english and "Fatima" in english and "1991" in english
    arabic = client.get(f"/tracing/cases/{tracing_seeded}?lang=ar").text
    assert "اسم الأم نفسه" in arabic and "الأسماء مكتوبة بأبجديتين مختلفتين" in arabic
    assert 'id="act-confirm_dead"' in arabic
    dashboard = client.get("/tracing?lang=ar").text
    assert 'data-case="1"' in dashboard and "يُحصى المفقودون هنا" in dashboard


def test_report_form_and_steps_through_the_pages(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["tracing"]) == 303
    csrf = page_csrf(client, "/tracing")
    fields = {"csrf_token": csrf, "report_id": "F-1", "name": "عمر صالح العلي",
              "consent_scope": "public", "name_mother": "هدى", "age": "25",
              "last_seen_date": "2025-03-06", "reporter_relationship": "wife"}  # fmt: skip
    made = client.post("/tracing/reports", data=fields, follow_redirects=True)
    assert made.url.path == "/tracing/cases/1" and "عمر صالح العلي" in made.text
    bad = client.post("/tracing/reports", data={**fields, "report_id": "F-2", "consent_scope": "x",
                      "name": "Other Person"}, follow_redirects=True)  # fmt: skip
    assert bad.url.path == "/tracing" and "consent_scope" in bad.text
    alive = client.post("/tracing/cases/1/steps", data={"csrf_token": csrf, "act": "confirm_alive",
                        "where": "a collective centre in Homs"}, follow_redirects=True)  # fmt: skip
    assert "confirmed_alive" in alive.text and "a collective centre in Homs" in alive.text


def test_contact_never_on_a_page_and_cases_only_for_tracing_and_admin(
    client: TestClient, team: dict[str, str], engine: Engine, tracing_seeded: int
) -> None:
    for role in ("viewer", "reviewer", "protection", "analyst", "data_entry"):
        client.cookies.clear()
        login(client, team[role])
        assert client.get("/tracing", follow_redirects=False).status_code == 403
    client.cookies.clear()
    login(client, team["admin"])
    assert client.get("/tracing/cases/1").status_code == 200
    token = create_token(engine, team["tracing"], "script")
    headers = {"Authorization": f"Bearer {token}"}
    found = client.get("/api/tracing/cases/R-1/candidates", headers=headers)
    assert found.status_code == 200 and found.json() == []
    case = client.get("/api/tracing/cases/1?audience=partners", headers=headers).json()
    assert case["report_ids"] == ["R-1"] and CONTACT not in str(case)
    assert client.get("/api/tracing/cases/1?audience=public", headers=headers).status_code == 404
    step = client.post(
        "/api/tracing/cases/1/steps",
        headers=headers,
        json={"act": "confirm_detained", "detail": {"where": "Sednaya"}},
    )
    assert step.json() == {"act": "confirm_detained", "from": "open", "to": "confirmed_detained"}
    exported = client.get("/api/tracing/export?audience=public", headers=headers)
    assert exported.status_code == 200 and SOUGHT_NAME not in exported.text
