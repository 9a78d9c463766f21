"""Registrations of displaced households' members: ingest (`marsad shelter ingest`), and the
households they make up.

A registration is a raw row read into a member (`marsad.shelter.members`), with names kept as
written in either script. A registration a source has already sent (same source, same
registration_id) is not stored twice; sent again with other content, it goes to quarantine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from marsad.domain.records import FieldError
from marsad.ingest.profile import MappingProfile
from marsad.services.ingest import IngestSummary
from marsad.services.shelter_files import (
    Refused,
    StoredRow,
    cell_of,
    ingest_rows,
    split_rows,
)
from marsad.services.shelter_sites import site_ids, unknown_site
from marsad.shelter.members import (
    MEMBER_FORM,
    MemberFields,
    is_child,
    kobo_member_profile,
    parse_member,
    standard_member_profile,
)
from marsad.store.shelter_tables import ShelterHousehold, ShelterMember

KIND = "shelter_member"
_FIELDS = tuple(MemberFields.__dataclass_fields__)


def household_ids(conn: Connection, refs: Iterable[str]) -> dict[str, int]:
    """household_id as the files write it → the household's id, created on first use."""
    wanted = sorted(set(refs))
    known: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(ShelterHousehold.household_ref, ShelterHousehold.id).where(
                ShelterHousehold.household_ref.in_(chunk)
            )
        )
        known.update({r.household_ref: int(r.id) for r in rows})
    for ref in wanted:
        if ref not in known:
            known[ref] = int(
                conn.execute(
                    insert(ShelterHousehold)
                    .values(household_ref=ref)
                    .returning(ShelterHousehold.id)
                ).scalar_one()
            )
    return known


def _stored(member: MemberFields) -> dict[str, Any]:
    values = dict(zip(_FIELDS, astuple(member), strict=True))
    for field in ("registration_id", "household_id", "site_id"):
        values.pop(field)
    values["vulnerabilities"] = list(member.vulnerabilities)
    values["child"] = is_child(member.age_max, member.year_of_birth, member.registered_on)
    return values


def _known(conn: Connection, source_id: int, refs: list[str]) -> dict[str, tuple[Any, ...]]:
    """registration_id → what is stored, for the refs of this batch the source already sent."""
    columns = [getattr(ShelterMember, c) for c in _stored_columns()]
    known: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(refs), 500):
        rows = conn.execute(
            select(ShelterMember.registration_ref, *columns).where(
                ShelterMember.source_id == source_id,
                ShelterMember.registration_ref.in_(refs[start : start + 500]),
            )
        )
        known.update({r[0]: tuple(r[1:]) for r in rows})
    return known


def _stored_columns() -> tuple[str, ...]:
    return tuple(c for c in _FIELDS if c not in ("registration_id", "household_id", "site_id"))


def ingest_registrations(
    engine: Engine,
    path: Path,
    source: str,
    user: str,
    *,
    profile_path: Path | None = None,
    kobo: bool = False,
) -> IngestSummary:
    """Import a registration file (the standard columns, or a KoBo/ODK export with `kobo`, or
    any file through the mapping profile at `profile_path`)."""
    if profile_path is not None:
        profile = MappingProfile.load(profile_path, form=MEMBER_FORM)
    else:
        profile = kobo_member_profile() if kobo else standard_member_profile()

    def load(
        conn: Connection, import_id: int, source_id: int, rows: list[StoredRow]
    ) -> tuple[int, int, list[Refused]]:
        good, refused = split_rows(
            rows,
            lambda cells: parse_member(cells, profile),
            MemberFields,
            cell_of(profile.header_map, "registration_id"),
        )
        sites = site_ids(conn)
        known = _known(conn, source_id, [m.registration_id for _s, m in good])
        households = household_ids(conn, (m.household_id for _s, m in good))
        members: list[dict[str, Any]] = []
        present = 0
        for stored, member in good:
            values = _stored(member)
            seen = known.get(member.registration_id)
            if seen is not None:
                if seen == tuple(values[c] for c in _stored_columns()):
                    present += 1
                    continue
                refused.append(Refused(stored, member.registration_id, [_changed(member)]))
                continue
            if member.site_id not in sites:
                refused.append(
                    Refused(
                        stored, member.registration_id, [unknown_site("site_id", member.site_id)]
                    )
                )
                continue
            known[member.registration_id] = tuple(values[c] for c in _stored_columns())
            members.append(
                {
                    **values,
                    "raw_row_id": stored.raw_row_id,
                    "import_id": import_id,
                    "source_id": source_id,
                    "registration_ref": member.registration_id,
                    "household_id": households[member.household_id],
                    "site_id": sites[member.site_id],
                }
            )
        if members:
            conn.execute(insert(ShelterMember), members)
        return len(members), present, refused

    return ingest_rows(
        engine,
        path,
        source,
        user,
        kind=KIND,
        load=load,
        profile={"profile": profile.name},
        encoding=profile.encoding,
    )


def _changed(member: MemberFields) -> FieldError:
    return FieldError(
        "registration_id",
        f"registration_id {member.registration_id!r} was already received from this source "
        "with different content; correct one of them",
    )
