"""The admin's pages: team accounts (add, role, reset link, disable, unlock, log out) and the
audit log. Thin faces over `services.users`, `services.logins` and `services.sessions`, the
same calls as `marsad user`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy import Engine
from starlette.responses import Response

from marsad.errors import InputError
from marsad.services.browse import AuditFilter, audit_choices, audit_page
from marsad.services.logins import locked_accounts, unlock_user
from marsad.services.search import search_day
from marsad.services.sessions import log_out_user
from marsad.services.users import (
    ROLES,
    UserError,
    UserInfo,
    WeakPassword,
    add_user,
    create_reset,
    disable_user,
    enable_user,
    list_users,
    set_role,
)
from marsad.web.auth import RequirePage, engine_of, settings_of
from marsad.web.pages.base import flash, render_page, see_other

router = APIRouter(include_in_schema=False)

AUDIT_PER_PAGE = 100


@router.get("/admin/users")
def users_page(request: Request, user: UserInfo = Depends(RequirePage("manage_users"))) -> Response:
    return _users(request)


def _users(
    request: Request,
    error: str | None = None,
    status_code: int = 200,
    reset: tuple[str, str] | None = None,
    problem: str | None = None,
) -> Response:
    """The users page; `error` is a service's message (English), `problem` a catalogue key,
    `reset` a one-time link just made (username, link), shown once."""
    engine = engine_of(request)
    context = {
        "users": list_users(engine),
        "roles": ROLES,
        "error": error,
        "problem": problem,
        "locked": locked_accounts(engine),
        "reset": reset,
    }
    return render_page(request, "users.html", context, status_code=status_code)


@router.post("/admin/users")
def users_add(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    language: Annotated[str, Form()] = "ar",
    user: UserInfo = Depends(RequirePage("manage_users")),
) -> Response:
    try:
        added = add_user(engine_of(request), username, password, role, language, user.username)
    except WeakPassword as weak:
        return _users(request, str(weak), status_code=400, problem=weak.key)
    except UserError as error:
        return _users(request, str(error), status_code=400)
    flash(request, "users.added", username=added.username)
    return see_other("/admin/users")


@router.post("/admin/users/{username}/role")
def users_role(
    request: Request,
    username: str,
    role: Annotated[str, Form()],
    user: UserInfo = Depends(RequirePage("manage_users")),
) -> Response:
    try:
        set_role(engine_of(request), username, role, user.username)
    except UserError as error:
        return _users(request, str(error), status_code=400)
    flash(request, "users.role_changed", username=username)
    return see_other("/admin/users")


@router.post("/admin/users/{username}/reset")
def users_reset(
    request: Request,
    username: str,
    user: UserInfo = Depends(RequirePage("manage_users")),
) -> Response:
    """A one-time link for the user to set a new password, shown once on this answer."""
    try:
        token = create_reset(engine_of(request), username, user.username)
    except UserError as error:
        return _users(request, str(error), status_code=400)
    link = settings_of(request).link(f"/reset/{token}")
    return _users(request, reset=(username, link))


ACCOUNT_CHANGES: dict[str, tuple[Callable[[Engine, str, str], object], str]] = {
    "disable": (disable_user, "users.was_disabled"),
    "enable": (enable_user, "users.was_enabled"),
    "unlock": (unlock_user, "users.unlocked"),
    "logout": (log_out_user, "users.logged_out"),
}
"""The users page's buttons: the service each calls (engine, username, actor) and its notice.
Disabling is refused for the last admin; unlocking forgets the failed logins; logout ends
every session of the user (e.g. a lost laptop)."""


@router.post("/admin/users/{username}/{change}")
def users_change(
    request: Request,
    username: str,
    change: Literal["disable", "enable", "unlock", "logout"],
    user: UserInfo = Depends(RequirePage("manage_users")),
) -> Response:
    act, done = ACCOUNT_CHANGES[change]
    try:
        act(engine_of(request), username, user.username)
    except UserError as error:
        return _users(request, str(error), status_code=400)
    flash(request, done, username=username)
    return see_other("/admin/users")


@router.get("/admin/audit")
def audit(
    request: Request,
    number: int = Query(1, ge=1, le=1_000_000, alias="page"),
    actor: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    user: UserInfo = Depends(RequirePage("view_audit")),
) -> Response:
    """The audit log, newest first, filtered by who, which action and which days (UTC)."""
    engine = engine_of(request)
    actors, actions = audit_choices(engine)
    form = {"actor": actor, "action": action, "since": since, "until": until}
    try:
        where = AuditFilter(
            actor or None, (action,) if action else (), search_day(since), search_day(until)
        )
    except InputError:
        context = {"events": [], "page": 1, "pages": 1, "form": form, "error": "search.bad_date"}
        context |= {"actors": actors, "actions": actions}
        return render_page(request, "audit.html", context, status_code=400)
    total, events = audit_page(engine, (number - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE, where=where)
    pages = max(1, math.ceil(total / AUDIT_PER_PAGE))
    context = {"events": events, "page": number, "pages": pages, "form": form, "error": None}
    context |= {"actors": actors, "actions": actions, "total": total}
    return render_page(request, "audit.html", context)
