"""What a site's page and a household's page show, read from the store: the site, its
occupancy day by day, people arriving and leaving by week, the ages and sexes of those
registered there, its needs; a household's members and movements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from marsad.errors import NotFound
from marsad.publish.report_data import AgeSexCount
from marsad.services.shelter_movements import occupancy_series
from marsad.services.shelter_needs import site_needs
from marsad.services.shelter_sites import Site, get_site, site_ids
from marsad.shelter.needs import Assessment
from marsad.store.shelter_tables import ShelterHousehold, ShelterMember, ShelterMovement

SHOWN_DAYS = 3 * 366
"""The site page's chart covers at most this many days up to the day shown."""
BANDS = tuple((low, low + 4) for low in range(0, 80, 5))
"""Five-year age bands, then 80 and over."""


@dataclass(frozen=True)
class SitePage:
    site: Site
    days: list[tuple[dt.date, int]]
    """Individuals at the end of each day, from the first arrival (at most SHOWN_DAYS before)
    to `until`."""
    arrivals: list[tuple[dt.date, int]]
    """(day, individuals) of each movement into the site (corrections left out)."""
    departures: list[tuple[dt.date, int]]
    pyramid: list[AgeSexCount]
    needs: list[Assessment]
    households: int
    individuals: int


@dataclass(frozen=True)
class MemberLine:
    registration_id: str
    name: str
    sex: str | None
    age: str
    relationship: str | None
    vulnerabilities: tuple[str, ...]
    site_id: str
    registered_on: str


@dataclass(frozen=True)
class MovementLine:
    movement_id: str
    date: str
    event: str
    from_site: str | None
    to_site: str | None
    individuals: int
    reverses: str | None
    reversed: bool


@dataclass(frozen=True)
class HouseholdPage:
    household_id: str
    members: list[MemberLine]
    movements: list[MovementLine]


def _band(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age >= 80:
        return "80+"
    low = age // 5 * 5
    return f"{low}-{low + 4}"


def site_page(conn: Connection, site_id: str, until: dt.date) -> SitePage:
    site = get_site(conn, site_id)
    moves = conn.execute(
        select(
            ShelterMovement.id,
            ShelterMovement.moved_on,
            ShelterMovement.from_site_id,
            ShelterMovement.to_site_id,
            ShelterMovement.individuals,
            ShelterMovement.reverses_id,
        ).where((ShelterMovement.from_site_id == site.id) | (ShelterMovement.to_site_id == site.id))
    ).all()
    cancelled = {m.reverses_id for m in moves if m.reverses_id is not None}
    arrivals, departures = [], []
    for m in moves:
        if m.reverses_id is not None or m.id in cancelled:
            continue
        day = dt.date.fromisoformat(m.moved_on)
        if m.to_site_id == site.id:
            arrivals.append((day, int(m.individuals)))
        else:
            departures.append((day, int(m.individuals)))
    first = min((d for d, _ in arrivals), default=until)
    earliest = dt.date.fromordinal(max(1, until.toordinal() - SHOWN_DAYS + 1))
    first = max(min(first, until), earliest)
    series = occupancy_series(conn, first, until)
    index = series.site_ids.index(site_id)
    days = [
        (series.first + dt.timedelta(days=i), int(series.grid.values[1, index, i]))
        for i in range(series.grid.days)
    ]
    now = series.on(until)[index]
    bands: dict[str, list[int]] = {}
    for sex, age_max, age_min, born, on in conn.execute(
        select(
            ShelterMember.sex,
            ShelterMember.age_max,
            ShelterMember.age_min,
            ShelterMember.year_of_birth,
            ShelterMember.registered_on,
        ).where(ShelterMember.site_id == site.id)
    ):
        age = age_min if age_min is not None and age_min == age_max else None
        if age is None and born is not None:
            age = int(on[:4]) - born
        counts = bands.setdefault(_band(age), [0, 0, 0])
        counts[0 if sex == "male" else 1 if sex == "female" else 2] += 1
    order = [f"{low}-{high}" for low, high in BANDS] + ["80+", "unknown"]
    pyramid = [AgeSexCount(b, *bands[b]) for b in order if b in bands]
    return SitePage(
        site,
        days,
        arrivals,
        departures,
        pyramid,
        site_needs(conn, site_id),
        now.households,
        now.individuals,
    )


def household_page(conn: Connection, household_id: str) -> HouseholdPage:
    household = conn.scalar(
        select(ShelterHousehold.id).where(ShelterHousehold.household_ref == household_id)
    )
    if household is None:
        raise NotFound(f"no household {household_id!r}")
    sites = {v: k for k, v in site_ids(conn).items()}
    members = [
        MemberLine(
            m.registration_ref,
            m.name,
            m.sex,
            "" if m.age_min is None else str(m.age_min),
            m.relationship_to_head,
            tuple(m.vulnerabilities),
            sites[m.site_id],
            m.registered_on,
        )
        for m in conn.execute(
            select(ShelterMember)
            .where(ShelterMember.household_id == household)
            .order_by(ShelterMember.id)
        )
    ]
    rows = conn.execute(
        select(ShelterMovement)
        .where(ShelterMovement.household_id == household)
        .order_by(ShelterMovement.moved_on, ShelterMovement.id)
    ).all()
    refs = {r.id: r.movement_ref for r in rows}
    reversed_ids = {r.reverses_id for r in rows if r.reverses_id is not None}
    movements = [
        MovementLine(
            r.movement_ref,
            r.moved_on,
            r.event,
            sites.get(r.from_site_id) if r.from_site_id else None,
            sites.get(r.to_site_id) if r.to_site_id else None,
            r.individuals,
            refs.get(r.reverses_id) if r.reverses_id else None,
            r.id in reversed_ids,
        )
        for r in rows
    ]
    return HouseholdPage(household_id, members, movements)
