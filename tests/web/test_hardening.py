"""Issue 15: what a hostile outsider and a curious insider could do to the web app, each row of
the issue's table as a request that used to succeed and must now be refused (or traced)."""

from __future__ import annotations

import csv
import datetime as dt
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from marsad.ingest.table import ReadLimits
from marsad.services.estimate import estimate_store
from marsad.services.exports import export_quarantine, export_table
from marsad.services.incidents import ingest_incidents
from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.logins import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
    MAX_FAILURES_PER_CLIENT,
)
from marsad.services.review import NotProposed, accept, merge, reject, undo
from marsad.services.users import get_user, list_users
from marsad.services.verify import verify
from marsad.store.models import AuditEvent, LoginAttempt, Record, User, WebSession
from marsad.web.app import create_app
from marsad.web.headers import CONTENT_SECURITY_POLICY
from marsad.web.settings import WebSettings
from tests.hostile import xlsx_bomb
from tests.integration.helpers import person, write_csv
from tests.integration.test_incidents import COLUMNS as INCIDENT_COLUMNS
from tests.integration.test_incidents import good_rows
from tests.web.conftest import PASSWORD, Seeded, login, page_csrf
from tests.web.test_data_pages import upload, wait_for_jobs

TEMPLATES = Path(__file__).parents[2] / "src" / "marsad" / "web" / "templates"
BASE_URL = "https://marsad.example.org"


@pytest.fixture
def proxied(db_url: str, engine: Engine) -> Iterator[TestClient]:
    """The app behind a TLS proxy that it trusts (the test client's own address)."""
    settings = WebSettings(forwarded_allow_ips="testclient", base_url=BASE_URL)
    app = create_app(db_url, settings)
    english = {"Accept-Language": "en"}
    with TestClient(app, base_url="https://testserver", headers=english) as test_client:
        yield test_client
    app.state.engine.dispose()


_spoofs = iter(range(10**6))


def login_from(client: TestClient, address: str, name: str, password: str) -> int:
    """Log in as a browser at `address` would through the trusted proxy; returns the POST's
    status. Each attempt also writes a different address of its own into X-Forwarded-For, as
    an attacker may: the proxy appends the address it saw, and only that one counts."""
    headers = {"X-Forwarded-For": f"192.0.2.{next(_spoofs) % 250}, {address}"}
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    response = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": found.group(1)},
        headers=headers,
        follow_redirects=False,
    )
    return int(response.status_code)


def actions(engine: Engine, action: str) -> list[AuditEvent]:
    with engine.connect() as conn:
        return list(conn.execute(select(AuditEvent).where(AuditEvent.action == action)).all())  # type: ignore[arg-type]


# high: one person can lock the whole team out


def test_bad_logins_from_one_client_do_not_stop_another_users_login(
    proxied: TestClient, team: dict[str, str], engine: Engine
) -> None:
    attacker = "203.0.113.9"
    for n in range(MAX_FAILURES_PER_CLIENT):
        assert login_from(proxied, attacker, f"guess-{n}", "not a password") == 401
    assert login_from(proxied, attacker, team["admin"], PASSWORD) == 429
    proxied.cookies.clear()
    assert login_from(proxied, "198.51.100.7", team["admin"], PASSWORD) == 303
    with engine.connect() as conn:
        clients = set(conn.scalars(select(LoginAttempt.client)))
    assert clients == {attacker}


def test_one_client_hammering_an_account_does_not_lock_its_owner_out(
    proxied: TestClient, team: dict[str, str]
) -> None:
    """Refused attempts are not counted: one client adds at most five failures to an account,
    far from the account-wide limit, however long it goes on."""
    for n in range(MAX_FAILURES_PER_ACCOUNT + 10):
        name = team["admin"] if n % 2 else f"guess-{n}"
        assert login_from(proxied, "203.0.113.9", name, "not a password") in (401, 429)
    proxied.cookies.clear()
    assert login_from(proxied, "198.51.100.7", team["admin"], PASSWORD) == 303


def test_many_clients_guessing_one_account_lock_it_until_an_admin_lifts_it(
    proxied: TestClient, team: dict[str, str]
) -> None:
    clients = MAX_FAILURES_PER_ACCOUNT // MAX_FAILURES_PER_ACCOUNT_AND_CLIENT
    for n in range(clients):
        for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT):
            assert login_from(proxied, f"203.0.113.{n}", team["viewer"], "not it") == 401
    assert login_from(proxied, "198.51.100.7", team["viewer"], PASSWORD) == 429
    assert login_from(proxied, "198.51.100.8", team["admin"], PASSWORD) == 303
    csrf = page_csrf(proxied, "/admin/users")
    proxied.post(f"/admin/users/{team['viewer']}/unlock", data={"csrf_token": csrf})
    proxied.cookies.clear()
    assert login_from(proxied, "198.51.100.7", team["viewer"], PASSWORD) == 303


def test_five_bad_passwords_do_not_lock_the_owner_out_of_their_own_machine(
    proxied: TestClient, team: dict[str, str]
) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT):
        assert login_from(proxied, "203.0.113.9", team["viewer"], "not a password") == 401
    assert login_from(proxied, "203.0.113.9", team["viewer"], PASSWORD) == 429
    proxied.cookies.clear()
    assert login_from(proxied, "198.51.100.7", team["viewer"], PASSWORD) == 303


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    client: TestClient, team: dict[str, str]
) -> None:
    """Without a trusted proxy, a client cannot pose as many by writing X-Forwarded-For."""
    for n in range(MAX_FAILURES_PER_CLIENT + 1):
        login_from(client, f"203.0.113.{n}", f"guess-{n}", "not a password")
    assert login_from(client, "198.51.100.7", team["admin"], PASSWORD) == 429


def test_refusal_says_how_long_to_wait_and_is_audited(
    proxied: TestClient, team: dict[str, str], engine: Engine
) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 1):
        login_from(proxied, "203.0.113.9", team["viewer"], "not a password")
    headers = {"X-Forwarded-For": "203.0.113.9"}
    csrf = page_csrf(proxied)
    refused = proxied.post(
        "/login",
        data={"username": team["viewer"], "password": PASSWORD, "csrf_token": csrf},
        headers=headers,
    )
    assert refused.status_code == 429
    assert "Try again in 15 minutes" in refused.text
    assert 850 <= int(refused.headers["retry-after"]) <= 901
    failed = actions(engine, "login.failed")
    assert len(failed) == MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 2
    assert all(e.detail["client"] == "203.0.113.9" for e in failed)
    [locked] = actions(engine, "login.locked")
    assert locked.actor == team["viewer"] and locked.detail["scope"] == "account_client"


def test_admin_lifts_a_lock_out_on_the_users_page(
    proxied: TestClient, team: dict[str, str], engine: Engine
) -> None:
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 1):
        login_from(proxied, "203.0.113.9", team["viewer"], "not a password")
    assert login_from(proxied, "198.51.100.7", team["admin"], PASSWORD) == 303
    page = proxied.get("/admin/users")
    assert "locked out until" in page.text
    csrf = page_csrf(proxied, "/admin/users")
    lifted = proxied.post(f"/admin/users/{team['viewer']}/unlock", data={"csrf_token": csrf})
    assert lifted.status_code == 200 and "locked out until" not in lifted.text
    assert [e.actor for e in actions(engine, "user.unlock")] == [team["admin"]]
    proxied.cookies.clear()
    assert login_from(proxied, "203.0.113.9", team["viewer"], PASSWORD) == 303


# high: bulk name extraction leaves no trace


def test_api_reads_of_names_are_audited_once_per_request(
    client: TestClient, team: dict[str, str], engine: Engine, seeded: Seeded, tmp_path: Path
) -> None:
    listed = write_csv(tmp_path / "list.csv", [person("z1", "Zaynab Haddad", sex="female")])
    ingest_file(engine, listed, "List Z", kind="monitoring_group")
    assert login(client, team["data_entry"]) == 303
    assert client.get("/api/persons?per_page=500").status_code == 200
    assert client.get("/api/records?per_page=500").status_code == 200
    assert client.get("/api/search?name=Zaynab").status_code == 200
    reads = actions(engine, "names.read")
    assert [(e.actor, e.target, e.detail["count"]) for e in reads] == [
        (team["data_entry"], "/api/persons", 1),
        (team["data_entry"], "/api/records", 4),
        (team["data_entry"], "/api/search", 1),
    ]
    assert all(e.detail["via"] == "api" for e in reads)
    assert not any(name in str(e.detail) for e in reads for name in seeded.names)


def test_pages_that_show_names_are_audited(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    listed = write_csv(tmp_path / "list.csv", [person("z1", "Zaynab Haddad", sex="female")])
    ingest_file(engine, listed, "List Z", kind="monitoring_group")
    assert login(client, team["admin"]) == 303
    assert client.get("/search?name=Zaynab").status_code == 200
    [read] = actions(engine, "names.read")
    assert (read.target, read.detail["via"], read.detail["count"]) == ("/search", "web", 1)


def test_roles_without_names_read_no_names_and_are_not_audited(
    client: TestClient, team: dict[str, str], engine: Engine, seeded: Seeded
) -> None:
    assert login(client, team["viewer"]) == 303
    assert client.get("/api/records").status_code == 200
    assert actions(engine, "names.read") == []


# medium: logout does not end the session


def test_a_cookie_saved_before_logout_no_longer_works(
    client: TestClient, team: dict[str, str]
) -> None:
    assert login(client, team["viewer"]) == 303
    saved = client.cookies["marsad_session"]
    client.post("/logout", data={"csrf_token": page_csrf(client, "/")})
    client.cookies.set("marsad_session", saved)
    assert client.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_role_change_password_change_and_log_out_everywhere_end_sessions(
    db_url: str, team: dict[str, str], engine: Engine
) -> None:
    app = create_app(db_url)
    with TestClient(app) as first, TestClient(app) as second:
        assert login(first, team["reviewer"]) == 303
        assert login(second, team["reviewer"]) == 303
        assert login(second, team["admin"]) == 303
        csrf = page_csrf(second, "/admin/users")
        second.post(
            f"/admin/users/{team['reviewer']}/role", data={"role": "viewer", "csrf_token": csrf}
        )
        assert first.get("/", follow_redirects=False).status_code == 303

        assert login(first, team["viewer"]) == 303
        assert login(second, team["viewer"]) == 303
        new = "a quieter river lantern"
        changed = first.post(
            "/account/password",
            data={
                "current": PASSWORD,
                "password": new,
                "confirm": new,
                "csrf_token": page_csrf(first, "/account"),
            },
        )
        assert changed.status_code == 200 and "Password changed" in changed.text
        assert first.get("/", follow_redirects=False).status_code == 200
        assert second.get("/", follow_redirects=False).status_code == 303

        assert login(second, team["viewer"], new) == 303
        first.post("/account/logout-all", data={"csrf_token": page_csrf(first, "/account")})
        assert first.get("/", follow_redirects=False).status_code == 303
        assert second.get("/", follow_redirects=False).status_code == 303
    app.state.engine.dispose()
    assert [e.action for e in actions(engine, "user.logout_all")] == ["user.logout_all"]


def test_idle_and_lifetime_are_configurable(
    db_url: str, team: dict[str, str], engine: Engine
) -> None:
    settings = WebSettings(
        session_idle=dt.timedelta(minutes=5), session_lifetime=dt.timedelta(hours=1)
    )
    app = create_app(db_url, settings)
    with TestClient(app) as browser:
        assert login(browser, team["viewer"]) == 303
        assert "max-age=3600" in browser.get("/login").headers.get("set-cookie", "max-age=3600")
        with engine.begin() as conn:
            conn.execute(
                update(WebSession).values(
                    last_seen_at=WebSession.last_seen_at - dt.timedelta(minutes=6)
                )
            )
        assert browser.get("/", follow_redirects=False).status_code == 303
        assert login(browser, team["viewer"]) == 303
        with engine.begin() as conn:
            conn.execute(
                update(WebSession).values(expires_at=WebSession.created_at - dt.timedelta(hours=1))
            )
        assert browser.get("/", follow_redirects=False).status_code == 303
    app.state.engine.dispose()


# medium: an Authorization header skipped the CSRF check while pages used the cookie


def test_an_authorization_header_does_not_let_a_cookie_skip_csrf(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["admin"]) == 303
    forged = client.post(
        "/admin/users",
        data={"username": "mallory", "password": "a quieter river lantern", "role": "admin"},
        headers={"Authorization": "Bearer not-a-token"},
        follow_redirects=False,
    )
    assert forged.status_code == 303 and forged.headers["location"].startswith("/login")
    assert "mallory" not in {u.username for u in list_users(engine)}
    assert client.get("/admin/users").status_code == 200


# medium: no security headers


def test_every_response_carries_security_headers(
    client: TestClient, team: dict[str, str], seeded: Seeded
) -> None:
    responses = [
        client.get("/login"),
        client.post("/login", data={"username": "x", "password": "y"}),
        client.get("/api/me"),
        client.get("/static/marsad.css"),
    ]
    assert login(client, team["admin"]) == 303
    responses += [client.get(f"/persons/{seeded.person_id}"), client.get("/api/persons")]
    for response in responses:
        headers = response.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    for response in responses[:3] + responses[4:]:
        assert response.headers["cache-control"] == "no-store"
    assert "no-store" not in responses[3].headers.get("cache-control", "")


def test_templates_hold_no_inline_script_or_style() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", text), template.name


def test_https_deployment_sends_hsts_and_secure_cookies(
    proxied: TestClient, team: dict[str, str]
) -> None:
    assert proxied.get("/login").headers["strict-transport-security"].startswith("max-age=")
    csrf = page_csrf(proxied)
    response = proxied.post(
        "/login",
        data={"username": team["viewer"], "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert "secure" in response.headers["set-cookie"].lower()


# medium: absolute URLs from the Host header


def test_urls_never_come_from_the_host_header(proxied: TestClient, team: dict[str, str]) -> None:
    page = proxied.get("/login", headers={"Host": "evil.example"})
    assert "evil.example" not in page.text
    assert 'href="/static/marsad.css"' in page.text
    assert login_from(proxied, "198.51.100.7", team["admin"], PASSWORD) == 303
    csrf = page_csrf(proxied, "/admin/users")
    made = proxied.post(
        f"/admin/users/{team['viewer']}/reset",
        data={"csrf_token": csrf},
        headers={"Host": "evil.example"},
    )
    link = re.search(r"<code[^>]*>([^<]+)</code>", made.text)
    assert link is not None and link.group(1).startswith(f"{BASE_URL}/reset/")


# low: passwords and the last administrator


def test_one_time_reset_link_sets_a_password_once(
    proxied: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login_from(proxied, "198.51.100.7", team["admin"], PASSWORD) == 303
    made = proxied.post(
        f"/admin/users/{team['viewer']}/reset",
        data={"csrf_token": page_csrf(proxied, "/admin/users")},
    )
    found = re.search(r"<code[^>]*>[^<]*(/reset/[^<]+)</code>", made.text)
    assert found is not None
    path = found.group(1)
    proxied.cookies.clear()
    form = proxied.get(path)
    assert form.status_code == 200 and team["viewer"] in form.text
    csrf = page_csrf(proxied, path)
    weak = proxied.post(
        path, data={"password": "1234567890", "confirm": "1234567890", "csrf_token": csrf}
    )
    assert weak.status_code == 400 and "too easy to guess" in weak.text
    new = "seven amber kettles hum"
    done = proxied.post(path, data={"password": new, "confirm": new, "csrf_token": csrf})
    assert done.url.path == "/login" and "Password set" in done.text
    assert proxied.get(path).status_code == 404
    assert login_from(proxied, "198.51.100.7", team["viewer"], new) == 303
    assert [e.action for e in actions(engine, "user.password_reset")] == ["user.password_reset"]


def test_weak_passwords_are_refused_on_the_users_page(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["admin"]) == 303
    for weak in ("1234567890", " " * 10, "password12345"):
        refused = client.post(
            "/admin/users",
            data={
                "username": "newcomer",
                "password": weak,
                "role": "viewer",
                "csrf_token": page_csrf(client, "/admin/users"),
            },
        )
        assert refused.status_code == 400 and "password" in refused.text.lower()
    assert "newcomer" not in {u.username for u in list_users(engine)}


def test_the_last_admin_cannot_demote_or_disable_itself(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["admin"]) == 303
    csrf = page_csrf(client, "/admin/users")
    demoted = client.post(
        f"/admin/users/{team['admin']}/role", data={"role": "viewer", "csrf_token": csrf}
    )
    disabled = client.post(f"/admin/users/{team['admin']}/disable", data={"csrf_token": csrf})
    assert demoted.status_code == disabled.status_code == 400
    assert "last enabled admin" in demoted.text
    with engine.connect() as conn:
        admins = conn.scalar(
            select(func.count()).where(User.role == "admin", User.disabled.is_(False))
        )
    assert admins == 1


def test_a_get_with_lang_changes_nothing_stored(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["viewer"]) == 303
    viewer = next(u for u in list_users(engine) if u.username == team["viewer"])
    assert client.get("/?lang=ar").status_code == 200
    stored = get_user(engine, viewer.id)
    assert stored is not None and stored.language == "en"


# low: ids above 2^63


@pytest.mark.parametrize(
    ("method", "path", "form"),
    [
        ("GET", "/persons/99999999999999999999", {}),
        ("POST", "/persons/99999999999999999999/status", {"status": "confirmed", "reason": "x"}),
        ("POST", "/persons/1/revoke", {"decision_id": "99999999999999999999"}),
        ("POST", "/review/accept", {"record_a": "99999999999999999999", "record_b": "1"}),
        ("POST", "/review/skip", {"decision_id": "99999999999999999999"}),
        ("POST", "/quarantine/99999999999999999999", {"header-0": "name"}),
    ],
)
def test_huge_ids_are_refused_not_a_server_error(
    db_url: str, team: dict[str, str], seeded: Seeded, method: str, path: str, form: dict[str, str]
) -> None:
    app = create_app(db_url)
    with TestClient(app, raise_server_exceptions=False) as browser:
        assert login(browser, team["admin"]) == 303
        if method == "GET":
            response = browser.get(path)
        else:
            response = browser.post(path, data={**form, "csrf_token": page_csrf(browser, "/")})
        assert response.status_code in (303, 400, 404), response.text[:300]
    app.state.engine.dispose()


# high: a zip bomb took a minute of CPU and 1.6 GB, then reported "done, 0 rows"


def test_an_upload_that_unpacks_past_the_limit_fails_naming_the_limit(
    db_url: str, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    limits = ReadLimits(max_bytes=4 * 1024 * 1024, max_rows=1000)
    app = create_app(db_url, WebSettings(upload_limits=limits))
    with TestClient(app) as browser:
        assert login(browser, team["data_entry"]) == 303
        bomb = xlsx_bomb(tmp_path / "list.xlsx", 40 * 1024 * 1024)
        status, _ = upload(browser, bomb, "Field list")
        assert status == 303
        [job] = wait_for_jobs(browser)
        assert job["state"] == "failed" and job["recorded"] is None
        assert job["error"].startswith("list.xlsx: refused: more than 4 MB")
        assert str(tmp_path) not in job["error"]
        many = tmp_path / "many.csv"
        many.write_text("record_id,name\n" + "r,Ali\n" * 1001, encoding="utf-8")
        upload(browser, many, "Field list")
        failed = [j for j in wait_for_jobs(browser) if j["file"] == "many.csv"]
        assert failed[0]["state"] == "failed" and "1,000 rows" in failed[0]["error"]
    app.state.engine.dispose()
    assert [e.detail["file"] for e in actions(engine, "upload")] == ["list.xlsx", "many.csv"]
    assert len(actions(engine, "upload.failed")) == 2
    assert actions(engine, "ingest") == []


# medium: roles without names could single people out


def small_store(engine: Engine, tmp_path: Path) -> None:
    """Six men and one woman of 31, on one list, linked (so counted)."""
    rows = [person(f"m{i}", f"Man Number{i} Hasan", sex="male", age="40") for i in range(6)]
    rows.append(person("w1", "Woman Only Khalil", sex="female", age="31"))
    ingest_file(engine, write_csv(tmp_path / "list.csv", rows), "List A", kind="media")
    link(engine)


def test_roles_without_names_get_no_source_ids_exact_ages_or_small_counts(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    small_store(engine, tmp_path)
    assert login(client, team["viewer"]) == 303
    records = client.get("/api/records").json()["items"]
    assert {r["record_id"] for r in records} == {None}
    assert {(r["age_min"], r["age_max"]) for r in records} == {(None, None)}
    assert {r["age_group"] for r in records} == {"adult"}
    counts = client.get("/api/counts?by=sex&by=age_group").json()
    assert counts["min_cell"] == 5
    cells = {(r["keys"]["sex"], r["reported"]) for r in counts["rows"]}
    assert cells == {("male", 6), ("female", None)}
    client.cookies.clear()
    assert login(client, team["reviewer"]) == 303
    counts = client.get("/api/counts?by=sex").json()
    assert counts["min_cell"] == 1
    assert {(r["keys"]["sex"], r["reported"]) for r in counts["rows"]} == {
        ("male", 6),
        ("female", 1),
    }
    assert {r["record_id"] for r in client.get("/api/records").json()["items"]} >= {"w1"}


def test_exports_for_readers_without_names_withhold_small_counts(
    engine: Engine, tmp_path: Path
) -> None:
    small_store(engine, tmp_path)
    out = tmp_path / "counts.csv"
    export_table(engine, "counts", out, "csv", user="analyst", by=["sex"], min_cell=5)
    rows = {r["sex"]: r for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert (rows["male"]["reported"], rows["female"]["reported"]) == ("6", "")


# medium: a reviewer could merge any two records through the queue's form


def test_review_verdicts_only_on_proposed_pairs_or_one_person(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    small_store(engine, tmp_path)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Record.record_id, Record.id)).tuples().all())
        persons_before = conn.scalar(select(func.count(func.distinct(Record.person_id))))
    assert login(client, team["reviewer"]) == 303
    forged = client.post(
        "/review/accept",
        data={
            "record_a": str(ids["m0"]),
            "record_b": str(ids["w1"]),
            "csrf_token": page_csrf(client, "/"),
        },
    )
    assert "Only pairs proposed for review" in forged.text
    with engine.connect() as conn:
        assert conn.scalar(select(func.count(func.distinct(Record.person_id)))) == persons_before
    with pytest.raises(NotProposed):
        accept(engine, ids["m0"], ids["w1"], "reviewer")


def test_merging_persons_needs_its_permission_and_is_audited(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    small_store(engine, tmp_path)
    with engine.connect() as conn:
        persons = dict(conn.execute(select(Record.record_id, Record.person_id)).tuples().all())
    form = {"other": str(persons["w1"]), "note": "same family report"}
    assert login(client, team["data_entry"]) == 303
    refused = client.post(
        f"/persons/{persons['m0']}/merge", data={**form, "csrf_token": page_csrf(client, "/")}
    )
    assert refused.status_code == 403
    client.cookies.clear()
    assert login(client, team["reviewer"]) == 303
    merged = client.post(
        f"/persons/{persons['m0']}/merge", data={**form, "csrf_token": page_csrf(client, "/")}
    )
    assert merged.status_code == 200 and "Persons merged" in merged.text
    with engine.connect() as conn:
        after = dict(conn.execute(select(Record.record_id, Record.person_id)).tuples().all())
    assert after["m0"] == after["w1"]
    [event] = actions(engine, "person.merge")
    assert event.actor == team["reviewer"] and event.detail["pairs"] == 1


# medium: the quarantine export skipped the formula guard, was world-readable and not audited


def test_quarantine_export_guards_every_cell_is_private_and_audited(
    engine: Engine, tmp_path: Path
) -> None:
    bad = [person("q1", "Ali Hassan", date="=DATE(2025,13,1)")]  # a formula: quarantined
    listed = write_csv(tmp_path / "=HYPERLINK(x).csv", bad)
    ingest_file(engine, listed, '=HYPERLINK("http://evil.example","src")', kind="media")
    out = tmp_path / "fix.csv"
    assert export_quarantine(engine, out, user="amina") == 1
    [row] = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert row["_marsad_source"].startswith("'=HYPERLINK")
    assert row["_marsad_file"].startswith("'=HYPERLINK")
    assert out.stat().st_mode & 0o077 == 0
    [event] = actions(engine, "export.quarantine")
    assert (event.actor, event.detail["rows"]) == ("amina", 1)


# medium: audit gaps


def test_ingests_link_verify_estimate_merge_review_and_undo_are_audited(
    engine: Engine, tmp_path: Path
) -> None:
    firsts = ("Ahmad", "Bilal", "Karim", "Omar", "Samir", "Tariq", "Walid", "Yusuf")
    families = ("Hasan", "Khalil", "Mansour", "Nasser", "Saleh")
    people = [
        person(f"m{i}", f"{first} {firsts[i * 3 % 8]} {family}", sex="male", age="40")
        for i, (first, family) in enumerate((f, g) for f in firsts for g in families)
    ]
    chance = random.Random(7)
    for name in ("A", "B", "C"):
        chosen = [p for p in people if chance.random() < 0.5]
        listed = write_csv(tmp_path / f"{name}.csv", chosen)
        ingest_file(engine, listed, f"List {name}", kind="media", user="amina")
    link(engine, user="amina")
    verify(engine, user="amina")
    estimate_store(engine, method="loglinear", user="amina")
    with engine.connect() as conn:
        rows = conn.execute(select(Record.record_id, Record.id, Record.person_id)).all()
    first, second = (next(r for r in rows if r.record_id == wanted) for wanted in ("m0", "m1"))
    merge(engine, first.person_id, second.person_id, "amina", "one man")
    action = reject(engine, first.id, second.id, "amina", "two men after all")
    undo(engine, action, "amina")
    reports = write_csv(tmp_path / "incidents.csv", good_rows(), INCIDENT_COLUMNS)
    ingest_incidents(engine, reports, "List A", "amina")
    with engine.connect() as conn:
        logged = [tuple(r) for r in conn.execute(select(AuditEvent.actor, AuditEvent.action))]
    assert logged == [
        ("amina", action)
        for action in (
            "ingest",
            "ingest",
            "ingest",
            "link.run",
            "verify.run",
            "estimate.run",
            "person.merge",
            "review.reject",
            "review.undo",
            "ingest",
        )
    ]


def test_logging_in_again_ends_the_session_the_cookie_held(
    client: TestClient, team: dict[str, str]
) -> None:
    assert login(client, team["viewer"]) == 303
    first = client.cookies["marsad_session"]
    assert login(client, team["admin"]) == 303
    client.cookies.set("marsad_session", first)
    assert client.get("/", follow_redirects=False).status_code == 303
