"""The web application: pages and the JSON API over one store.

`create_app(db_url)` builds it for one store (the store must exist: `marsad serve` creates or
upgrades it once before starting workers). Everything it serves comes from the package: no
CDN, so it works offline. FastAPI's interactive docs pages are off because they load scripts
from a CDN; the OpenAPI document itself is at /openapi.json.
"""

from __future__ import annotations

import os
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import RedirectResponse, Response

from marsad import __version__
from marsad.store.db import make_engine, resolve_url
from marsad.web import api, pages, pages_data, pages_persons, pages_review
from marsad.web.auth import LoginRequired, PageForbidden
from marsad.web.csrf import CSRFMiddleware
from marsad.web.rendering import HERE, render
from marsad.web.session import SESSION_COOKIE, SESSION_MAX_AGE, session_key

ROUTERS = (pages.router, pages_persons.router, pages_data.router, pages_review.router, api.router)
"""Every router of the app; a new group of pages or API routes is added here."""


def create_app(db_url: str, https_only: bool = False) -> FastAPI:
    """The app for the store at `db_url`; `https_only` marks the session cookie Secure."""
    engine = make_engine(db_url)
    app = FastAPI(
        title="Marsad",
        version=__version__,
        description="Casualty records, persons and estimates. Authenticate with a bearer token.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(engine),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=https_only,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    def to_login(request: Request, error: LoginRequired) -> Response:
        return RedirectResponse(f"/login?next={quote(error.next_path)}", status_code=303)

    @app.exception_handler(PageForbidden)
    def forbidden(request: Request, error: PageForbidden) -> Response:
        return render(request, "error.html", {"message": "error.forbidden"}, status_code=403)

    return app


def app_from_environment() -> FastAPI:
    """The factory `marsad serve` gives uvicorn: each worker opens the store in MARSAD_DB."""
    return create_app(resolve_url(None), https_only=os.environ.get("MARSAD_HTTPS") == "1")
