"""The JSON API of shelter sites (`/api/shelter/…`): sites, occupancy on a date, one site's
page data. Counts of roles without view_names are withheld under the web's min_cell, as
`/api/counts` does; included by `web.api`."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from marsad.services.counts import suppressed
from marsad.services.shelter_movements import occupancy_on
from marsad.services.shelter_sites import list_sites
from marsad.services.shelter_view import site_page
from marsad.services.users import UserInfo
from marsad.web.auth import RequireApi, engine_of, settings_of

router = APIRouter(prefix="/shelter", tags=["shelter"])


class SiteItem(BaseModel):
    site_id: str
    name: str
    name_ar: str | None
    site_type: str
    pcode: str | None
    governorate: str | None
    capacity_individuals: int | None
    opened_on: str | None
    closed_on: str | None


class OccupancyItem(BaseModel):
    """One site at the end of the day; a count withheld (null) under `min_cell` households."""

    site_id: str
    households: int | None
    individuals: int | None
    female: int | None
    male: int | None
    children: int | None


class Occupancy(BaseModel):
    date: dt.date
    min_cell: int
    sites: list[OccupancyItem]


class NeedItem(BaseModel):
    assessed_on: str
    sector: str
    severity: int
    note: str | None


class SiteDetail(BaseModel):
    site: SiteItem
    households: int | None
    individuals: int | None
    needs: list[NeedItem]


def _min_cell(request: Request, user: UserInfo) -> int:
    return 1 if user.can("view_names") else settings_of(request).min_cell


@router.get("/sites", response_model=list[SiteItem])
def sites(
    request: Request, user: UserInfo = Depends(RequireApi("view_dashboard"))
) -> list[SiteItem]:
    """Every shelter site (as `marsad sites list`)."""
    with engine_of(request).connect() as conn:
        found = list_sites(conn)
    return [SiteItem.model_validate(s.as_dict()) for s in found]


@router.get("/occupancy", response_model=Occupancy)
def occupancy(
    request: Request,
    date: dt.date = Query(description="The day (YYYY-MM-DD): its end is read."),
    user: UserInfo = Depends(RequireApi("view_dashboard")),
) -> Occupancy:
    """Every site at the end of `date` (as `marsad sites occupancy --json`)."""
    min_cell = _min_cell(request, user)
    with engine_of(request).connect() as conn:
        rows = occupancy_on(conn, date)
    items = []
    for r in rows:
        shown = suppressed(r.households, min_cell) is not None
        items.append(
            OccupancyItem(
                site_id=r.site_id,
                **{k: (v if shown else None) for k, v in r.as_dict().items() if k != "site_id"},
            )
        )
    return Occupancy(date=date, min_cell=min_cell, sites=items)


@router.get(
    "/sites/{site_id}", response_model=SiteDetail, responses={404: {"description": "No such site."}}
)
def site(
    request: Request,
    site_id: str,
    date: dt.date | None = Query(None, description="The day read (default: today)."),
    user: UserInfo = Depends(RequireApi("view_dashboard")),
) -> SiteDetail:
    """One site, its occupancy at the end of `date`, and its needs assessments."""
    with engine_of(request).connect() as conn:
        page = site_page(conn, site_id, date or dt.date.today())
    shown = suppressed(page.households, _min_cell(request, user)) is not None
    return SiteDetail(
        site=SiteItem.model_validate(page.site.as_dict()),
        households=page.households if shown else None,
        individuals=page.individuals if shown else None,
        needs=[
            NeedItem(assessed_on=a.assessed_on, sector=a.sector, severity=a.severity, note=a.note)
            for a in page.needs
        ],
    )
