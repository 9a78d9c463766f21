"""`marsad user …`: team accounts, their roles and API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from marsad.cli.common import DbOption, command_group, console, fail, store
from marsad.services.logins import locked_accounts, unlock_user
from marsad.services.sessions import log_out_user
from marsad.services.users import (
    ROLES,
    UserInfo,
    add_user,
    create_reset,
    create_token,
    disable_user,
    enable_user,
    list_tokens,
    list_users,
    revoke_token,
    set_role,
)
from marsad.web import settings as web

user_app = command_group(help="Team accounts: add, change role, disable; API tokens.")

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
    link = web.WebSettings(base_url=base_url).link(f"/reset/{create_reset(engine, username, by)}")
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
    forgotten = unlock_user(store(db), username, by)
    console.print(f"{username}: {forgotten} failed logins forgotten")


@user_app.command("logout")
def user_logout(
    username: Annotated[str, typer.Argument(help="Login name.")],
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """End every browser session of the user (a lost laptop, a shared computer)."""
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
    user = disable_user(engine, username, actor=by)
    console.print(_line(user))


@user_app.command("enable")
def user_enable(
    username: Annotated[str, typer.Argument(help="Login name.")],
    by: ActorOption = "cli",
    db: DbOption = None,
) -> None:
    """Let a disabled user log in again (old sessions and tokens stay revoked)."""
    console.print(_line(enable_user(store(db), username, actor=by)))


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
