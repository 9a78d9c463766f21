"""What every page module shares: rendering with the flash message, redirects after a form,
and reading a posted form.

A form posts back (with the session's CSRF token, checked by CSRFMiddleware) and is answered
with a redirect (303), so a reload never repeats a change; what the change did is said once on
the next page shown, by a flash message kept in the session cookie (`flash`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from marsad.web.rendering import render

FLASH = "flash"


def flash(request: Request, key: str, **params: str) -> None:
    """Say `key` (a catalogue phrase, with `params`) on the next page this session is shown."""
    request.session[FLASH] = [key, params]


def take_flash(request: Request) -> tuple[str, dict[str, str]] | None:
    """The flash message waiting for this session, forgotten once taken."""
    value = request.session.pop(FLASH, None)
    if isinstance(value, list) and len(value) == 2:
        return str(value[0]), dict(value[1])
    return None


def render_page(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """A page, with the flash message waiting for it (templates show it by flash.html)."""
    return render(request, template, {"flash": take_flash(request), **(context or {})}, status_code)


def see_other(path: str) -> RedirectResponse:
    """The answer to a form: go to `path` (303, so a reload does not post again)."""
    return RedirectResponse(path, status_code=303)


def safe_next(path: str | None) -> str:
    """Only a path on this site (never //host or a full URL) may follow a login."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


async def form_fields(request: Request) -> dict[str, str]:
    """Every text field of a posted form, for forms whose fields depend on the row."""
    async with request.form() as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}
