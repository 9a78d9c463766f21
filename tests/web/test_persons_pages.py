"""The dashboard's counts, the search and the person pages through HTTP, on a store built by
the real services (ingest, link), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from marsad.services.browse import overlaps
from marsad.services.counts import DIMENSIONS, totals
from marsad.services.estimate import capture_histories
from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.persons import person_facts
from marsad.services.review import merge
from marsad.services.search import SearchQuery, search_persons
from marsad.services.users import ROLES, can, create_token
from marsad.store.models import AuditEvent, EstimateRun, PersonSummary, Record, StatusDecision
from marsad.web.api import Dimension
from tests.integration.helpers import person, write_csv
from tests.web.conftest import login, page_csrf

ARABIC = "محمد أحمد علي"
LATIN = "Mohammed Khalil Hassan"
OTHER = "سعيد"


@pytest.fixture
def store(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """Two sources: one person in Arabic script on both lists with different dates, one in
    Latin script on one list, one with a single name; returns record_id → person id."""
    a = write_csv(
        tmp_path / "a.csv",
        [
            person("a1", ARABIC, "2025-03-07", sex="male", age="34"),
            person("a2", OTHER, "2025-03", governorate="Tartous"),
        ],
    )
    b = write_csv(
        tmp_path / "b.csv",
        [
            person("b1", ARABIC, "2025-03-09", sex="male", age="34"),
            person("b2", LATIN, "2025-04-02", governorate="Tartous", sex="male"),
        ],
    )
    ingest_file(engine, a, "Group A", kind="monitoring_group")
    ingest_file(engine, b, "Hospital B", kind="hospital")
    link(engine)
    with engine.connect() as conn:
        persons = dict(conn.execute(select(Record.record_id, Record.person_id)).tuples().all())
    merge(engine, persons["a1"], persons["b1"], "reviewer", "same person, dates differ")
    with engine.connect() as conn:
        return dict(conn.execute(select(Record.record_id, Record.person_id)).tuples().all())


def found_persons(client: TestClient, **params: str) -> set[int]:
    page = client.get("/search", params=params)
    assert page.status_code == 200
    return {int(n) for n in re.findall(r'class="person-link" href="/persons/(\d+)"', page.text)}


def test_search_matches_names_across_scripts(
    client: TestClient, team: dict[str, str], store: dict[str, int]
) -> None:
    assert login(client, team["reviewer"]) == 303
    assert found_persons(client, name="Mouhammad") == {store["a1"], store["b2"]}
    assert found_persons(client, name="Muhammad Ahmad") == {store["a1"]}
    assert found_persons(client, name="محمد خليل") == {store["b2"]}
    assert found_persons(client, name="Mouhammad", governorate="SY10") == {store["b2"]}
    assert found_persons(client, name="Mouhammad", place="طرطوس") == {store["b2"]}
    assert found_persons(client, date_from="2025-03-08", date_to="2025-03-31") == {
        store["a1"],
        store["a2"],
    }
    assert found_persons(client, name="Zzyzx") == set()
    assert client.get("/search", params={"date_from": "07/03/2025"}).status_code == 400


def test_a_search_that_stopped_counting_says_more_than_and_offers_the_next_page(
    client: TestClient,
    team: dict[str, str],
    store: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from marsad.services import search

    assert login(client, team["reviewer"]) == 303
    monkeypatch.setattr(search, "MATCH_CAP", 1)
    monkeypatch.setattr("marsad.web.pages.persons.SEARCH_PER_PAGE", 1)
    page = client.get("/search", params={"name": "Mouhammad"}).text
    assert "More than " in page and 'rel="next"' in page
    assert "Page 1 of" not in page
    api = client.get("/api/search", params={"name": "Mouhammad", "per_page": 1}).json()
    assert api["more"] and api["total"] in (1, 2) and api["pages"] == 2
    monkeypatch.setattr(search, "MATCH_CAP", 5_000)
    api = client.get("/api/search", params={"name": "Mouhammad", "per_page": 1}).json()
    assert (api["more"], api["total"], api["pages"]) == (False, 2, 2)


def test_search_by_prefix_and_any_name_part_keeps_blanks_aligned(
    client: TestClient, team: dict[str, str], store: dict[str, int]
) -> None:
    assert login(client, team["reviewer"]) == 303
    assert found_persons(client, name="Ahma") == {store["a1"]}
    assert found_persons(client, name="أحم") == {store["a1"]}
    assert found_persons(client, name="Khal") == {store["b2"]}
    assert found_persons(client, name="Hassan") == {store["b2"]}
    assert found_persons(client, date_from="٢٠٢٥-٠٣-٠٨", date_to="2025-03-31") == {
        store["a1"],
        store["a2"],
    }
    page = client.get("/search", params={"name": "Ahma", "lang": "ar"}).text
    hit = page.split('<tbody class="hit"')[1].split("</tbody>")[0]
    rows = hit.split("<tr>")[1:]
    assert len(rows) == 2
    cells = [row.count("<td") for row in rows]
    assert cells == [6, 5]  # the first row also holds the person's verification
    assert 'type="date"' not in page


def test_search_service_pages_and_follows_new_records(
    engine: Engine, store: dict[str, int], tmp_path: Path
) -> None:
    query = SearchQuery(name="Mouhammad")
    first = search_persons(engine, query, 0, 1)
    second = search_persons(engine, query, 1, 1)
    assert first.total == second.total == 2
    assert {first.hits[0].person_id, second.hits[0].person_id} == {store["a1"], store["b2"]}
    assert first.hits[0].person_id is not None and first.hits[0].verification is not None
    late = write_csv(tmp_path / "c.csv", [person("c1", "محمد الحلبي", "2025-05-01")])
    ingest_file(engine, late, "Media C", kind="media")
    after = search_persons(engine, query, 0, 10)
    assert after.total == 3
    unlinked = [h for h in after.hits if h.person_id is None]
    assert [r.source for h in unlinked for r in h.records] == ["Media C"]
    assert search_persons(engine, SearchQuery(), 0, 10).total == 0
    reversed_range = SearchQuery(date_from=dt.date(2025, 3, 20), date_to=dt.date(2025, 3, 1))
    assert search_persons(engine, reversed_range, 0, 10).total == 0


def test_person_page_shows_records_conflicts_reasons_and_is_audited(
    client: TestClient, team: dict[str, str], store: dict[str, int], engine: Engine
) -> None:
    assert login(client, team["data_entry"]) == 303
    person_id = store["a1"]
    page = client.get(f"/persons/{person_id}")
    assert page.status_code == 200
    assert page.text.count('<th scope="col" id="record-') == 2
    assert "Group A" in page.text and "Hospital B" in page.text
    with engine.connect() as conn:
        summary = conn.execute(
            select(PersonSummary.__table__).where(PersonSummary.person_id == person_id)
        ).one()
    assert summary.conflicting and "date_of_death" in summary.conflicts
    assert 'data-field="date_of_death" class="differ"' in page.text
    assert "7 March 2025" in page.text and "9 March 2025" in page.text
    assert f'data-status="{summary.verification}"' in page.text
    assert summary.verification_reasons
    assert all(reason in page.text for reason in summary.verification_reasons)
    assert 'class="link-decision"' in page.text
    assert f"/persons/{person_id}/status" not in page.text  # data entry may not verify
    with engine.connect() as conn:
        views = conn.execute(
            select(AuditEvent.actor, AuditEvent.target, AuditEvent.detail).where(
                AuditEvent.action == "person.view"
            )
        ).all()
    assert [(v.actor, v.target, v.detail["via"]) for v in views] == [
        (team["data_entry"], f"person:{person_id}", "web")
    ]
    assert ARABIC not in str([tuple(v) for v in views])
    arabic = client.get(f"/persons/{person_id}?lang=ar").text
    reasons = arabic.split('<ul id="reasons">')[1].split("</ul>")[0]
    assert "مصدران مستقلان" in reasons and 'lang="ar"' in reasons
    assert "reported:" not in reasons and "independent" not in reasons
    assert client.get("/persons/999999").status_code == 404


def test_person_page_names_the_person_and_says_why_in_plain_words(
    client: TestClient, team: dict[str, str], store: dict[str, int]
) -> None:
    assert login(client, team["reviewer"]) == 303
    english = client.get(f"/persons/{store['b2']}").text
    heading = english.split('<h1 id="person-name">')[1].split("</h1>")[0]
    assert LATIN in heading and "Person" not in heading
    arabic = client.get(f"/persons/{store['a1']}?lang=ar").text
    heading = arabic.split('<h1 id="person-name">')[1].split("</h1>")[0]
    assert ARABIC in heading
    records = arabic.split('<table id="records"')[1].split("</table>")[0]
    assert "قُتل" in records and "ذكر" in records and "٣٤" in records
    assert "killed" not in records and ">male<" not in records
    assert "٧ آذار ٢٠٢٥" in records and "٩ آذار ٢٠٢٥" in records
    links = arabic.split('<section id="links">')[1].split("</section>")[0]
    visible = links.split("<details")[0]
    assert "قرّر مراجعٌ أنهما الشخص نفسه" in visible
    timeline = arabic.split('<section id="timeline">')[1].split("</section>")[0]
    assert "Group A" in timeline and "بالتوقيت العالمي" in timeline


def test_roles_without_names_are_refused(
    client: TestClient, team: dict[str, str], store: dict[str, int], engine: Engine
) -> None:
    person_id = store["a1"]
    for role in ROLES:
        client.cookies.clear()
        assert login(client, team[role]) == 303
        token = create_token(engine, team[role], "script")
        headers = {"Authorization": f"Bearer {token}"}
        expected = 200 if can(role, "view_names") else 403
        assert client.get("/search", params={"name": "Mouhammad"}).status_code == expected
        assert client.get(f"/persons/{person_id}").status_code == expected
        api = client.get("/api/search", params={"name": "Mouhammad"}, headers=headers)
        assert api.status_code == expected
        full = client.get(f"/api/persons/{person_id}", headers=headers)
        assert full.status_code == expected
        dashboard = client.get("/")
        assert dashboard.status_code == 200 and ARABIC not in dashboard.text
        nav_search = 'href="/search"' in dashboard.text
        assert nav_search == can(role, "view_names")
        if expected == 200:
            hits = api.json()
            assert hits["total"] == 2
            assert {h["person_id"] for h in hits["items"]} == {person_id, store["b2"]}
            names = {r["name"] for h in hits["items"] for r in h["records"]}
            assert names == {ARABIC, LATIN}
            record = full.json()
            assert record["verification"]["conflicting"] is True
            assert {r["name"] for r in record["records"]} == {ARABIC}


def test_reviewer_decides_status_through_the_page_audited_and_csrf_protected(
    client: TestClient, team: dict[str, str], store: dict[str, int], engine: Engine
) -> None:
    person_id = store["a2"]
    assert login(client, team["reviewer"]) == 303
    csrf = page_csrf(client, f"/persons/{person_id}")
    forged = client.post(
        f"/persons/{person_id}/status",
        data={"csrf_token": "forged", "status": "verified", "reason": "seen the certificate"},
    )
    assert forged.status_code == 403
    refused = client.post(
        f"/persons/{person_id}/status", data={"csrf_token": csrf, "status": "verified"}
    )
    assert refused.status_code == 400 and "reason is required" in refused.text
    with engine.connect() as conn:
        assert conn.scalar(select(StatusDecision.id)) is None
    done = client.post(
        f"/persons/{person_id}/status",
        data={"csrf_token": csrf, "status": "verified", "reason": "seen the certificate"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/persons/{person_id}"
    with engine.connect() as conn:
        decision_id = conn.scalar(select(StatusDecision.id))
        verification = conn.scalar(
            select(PersonSummary.verification).where(PersonSummary.person_id == person_id)
        )
        actions = list(
            conn.scalars(select(AuditEvent.action).where(AuditEvent.actor == team["reviewer"]))
        )
    assert verification == "verified"
    assert "verify.status" in actions
    page = client.get(done.headers["location"])
    assert 'data-status="verified"' in page.text and 'id="notice"' in page.text
    assert 'id="notice"' not in client.get(done.headers["location"]).text, "said once"
    elsewhere = client.post(
        f"/persons/{store['b2']}/revoke",
        data={"csrf_token": csrf, "decision_id": str(decision_id), "reason": "wrong person"},
    )
    assert elsewhere.status_code == 404
    revoked = client.post(
        f"/persons/{person_id}/revoke",
        data={"csrf_token": csrf, "decision_id": str(decision_id), "reason": "certificate forged"},
    )
    assert revoked.status_code == 200 and 'data-status="verified"' not in revoked.text
    chosen = client.post(
        f"/persons/{store['a1']}/choose",
        data={
            "csrf_token": csrf,
            "field": "date_of_death",
            "value": "2025-03-09",
            "reason": "hospital record",
        },
    )
    assert chosen.status_code == 200
    with engine.connect() as conn:
        resolved = conn.scalar(
            select(PersonSummary.date_of_death).where(PersonSummary.person_id == store["a1"])
        )
        actions = list(
            conn.scalars(select(AuditEvent.action).where(AuditEvent.actor == team["reviewer"]))
        )
    assert resolved == "2025-03-09"
    assert {"verify.status", "verify.revoke", "verify.choose"} <= set(actions)
    client.cookies.clear()
    assert login(client, team["data_entry"]) == 303
    csrf = page_csrf(client, "/")
    denied = client.post(
        f"/persons/{person_id}/status",
        data={"csrf_token": csrf, "status": "verified", "reason": "x"},
    )
    assert denied.status_code == 403


def test_dashboard_counts_estimate_and_overlaps_in_arabic(
    client: TestClient, team: dict[str, str], store: dict[str, int], engine: Engine
) -> None:
    with engine.begin() as conn:
        headline = totals(conn)
        conn.execute(
            insert(EstimateRun).values(
                method="lcmcr",
                settings={"status": "killed"},
                result={"estimate": 1234.4, "interval": [1000.2, 1600.7], "level": 0.95},
            )
        )
    assert login(client, team["viewer"]) == 303
    page = client.get("/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    figures = dict(re.findall(r'<dd id="count-(\w+)">([^<]+)</dd>', page.text))
    assert figures["reported"] == "٣" == str(headline.reported).translate(ARABIC_DIGITS)
    assert figures["corroborated"] == str(headline.corroborated).translate(ARABIC_DIGITS)
    assert figures["estimated"] == "١٬٢٣٤"
    assert "١٬٠٠٠" in page.text and "١٬٦٠١" in page.text
    assert page.text.count("<svg") >= 2
    lists = re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">", page.text)
    assert sorted(lists) == ["Group A", "Hospital B"]
    api = client.get("/api/counts", params={"by": "governorate"}).json()
    assert client.get("/api/counts", params={"by": "colour"}).status_code == 422
    assert api["totals"]["reported"] == headline.reported
    assert api["estimated"]["interval"] == [1000.2, 1600.7]
    assert {r["reported"] for r in api["rows"]} == {None}, "groups of fewer than 5 withheld"
    assert api["definitions"]["documented"].startswith("Persons with a full name")
    client.cookies.clear()
    assert login(client, team["reviewer"]) == 303
    api = client.get("/api/counts", params={"by": "governorate"}).json()
    assert sum(r["reported"] for r in api["rows"]) == headline.reported


def test_dashboard_says_how_much_linkage_widens_the_interval_and_warns_of_split_lists(
    client: TestClient, team: dict[str, str], store: dict[str, int], engine: Engine
) -> None:
    """The newest estimate's linkage share and its split-lists warnings, as the estimate
    service saves them, in the page's language."""
    warning = {
        "code": "split_review_band",
        "values": {"persons": 1216, "share": 0.0975},
        "message": "The lists may be split: ...",
    }
    with engine.begin() as conn:
        conn.execute(
            insert(EstimateRun).values(
                method="lcmcr",
                settings={"status": "killed"},
                result={
                    "estimate": 1234.4,
                    "interval": [1000.2, 1600.7],
                    "level": 0.95,
                    "linkage": {"draws": 20, "width_share": 0.15},
                    "warnings": [warning],
                },
            )
        )
    assert login(client, team["viewer"]) == 303
    english = client.get("/?lang=en").text
    assert 'id="estimate-linkage"' in english and "20 clusterings" in english and "15%" in english
    listed = re.search(
        r'<ul class="warnings" id="estimate-warnings"[^>]*>(.*?)</ul>', english, re.S
    )
    assert listed is not None and "1,216 persons (10%)" in listed.group(1)
    arabic = client.get("/?lang=ar").text
    assert "١٬٢١٦" in arabic and "١٠٪" in arabic and "waiting" not in arabic


def test_overlaps_agree_with_the_estimators_histories(
    engine: Engine, store: dict[str, int]
) -> None:
    with engine.connect() as conn:
        counted = overlaps(conn)
        reference = capture_histories(person_facts(conn))
    assert counted is not None
    assert counted.lists == reference.lists
    assert {p: n for p, n in counted.counts.items() if n} == {
        p: n for p, n in reference.counts.items() if n
    }


def test_api_count_dimensions_are_the_counts_layer_s() -> None:
    assert set(get_args(Dimension)) == set(DIMENSIONS)


ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_a_search_matching_many_records_pages_by_person_as_a_few_are_grouped(
    engine: Engine, store: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond MATCH_CAP matching records the pages are read by person from the index, and the
    total becomes a lower bound: the pages themselves must not change."""
    from marsad.services import search

    late = write_csv(tmp_path / "c.csv", [person("c1", "محمد الحلبي", "2025-05-01")])
    ingest_file(engine, late, "Media C", kind="media")
    query = SearchQuery(name="Mouhammad")
    grouped = [search_persons(engine, query, offset, 2) for offset in (0, 2, 4)]
    assert [(p.total, p.more) for p in grouped] == [(3, False)] * 3
    monkeypatch.setattr(search, "MATCH_CAP", 1)
    paged = [search_persons(engine, query, offset, 2) for offset in (0, 2, 4)]
    assert all(p.more and 1 <= p.total <= 3 for p in paged)
    assert [[(h.person_id, [r.id for r in h.records]) for h in p.hits] for p in paged] == [
        [(h.person_id, [r.id for r in h.records]) for h in p.hits] for p in grouped
    ]
    assert paged[0].pages(1, 2) == 2 and paged[1].pages(2, 2) == 2  # a full page offers a next
    assert paged[1].hits[-1].person_id is None  # the unlinked record comes last
