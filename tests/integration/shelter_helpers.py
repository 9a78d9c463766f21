"""A small shelter store for the tests: three sites, two households, and their movements."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from marsad.services.shelter_members import ingest_registrations
from marsad.services.shelter_movements import ingest_movements
from marsad.services.shelter_sites import ingest_sites
from marsad.shelter.members import MEMBER_COLUMNS
from marsad.shelter.movements import MOVEMENT_COLUMNS
from marsad.shelter.sites import SITE_COLUMNS
from tests.integration.helpers import write_csv

SITES = [
    {
        "site_id": "S1",
        "name": "Hmeimim airbase",
        "name_ar": "قاعدة حميميم",
        "site_type": "military_base",
        "pcode": "SY0602",
        "capacity_individuals": "5000",
        "opened_on": "2025-03-07",
    },
    {
        "site_id": "S2",
        "name": "St Elias church",
        "site_type": "collective_centre",
        "governorate": "Tartous",
    },
    {
        "site_id": "S3",
        "name": "Jableh school 4",
        "site_type": "collective centre",
        "pcode": "SY0602",
    },
]
MEMBERS = [
    {
        "registration_id": "R1",
        "household_id": "H1",
        "site_id": "S1",
        "registered_on": "2025-03-08",
        "name": "محمد علي حسن",
        "sex": "ذكر",
        "age": "40",
        "relationship_to_head": "head",
    },
    {
        "registration_id": "R2",
        "household_id": "H1",
        "site_id": "S1",
        "registered_on": "2025-03-08",
        "name_first": "Fatima",
        "name_family": "Hasan",
        "sex": "female",
        "age": "35",
        "vulnerabilities": "pregnant;chronic_illness",
    },
    {
        "registration_id": "R3",
        "household_id": "H1",
        "site_id": "S1",
        "registered_on": "2025-03-08",
        "name": "Ali Mohammad Hasan",
        "sex": "m",
        "year_of_birth": "2015",
        "relationship_to_head": "child",
    },
    {
        "registration_id": "R4",
        "household_id": "H2",
        "site_id": "S2",
        "registered_on": "2025-03-09",
        "name": "Hala Youssef",
        "sex": "female",
        "age": "70",
        "vulnerabilities": "elderly_alone",
    },
]
MOVEMENTS = [
    {
        "movement_id": "M1",
        "household_id": "H1",
        "date": "2025-03-08",
        "event": "arrival",
        "to_site": "S1",
        "individuals": "3",
    },
    {
        "movement_id": "M2",
        "household_id": "H2",
        "date": "2025-03-09",
        "event": "arrival",
        "to_site": "S2",
        "individuals": "1",
    },
    {
        "movement_id": "M3",
        "household_id": "H1",
        "date": "2025-03-12",
        "event": "transfer",
        "from_site": "S1",
        "to_site": "S3",
        "individuals": "3",
    },
    {
        "movement_id": "M4",
        "household_id": "H2",
        "date": "2025-03-10",
        "event": "departure",
        "from_site": "S2",
        "destination_pcode": "SY1002",
        "individuals": "1",
    },
    {"movement_id": "M5", "date": "2025-03-11", "reverses": "M4"},
]


def shelter_store(engine: Engine, tmp_path: Path) -> None:
    ingest_sites(engine, write_csv(tmp_path / "sites.csv", SITES, SITE_COLUMNS), "tester")
    registrations = write_csv(tmp_path / "members.csv", MEMBERS, MEMBER_COLUMNS)
    ingest_registrations(engine, registrations, "Team A", "tester")
    movements = write_csv(tmp_path / "movements.csv", MOVEMENTS, MOVEMENT_COLUMNS)
    ingest_movements(engine, movements, "tester")
