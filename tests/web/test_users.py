"""Accounts: roles, passwords, rate limiting, tokens, and the `marsad user` commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine, func, insert, select, update
from typer.testing import CliRunner

from marsad.cli.users import user_app
from marsad.services.logins import (
    MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
    TooManyAttempts,
    authenticate,
)
from marsad.services.sessions import session_user, start_session
from marsad.services.users import (
    PERMISSIONS,
    ROLES,
    LoginRefused,
    UserError,
    WeakPassword,
    add_user,
    can,
    change_password,
    check_password,
    create_reset,
    create_token,
    disable_user,
    get_user,
    list_tokens,
    reset_password,
    reset_user,
    revoke_token,
    set_language,
    set_role,
    user_for_token,
)
from marsad.store.models import ApiToken, AuditEvent, LoginAttempt, User, WebSession, utcnow
from tests.web.conftest import PASSWORD


def audit_actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_permission_matrix_is_data_over_known_roles() -> None:
    assert all(roles <= set(ROLES) for roles in PERMISSIONS.values())
    sealed = ("view_witnesses", "view_reporter_contact")
    assert all(can("admin", p) for p in PERMISSIONS if p not in sealed)
    assert [r for r in ROLES if can(r, "view_witnesses")] == ["protection"]
    assert [r for r in ROLES if can(r, "view_reporter_contact")] == ["tracing"]
    assert not can("viewer", "view_names")
    assert not can("analyst", "review")
    assert can("reviewer", "review")
    assert not can("admin", "no_such_permission")
    assert not can("nobody", "view_dashboard")


def test_add_user_hashes_password_and_audits(engine: Engine) -> None:
    user = add_user(engine, "amal", PASSWORD, "reviewer", actor="tester")
    assert (user.role, user.language, user.disabled) == ("reviewer", "ar", False)
    with engine.connect() as conn:
        stored = conn.scalar(select(User.password_hash).where(User.id == user.id))
        event = conn.execute(select(AuditEvent.actor, AuditEvent.target)).one()
    assert stored is not None and stored.startswith("$argon2") and PASSWORD not in stored
    assert tuple(event) == ("tester", f"user:{user.id}")


@pytest.mark.parametrize(
    ("name", "password", "role", "language"),
    [
        ("bad name", PASSWORD, "viewer", "ar"),
        ("ok", "short", "viewer", "ar"),
        ("ok", PASSWORD, "superuser", "ar"),
        ("ok", PASSWORD, "viewer", "fr"),
    ],
)
def test_add_user_refuses_bad_input(
    engine: Engine, name: str, password: str, role: str, language: str
) -> None:
    with pytest.raises(UserError):
        add_user(engine, name, password, role, language)


def test_add_user_refuses_duplicate(engine: Engine) -> None:
    add_user(engine, "amal", PASSWORD, "viewer")
    with pytest.raises(UserError, match="already exists"):
        add_user(engine, "amal", PASSWORD, "admin")


def test_authenticate_right_and_wrong_password(engine: Engine) -> None:
    created = add_user(engine, "amal", PASSWORD, "analyst")
    with pytest.raises(LoginRefused):
        authenticate(engine, "amal", "wrong password!", "10.0.0.1")
    with pytest.raises(LoginRefused):
        authenticate(engine, "nobody", PASSWORD, "10.0.0.1")
    user = authenticate(engine, "amal", PASSWORD, "10.0.0.1")
    assert user.id == created.id and user.last_login_at is not None
    with engine.connect() as conn:
        left = conn.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.username == "amal")
        )
    assert left == 0
    assert audit_actions(engine)[-1] == "user.login"


def test_rate_limit_refuses_even_the_right_password_from_that_client(engine: Engine) -> None:
    add_user(engine, "amal", PASSWORD, "viewer")
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT):
        with pytest.raises(LoginRefused) as refused:
            authenticate(engine, "amal", "wrong password!", "10.0.0.2")
        assert not isinstance(refused.value, TooManyAttempts)
    with pytest.raises(TooManyAttempts):
        authenticate(engine, "amal", PASSWORD, "10.0.0.2")
    assert authenticate(engine, "amal", PASSWORD, "10.0.0.3").username == "amal"


def test_old_failures_fall_out_of_the_window(engine: Engine) -> None:
    add_user(engine, "amal", PASSWORD, "viewer")
    long_ago = utcnow() - dt.timedelta(hours=2)
    with engine.begin() as conn:
        conn.execute(
            insert(LoginAttempt),
            [{"username": "amal", "client": "x", "at": long_ago}]
            * (MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 1),
        )
    assert authenticate(engine, "amal", PASSWORD, "x").username == "amal"


def test_role_language_and_disable(engine: Engine) -> None:
    user = add_user(engine, "amal", PASSWORD, "viewer")
    assert set_role(engine, "amal", "reviewer", actor="boss").role == "reviewer"
    with pytest.raises(UserError):
        set_role(engine, "amal", "emperor")
    set_language(engine, user.id, "en")
    got = get_user(engine, user.id)
    assert got is not None and got.language == "en"
    token = create_token(engine, "amal", "script")
    assert disable_user(engine, "amal").disabled
    with pytest.raises(LoginRefused):
        authenticate(engine, "amal", PASSWORD, "y")
    assert user_for_token(engine, token) is None
    assert audit_actions(engine) == [
        "user.add",
        "user.role",
        "token.create",
        "user.disable",
        "login.failed",
    ]
    with pytest.raises(UserError):
        disable_user(engine, "nobody")


def test_tokens_store_only_the_digest(engine: Engine) -> None:
    user = add_user(engine, "amal", PASSWORD, "analyst")
    token = create_token(engine, "amal", "nightly export")
    with engine.connect() as conn:
        stored = conn.scalar(select(ApiToken.token_sha256))
    assert stored is not None and token not in stored and len(stored) == 64
    found = user_for_token(engine, token)
    assert found is not None and found.id == user.id
    assert user_for_token(engine, token + "x") is None
    [info] = list_tokens(engine, "amal")
    revoke_token(engine, info.id)
    assert user_for_token(engine, token) is None
    with pytest.raises(UserError):
        revoke_token(engine, info.id)


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(user_app, name="user")
    return app


def test_cli_user_commands(db_url: str, engine: Engine) -> None:
    runner = CliRunner()
    db = ["--db", db_url]
    added = runner.invoke(
        cli(), ["user", "add", "amal", "--role", "viewer", *db], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    assert runner.invoke(cli(), ["user", "role", "amal", "analyst", *db]).exit_code == 0
    token_run = runner.invoke(cli(), ["user", "token", "amal", "--name", "ci", *db])
    assert token_run.exit_code == 0
    token = token_run.output.split()[0]
    found = user_for_token(engine, token)
    assert found is not None and found.role == "analyst"
    assert runner.invoke(cli(), ["user", "disable", "amal", *db]).exit_code == 0
    assert user_for_token(engine, token) is None
    listed = runner.invoke(cli(), ["user", "list", *db])
    assert "amal" in listed.output and "disabled" in listed.output
    bad = runner.invoke(cli(), ["user", "role", "amal", "emperor", *db])
    assert bad.exit_code == 1 and "unknown role" in bad.output


def test_docs_matrix_matches_permissions() -> None:
    text = (Path(__file__).parents[2] / "docs" / "permissions.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == len(ROLES) + 1 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = {
                r for r, c in zip(ROLES, cells[1:], strict=True) if c == "✓"
            }
    assert rows == {p: set(roles) for p, roles in PERMISSIONS.items()}


@pytest.mark.parametrize("weak", ["1234567890", " " * 10, "password12345", "amal-amal-amal"])
def test_password_policy_refuses_short_common_and_guessable_passwords(
    engine: Engine, weak: str
) -> None:
    with pytest.raises(WeakPassword) as refused:
        add_user(engine, "amal", weak, "viewer")
    assert refused.value.key in ("password.too_short", "password.too_weak")
    with pytest.raises(WeakPassword, match="at least 10"):
        check_password("Zq8#vR2", "amal")
    check_password("seven amber kettles hum", "amal")


def test_change_password_needs_the_current_one_and_ends_sessions(engine: Engine) -> None:
    user = add_user(engine, "amal", PASSWORD, "viewer")
    token = start_session(engine, user.id, "10.0.0.1", dt.timedelta(hours=1))
    with pytest.raises(WeakPassword, match="current password"):
        change_password(engine, "amal", "not it at all", "seven amber kettles hum")
    with pytest.raises(WeakPassword):
        change_password(engine, "amal", PASSWORD, "1234567890")
    assert session_user(engine, token, dt.timedelta(hours=1)) is not None
    change_password(engine, "amal", PASSWORD, "seven amber kettles hum")
    assert session_user(engine, token, dt.timedelta(hours=1)) is None
    assert authenticate(engine, "amal", "seven amber kettles hum", "x").id == user.id


def test_reset_links_work_once_and_expire(engine: Engine) -> None:
    add_user(engine, "amal", PASSWORD, "viewer")
    old = create_reset(engine, "amal", "boss")
    token = create_reset(engine, "amal", "boss")
    assert reset_user(engine, old) is None, "a newer link replaces the older"
    found = reset_user(engine, token)
    assert found is not None and found.username == "amal"
    reset_password(engine, token, "seven amber kettles hum")
    with pytest.raises(UserError, match="used or has expired"):
        reset_password(engine, token, "another fine sentence here")
    stale = create_reset(engine, "amal", "boss", valid=dt.timedelta(seconds=-1))
    assert reset_user(engine, stale) is None


def test_the_last_enabled_admin_is_kept(engine: Engine) -> None:
    add_user(engine, "lead", PASSWORD, "admin")
    with pytest.raises(UserError, match="last enabled admin"):
        set_role(engine, "lead", "viewer")
    with pytest.raises(UserError, match="last enabled admin"):
        disable_user(engine, "lead")
    add_user(engine, "second", PASSWORD, "admin")
    assert set_role(engine, "lead", "viewer").role == "viewer"
    with pytest.raises(UserError, match="last enabled admin"):
        disable_user(engine, "second")


def test_cli_reads_passwords_from_stdin_never_from_the_command_line(
    db_url: str, engine: Engine
) -> None:
    runner = CliRunner()
    db = ["--db", db_url]
    on_line = runner.invoke(
        cli(), ["user", "add", "amal", "--role", "viewer", "--password", PASSWORD, *db]
    )
    assert on_line.exit_code == 2
    weak = runner.invoke(
        cli(),
        ["user", "add", "amal", "--role", "viewer", "--password-stdin", *db],
        input="1234567890\n",
    )
    assert weak.exit_code == 1 and "easy to guess" in weak.output
    added = runner.invoke(
        cli(),
        ["user", "add", "amal", "--role", "viewer", "--password-stdin", *db],
        input=f"{PASSWORD}\n",
    )
    assert added.exit_code == 0, added.output
    assert authenticate(engine, "amal", PASSWORD, "x").username == "amal"


def test_cli_resets_unlocks_and_logs_out(db_url: str, engine: Engine) -> None:
    runner = CliRunner()
    db = ["--db", db_url]
    user = add_user(engine, "amal", PASSWORD, "viewer")
    for _ in range(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 1):
        with pytest.raises(LoginRefused):
            authenticate(engine, "amal", "wrong password!", "10.0.0.9")
    assert "locked out until" in runner.invoke(cli(), ["user", "list", *db]).output
    unlocked = runner.invoke(cli(), ["user", "unlock", "amal", "--by", "boss", *db])
    assert unlocked.exit_code == 0 and "5 failed logins forgotten" in unlocked.output
    assert authenticate(engine, "amal", PASSWORD, "10.0.0.9").id == user.id
    reset = runner.invoke(
        cli(), ["user", "reset", "amal", "--base-url", "https://marsad.example.org", *db]
    )
    assert reset.exit_code == 0 and reset.output.startswith("https://marsad.example.org/reset/")
    token = start_session(engine, user.id, "10.0.0.1", dt.timedelta(hours=1))
    logged_out = runner.invoke(cli(), ["user", "logout", "amal", *db])
    assert logged_out.exit_code == 0 and "1 sessions ended" in logged_out.output
    assert session_user(engine, token, dt.timedelta(hours=1)) is None


def test_ended_sessions_are_deleted_a_day_later(engine: Engine) -> None:
    user = add_user(engine, "amal", PASSWORD, "viewer")
    old = start_session(engine, user.id, "10.0.0.1", dt.timedelta(hours=1))
    with engine.begin() as conn:
        conn.execute(update(WebSession).values(expires_at=utcnow() - dt.timedelta(days=2)))
    start_session(engine, user.id, "10.0.0.1", dt.timedelta(hours=1))
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(WebSession)) == 1
    assert session_user(engine, old, dt.timedelta(hours=1)) is None
