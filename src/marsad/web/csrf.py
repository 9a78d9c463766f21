"""CSRF protection for every unsafe request that a browser's cookie authenticates.

A pure ASGI middleware, so no route can forget it: a POST, PUT, PATCH or DELETE must carry the
session's token, in the form field `csrf_token` or the `X-CSRF-Token` header, or it is refused
with 403 before any route runs. Requests sending an `Authorization` header are exempt: a
browser never adds that header on its own, so they carry no ambient credential. They are
passed on with an empty session, so nothing behind this middleware can authenticate them by
the cookie: the token alone decides (an invalid one is anonymous).
"""

from __future__ import annotations

import hmac
import secrets
import tempfile
from collections.abc import MutableMapping
from typing import IO, Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
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


MAX_BODY = 256 * 1024 * 1024
"""Larger requests are refused (413): no form of Marsad's needs more (uploads stop at 200 MB)."""
CHUNK = 64 * 1024


class _TooLarge(Exception):
    pass


def _replay(body: IO[bytes]) -> Receive:
    """The spooled body as ASGI messages, chunk by chunk, from the start."""
    body.seek(0)

    async def receive() -> Message:
        chunk = body.read(CHUNK)
        if not chunk:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    return receive


async def _spool_body(receive: Receive) -> IO[bytes]:
    """The request body in a spooled file: in memory up to 1 MB, on disk beyond, so an upload
    never sits whole in memory while its token is checked."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            spool.close()
            raise _TooLarge
        spool.write(chunk)
        if not message.get("more_body", False):
            return spool


async def _form_token(scope: Scope, body: IO[bytes]) -> str | None:
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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "authorization" in headers:
            await self.app({**scope, "session": {}}, receive, send)
            return
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get(CSRF_FIELD)
        given = headers.get(CSRF_HEADER)
        if given is not None:
            if not _same(expected, given):
                await _refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        try:
            body = await _spool_body(receive)
        except _TooLarge:
            response = PlainTextResponse("request too large", status_code=413)
            await response(scope, receive, send)
            return
        with body:
            if not _same(expected, await _form_token(scope, body)):
                await _refuse(scope, receive, send)
                return
            await self.app(scope, _replay(body), send)


def _same(expected: object, given: str | None) -> bool:
    return (
        isinstance(expected, str)
        and bool(given)
        and hmac.compare_digest(expected.encode(), (given or "").encode())
    )


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    """403: in words for a page, as the API's documented problem document under /api/."""
    response: Response = PlainTextResponse(REFUSED, status_code=403)
    if str(scope.get("path", "")).startswith("/api/"):
        response = JSONResponse({"detail": REFUSED}, status_code=403)
    await response(scope, receive, send)


REFUSED = "CSRF token missing or wrong"
