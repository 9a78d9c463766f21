"""Shelter pages: the sites with their occupancy on a day, a site's page (occupancy over time,
the ages and sexes registered there, arrivals and departures by week, needs; no map), adding
and editing a site, and a household's page. Thin faces over the same services as
`marsad sites` and `marsad shelter`; a household's names are shown to view_names only, and
each such view is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from marsad.errors import InputError
from marsad.i18n import text
from marsad.publish.charts.occupancy import occupancy_chart
from marsad.publish.charts.pyramid import age_sex_pyramid
from marsad.publish.charts.weeks import week_chart
from marsad.services.audit import record_names_read
from marsad.services.counts import suppressed
from marsad.services.shelter_movements import occupancy_on
from marsad.services.shelter_sites import get_site, list_sites, save_site
from marsad.services.shelter_view import household_page, site_page
from marsad.services.users import UserInfo
from marsad.shelter.needs import SECTORS
from marsad.shelter.sites import SITE_COLUMNS, SITE_TYPES
from marsad.web.auth import RequirePage, engine_of, session_user, settings_of
from marsad.web.pages.base import flash, form_fields, render_page, see_other
from marsad.web.rendering import choose_language

router = APIRouter(include_in_schema=False)


def _day(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _lang(request: Request) -> str:
    return choose_language(request, session_user(request))


@router.get("/shelter")
def sites_page(
    request: Request,
    date: str | None = Query(None, max_length=10),
    user: UserInfo = Depends(RequirePage("view_dashboard")),
) -> Response:
    day = _day(date)
    min_cell = 1 if user.can("view_names") else settings_of(request).min_cell
    with engine_of(request).connect() as conn:
        sites = list_sites(conn)
        occupancy = {o.site_id: o for o in occupancy_on(conn, day)}
    shown = {
        s.site_id: suppressed(occupancy[s.site_id].households, min_cell) is not None for s in sites
    }
    context = {
        "sites": sites,
        "occupancy": occupancy,
        "shown": shown,
        "day": day.isoformat(),
        "may_edit": user.can("ingest"),
    }
    return render_page(request, "shelter_sites.html", context)


def _site_form(
    request: Request, values: dict[str, Any], error: str | None = None, editing: bool = False
) -> Response:
    context = {
        "values": values,
        "columns": SITE_COLUMNS,
        "site_types": SITE_TYPES,
        "error": error,
        "editing": editing,
    }
    return render_page(request, "shelter_site_form.html", context, 400 if error else 200)


@router.get("/shelter/sites/new")
def site_new(request: Request, user: UserInfo = Depends(RequirePage("ingest"))) -> Response:
    return _site_form(request, {})


@router.get("/shelter/sites/{site_id}/edit")
def site_edit(
    request: Request, site_id: str, user: UserInfo = Depends(RequirePage("ingest"))
) -> Response:
    with engine_of(request).connect() as conn:
        site = get_site(conn, site_id)
    values = {k: "" if v is None else str(v) for k, v in site.as_dict().items()}
    return _site_form(request, values, editing=True)


@router.post("/shelter/sites")
async def site_save(request: Request, user: UserInfo = Depends(RequirePage("ingest"))) -> Response:
    fields = await form_fields(request)
    values = {c: fields.get(c, "") for c in SITE_COLUMNS}
    try:
        site = save_site(engine_of(request), values, user.username)
    except InputError as error:
        return _site_form(request, values, str(error), editing=bool(fields.get("editing")))
    flash(request, "shelter.site_saved", site=site.site_id)
    return see_other(f"/shelter/sites/{site.site_id}")


@router.get("/shelter/sites/{site_id}")
def site_view(
    request: Request,
    site_id: str,
    date: str | None = Query(None, max_length=10),
    user: UserInfo = Depends(RequirePage("view_dashboard")),
) -> Response:
    day = _day(date)
    lang = _lang(request)
    with engine_of(request).connect() as conn:
        page = site_page(conn, site_id, day)
    min_cell = 1 if user.can("view_names") else settings_of(request).min_cell
    shown = suppressed(page.households, min_cell) is not None
    charts = {}
    if shown and page.days:
        charts["occupancy"] = occupancy_chart(
            page.days, title=text("shelter.occupancy_over_time", lang), lang=lang
        )
        if page.pyramid:
            charts["pyramid"] = age_sex_pyramid(
                page.pyramid, title=text("shelter.registered_by_age", lang), lang=lang
            )
        if page.arrivals:
            charts["arrivals"] = week_chart(
                page.arrivals, title=text("shelter.arrivals_by_week", lang), lang=lang
            )
        if page.departures:
            charts["departures"] = week_chart(
                page.departures, title=text("shelter.departures_by_week", lang), lang=lang
            )
    context = {
        "page": page,
        "site": page.site.fields,
        "shown": shown,
        "charts": charts,
        "day": day.isoformat(),
        "sectors": SECTORS,
        "may_edit": user.can("ingest"),
    }
    return render_page(request, "shelter_site.html", context)


@router.get("/shelter/households/{household_id}")
def household_view(
    request: Request, household_id: str, user: UserInfo = Depends(RequirePage("view_names"))
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        page = household_page(conn, household_id)
    record_names_read(engine, user.username, "/shelter/households", len(page.members), "web")
    return render_page(request, "shelter_household.html", {"page": page})
