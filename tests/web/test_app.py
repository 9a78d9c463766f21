"""The web app through HTTP: login, sessions, CSRF, roles on every route, language, audit."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

import marsad.web
from marsad.i18n import CATALOGUE
from marsad.services.documents import attach_document
from marsad.services.logins import MAX_FAILURES_PER_ACCOUNT_AND_CLIENT
from marsad.services.users import (
    ROLES,
    UserInfo,
    can,
    create_token,
    disable_user,
    list_users,
)
from marsad.store.models import AuditEvent, StoreSecret
from marsad.web.app import ROUTERS
from marsad.web.auth import RequireApi, RequirePage
from marsad.web.session import SESSION_KEY_NAME
from tests.web.conftest import PASSWORD, EvidenceSeeded, Seeded, login, page_csrf

DOCUMENT = b"%PDF-1.4 a scanned register page"
SAMPLE_PATH_VALUES = {
    "person_id": "1",
    "username": "viewer-user",
    "change": "disable",
    "item_id": "1",
    "testimony_id": "1",
    "site_id": "S1",
    "household_id": "H1",
    "record_id": "1",
    "sha256": hashlib.sha256(DOCUMENT).hexdigest(),
    "job_id": "op-none",
    "case_id": "1",
    "ident": "1",
}
OWNED = ("/jobs/op-none", "/api/jobs/op-none")
"""Jobs are seen only by whoever started them (tests/web/test_operations.py): the sample job
is nobody's, so these answer 404 to every role that passes the permission."""


def guarded_routes() -> list[tuple[str, str, str | None, bool]]:
    """(method, path, permission, is_api) for every route guarded by RequirePage/RequireApi."""
    found = []
    for route in (r for router in ROUTERS for r in router.routes):
        if not isinstance(route, APIRoute):
            continue
        for dependency in route.dependant.dependencies:
            if isinstance(dependency.call, RequirePage | RequireApi):
                path = route.path_format
                for name, value in SAMPLE_PATH_VALUES.items():
                    path = path.replace("{" + name + "}", value)
                for method in sorted(route.methods or ()):
                    is_api = isinstance(dependency.call, RequireApi)
                    found.append((method, path, dependency.call.permission, is_api))
    return found


def test_login_ok_sets_session_and_bad_login_refused(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["viewer"], "not the password") == 401
    assert client.get("/", follow_redirects=False).status_code == 303
    assert login(client, team["viewer"]) == 303
    cookie = client.cookies.get("marsad_session")
    assert cookie is not None
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "viewer-user" in dashboard.text
    with engine.connect() as conn:
        assert conn.scalar(select(StoreSecret.value).where(StoreSecret.name == SESSION_KEY_NAME))
    raw = client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    assert raw.url.path == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_session_cookie_flags(client: TestClient, team: dict[str, str]) -> None:
    token = page_csrf(client)
    response = client.post(
        "/login",
        data={"username": team["viewer"], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    header = response.headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header


def test_login_rate_limited(client: TestClient, team: dict[str, str]) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT):
        assert login(client, team["admin"], "not the password") == 401
    assert login(client, team["admin"]) == 429


def test_next_only_goes_to_this_site(client: TestClient, team: dict[str, str]) -> None:
    token = page_csrf(client)
    response = client.post(
        "/login",
        data={
            "username": team["viewer"],
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_forms_without_csrf_token_are_refused(client: TestClient, team: dict[str, str]) -> None:
    refused = client.post("/login", data={"username": team["admin"], "password": PASSWORD})
    assert refused.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303
    assert login(client, team["admin"]) == 303
    for method, path, _, _ in guarded_routes():
        if method == "POST":
            forged = client.post(path, data={"csrf_token": "forged", "role": "admin"})
            assert forged.status_code == 403, path
    viewer = get_user_by_name(client, team["viewer"])
    assert viewer.role == "viewer"


def get_user_by_name(client: TestClient, name: str) -> UserInfo:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    [user] = [u for u in list_users(engine) if u.username == name]
    return user


def test_every_role_refused_what_it_may_not_do(
    client: TestClient,
    team: dict[str, str],
    seeded: Seeded,
    evidence_seeded: EvidenceSeeded,
    tmp_path: Path,
    tracing_seeded: int,
) -> None:
    """Table-driven from PERMISSIONS: every guarded page and API route, by direct URL."""
    routes = guarded_routes()
    assert {path for _, path, _, _ in routes} >= {"/", "/admin/users", "/api/persons"}
    document = tmp_path / "register.pdf"
    document.write_bytes(DOCUMENT)
    attach_document(client.app.state.engine, document, "register.pdf", "test", record_id=1)  # type: ignore[attr-defined]
    for role in ROLES:
        client.cookies.clear()
        assert login(client, team[role]) == 303
        csrf = page_csrf(client, "/")
        for method, path, permission, _ in routes:
            if permission is None or can(role, permission):
                continue
            if method == "GET":
                response = client.get(path, follow_redirects=False)
            else:
                response = client.post(
                    path,
                    data={"csrf_token": csrf, "role": "admin", "username": "x", "password": "y"},
                    follow_redirects=False,
                )
            assert response.status_code == 403, (role, method, path)
        allowed = [
            p
            for m, p, perm, _ in routes
            if m == "GET" and (perm is None or can(role, perm)) and not p.startswith(OWNED)
        ]
        for path in allowed:
            assert client.get(path, follow_redirects=False).status_code == 200, (role, path)


def test_api_anonymous_401_and_token_auth(
    client: TestClient, team: dict[str, str], engine: Engine, seeded: Seeded
) -> None:
    api_gets = [p for m, p, _, api in guarded_routes() if api and m == "GET"]
    assert "/api/estimates" in api_gets and "/api/records" in api_gets
    for path in api_gets:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/me", headers={"Authorization": "Bearer nope"}).status_code == 401
    token = create_token(engine, team["analyst"], "script")
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "analyst" and "view_names" not in me.json()["permissions"]


def test_api_names_only_for_roles_that_may_see_them(
    client: TestClient, team: dict[str, str], engine: Engine, seeded: Seeded
) -> None:
    for role in ("analyst", "reviewer"):
        token = create_token(engine, team[role], "script")
        headers = {"Authorization": f"Bearer {token}"}
        persons = client.get("/api/persons", headers=headers).json()
        records = client.get(
            "/api/records", params={"source": seeded.source}, headers=headers
        ).json()
        assert persons["total"] == 1 and persons["items"][0]["records"] == 2
        assert persons["items"][0]["sources"] == ["List A", "List B"]
        assert records["total"] == 2
        assert {r["source"] for r in records["items"]} == {"List A"}
        shown = [persons["items"][0]["names"], *(r["name"] for r in records["items"])]
        if can(role, "view_names"):
            assert all(shown)
        else:
            assert not any(shown)
            assert not any(
                name in client.get("/api/records", headers=headers).text for name in seeded.names
            )


def test_person_view_is_audited(
    client: TestClient, team: dict[str, str], engine: Engine, seeded: Seeded
) -> None:
    token = create_token(engine, team["reviewer"], "script")
    headers = {"Authorization": f"Bearer {token}"}
    full = client.get(f"/api/persons/{seeded.person_id}", headers=headers)
    assert full.status_code == 200
    assert sorted(r["name"] for r in full.json()["records"]) == sorted(seeded.names[:2])
    assert client.get("/api/persons/999999", headers=headers).status_code == 404
    with engine.connect() as conn:
        events = conn.execute(
            select(AuditEvent.actor, AuditEvent.target).where(AuditEvent.action == "person.view")
        ).all()
    assert [tuple(e) for e in events] == [(team["reviewer"], f"person:{seeded.person_id}")]
    assert login(client, team["admin"]) == 303
    audit_page = client.get("/admin/audit")
    assert "person.view" in audit_page.text and f"person:{seeded.person_id}" in audit_page.text


def test_language_switch_rtl_digits_and_remembered(
    client: TestClient, team: dict[str, str], engine: Engine, seeded: Seeded
) -> None:
    anonymous = client.get("/login?lang=ar")
    assert 'dir="rtl"' in anonymous.text and 'lang="ar"' in anonymous.text
    assert 'dir="ltr"' in client.get("/login?lang=en").text.split(">", 2)[1]
    assert login(client, team["viewer"]) == 303
    english = client.get("/")
    assert '<html lang="en" dir="ltr">' in english.text
    arabic = client.get("/?lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    records_total = re.search(r'id="records-total">([^<]+)<', arabic.text)
    assert records_total is not None and records_total.group(1) == "٣"
    assert get_user_by_name(client, team["viewer"]).language == "en"
    switched = client.post(
        "/language", data={"lang": "ar", "next": "/", "csrf_token": page_csrf(client, "/")}
    )
    assert switched.url.path == "/"
    assert get_user_by_name(client, team["viewer"]).language == "ar"
    assert '<html lang="ar" dir="rtl">' in client.get("/").text


def test_admin_manages_users_through_pages(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["admin"]) == 303
    csrf = page_csrf(client, "/admin/users")
    added = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "newcomer", "password": PASSWORD, "role": "viewer"},
    )
    assert added.status_code == 200 and "newcomer" in added.text
    short = client.post(
        "/admin/users",
        data={"csrf_token": csrf, "username": "other", "password": "short", "role": "viewer"},
    )
    assert short.status_code == 400
    client.post("/admin/users/newcomer/role", data={"csrf_token": csrf, "role": "reviewer"})
    assert get_user_by_name(client, "newcomer").role == "reviewer"
    client.post("/admin/users/newcomer/disable", data={"csrf_token": csrf})
    assert get_user_by_name(client, "newcomer").disabled
    with engine.connect() as conn:
        actors = conn.execute(
            select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.actor == team["admin"])
        ).all()
    assert {a for a, _ in actors} >= {"user.add", "user.role", "user.disable"}


def test_disabled_user_session_ends_at_once(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["viewer"]) == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    disable_user(engine, team["viewer"])
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("path", ["/openapi.json", "/static/marsad.css"])
def test_public_assets_are_local(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "cdn" not in response.text.lower()


def test_openapi_documents_the_api(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert {"/api/me", "/api/persons", "/api/persons/{person_id}", "/api/records"} <= set(
        document["paths"]
    )
    assert "/login" not in document["paths"]
    assert "HTTPBearer" in document["components"]["securitySchemes"]


LITERAL_KEY = re.compile(r"""\bt\(["']([\w.]+)["']\s*[,)]""")


def test_every_phrase_the_pages_use_is_in_the_catalogue() -> None:
    """Keys the templates name literally, in both languages (a missing one is a KeyError)."""
    folder = Path(marsad.web.__file__).parent / "templates"
    used = {
        key
        for template in folder.glob("*.html")
        for key in re.findall(LITERAL_KEY, template.read_text(encoding="utf-8"))
    }
    assert used and not used - set(CATALOGUE)
