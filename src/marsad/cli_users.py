"""`marsad user …` (accounts and API tokens) and `marsad serve` (the web app)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn
from rich.table import Table

from marsad.cli_common import DbOption, console, store, user_errors
from marsad.services.users import (
    ROLES,
    UserInfo,
    add_user,
    create_token,
    disable_user,
    list_tokens,
    list_users,
    revoke_token,
    set_role,
)
from marsad.store.db import describe, resolve_url
from marsad.web.access_log import log_config

user_app = typer.Typer(help="Team accounts: add, change role, disable; API tokens.")

ActorOption = Annotated[str, typer.Option("--by", help="Who makes the change, for the audit log.")]


def _line(user: UserInfo) -> str:
    state = "disabled" if user.disabled else "active"
    return f"{user.username}: {user.role}, {user.language}, {state}"


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="Asked if absent."
        ),
    ],
    language: Annotated[str, typer.Option(help="Interface language: ar or en.")] = "ar",
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Create an account (the password is stored only as its Argon2 hash)."""
    engine = store(db)
    with user_errors():
        user = add_user(engine, username, password, role, language, actor=by)
    console.print(f"added {_line(user)}")


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
    for user in list_users(store(db)):
        last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "-"
        state = "disabled" if user.disabled else "active"
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


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (several need PostgreSQL).")
    ] = 1,
    db: DbOption = None,
) -> None:
    """Run the web app (pages and JSON API) on this store."""
    url = resolve_url(db)
    store(url)
    os.environ["MARSAD_DB"] = url
    console.print(f"serving {describe(url)} on http://{host}:{port}/")
    uvicorn.run(
        "marsad.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_config=log_config(),
    )
