"""The registration form: pyxform converts it, it carries English and Arabic labels, and a
submission file shaped as KoBoToolbox exports it ingests through the built-in profile."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.services.shelter_form import xform
from marsad.services.shelter_members import ingest_registrations
from marsad.store.shelter_tables import ShelterMember
from tests.integration.shelter_helpers import shelter_store

KOBO_HEADER = (
    "start;end;household_id;site_id;registered_on;member/name_first;member/name_father;"
    "member/name_grandfather;member/name_family;member/name_mother;member/sex;member/age;"
    "member/year_of_birth;member/relationship_to_head;member/vulnerabilities;"
    "origin/origin_pcode;origin/origin_locality;notes;_id;_uuid;_submission_time;"
    "_validation_status;_notes;_status;_submitted_by;__version__;_tags;_index"
)
KOBO_ROWS = (
    "2025-03-09T10:01:00.000+03:00;2025-03-09T10:04:00.000+03:00;H7;S2;2025-03-09;سعاد;جورج;"
    ";يوسف;;female;34;;head;female_headed_household pregnant;SY1002;بانياس;;101;"
    "6f1c2a9e-0d7e-4b7a-9a55-1f2e3d4c5b6a;2025-03-09T07:05:00;;;submitted_via_web;team_b;"
    "vX1;;1",
    "2025-03-09T10:05:00.000+03:00;2025-03-09T10:06:00.000+03:00;H7;S2;2025-03-09;Fouad;"
    "George;;Youssef;;male;;2016;child;;;;;102;8a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d;"
    "2025-03-09T07:07:00;;;submitted_via_web;team_b;vX1;;2",
)


def test_the_form_converts_with_both_languages(tmp_path: Path) -> None:
    out = tmp_path / "registration.xlsx"
    result = CliRunner().invoke(app, ["shelter", "form", "--out", str(out)])
    assert result.exit_code == 0, result.output
    converted = xform(out.read_bytes())
    assert 'lang="English (en)"' in converted and 'lang="Arabic (ar)"' in converted
    assert "اسم العائلة" in converted and "Family name" in converted
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["survey", "choices", "settings"]
    names = {row[1] for row in book["survey"].iter_rows(values_only=True)}
    assert {"household_id", "site_id", "name_first", "vulnerabilities"} <= names


def test_a_kobo_export_ingests_without_editing(engine: Engine, tmp_path: Path) -> None:
    shelter_store(engine, tmp_path)
    path = tmp_path / "kobo.csv"
    path.write_text("\n".join((KOBO_HEADER, *KOBO_ROWS)) + "\n", encoding="utf-8")
    summary = ingest_registrations(engine, path, "Team B (KoBo)", "tester", kobo=True)
    assert (summary.rows_recorded, summary.rows_quarantined) == (2, 0), summary.quarantined
    with engine.connect() as conn:
        rows = {m.registration_ref: m for m in conn.execute(select(ShelterMember)).all()}
    mother = rows["6f1c2a9e-0d7e-4b7a-9a55-1f2e3d4c5b6a"]
    assert (mother.name, mother.sex, mother.age_min) == ("سعاد جورج يوسف", "female", 34)
    assert mother.vulnerabilities == ["pregnant", "female_headed_household"]
    assert (mother.origin_pcode, mother.origin_locality) == ("SY1002", "بانياس")
    son = rows["8a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]
    assert (son.year_of_birth, son.child, son.relationship_to_head) == (2016, True, "child")
