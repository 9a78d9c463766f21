"""A user's own account: change the password, log out everywhere, the interface language; and
the one-time password reset links an admin hands out.

Thin faces over `services.users` and `services.sessions`. A password change ends every
session of the user and starts a new one for the browser that made it; a reset ends them all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from marsad.i18n import LANGUAGES
from marsad.services.sessions import end_all_sessions
from marsad.services.users import (
    UserError,
    UserInfo,
    WeakPassword,
    change_password,
    create_token,
    list_tokens,
    reset_password,
    reset_user,
    revoke_own_token,
    set_language,
)
from marsad.web.auth import RequirePage, engine_of, session_user
from marsad.web.ids import PathId
from marsad.web.pages.base import flash, render_page, safe_next, see_other
from marsad.web.pages.login import sign_in
from marsad.web.rendering import LANG_KEY, render

router = APIRouter(include_in_schema=False)


def _account(
    request: Request,
    problem: str | None = None,
    detail: str = "",
    status_code: int = 200,
    new_token: str | None = None,
) -> Response:
    user = session_user(request)
    tokens = list_tokens(engine_of(request), user.username) if user is not None else []
    context = {"problem": problem, "detail": detail, "tokens": tokens, "new_token": new_token}
    return render_page(request, "account.html", context, status_code=status_code)


@router.get("/account")
def account(request: Request, user: UserInfo = Depends(RequirePage(None))) -> Response:
    return _account(request)


@router.post("/account/password")
def account_password(
    request: Request,
    current: Annotated[str, Form()],
    password: Annotated[str, Form()],
    confirm: Annotated[str, Form()],
    user: UserInfo = Depends(RequirePage(None)),
) -> Response:
    if password != confirm:
        return _account(request, "password.mismatch", status_code=400)
    try:
        change_password(engine_of(request), user.username, current, password)
    except WeakPassword as weak:
        return _account(request, weak.key, str(weak), status_code=400)
    sign_in(request, user)
    flash(request, "account.password_changed")
    return see_other("/account")


@router.post("/account/tokens")
def account_token(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    user: UserInfo = Depends(RequirePage(None)),
) -> Response:
    """A new API token for this user, shown once on this answer (only its hash is kept)."""
    token = create_token(engine_of(request), user.username, name, user.username)
    return _account(request, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def account_token_revoke(
    request: Request, token_id: PathId, user: UserInfo = Depends(RequirePage(None))
) -> Response:
    try:
        revoke_own_token(engine_of(request), user.username, token_id)
    except UserError as error:
        return _account(request, "account.token_unknown", str(error), status_code=400)
    flash(request, "account.token_revoked")
    return see_other("/account")


@router.post("/account/logout-all")
def account_logout_all(request: Request, user: UserInfo = Depends(RequirePage(None))) -> Response:
    """End every session of this user, this one too."""
    end_all_sessions(engine_of(request), user, user.username)
    request.session.clear()
    return see_other("/login")


def _reset_page(
    request: Request, token: str, problem: str | None = None, detail: str = "", status: int = 200
) -> Response:
    user = reset_user(engine_of(request), token)
    if user is None:
        return render(request, "error.html", {"message": "reset.invalid"}, status_code=404)
    context = {"token": token, "who": user.username, "problem": problem, "detail": detail}
    return render(request, "reset.html", context, status_code=status)


@router.get("/reset/{token}")
def reset_form(request: Request, token: str) -> Response:
    return _reset_page(request, token[:100])


@router.post("/reset/{token}")
def reset_submit(
    request: Request,
    token: str,
    password: Annotated[str, Form()],
    confirm: Annotated[str, Form()],
) -> Response:
    token = token[:100]
    if password != confirm:
        return _reset_page(request, token, "password.mismatch", status=400)
    try:
        reset_password(engine_of(request), token, password)
    except WeakPassword as weak:
        return _reset_page(request, token, weak.key, str(weak), status=400)
    except UserError:
        return render(request, "error.html", {"message": "reset.invalid"}, status_code=404)
    request.session.clear()
    flash(request, "reset.done")
    return see_other("/login")


@router.post("/language")
def language(
    request: Request,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Remember the interface language: the user's, or an anonymous visitor's cookie."""
    if lang in LANGUAGES:
        user = session_user(request)
        if user is None:
            request.session[LANG_KEY] = lang
        else:
            set_language(engine_of(request), user.id, lang)
    return see_other(safe_next(next))
