"""The server-rendered pages: login, users and the audit log (the dashboard, search and person
pages are in pages_persons.py, a user's own account and password resets in account.py).

Each page is a thin face over a service (the same calls as the CLI). Forms post back with the
session's CSRF token (checked by CSRFMiddleware) and answer with a redirect (303), so a reload
never repeats a change. To add a page: a route here with `RequirePage(permission)`, a template
extending base.html, an entry in rendering.NAV, and its phrases in messages.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from marsad.i18n import LANGUAGES
from marsad.services.browse import audit_page
from marsad.services.logins import TooManyAttempts, authenticate, locked_accounts, unlock_user
from marsad.services.sessions import end_session, log_out_user, start_session
from marsad.services.users import (
    ROLES,
    LoginRefused,
    UserError,
    UserInfo,
    WeakPassword,
    add_user,
    create_reset,
    disable_user,
    list_users,
    set_language,
    set_role,
)
from marsad.web.auth import (
    SESSION_TOKEN,
    RequirePage,
    client_of,
    engine_of,
    session_user,
    settings_of,
)
from marsad.web.csrf import new_csrf_token
from marsad.web.rendering import LANG_KEY, render

router = APIRouter(include_in_schema=False)

FLASH = "flash"
AUDIT_PER_PAGE = 100


def safe_next(path: str | None) -> str:
    """Only a path on this site (never //host or a full URL) may follow a login."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _flash(request: Request, key: str, **params: str) -> None:
    request.session[FLASH] = [key, params]


def take_flash(request: Request) -> tuple[str, dict[str, str]] | None:
    value = request.session.pop(FLASH, None)
    if isinstance(value, list) and len(value) == 2:
        return str(value[0]), dict(value[1])
    return None


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if session_user(request) is not None:
        return see_other(safe_next(next))
    context = {"next": safe_next(next), "error": None, "flash": take_flash(request)}
    return render(request, "login.html", context)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    engine = engine_of(request)
    try:
        user = authenticate(engine, username, password, client_of(request))
    except TooManyAttempts as refused:
        minutes = max(1, -(-int(refused.retry_after.total_seconds()) // 60))
        context = {"next": safe_next(next), "error": "login.too_many", "minutes": minutes}
        response = render(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(int(refused.retry_after.total_seconds()) + 1)
        return response
    except LoginRefused:
        context = {"next": safe_next(next), "error": "login.refused"}
        return render(request, "login.html", context, status_code=401)
    anonymous_language = request.session.get(LANG_KEY)
    if anonymous_language in LANGUAGES and anonymous_language != user.language:
        set_language(engine, user.id, anonymous_language)
    sign_in(request, user)
    return see_other(safe_next(next))


def sign_in(request: Request, user: UserInfo) -> None:
    """Replace the whole cookie (and its CSRF token) with a new session of `user` in the store;
    a session the cookie held before ends."""
    previous = request.session.get(SESSION_TOKEN)
    if isinstance(previous, str):
        end_session(engine_of(request), previous)
    token = start_session(
        engine_of(request), user.id, client_of(request), settings_of(request).session_lifetime
    )
    request.session.clear()
    request.session[SESSION_TOKEN] = token
    new_csrf_token(request.session)
    request.state.user = user


@router.post("/logout")
def logout(request: Request) -> Response:
    token = request.session.get(SESSION_TOKEN)
    if isinstance(token, str):
        end_session(engine_of(request), token)
    request.session.clear()
    return see_other("/login")


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
        "flash": take_flash(request),
        "locked": locked_accounts(engine),
        "reset": reset,
    }
    return render(request, "users.html", context, status_code=status_code)


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
    _flash(request, "users.added", username=added.username)
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
    _flash(request, "users.role_changed", username=username)
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
    change: Literal["disable", "unlock", "logout"],
    user: UserInfo = Depends(RequirePage("manage_users")),
) -> Response:
    act, done = ACCOUNT_CHANGES[change]
    try:
        act(engine_of(request), username, user.username)
    except UserError as error:
        return _users(request, str(error), status_code=400)
    _flash(request, done, username=username)
    return see_other("/admin/users")


@router.get("/admin/audit")
def audit(
    request: Request,
    page: int = Query(1, ge=1, le=1_000_000),
    user: UserInfo = Depends(RequirePage("view_audit")),
) -> Response:
    total, events = audit_page(engine_of(request), (page - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE)
    pages = max(1, math.ceil(total / AUDIT_PER_PAGE))
    return render(request, "audit.html", {"events": events, "page": page, "pages": pages})
