"""`marsad serve`: the web application (pages and JSON API) on one store."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from marsad.cli.common import DbOption, console, store
from marsad.store.db import describe, resolve_url
from marsad.web import settings as web
from marsad.web.access_log import log_config


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (several need PostgreSQL).")
    ] = 1,
    base_url: Annotated[
        str | None,
        typer.Option(
            envvar=web.ENV_BASE_URL,
            help="Where users reach the app, e.g. https://marsad.example.org (links in "
            "password resets; https marks cookies Secure).",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            envvar=web.ENV_FORWARDED_ALLOW_IPS,
            help="Proxies whose X-Forwarded-For / -Proto are believed (as uvicorn: addresses "
            "or networks, comma-separated).",
        ),
    ] = "127.0.0.1",
    session_hours: Annotated[
        float, typer.Option(min=0.1, help="A login lasts at most this long.")
    ] = web.DEFAULT_SESSION.total_seconds() / 3600,
    idle_minutes: Annotated[
        float, typer.Option(min=1, help="A session unused this long ends.")
    ] = web.DEFAULT_IDLE.total_seconds() / 60,
    min_cell: Annotated[
        int, typer.Option(min=1, help="Counts below this are withheld from roles without names.")
    ] = web.DEFAULT_MIN_CELL,
    upload_mb: Annotated[
        int, typer.Option(min=1, help="Largest upload, as what the file unpacks to (MB).")
    ] = 64,
    max_jobs: Annotated[
        int,
        typer.Option(min=0, help="Operations (link, estimate…) running or waiting per worker."),
    ] = web.DEFAULT_MAX_JOBS,
    db: DbOption = None,
) -> None:
    """Run the web app (pages and JSON API) on this store."""
    url = resolve_url(db)
    environment = {
        web.ENV_FORWARDED_ALLOW_IPS: forwarded_allow_ips,
        web.ENV_SESSION_HOURS: str(session_hours),
        web.ENV_IDLE_MINUTES: str(idle_minutes),
        web.ENV_MIN_CELL: str(min_cell),
        web.ENV_UPLOAD_MB: str(upload_mb),
        web.ENV_MAX_JOBS: str(max_jobs),
    }
    if base_url:
        environment[web.ENV_BASE_URL] = base_url
    web.WebSettings.from_environment({**os.environ, **environment})
    store(url)
    os.environ["MARSAD_DB"] = url
    os.environ.update(environment)
    console.print(f"serving {describe(url)} on http://{host}:{port}/")
    uvicorn.run(
        "marsad.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_config=log_config(),
    )
