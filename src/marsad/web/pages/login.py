"""Logging in and out: a session kept in the store, its token in the signed cookie.

A login replaces the whole cookie (and its CSRF token); a visitor's language choice made before
logging in becomes the user's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from marsad.i18n import LANGUAGES
from marsad.services.logins import TooManyAttempts, authenticate
from marsad.services.sessions import end_session, start_session
from marsad.services.users import LoginRefused, UserInfo, set_language
from marsad.web.auth import SESSION_TOKEN, client_of, engine_of, session_user, settings_of
from marsad.web.csrf import new_csrf_token
from marsad.web.pages.base import render_page, safe_next, see_other
from marsad.web.rendering import LANG_KEY

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if session_user(request) is not None:
        return see_other(safe_next(next))
    context = {"next": safe_next(next), "error": None}
    return render_page(request, "login.html", context)


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
        response = render_page(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(int(refused.retry_after.total_seconds()) + 1)
        return response
    except LoginRefused:
        context = {"next": safe_next(next), "error": "login.refused"}
        return render_page(request, "login.html", context, status_code=401)
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
