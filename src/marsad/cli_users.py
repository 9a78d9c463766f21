"""`marsad user …` (accounts and API tokens) and `marsad serve` (the web app)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
import uvicorn
from rich.table import Table

from marsad.cli_common import DbOption, console, fail, store, user_errors
from marsad.services.logins import locked_accounts, unlock_user
from marsad.services.sessions import log_out_user
from marsad.services.users import (
    ROLES,
    UserInfo,
    add_user,
    create_reset,
    create_token,
    disable_user,
    list_tokens,
    list_users,
    revoke_token,
    set_role,
)
from marsad.store.db import describe, resolve_url
from marsad.web import settings as web
from marsad.web.access_log import log_config

user_app = typer.Typer(help="Team accounts: add, change role, disable; API tokens.")

ActorOption = Annotated[str, typer.Option("--by", help="Who makes the change, for the audit log.")]


def _line(user: UserInfo) -> str:
    state = "disabled" if user.disabled else "active"
    return f"{user.username}: {user.role}, {user.language}, {state}"


def _read_password(from_stdin: bool) -> str:
    """The new password from standard input (one line, for scripts), or asked twice with the
    typing hidden: never from the command line, where it would stay in the shell's history."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            fail("--password-stdin: nothing on standard input")
        return line.rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    language: Annotated[str, typer.Option(help="Interface language: ar or en.")] = "ar",
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Create an account; the password is asked for (or read with --password-stdin), must
    not be easy to guess, and is stored only as its Argon2 hash."""
    engine = store(db)
    password = _read_password(password_stdin)
    with user_errors():
        user = add_user(engine, username, password, role, language, actor=by)
    console.print(f"added {_line(user)}")


@user_app.command("reset")
def user_reset(
    username: Annotated[str, typer.Argument(help="Login name.")],
    base_url: Annotated[
        str | None,
        typer.Option(envvar=web.ENV_BASE_URL, help="Where users reach the web app."),
    ] = None,
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Print a one-time link (valid 24 hours) for the user to set a new password."""
    engine = store(db)
    with user_errors():
        link = web.WebSettings(base_url=base_url).link(
            f"/reset/{create_reset(engine, username, by)}"
        )
    console.print(link, highlight=False, soft_wrap=True)
    if not base_url:
        console.print("open it on the server's address (set --base-url to print it whole)")


@user_app.command("unlock")
def user_unlock(
    username: Annotated[str, typer.Argument(help="Login name.")],
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Lift a lock-out: forget the user's failed logins from every client."""
    with user_errors():
        forgotten = unlock_user(store(db), username, by)
    console.print(f"{username}: {forgotten} failed logins forgotten")


@user_app.command("logout")
def user_logout(
    username: Annotated[str, typer.Argument(help="Login name.")],
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """End every browser session of the user (a lost laptop, a shared computer)."""
    with user_errors():
        ended = log_out_user(store(db), username, by)
    console.print(f"{username}: {ended} sessions ended")


@user_app.command("role")
def user_role(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}.")],
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Change a user's role."""
    engine = store(db)
    with user_errors():
        user = set_role(engine, username, role, actor=by)
    console.print(_line(user))


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="Login name.")],
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Refuse the user's logins, sessions and tokens from now on (the account is kept)."""
    engine = store(db)
    with user_errors():
        user = disable_user(engine, username, actor=by)
    console.print(_line(user))


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """Every account with its role, language and state."""
    table = Table(title="users", title_justify="left")
    for column in ("username", "role", "language", "state", "last login"):
        table.add_column(column)
    engine = store(db)
    locked = locked_accounts(engine)
    for user in list_users(engine):
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "-"
        state = "disabled" if user.disabled else "active"
        if user.username in locked:
            state += f", locked out until {locked[user.username]:%H:%M} UTC"
        table.add_row(user.username, user.role, user.language, state, last)
    console.print(table)


@user_app.command("token")
def user_token(
    username: Annotated[str, typer.Argument(help="Login name.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "script",
    revoke: Annotated[
        int | None, typer.Option(help="Revoke the token with this id instead.")
    ] = None,
    show: Annotated[bool, typer.Option("--list", help="List the user's tokens.")] = False,
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Make an API token (printed once: only its SHA-256 is kept), list or revoke tokens."""
    engine = store(db)
    with user_errors():
        if show:
            for token in list_tokens(engine, username):
                state = "revoked" if token.revoked_at else "active"
                console.print(f"#{token.id} {token.name} {token.created_at:%Y-%m-%d} {state}")
            return
        if revoke is not None:
            revoke_token(engine, revoke, actor=by)
            console.print(f"token #{revoke} revoked")
            return
        token_value = create_token(engine, username, name, actor=by)
    console.print(token_value, highlight=False, soft_wrap=True)
    console.print("keep it now: it is not shown again (send it as 'Authorization: Bearer …')")


WORKER_HEALTHCHECK_SECONDS = 120
"""How long uvicorn waits for a worker to answer before it kills and replaces it. Each worker
is spawned and first imports `marsad` (the command's own module, with every service): on a
loaded machine that takes more than uvicorn's default 5 s, and workers would be killed in a
loop before they ever serve."""


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (several need PostgreSQL).")
    ] = 1,
    base_url: Annotated[
        str | None,
        typer.Option(
            envvar=web.ENV_BASE_URL,
            help="Where users reach the app, e.g. https://marsad.example.org (links in "
            "password resets; https marks cookies Secure).",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            envvar=web.ENV_FORWARDED_ALLOW_IPS,
            help="Proxies whose X-Forwarded-For / -Proto are believed (as uvicorn: addresses "
            "or networks, comma-separated).",
        ),
    ] = "127.0.0.1",
    session_hours: Annotated[
        float, typer.Option(min=0.1, help="A login lasts at most this long.")
    ] = web.DEFAULT_SESSION.total_seconds() / 3600,
    idle_minutes: Annotated[
        float, typer.Option(min=1, help="A session unused this long ends.")
    ] = web.DEFAULT_IDLE.total_seconds() / 60,
    min_cell: Annotated[
        int, typer.Option(min=1, help="Counts below this are withheld from roles without names.")
    ] = web.DEFAULT_MIN_CELL,
    upload_mb: Annotated[
        int, typer.Option(min=1, help="Largest upload, as what the file unpacks to (MB).")
    ] = 64,
    db: DbOption = None,
) -> None:
    """Run the web app (pages and JSON API) on this store."""
    url = resolve_url(db)
    environment = {
        web.ENV_FORWARDED_ALLOW_IPS: forwarded_allow_ips,
        web.ENV_SESSION_HOURS: str(session_hours),
        web.ENV_IDLE_MINUTES: str(idle_minutes),
        web.ENV_MIN_CELL: str(min_cell),
        web.ENV_UPLOAD_MB: str(upload_mb),
    }
    if base_url:
        environment[web.ENV_BASE_URL] = base_url
    try:
        web.WebSettings.from_environment({**os.environ, **environment})
    except web.SettingsError as error:
        fail(str(error))
    store(url)
    os.environ["MARSAD_DB"] = url
    os.environ.update(environment)
    console.print(f"serving {describe(url)} on http://{host}:{port}/")
    uvicorn.run(
        "marsad.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_config=log_config(),
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
