"""Fixtures for the web tests: a store with one user per role and a little data, and clients.

Argon2 runs with cheap parameters here (same algorithm, same code path) so that the dozens of
logins the suite makes stay fast; production uses argon2-cffi's defaults.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from marsad.evidence.witness import new_key_text
from marsad.services import users as users_service
from marsad.services.evidence import Receipt, add_evidence
from marsad.services.evidence_settings import evidence_settings
from marsad.services.testimony import Statement, add_testimony, add_witness, load_kek
from marsad.services.users import ROLES, add_user
from marsad.store.models import Import, Person, RawRow, Record, Source
from marsad.store.shelter_tables import ShelterHousehold, ShelterSite
from marsad.web.app import create_app
from tests.integration.evidence_helpers import incident, photo

PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        users_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def username(role: str) -> str:
    return f"{role}-user"


@pytest.fixture
def team(engine: Engine, cheap_argon2: None) -> dict[str, str]:
    """One enabled user per role: role → username (all with PASSWORD)."""
    for role in ROLES:
        add_user(engine, username(role), PASSWORD, role, language="en")
    return {role: username(role) for role in ROLES}


@dataclass(frozen=True)
class Seeded:
    person_id: int
    source: str
    names: tuple[str, ...]


def seed(engine: Engine) -> Seeded:
    """Two sources, three records, one person made of two of them (synthetic names)."""
    names = ("Synthetic Alpha One", "Synthetic Alpha Uno", "Synthetic Beta Two")
    with engine.begin() as conn:
        sources = [
            conn.execute(
                insert(Source).values(name=name, kind="monitoring_group").returning(Source.id)
            ).scalar_one()
            for name in ("List A", "List B")
        ]
        person_id = conn.execute(insert(Person).values().returning(Person.id)).scalar_one()
        for n, (source_id, name) in enumerate(zip((*sources, sources[0]), names, strict=True)):
            import_id = conn.execute(
                insert(Import)
                .values(
                    source_id=source_id,
                    file_name=f"file{n}.csv",
                    sha256=f"{n:064d}",
                    imported_by="test",
                    file_format="csv",
                    profile={},
                    columns=["name"],
                    warnings=[],
                )
                .returning(Import.id)
            ).scalar_one()
            raw_id = conn.execute(
                insert(RawRow)
                .values(import_id=import_id, row_number=1, data={"name": name})
                .returning(RawRow.id)
            ).scalar_one()
            conn.execute(
                insert(Record).values(
                    raw_row_id=raw_id,
                    content_sha256=f"{n:064d}",
                    import_id=import_id,
                    source_id=source_id,
                    record_id=f"r{n}",
                    name=name,
                    status="killed",
                    date_of_death="2025-03-07",
                    person_id=person_id if n < 2 else None,
                )
            )
        # A shelter site and a household, for the shelter pages' routes.
        conn.execute(
            insert(ShelterSite).values(
                site_ref="S1", name="Synthetic site", site_type="camp", updated_by="test"
            )
        )
        conn.execute(insert(ShelterHousehold).values(household_ref="H1"))
    return Seeded(person_id=person_id, source="List A", names=names)


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    return seed(engine)


@pytest.fixture
def client(db_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(db_url)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


def page_csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF_INPUT.search(client.get(path).text)
    assert found is not None, f"no CSRF token on {path}"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> int:
    """Log in through the form, as a browser does; returns the status of the POST."""
    token = page_csrf(client)
    response = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    return int(response.status_code)


WITNESS_IDENTITY = "زينب عبد الكريم الشاهد"
WITNESS_CONTACT = "+963-933-717-171"


@dataclass(frozen=True)
class EvidenceSeeded:
    item_id: int
    testimony_id: int
    incident_id: int


@pytest.fixture
def evidence_seeded(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> EvidenceSeeded:
    """Evidence settings in the environment, as `marsad serve` is given them, and item 1 (a
    photo), witness W-1 (identity sealed) and testimony 1 with a recording; no TSA."""
    monkeypatch.setenv("MARSAD_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("MARSAD_WITNESS_KEY", new_key_text())
    for name in ("MARSAD_TSA_URL", "MARSAD_TSA_CERTS", "MARSAD_WITNESS_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    config = evidence_settings(engine)
    report = incident(engine)
    [added] = add_evidence(
        engine, config, [photo(tmp_path / "register.jpg")], Receipt("Hospital"), "test"
    )
    add_witness(engine, config, load_kek(), "W-1", WITNESS_IDENTITY, WITNESS_CONTACT, "test")
    statement = Statement(
        witness="W-1", interviewer="Rami", taken_on="2025-03-09", language="ar",
        consent_scope="accountability", consent_on="2025-03-09", consent_taken_by="Rami",
        source="Field team", statement_ar="رأيت ابني يسقط أمام البيت", incident_id=report,
    )  # fmt: skip
    recording = tmp_path / "interview.m4a"
    recording.write_bytes(b"\x00\x00\x00\x18ftypM4A " + bytes(range(256)))
    testimony_id, _ = add_testimony(engine, config, statement, [recording], "test")
    return EvidenceSeeded(added.item_id, testimony_id, report)


SOUGHT_NAME = "Mohammad Ahmad Al-Hasan"


@pytest.fixture
def tracing_seeded(engine: Engine) -> int:
    """One missing person's case (id 1), from a relative's report typed into the form."""
    from marsad.services.tracing_ingest import ingest_report_entry

    cells = {
        "report_id": "R-1",
        "name": SOUGHT_NAME,
        "consent_scope": "partners",
        "name_mother": "Fatima",
        "year_of_birth": "1991",
        "reporter_relationship": "mother",
    }
    _, case_id = ingest_report_entry(engine, cells, "Tracing desk", "test")
    assert case_id == 1
    return case_id
