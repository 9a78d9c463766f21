"""The shelter files' rows read whole or refused with every failing field: sites, registrations
(names kept as written, the vulnerabilities list), movements and their corrections."""

from __future__ import annotations

import pytest

from marsad.domain.records import FieldError
from marsad.ingest.profile import MappingProfile, ProfileError
from marsad.shelter.members import MEMBER_FORM, MemberFields, is_child, parse_member
from marsad.shelter.movements import MovementFields, parse_movement
from marsad.shelter.sites import SiteFields, parse_site
from marsad.shelter.vulnerabilities import parse_vulnerabilities


def fields_of(result: object) -> set[str]:
    assert isinstance(result, list)
    return {e.field for e in result if isinstance(e, FieldError)}


def test_a_site_is_read_with_its_governorate_from_the_pcode() -> None:
    site = parse_site(
        {
            "Site ID": "S1",
            "Name": "Airbase",
            "Site Type": "Military base",
            "pcode": "sy0602",
            "opened_on": "07/03/2025",
            "capacity_individuals": "5000",
            "latitude": "35.4",
        }
    )
    assert isinstance(site, SiteFields)
    assert (site.site_type, site.pcode, site.governorate) == ("military_base", "SY0602", "SY06")
    assert (site.opened_on, site.capacity_individuals, site.latitude) == ("2025-03-07", 5000, 35.4)


def test_a_bad_site_names_every_field() -> None:
    bad = parse_site(
        {
            "site_id": "",
            "name": "=cmd|' /C calc'!A0",
            "site_type": "tent",
            "pcode": "SY-06",
            "governorate": "Tartous",
            "latitude": "north",
            "opened_on": "2025-03-09",
            "closed_on": "2025-03-01",
            "capacity_individuals": "-3",
        }
    )
    assert fields_of(bad) == {
        "site_id",
        "name",
        "site_type",
        "pcode",
        "latitude",
        "closed_on",
        "capacity_individuals",
    }


def test_a_member_keeps_names_as_written_and_reads_codes() -> None:
    member = parse_member(
        {
            "registration_id": "R1",
            "household_id": "H1",
            "site_id": "S1",
            "registered_on": "2025-03-08",
            "الاسم الأول": "فاطمة",
            "اسم العائلة": "الحسن",
            "الجنس": "أنثى",
            "year_of_birth": "2012",
            "vulnerabilities": "حامل;disability",
        }
    )
    assert isinstance(member, MemberFields)
    assert (member.name, member.name_first, member.sex) == ("فاطمة الحسن", "فاطمة", "female")
    assert member.vulnerabilities == ("disability", "pregnant")
    assert is_child(member.age_max, member.year_of_birth, member.registered_on)


def test_a_bad_registration_names_every_field() -> None:
    bad = parse_member(
        {
            "registration_id": "R2",
            "household_id": "",
            "site_id": "S1",
            "registered_on": "2025",
            "name": "",
            "sex": "x",
            "age": "two hundred",
            "year_of_birth": "1850",
            "relationship_to_head": "cousin",
            "origin_pcode": "SY99",
            "vulnerabilities": "sad",
        }
    )
    assert fields_of(bad) == {
        "household_id",
        "registered_on",
        "name",
        "sex",
        "age",
        "year_of_birth",
        "relationship_to_head",
        "origin_pcode",
        "vulnerabilities",
    }


def test_vulnerabilities_come_from_the_list_only() -> None:
    assert parse_vulnerabilities("pregnant chronic_illness") == ("pregnant", "chronic_illness")
    assert parse_vulnerabilities("elderly alone") == ("elderly_alone",)
    with pytest.raises(ValueError, match="not on the vulnerabilities list"):
        parse_vulnerabilities("pregnant;hungry")


def test_movements_need_the_sites_their_event_reads() -> None:
    arrival = parse_movement(
        {
            "movement_id": "M1",
            "household_id": "H1",
            "date": "2025-03-08",
            "event": "Arrival",
            "from_site": "S9",
            "to_site": "S1",
            "individuals": "4",
        }
    )
    assert isinstance(arrival, MovementFields)
    assert (arrival.event, arrival.from_site, arrival.to_site) == ("arrival", None, "S1")
    bad = parse_movement(
        {
            "movement_id": "M2",
            "household_id": "H1",
            "date": "2025-03-08",
            "event": "transfer",
            "from_site": "S1",
            "to_site": "S1",
            "individuals": "0",
        }
    )
    assert fields_of(bad) == {"to_site", "individuals"}
    assert fields_of(parse_movement({"movement_id": "M3", "event": "return", "date": "x"})) >= {
        "date",
        "household_id",
        "from_site",
        "individuals",
    }


def test_a_correction_needs_only_its_id_date_and_what_it_reverses() -> None:
    correction = parse_movement({"movement_id": "M4", "date": "2025-03-09", "reverses": "M1"})
    assert isinstance(correction, MovementFields) and correction.reverses == "M1"
    assert fields_of(
        parse_movement({"movement_id": "M5", "date": "2025-03-09", "reverses": "M5"})
    ) == {"reverses"}


def test_a_profile_for_registrations_checks_their_fields() -> None:
    profile = MappingProfile.from_dict(
        {"columns": {"household_id": "family/no"}, "values": {"sex": {"1": "male"}}},
        form=MEMBER_FORM,
    )
    assert profile.header_map(["family/no", "Site ID"]) == {
        "household_id": "family/no",
        "site_id": "Site ID",
    }
    with pytest.raises(ProfileError, match="unknown canonical field 'date_of_death'"):
        MappingProfile.from_dict({"columns": {"date_of_death": "x"}}, form=MEMBER_FORM)
