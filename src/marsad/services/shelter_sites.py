"""Shelter sites: ingest of the sites file, adding and editing one site, listing them.

A site is reference data that teams correct (a capacity, a closing date), so a site named
again by its site_id is updated, by whom and when kept with it; the file that brought each
version stays as raw rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from marsad.domain.records import FieldError
from marsad.errors import InputError, NotFound
from marsad.services.audit import record_event
from marsad.services.ingest import IngestSummary
from marsad.services.shelter_files import (
    Refused,
    StoredRow,
    cell_of,
    ingest_rows,
    split_rows,
)
from marsad.shelter.sites import SiteFields, header_map, parse_site
from marsad.store.shelter_tables import ShelterSite

KIND = "shelter_site"


@dataclass(frozen=True)
class Site:
    """A stored site, as services hand it to the faces."""

    id: int
    fields: SiteFields

    @property
    def site_id(self) -> str:
        return self.fields.site_id

    def as_dict(self) -> dict[str, Any]:
        return asdict(self.fields)


_COLUMNS = tuple(SiteFields.__dataclass_fields__)


def _stored(site: SiteFields) -> dict[str, Any]:
    values = asdict(site)
    values["site_ref"] = values.pop("site_id")
    return values


def _site(row: Any) -> Site:
    values = {c: getattr(row, "site_ref" if c == "site_id" else c) for c in _COLUMNS}
    return Site(int(row.id), SiteFields(**values))


def _upsert(conn: Connection, site: SiteFields, user: str) -> tuple[int, bool]:
    """The site's id, and whether anything changed."""
    row = conn.execute(select(ShelterSite).where(ShelterSite.site_ref == site.site_id)).first()
    if row is None:
        new = conn.execute(
            insert(ShelterSite).values(**_stored(site), updated_by=user).returning(ShelterSite.id)
        ).scalar_one()
        return int(new), True
    if _site(row).fields == site:
        return int(row.id), False
    conn.execute(
        update(ShelterSite).where(ShelterSite.id == row.id).values(**_stored(site), updated_by=user)
    )
    return int(row.id), True


def ingest_sites(engine: Engine, path: Path, user: str, source: str = "sites") -> IngestSummary:
    """Import the sites file (docs/formats.md); a site already known is updated."""

    def load(
        conn: Connection, _import: int, _source: int, rows: list[StoredRow]
    ) -> tuple[int, int, list[Refused]]:
        good, refused = split_rows(rows, parse_site, SiteFields, cell_of(header_map, "site_id"))
        stored = present = 0
        for _row, site in good:
            _id, changed = _upsert(conn, site, user)
            stored += changed
            present += not changed
        return stored, present, refused

    return ingest_rows(engine, path, source, user, kind=KIND, load=load)


def save_site(engine: Engine, row: dict[str, str], user: str) -> Site:
    """Add a site or edit one (by its site_id), from a form's fields; InputError naming every
    field that cannot be read."""
    parsed = parse_site(row)
    if not isinstance(parsed, SiteFields):
        raise InputError("; ".join(f"{e.field}: {e.reason}" for e in parsed))
    with engine.begin() as conn:
        site_id, changed = _upsert(conn, parsed, user)
        if changed:
            record_event(conn, user, "shelter.site", f"site:{parsed.site_id}", {"id": site_id})
    return Site(site_id, parsed)


def list_sites(conn: Connection) -> list[Site]:
    """Every site, by site_id."""
    return [_site(r) for r in conn.execute(select(ShelterSite).order_by(ShelterSite.site_ref))]


def get_site(conn: Connection, site_id: str) -> Site:
    row = conn.execute(select(ShelterSite).where(ShelterSite.site_ref == site_id)).first()
    if row is None:
        raise NotFound(f"no site {site_id!r}")
    return _site(row)


def site_ids(conn: Connection) -> dict[str, int]:
    """site_id as the files write it → the site's id in the store."""
    return {
        r.site_ref: int(r.id) for r in conn.execute(select(ShelterSite.site_ref, ShelterSite.id))
    }


def unknown_site(field: str, site_id: str) -> FieldError:
    return FieldError(field, f"no site {site_id!r}: import the sites file first")
