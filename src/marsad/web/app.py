"""The web application: pages and the JSON API over one store.

`create_app(db_url, settings)` builds it for one store (the store must exist: `marsad serve`
creates or upgrades it once before starting workers). Everything it serves comes from the
package: no CDN, so it works offline. FastAPI's interactive docs pages are off because they
load scripts from a CDN; the OpenAPI document itself is at /openapi.json.

Middleware, outermost first: the client's address from a trusted proxy's headers (uvicorn's
ProxyHeadersMiddleware, with `--forwarded-allow-ips`), security headers on every response,
the signed cookie, then CSRF, so no route can forget any of them.
"""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, RedirectResponse, Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from marsad import __version__
from marsad.errors import MarsadError, NotFound, PermissionDenied, StoreError, TooManyJobs
from marsad.store.db import make_engine, resolve_url
from marsad.web import api, api_changes, api_jobs, pages
from marsad.web.auth import LoginRequired, PageForbidden
from marsad.web.csrf import CSRFMiddleware
from marsad.web.headers import SecurityHeadersMiddleware
from marsad.web.rendering import HERE, render
from marsad.web.session import SESSION_COOKIE, session_key
from marsad.web.settings import WebSettings

ROUTERS = (*pages.ROUTERS, api.router, api_jobs.router, api_changes.router)
"""Every router of the app; a new group of pages or API routes is added here."""
BUG = "this is a bug in Marsad; please report it with the time ({moment}) and what you asked"
log = logging.getLogger(__name__)


def create_app(db_url: str, settings: WebSettings | None = None) -> FastAPI:
    """The app for the store at `db_url`, configured by `settings` (defaults: one laptop)."""
    settings = settings or WebSettings()
    engine = make_engine(db_url)
    app = FastAPI(
        title="Marsad",
        version=__version__,
        description="Casualty records, persons and estimates. Authenticate with a bearer token.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(engine),
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.session_lifetime.total_seconds()),
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(SecurityHeadersMiddleware, https_only=settings.https_only)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    def to_login(request: Request, error: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(error.next_path)}", status_code=303)

    @app.exception_handler(PageForbidden)
    def forbidden(request: Request, error: PageForbidden) -> Response:
        return render(request, "error.html", {"message": "error.forbidden"}, status_code=403)

    @app.exception_handler(MarsadError)
    def refused(request: Request, error: MarsadError) -> Response:
        """A request the services refused: the API says why, a page says it in words."""
        status, key = refusal(error)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(error)}, status_code=status)
        return render(request, "error.html", {"message": key}, status_code=status)

    @app.exception_handler(Exception)
    def bug(request: Request, error: Exception) -> Response:
        """Anything else is a bug: logged with its traceback, shown as one, never in detail."""
        moment = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
        log.error("bug at %s %s (%s)", request.method, request.url.path, moment, exc_info=error)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": BUG.format(moment=moment)}, status_code=500)
        return render(
            request, "error.html", {"message": "error.bug", "params": {"moment": moment}}, 500
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        """The API answers 422 with the details (as documented); a page says it in words."""
        if request.url.path.startswith("/api/"):
            return await request_validation_exception_handler(request, error)
        return render(request, "error.html", {"message": "error.bad_request"}, status_code=400)

    return app


def refusal(error: MarsadError) -> tuple[int, str]:
    """The HTTP status and the catalogue's words for a refused request."""
    if isinstance(error, NotFound):
        return 404, "error.not_found"
    if isinstance(error, PermissionDenied):
        return 403, "error.forbidden"
    if isinstance(error, StoreError):
        return 503, "error.store"
    if isinstance(error, TooManyJobs):
        return 429, "op.busy"
    return 400, "error.bad_request"


def app_from_environment() -> FastAPI:
    """The factory `marsad serve` gives uvicorn: each worker opens the store in MARSAD_DB,
    with the settings `serve` put in MARSAD_* variables."""
    return create_app(resolve_url(None), WebSettings.from_environment())
