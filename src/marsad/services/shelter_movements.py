"""The movement log: ingest (`marsad shelter movements`) and occupancy read from it.

The log only grows (the store refuses changes: migration 0008_shelter). A correction is a row
whose `reverses` names an earlier movement: it is stored with that movement's household, event,
sites and individuals, and the two are read as if neither had happened. A movement is reversed
at most once, and a correction is never reversed (enter the movement again instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, case, func, insert, select

from marsad.domain.records import FieldError
from marsad.errors import InputError
from marsad.services.ingest import IngestSummary
from marsad.services.shelter_files import (
    Refused,
    StoredRow,
    cell_of,
    ingest_rows,
    split_rows,
)
from marsad.services.shelter_members import household_ids
from marsad.services.shelter_sites import site_ids, unknown_site
from marsad.shelter.movements import MovementFields, header_map, parse_movement
from marsad.shelter.occupancy import (
    Composition,
    MovementLog,
    OccupancyGrid,
    occupancy,
)
from marsad.store.shelter_tables import (
    ShelterHousehold,
    ShelterMember,
    ShelterMovement,
    ShelterSite,
)

KIND = "shelter_movement"
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class SiteOccupancy:
    """One site at the end of one day (`marsad sites occupancy --json` prints these)."""

    site_id: str
    households: int
    individuals: int
    female: int
    male: int
    children: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OccupancySeries:
    """Every site (by site_id, in the grid's order) on every day from `first` on."""

    site_ids: tuple[str, ...]
    first: dt.date
    grid: OccupancyGrid

    def on(self, day: dt.date) -> list[SiteOccupancy]:
        values = self.grid.on((day - _EPOCH).days)
        return [
            SiteOccupancy(site, *(int(v) for v in values[:, i]))
            for i, site in enumerate(self.site_ids)
        ]


def _load(user: str) -> Any:
    def load(
        conn: Connection, import_id: int, _source: int, rows: list[StoredRow]
    ) -> tuple[int, int, list[Refused]]:
        good, refused = split_rows(
            rows, parse_movement, MovementFields, cell_of(header_map, "movement_id")
        )
        sites = site_ids(conn)
        refs = [m.movement_id for _s, m in good]
        known = _stored_movements(conn, refs)
        fresh: list[tuple[StoredRow, MovementFields]] = []
        present = 0
        for stored, movement in good:
            seen = known.get(movement.movement_id)
            if seen is not None:
                if seen == movement or (movement.reverses and seen.reverses == movement.reverses):
                    present += 1
                else:
                    refused.append(Refused(stored, movement.movement_id, [_changed(movement)]))
                continue
            errors = [
                unknown_site(field, site)
                for field, site in (
                    ("from_site", movement.from_site),
                    ("to_site", movement.to_site),
                )
                if site is not None and site not in sites
            ]
            if errors:
                refused.append(Refused(stored, movement.movement_id, errors))
                continue
            known[movement.movement_id] = movement
            fresh.append((stored, movement))
        households = household_ids(conn, (m.household_id for _s, m in fresh if not m.reverses))
        entered = [
            {
                "movement_ref": m.movement_id,
                "household_id": households[m.household_id],
                "moved_on": m.date,
                "event": m.event,
                "from_site_id": sites.get(m.from_site) if m.from_site else None,
                "to_site_id": sites.get(m.to_site) if m.to_site else None,
                "destination_pcode": m.destination_pcode,
                "individuals": m.individuals,
                "raw_row_id": s.raw_row_id,
                "import_id": import_id,
                "recorded_by": user,
            }
            for s, m in fresh
            if not m.reverses
        ]
        if entered:
            conn.execute(insert(ShelterMovement), entered)
        corrections = [(s, m) for s, m in fresh if m.reverses]
        stored_count = len(entered)
        for stored, correction in corrections:
            error = _reverse(conn, correction, stored.raw_row_id, import_id, user)
            if error is None:
                stored_count += 1
            else:
                refused.append(Refused(stored, correction.movement_id, [error]))
        return stored_count, present, refused

    return load


def _stored_movements(conn: Connection, refs: list[str]) -> dict[str, MovementFields]:
    """The movements of `refs` already in the log, read back as fields (to compare)."""
    sites = {v: k for k, v in site_ids(conn).items()}
    target = ShelterMovement.__table__.alias("target")
    found: dict[str, MovementFields] = {}
    for start in range(0, len(refs), 500):
        rows = conn.execute(
            select(
                ShelterMovement,
                ShelterHousehold.household_ref,
                target.c.movement_ref.label("target_ref"),
            )
            .join(ShelterHousehold, ShelterHousehold.id == ShelterMovement.household_id)
            .outerjoin(target, target.c.id == ShelterMovement.reverses_id)
            .where(ShelterMovement.movement_ref.in_(refs[start : start + 500]))
        )
        for r in rows:
            found[r.movement_ref] = MovementFields(
                r.movement_ref,
                r.household_ref,
                r.moved_on,
                r.event,
                sites.get(r.from_site_id) if r.from_site_id else None,
                sites.get(r.to_site_id) if r.to_site_id else None,
                r.destination_pcode,
                r.individuals,
                r.target_ref,
            )
    return found


def _changed(movement: MovementFields) -> FieldError:
    return FieldError(
        "movement_id",
        f"movement_id {movement.movement_id!r} is already in the log with other content; "
        "the log is never edited: reverse the movement and enter it again",
    )


def _reverse(
    conn: Connection, correction: MovementFields, raw_row_id: int, import_id: int, user: str
) -> FieldError | None:
    """Append `correction` as the reversal of the movement it names, or say why it cannot."""
    target = conn.execute(
        select(ShelterMovement).where(ShelterMovement.movement_ref == correction.reverses)
    ).first()
    if target is None:
        return FieldError("reverses", f"no movement {correction.reverses!r} in the log")
    if target.reverses_id is not None:
        return FieldError(
            "reverses", f"{correction.reverses!r} is itself a correction; enter the movement again"
        )
    if conn.scalar(select(ShelterMovement.id).where(ShelterMovement.reverses_id == target.id)):
        return FieldError("reverses", f"{correction.reverses!r} is already reversed")
    conn.execute(
        insert(ShelterMovement).values(
            movement_ref=correction.movement_id,
            household_id=target.household_id,
            moved_on=correction.date,
            event=target.event,
            from_site_id=target.from_site_id,
            to_site_id=target.to_site_id,
            destination_pcode=target.destination_pcode,
            individuals=target.individuals,
            reverses_id=target.id,
            raw_row_id=raw_row_id,
            import_id=import_id,
            recorded_by=user,
        )
    )
    return None


def ingest_movements(
    engine: Engine, path: Path, user: str, source: str = "movements"
) -> IngestSummary:
    """Append the movements of `path` to the log (docs/formats.md)."""
    return ingest_rows(engine, path, source, user, kind=KIND, load=_load(user))


_DAY_NUMBER = {
    "sqlite": "CAST(julianday(moved_on) - 2440587.5 AS INTEGER)",
    "postgresql": "CAST(moved_on AS DATE) - DATE '1970-01-01'",
}
"""The movement's day as days since 1970-01-01, computed by the database."""
_JOINED = {
    "sqlite": "group_concat({}, ',')",
    "postgresql": "string_agg(CAST({} AS TEXT), ',')",
}
_LOG_COLUMNS = (
    "id",
    "household_id",
    "{day}",
    "COALESCE(from_site_id, -1)",
    "COALESCE(to_site_id, -1)",
    "individuals",
    "COALESCE(reverses_id, -1)",
)


def read_log(conn: Connection) -> tuple[tuple[str, ...], MovementLog, Composition]:
    """The whole log as arrays, the sites (by site_id, in index order) and every household's
    registered members.

    Each column of the log comes back as one comma-joined text that NumPy parses: a million
    movements as rows of Python integers took 5 s to fetch and convert on SQLite, as seven
    texts well under one (the aggregates of one query read the rows in the same order)."""
    sites = conn.execute(
        select(ShelterSite.id, ShelterSite.site_ref).order_by(ShelterSite.id)
    ).all()
    site_pk = np.array([s.id for s in sites], dtype=np.int64)
    dialect = conn.dialect.name
    joined = ", ".join(
        _JOINED[dialect].format(c.format(day=_DAY_NUMBER[dialect])) for c in _LOG_COLUMNS
    )
    texts = conn.exec_driver_sql(f"SELECT {joined} FROM shelter_movements").one()
    ids, household, day, leaves, enters, individuals, reverses = (
        np.fromstring(t or "", dtype=np.int64, sep=",") for t in texts
    )

    def site_index(pks: np.ndarray[Any, np.dtype[np.int64]]) -> np.ndarray[Any, np.dtype[np.int64]]:
        return np.where(pks >= 0, np.searchsorted(site_pk, pks), -1)

    log = MovementLog(
        ids, household, day, site_index(leaves), site_index(enters), individuals, reverses
    )
    return tuple(s.site_ref for s in sites), log, _composition(conn, log)


def _composition(conn: Connection, log: MovementLog) -> Composition:
    size = int(log.household.max(initial=0)) + 1
    rows = conn.execute(
        select(
            ShelterMember.household_id,
            func.sum(case((ShelterMember.sex == "female", 1), else_=0)),
            func.sum(case((ShelterMember.sex == "male", 1), else_=0)),
            func.sum(case((ShelterMember.child, 1), else_=0)),
        )
        .where(ShelterMember.household_id < size)
        .group_by(ShelterMember.household_id)
    ).all()
    counts = np.zeros((3, size), dtype=np.int64)
    for household, female, male, children in rows:
        counts[:, household] = (female, male, children)
    return Composition(counts[0], counts[1], counts[2])


def occupancy_series(conn: Connection, first: dt.date, last: dt.date) -> OccupancySeries:
    """Every site at the end of every day from `first` to `last`."""
    if last < first:
        raise InputError(f"the last day ({last}) is before the first ({first})")
    sites, log, members = read_log(conn)
    start = (first - _EPOCH).days
    grid = occupancy(log, members, len(sites), start, (last - first).days + 1)
    return OccupancySeries(sites, first, grid)


def occupancy_on(conn: Connection, day: dt.date) -> list[SiteOccupancy]:
    """Every site at the end of `day` (`marsad sites occupancy --date`)."""
    return occupancy_series(conn, day, day).on(day)
