"""A shelter site as its standard file writes it (docs/formats.md): where displaced families
stay — collective centres, military bases, camps, informal settlements, host communities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from marsad.domain.records import FieldError
from marsad.ingest.parse import shown
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.ingest.profile import header_key
from marsad.shelter.cells import choice, count, full_date, pcode, read_cells, required

SITE_TYPES = ("collective_centre", "military_base", "camp", "informal", "host_community")

SITE_COLUMNS = (
    "site_id",
    "name",
    "name_ar",
    "site_type",
    "pcode",
    "governorate",
    "latitude",
    "longitude",
    "managing_agency",
    "capacity_individuals",
    "opened_on",
    "closed_on",
)
"""The columns of the standard sites file, in order."""

MAX_CAPACITY = 1_000_000


@dataclass(frozen=True)
class SiteFields:
    """One site. `governorate` is the admin-1 p-code (SY01–SY14), from the column or the
    site's p-code; dates are ISO days."""

    site_id: str
    name: str
    name_ar: str | None
    site_type: str
    pcode: str | None
    governorate: str | None
    latitude: float | None
    longitude: float | None
    managing_agency: str | None
    capacity_individuals: int | None
    opened_on: str | None
    closed_on: str | None


def header_map(headers: tuple[str, ...]) -> dict[str, str]:
    """Canonical column → the file's header (case, spacing and underscores ignored)."""
    by_key = {header_key(h): h for h in reversed(headers)}
    return {c: by_key[header_key(c)] for c in SITE_COLUMNS if header_key(c) in by_key}


def _coordinate(
    text: Mapping[str, str], field: str, bound: float, errors: list[FieldError]
) -> float | None:
    value = text.get(field, "")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not -bound <= number <= bound:
        errors.append(FieldError(field, f"not a {field} in degrees: {shown(value)}"))
        return None
    return number


def parse_site(
    row: Mapping[str, str], gazetteer: Gazetteer | None = None
) -> SiteFields | list[FieldError]:
    """One site from one row, or every reason it cannot be one."""
    errors: list[FieldError] = []
    text = read_cells(row, header_map(tuple(row)), SITE_COLUMNS, errors)
    site_id = required(text, "site_id", errors)
    name = required(text, "name", errors)
    site_type = choice(text, "site_type", SITE_TYPES, errors)
    code = pcode(text, "pcode", errors)
    gazetteer = gazetteer or default_gazetteer()
    governorate = None
    if raw := text.get("governorate", ""):
        found = gazetteer.governorate(raw) or gazetteer.governorate_by_code(raw.upper())
        if found is None:
            errors.append(FieldError("governorate", f"unknown governorate: {shown(raw)}"))
        governorate = found.pcode if found else None
    if code is not None and code.startswith("SY"):
        of_code = code[:4]
        if governorate is not None and governorate != of_code:
            errors.append(FieldError("pcode", f"p-code {code} is not in governorate {governorate}"))
        governorate = governorate or of_code
    opened = full_date(text, "opened_on", errors, needed=False)
    closed = full_date(text, "closed_on", errors, needed=False)
    if opened and closed and closed < opened:
        errors.append(FieldError("closed_on", f"closed on {closed}, before it opened ({opened})"))
    site = SiteFields(
        site_id=site_id,
        name=name,
        name_ar=text.get("name_ar") or None,
        site_type=site_type,
        pcode=code,
        governorate=governorate,
        latitude=_coordinate(text, "latitude", 90, errors),
        longitude=_coordinate(text, "longitude", 180, errors),
        managing_agency=text.get("managing_agency") or None,
        capacity_individuals=count(
            text, "capacity_individuals", errors, needed=False, most=MAX_CAPACITY
        ),
        opened_on=opened,
        closed_on=closed,
    )
    return errors or site
