"""The review queue through HTTP, on SQLite and PostgreSQL, over a store that the real ingest
and linkage made from a synthetic scenario: accept, reject, skip and undo record (or revoke)
human decisions and move the reviewer's progress; roles without `review` are refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import make_url

from marsad.services.review_queue import queue_size, review_queue
from marsad.services.users import ROLES, add_user, can, create_token
from marsad.store.db import make_engine
from marsad.store.models import LinkDecision, ReviewAction
from marsad.web.app import create_app
from tests.conftest import new_postgres_database
from tests.pg import PostgresServer
from tests.web.conftest import PASSWORD, login, page_csrf, username
from tests.web.linked_store import copy_store, link_scenario, linked_sqlite_file

HIDDEN = re.compile(r'name="(record_a|record_b|decision_id)" value="(\d+)"')


@pytest.fixture(scope="session")
def linked_postgres(
    postgres: PostgresServer, postgres_template: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A linked PostgreSQL database, built once, that each test copies as a template."""
    url = new_postgres_database(postgres, postgres_template)
    engine = make_engine(url)
    assert link_scenario(engine, tmp_path_factory.mktemp("pg-scenario")) >= 4
    engine.dispose()
    name = make_url(url).database
    assert name is not None
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def linked_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if request.param == "sqlite":
        built = linked_sqlite_file(tmp_path_factory.getbasetemp())
        return copy_store(built, tmp_path / "store.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    return new_postgres_database(server, request.getfixturevalue("linked_postgres"))


@pytest.fixture
def linked_engine(linked_url: str) -> Iterator[Engine]:
    engine = make_engine(linked_url)
    for role in ROLES:
        add_user(engine, username(role), PASSWORD, role, language="en")
    yield engine
    engine.dispose()


@pytest.fixture
def review_client(linked_url: str, linked_engine: Engine) -> Iterator[TestClient]:
    app = create_app(linked_url)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def shown_pair(client: TestClient) -> dict[str, str]:
    page = client.get("/review")
    assert page.status_code == 200
    return dict(HIDDEN.findall(page.text))


def figure(page: str, name: str) -> str:
    found = re.search(rf'id="{name}">([^<]+)<', page)
    assert found is not None, name
    return found.group(1)


def human_decisions(engine: Engine) -> list[tuple[int, int, str, str, bool]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                LinkDecision.record_a_id,
                LinkDecision.record_b_id,
                LinkDecision.decision,
                LinkDecision.decided_by,
                LinkDecision.revoked_at.is_not(None),
            )
            .where(LinkDecision.kind == "human")
            .order_by(LinkDecision.id)
        )
        return [(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


def test_a_reviewer_works_through_one_governorate(
    review_client: TestClient, linked_engine: Engine
) -> None:
    client, engine = review_client, linked_engine
    sizes = {f"SY{n:02d}": queue_size(engine, f"SY{n:02d}") for n in range(1, 15)}
    busiest = max(sizes, key=lambda g: sizes[g])
    assert 0 < sizes[busiest] < queue_size(engine), "the scenario's pairs span governorates"
    assert login(client, username("reviewer")) == 303

    page = client.get("/review", params={"governorate": busiest}).text
    assert f'<option value="{busiest}" selected>' in page
    assert figure(page, "waiting") == str(sizes[busiest])
    first = dict(HIDDEN.findall(page))
    assert int(first["decision_id"]) == review_queue(engine, 1, busiest)[0].decision_id
    csrf = page_csrf(client, "/review")
    accepted = client.post("/review/accept", data={**first, "csrf_token": csrf})
    assert figure(accepted.text, "waiting") == str(sizes[busiest] - 1), "the choice is kept"
    assert queue_size(engine, busiest) == sizes[busiest] - 1

    everywhere = client.get("/review", params={"governorate": ""}).text
    assert figure(everywhere, "waiting") == str(queue_size(engine))
    unknown = client.get("/review", params={"governorate": "Narnia"}).text
    assert "No such governorate" in unknown
    assert figure(unknown, "waiting") == str(queue_size(engine))


def test_accept_reject_skip_undo_and_progress(
    review_client: TestClient, linked_engine: Engine
) -> None:
    client, engine = review_client, linked_engine
    waiting = queue_size(engine)
    first_waiting = review_queue(engine, limit=1)[0]
    assert login(client, username("reviewer")) == 303
    page = client.get("/review").text
    assert figure(page, "waiting") == str(waiting) and figure(page, "decided-today") == "0"
    assert 'id="weights"' in page and 'data-comparison="first_key"' in page
    assert "Match probability" in page
    assert 'id="held-back"' not in page, "held-back pairs come last"
    first = shown_pair(client)
    assert int(first["decision_id"]) == first_waiting.decision_id
    csrf = page_csrf(client, "/review")

    accepted = client.post("/review/accept", data={**first, "csrf_token": csrf, "note": "same"})
    assert accepted.status_code == 200 and "Recorded: the same person." in accepted.text
    a, b = sorted((int(first["record_a"]), int(first["record_b"])))
    assert human_decisions(engine) == [(a, b, "match", username("reviewer"), False)]
    assert figure(accepted.text, "decided-today") == "1"
    assert figure(accepted.text, "waiting") == str(waiting - 1)

    second = shown_pair(client)
    assert second["decision_id"] != first["decision_id"]
    client.post("/review/reject", data={**second, "csrf_token": csrf})
    assert [d[2] for d in human_decisions(engine)] == ["match", "non_match"]

    third = shown_pair(client)
    skipped = client.post("/review/skip", data={**third, "csrf_token": csrf})
    assert figure(skipped.text, "skipped") == "1"
    assert figure(skipped.text, "waiting") == str(waiting - 2), "skipping decides nothing"
    assert shown_pair(client)["decision_id"] != third["decision_id"]
    assert len(human_decisions(engine)) == 2

    undone = client.post("/review/undo", data={"csrf_token": csrf})
    assert "Your last decision was undone." in undone.text
    assert [d[4] for d in human_decisions(engine)] == [False, True], "the rejection is revoked"
    assert figure(undone.text, "decided-today") == "1"
    assert figure(undone.text, "waiting") == str(waiting - 1)
    with engine.connect() as conn:
        acts = conn.execute(select(ReviewAction.kind, ReviewAction.undone_by)).all()
    assert sorted(tuple(r) for r in acts) == [
        ("accept", None),
        ("reject", username("reviewer")),
    ]
    client.post("/review/skipped/clear", data={"csrf_token": csrf})
    assert shown_pair(client)["decision_id"] == second["decision_id"], "undone pair is back"

    arabic = client.get("/review?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "هل هذان الشخص نفسه؟" in arabic and "الاسم الأول" in arabic
    assert figure(arabic, "decided-today") == "١"


def test_a_match_held_back_for_its_first_names_says_so(
    review_client: TestClient, linked_engine: Engine
) -> None:
    """A pair the model scored as a match whose first names clearly disagree waits in the
    queue like any uncertain pair; the page says why the machine did not link it."""
    with linked_engine.begin() as conn:
        conn.execute(
            update(LinkDecision)
            .where(LinkDecision.kind == "model", LinkDecision.decision == "uncertain")
            .values(score=0.97)
        )
    assert review_queue(linked_engine, limit=1)[0].held_back
    assert login(review_client, username("reviewer")) == 303
    page = review_client.get("/review").text
    assert 'id="held-back"' in page and "the first names clearly disagree" in page
    arabic = review_client.get("/review?lang=ar").text
    assert 'id="held-back"' in arabic and "الاسمين الأولين مختلفان" in arabic


def test_undo_touches_only_ones_own_decisions(
    review_client: TestClient, linked_engine: Engine
) -> None:
    client = review_client
    assert login(client, username("admin")) == 303
    csrf = page_csrf(client, "/review")
    client.post("/review/accept", data={**shown_pair(client), "csrf_token": csrf})
    client.cookies.clear()
    assert login(client, username("reviewer")) == 303
    csrf = page_csrf(client, "/review")
    nothing = client.post("/review/undo", data={"csrf_token": csrf})
    assert "You have no decision to undo." in nothing.text
    assert [d[4] for d in human_decisions(linked_engine)] == [False]


def test_roles_without_review_are_refused(review_client: TestClient, linked_engine: Engine) -> None:
    client = review_client
    item = review_queue(linked_engine, limit=1)[0]
    pair = {
        "record_a": str(item.record_a.id),
        "record_b": str(item.record_b.id),
        "decision_id": str(item.decision_id),
    }
    for role in ROLES:
        client.cookies.clear()
        assert login(client, username(role)) == 303
        csrf = page_csrf(client, "/")
        allowed = can(role, "review")
        assert client.get("/review").status_code == (200 if allowed else 403), role
        assert ('href="/review"' in client.get("/").text) == allowed
        if allowed:
            continue
        for path in ("/review/accept", "/review/reject", "/review/skip", "/review/undo"):
            response = client.post(path, data={**pair, "csrf_token": csrf})
            assert response.status_code == 403, (role, path)
        token = create_token(linked_engine, username(role), "script")
        by_token = client.post(
            "/review/accept",
            data=pair,
            headers={"Authorization": f"Bearer {token}"},
            follow_redirects=False,
        )
        assert by_token.headers["location"].startswith("/login"), role
    assert human_decisions(linked_engine) == []
