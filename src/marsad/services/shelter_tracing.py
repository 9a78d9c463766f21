"""Shelter members as a list tracing can search: a registered person who matches a missing
report is a candidate with status `sheltered` (issue 18 wires this into its candidate pools)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from marsad.store.models import Source
from marsad.store.shelter_tables import ShelterMember, ShelterSite

STATUS = "sheltered"


@dataclass(frozen=True, slots=True)
class ShelterMatchRow:
    """One registration as a matcher reads it: name parts as written (either script), sex, age,
    year of birth, when and where registered, and its ids (the member's id in the store, the
    registration_id and source as the team wrote them). `status` is always "sheltered"."""

    member_id: int
    registration_id: str
    source: str
    household_id: int
    name: str
    name_first: str | None
    name_father: str | None
    name_grandfather: str | None
    name_family: str | None
    name_mother: str | None
    sex: str | None
    age_min: int | None
    age_max: int | None
    year_of_birth: int | None
    registered_on: str
    site_id: str
    site_name: str
    origin_pcode: str | None
    status: str = STATUS


def shelter_match_rows(conn: Connection, site_id: str | None = None) -> list[ShelterMatchRow]:
    """Every registration (or one site's) as rows a matcher can compare with a missing report."""
    query = (
        select(
            ShelterMember,
            Source.name.label("source_name"),
            ShelterSite.site_ref,
            ShelterSite.name.label("site_name"),
        )
        .join(Source, Source.id == ShelterMember.source_id)
        .join(ShelterSite, ShelterSite.id == ShelterMember.site_id)
        .order_by(ShelterMember.id)
    )
    if site_id is not None:
        query = query.where(ShelterSite.site_ref == site_id)
    return [
        ShelterMatchRow(
            member_id=int(m.id),
            registration_id=m.registration_ref,
            source=m.source_name,
            household_id=int(m.household_id),
            name=m.name,
            name_first=m.name_first,
            name_father=m.name_father,
            name_grandfather=m.name_grandfather,
            name_family=m.name_family,
            name_mother=m.name_mother,
            sex=m.sex,
            age_min=m.age_min,
            age_max=m.age_max,
            year_of_birth=m.year_of_birth,
            registered_on=m.registered_on,
            site_id=m.site_ref,
            site_name=m.site_name,
            origin_pcode=m.origin_pcode,
        )
        for m in conn.execute(query)
    ]
