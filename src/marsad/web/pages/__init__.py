"""The server-rendered pages, one module per group, over one base (`pages.base`: rendering with
the flash message, redirects, posted forms).

Each page is a thin face over a service (the same calls as the CLI). To add a page: a route in
its group's module with `RequirePage(permission)`, a template extending base.html, an entry in
`rendering.NAV`, and its phrases in the catalogue (`marsad.i18n`); a new group's router goes
in ROUTERS.
"""

from __future__ import annotations

from fastapi import APIRouter

from marsad.web.pages import (
    account,
    admin,
    changes,
    data,
    evidence,
    incidents,
    login,
    operations,
    persons,
    review,
    shelter,
    tracing,
)

ROUTERS: tuple[APIRouter, ...] = (
    login.router,
    account.router,
    admin.router,
    persons.router,
    data.router,
    review.router,
    evidence.router,
    shelter.router,
    operations.router,
    changes.router,
    incidents.router,
    tracing.router,
)
