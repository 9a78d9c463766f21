"""The server-rendered pages: login, users and the audit log (the dashboard, search and person
pages are in pages_persons.py).

Each page is a thin face over a service (the same calls as the CLI). Forms post back with the
session's CSRF token (checked by CSRFMiddleware) and answer with a redirect (303), so a reload
never repeats a change. To add a page: a route here with `RequirePage(permission)`, a template
extending base.html, an entry in rendering.NAV, and its phrases in messages.py.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from marsad.i18n import LANGUAGES
from marsad.services.browse import audit_page
from marsad.services.users import (
    ROLES,
    LoginRefused,
    TooManyAttempts,
    UserError,
    UserInfo,
    add_user,
    authenticate,
    disable_user,
    list_users,
    set_language,
    set_role,
)
from marsad.web.auth import USER_ID, RequirePage, engine_of, session_user
from marsad.web.csrf import new_csrf_token
from marsad.web.rendering import LANG_KEY, render

router = APIRouter(include_in_schema=False)

FLASH = "flash"
AUDIT_PER_PAGE = 100


def _safe_next(path: str | None) -> str:
    """Only a path on this site (never //host or a full URL) may follow a login."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


def _flash(request: Request, key: str, **params: str) -> None:
    request.session[FLASH] = [key, params]


def _take_flash(request: Request) -> tuple[str, dict[str, str]] | None:
    value = request.session.pop(FLASH, None)
    if isinstance(value, list) and len(value) == 2:
        return str(value[0]), dict(value[1])
    return None


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if session_user(request) is not None:
        return _see_other(_safe_next(next))
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = authenticate(engine_of(request), username, password, _client(request))
    except TooManyAttempts:
        context = {"next": _safe_next(next), "error": "login.too_many"}
        return render(request, "login.html", context, status_code=429)
    except LoginRefused:
        context = {"next": _safe_next(next), "error": "login.refused"}
        return render(request, "login.html", context, status_code=401)
    anonymous_language = request.session.get(LANG_KEY)
    request.session.clear()
    request.session[USER_ID] = user.id
    new_csrf_token(request.session)
    request.state.user = user
    if anonymous_language in LANGUAGES and anonymous_language != user.language:
        set_language(engine_of(request), user.id, anonymous_language)
    return _see_other(_safe_next(next))


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return _see_other("/login")


@router.get("/admin/users")
def users_page(request: Request, user: UserInfo = Depends(RequirePage("manage_users"))) -> Response:
    return _users(request)


def _users(request: Request, error: str | None = None, status_code: int = 200) -> Response:
    context = {
        "users": list_users(engine_of(request)),
        "roles": ROLES,
        "error": error,
        "flash": _take_flash(request),
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
    except UserError as error:
        return _users(request, str(error), status_code=400)
    _flash(request, "users.added", username=added.username)
    return _see_other("/admin/users")


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
    return _see_other("/admin/users")


@router.post("/admin/users/{username}/disable")
def users_disable(
    request: Request,
    username: str,
    user: UserInfo = Depends(RequirePage("manage_users")),
) -> Response:
    try:
        disable_user(engine_of(request), username, user.username)
    except UserError as error:
        return _users(request, str(error), status_code=400)
    _flash(request, "users.was_disabled", username=username)
    return _see_other("/admin/users")


@router.get("/admin/audit")
def audit(
    request: Request,
    page: int = Query(1, ge=1, le=1_000_000),
    user: UserInfo = Depends(RequirePage("view_audit")),
) -> Response:
    total, events = audit_page(engine_of(request), (page - 1) * AUDIT_PER_PAGE, AUDIT_PER_PAGE)
    pages = max(1, math.ceil(total / AUDIT_PER_PAGE))
    return render(request, "audit.html", {"events": events, "page": page, "pages": pages})
