"""Shelter sites, registrations and the movement log on SQLite and PostgreSQL: occupancy read
from the log, corrections as reversals, the log refused any change, bad rows quarantined."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.services.ingest import ingest_file
from marsad.services.report import write_report
from marsad.services.shelter_exports import (
    PUBLIC_MIN_CELL,
    displacement_by_governorate,
    export_occupancy,
)
from marsad.services.shelter_members import ingest_registrations
from marsad.services.shelter_movements import ingest_movements, occupancy_on
from marsad.services.shelter_pairs import decide_pair, find_pairs, list_pairs
from marsad.services.shelter_sites import ingest_sites, list_sites
from marsad.shelter.hxl import COUNTS, TABLES, schema_rows
from marsad.shelter.hxl import validate as hxl_validate
from marsad.shelter.members import MEMBER_COLUMNS
from marsad.shelter.movements import MOVEMENT_COLUMNS
from marsad.store.db import make_engine
from marsad.store.models import QuarantineEntry
from marsad.store.shelter_tables import ShelterMember, ShelterMovement
from marsad.synth import shelter as synth
from tests.integration.helpers import write_csv
from tests.integration.shelter_helpers import shelter_store


def by_site(engine: Engine, day: str) -> dict[str, tuple[int, ...]]:
    with engine.connect() as conn:
        rows = occupancy_on(conn, dt.date.fromisoformat(day))
    return {r.site_id: (r.households, r.individuals, r.female, r.male, r.children) for r in rows}


def test_occupancy_at_the_end_of_each_day(engine: Engine, tmp_path: Path) -> None:
    shelter_store(engine, tmp_path)
    assert by_site(engine, "2025-03-07") == {"S1": (0,) * 5, "S2": (0,) * 5, "S3": (0,) * 5}
    assert by_site(engine, "2025-03-08")["S1"] == (1, 3, 1, 2, 1)
    # H2 left on the 10th, but that departure was reversed (M5): it never happened.
    assert by_site(engine, "2025-03-10")["S2"] == (1, 1, 1, 0, 0)
    after = by_site(engine, "2025-03-12")
    assert after["S1"] == (0,) * 5
    assert after["S3"] == (1, 3, 1, 2, 1)


def test_sites_and_members_as_read(engine: Engine, tmp_path: Path) -> None:
    shelter_store(engine, tmp_path)
    with engine.connect() as conn:
        sites = {s.site_id: s.fields for s in list_sites(conn)}
        members = {m.registration_ref: m for m in conn.execute(select(ShelterMember)).all()}
    assert sites["S1"].governorate == "SY06"
    assert sites["S2"].governorate == "SY10"
    assert sites["S3"].site_type == "collective_centre"
    assert members["R1"].sex == "male" and members["R1"].name == "محمد علي حسن"
    assert members["R2"].vulnerabilities == ["pregnant", "chronic_illness"]
    assert members["R3"].child and not members["R1"].child


def test_the_movement_log_refuses_change(engine: Engine, tmp_path: Path) -> None:
    shelter_store(engine, tmp_path)
    for statement in (
        update(ShelterMovement).values(individuals=9),
        delete(ShelterMovement).where(ShelterMovement.movement_ref == "M1"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(statement)
    assert by_site(engine, "2025-03-08")["S1"][1] == 3


def test_bad_rows_are_quarantined_with_row_and_field(engine: Engine, tmp_path: Path) -> None:
    shelter_store(engine, tmp_path)
    members = [
        {
            "registration_id": "R9",
            "household_id": "H9",
            "site_id": "S9",
            "registered_on": "2025-03-08",
            "name": "Omar",
        },
        {
            "registration_id": "R10",
            "household_id": "H9",
            "site_id": "S1",
            "registered_on": "2025-03",
            "name": "",
            "vulnerabilities": "hungry",
        },
    ]
    path = write_csv(tmp_path / "bad.csv", members, MEMBER_COLUMNS)
    summary = ingest_registrations(engine, path, "Team B", "tester")
    assert (summary.rows_recorded, summary.rows_quarantined) == (0, 2)
    fields = {(q.row_number, q.record_id, e.field) for q in summary.quarantined for e in q.errors}
    assert fields == {
        (2, "R9", "site_id"),
        (3, "R10", "registered_on"),
        (3, "R10", "name"),
        (3, "R10", "vulnerabilities"),
    }
    moves = [
        {"movement_id": "M9", "date": "2025-03-20", "reverses": "M5"},
        {"movement_id": "M10", "date": "2025-03-20", "reverses": "M4"},
        {
            "movement_id": "M1",
            "household_id": "H1",
            "date": "2025-03-08",
            "event": "arrival",
            "to_site": "S2",
            "individuals": "3",
        },
    ]
    path = write_csv(tmp_path / "moves.csv", moves, MOVEMENT_COLUMNS)
    summary = ingest_movements(engine, path, "tester")
    reasons = {q.record_id: q.errors[0].reason for q in summary.quarantined}
    assert "itself a correction" in reasons["M9"]
    assert "already reversed" in reasons["M10"]
    assert "never edited" in reasons["M1"]
    with engine.connect() as conn:
        subjects = set(conn.scalars(select(QuarantineEntry.subject)))
    assert subjects == {"shelter_member", "shelter_movement"}


def test_occupancy_json_from_the_command(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    shelter_store(engine, tmp_path)
    engine.dispose()
    result = CliRunner().invoke(
        app, ["sites", "occupancy", "--date", "2025-03-09", "--json", "--db", db_url]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"site_id": "S1", "households": 1, "individuals": 3, "female": 1, "male": 2, "children": 1},
        {"site_id": "S2", "households": 1, "individuals": 1, "female": 1, "male": 0, "children": 0},
        {"site_id": "S3", "households": 0, "individuals": 0, "female": 0, "male": 0, "children": 0},
    ]
    bad = CliRunner().invoke(app, ["sites", "occupancy", "--date", "9 March", "--db", db_url])
    assert bad.exit_code != 0 and "not a date" in bad.output


def test_duplicates_and_a_registration_after_death_are_proposed(
    engine: Engine, tmp_path: Path
) -> None:
    synth.write_shelter(tmp_path, seed=3, sites=4, households=60)
    ingest_sites(engine, tmp_path / synth.SITE_FILE, "tester")
    for team, name in synth.MEMBER_FILES.items():
        if (tmp_path / name).exists():
            ingest_registrations(engine, tmp_path / name, team, "tester")
    with engine.connect() as conn:
        first = conn.execute(select(ShelterMember).order_by(ShelterMember.id)).first()
    assert first is not None
    dead = {
        "record_id": "K1",
        "name_first": first.name_first,
        "name_father": first.name_father,
        "name_grandfather": first.name_grandfather or "",
        "name_family": first.name_family,
        "sex": first.sex,
        "age": str(first.age_min if first.age_min is not None else ""),
        "date_of_death": "2025-03-01",
        "status": "killed",
    }
    ingest_file(engine, write_csv(tmp_path / "dead.csv", [dead]), "Monitoring group")
    found = find_pairs(engine)
    # The first registration, and its duplicate at another site if the family moved.
    assert found.duplicates > 0 and found.conflicts >= 1
    with engine.connect() as conn:
        conflicts = list_pairs(conn, conflicts=True)
        pairs = list_pairs(conn)
    assert len(conflicts) == found.conflicts
    assert {(c.other, c.date_of_death) for c in conflicts} == {("K1", "2025-03-01")}
    assert first.registration_ref in {c.member for c in conflicts}
    decide_pair(engine, pairs[0].id, "different", "amina", "two cousins")
    find_pairs(engine)
    with engine.connect() as conn:
        assert pairs[0].id not in {p.id for p in list_pairs(conn)}
        kept = list_pairs(conn, undecided=False)
    assert any(p.id == pairs[0].id and p.decision == "different" for p in kept)


@pytest.mark.parametrize("by", ["site", "governorate"])
def test_public_exports_pass_their_hxl_schema_and_hide_small_cells(
    engine: Engine, tmp_path: Path, by: str
) -> None:
    shelter_store(engine, tmp_path)
    out = tmp_path / f"{by}.csv"
    days = [dt.date(2025, 3, 8), dt.date(2025, 3, 12)]
    written = export_occupancy(engine, out, by, days, user="tester")
    assert written.rows == (6 if by == "site" else 4) and written.suppressed_rows > 0
    with out.open(encoding="utf-8-sig") as handle:
        header, tags, *rows = list(csv.reader(handle))
    assert "#affected+idps+ind" in tags and "#adm1+code" in tags and "#date+reported" in tags
    columns = TABLES[by]
    problems = hxl_validate(tags, rows, schema_rows(columns, PUBLIC_MIN_CELL))
    assert problems == []
    households = header.index("households")
    for row in rows:
        assert row[households] == "" or not 0 < int(row[households]) < PUBLIC_MIN_CELL
        if row[households] == "":
            assert all(row[header.index(c)] == "" for c in COUNTS)
    # Internal, every count is shown, and the same schema without the threshold still passes;
    # with the public threshold it does not.
    internal = export_occupancy(engine, out, by, days, user="tester", min_cell=1)
    assert internal.suppressed_rows == 0
    with out.open(encoding="utf-8-sig") as handle:
        _header, tags, *rows = list(csv.reader(handle))
    assert hxl_validate(tags, rows, schema_rows(columns, 1)) == []
    assert hxl_validate(tags, rows, schema_rows(columns, PUBLIC_MIN_CELL)) != []


def test_the_report_has_a_displacement_section(engine: Engine, tmp_path: Path) -> None:
    shelter_store(engine, tmp_path)
    with engine.connect() as conn:
        day, rows = displacement_by_governorate(conn)
    assert day == dt.date(2025, 3, 12)
    # Lattakia's S3 holds H1 (1 household, withheld); Tartous's S2 holds H2 (withheld).
    assert {r.governorate: (r.sites, r.households) for r in rows} == {
        "Lattakia": (2, None),
        "Tartous": (1, None),
    }
    with engine.connect() as conn:
        _day, internal = displacement_by_governorate(conn, min_cell=1)
    assert {r.governorate: r.individuals for r in internal} == {"Lattakia": 3, "Tartous": 1}
    out = tmp_path / "report.html"
    write_report(engine, out)
    html = out.read_text(encoding="utf-8")
    assert '<section id="displacement">' in html and "Displaced people in shelter sites" in html
