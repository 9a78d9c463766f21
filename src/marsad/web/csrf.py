"""CSRF protection for every unsafe request that a browser's cookie authenticates.

A pure ASGI middleware, so no route can forget it: a POST, PUT, PATCH or DELETE must carry the
session's token, in the form field `csrf_token` or the `X-CSRF-Token` header, or it is refused
with 403 before any route runs. Requests sending `Authorization: Bearer …` are exempt: a
browser never adds that header on its own, so they carry no ambient credential (and the API
then authenticates by the token alone, never by the cookie).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import MutableMapping
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def new_csrf_token(session: MutableMapping[str, Any]) -> str:
    """A fresh token, e.g. after login, so a token seen before login is worth nothing."""
    session.pop(CSRF_FIELD, None)
    return csrf_token(session)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _form_token(scope: Scope, body: bytes) -> str | None:
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(FORM_TYPES):
        return None
    request = Request(scope, _replay(body))
    async with request.form() as form:
        value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


class CSRFMiddleware:
    """Must sit inside SessionMiddleware, which puts the session in the scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("authorization", "").lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        expected = scope.get("session", {}).get(CSRF_FIELD)
        given = headers.get(CSRF_HEADER) or await _form_token(scope, body)
        if not (
            isinstance(expected, str)
            and given
            and hmac.compare_digest(expected.encode(), given.encode())
        ):
            response = PlainTextResponse("CSRF token missing or wrong", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, _replay(body), send)
