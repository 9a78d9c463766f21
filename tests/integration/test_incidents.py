"""Incident files on SQLite and PostgreSQL: kept verbatim, never doubled, bad rows quarantined."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, Row, func, select

from marsad.ingest.table import TableError
from marsad.services.incidents import IncidentGradeCount, incident_counts, ingest_incidents
from marsad.store.models import Import, Incident, QuarantineEntry, RawRow, Source
from tests.integration.helpers import counts, write_csv

COLUMNS = ("incident_id", "date", "governorate", "place", "killed_min", "killed_max", "grade")


def incident(ref: str, killed_min: str, grade: str, **extra: str) -> dict[str, str]:
    return {
        "incident_id": ref,
        "date": "2025-03-07",
        "governorate": "Lattakia",
        "killed_min": killed_min,
        "grade": grade,
        **extra,
    }


def good_rows() -> list[dict[str, str]]:
    return [
        incident("I-1", "5", "confirmed", killed_max="7", place="Jableh highway"),
        incident("I-2", "at least 12", "fair", governorate="طرطوس"),
        incident("I-3", "3-4", "discounted", date="2025-03"),
    ]


def stored(engine: Engine) -> dict[str, Row[Any]]:
    """Stored incidents by their id, as rows of the `incidents` table."""
    with engine.connect() as conn:
        return {i.incident_ref: i for i in conn.execute(select(Incident.__table__)).all()}


def sizes(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        incidents = conn.scalar(select(func.count()).select_from(Incident)) or 0
        sources = conn.scalar(select(func.count()).select_from(Source)) or 0
    return {**counts(engine), "incidents": incidents, "sources": sources}


def test_good_file_becomes_incidents(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "incidents.csv", good_rows(), COLUMNS)
    summary = ingest_incidents(engine, path, "Field team", "tester")
    assert (summary.rows_total, summary.rows_recorded, summary.rows_quarantined) == (3, 3, 0)
    found = stored(engine)
    assert (found["I-1"].killed_min, found["I-1"].killed_max) == (5, 7)
    assert found["I-1"].governorate == "SY06"
    assert found["I-1"].place == "Jableh highway"
    assert (found["I-2"].killed_min, found["I-2"].killed_max) == (12, 12)
    assert found["I-2"].governorate == "SY10"
    assert found["I-3"].date == "2025-03"
    assert found["I-3"].grade == "discounted"
    with engine.connect() as conn:
        imported = conn.execute(select(Import)).one()
        raw = conn.execute(select(RawRow.data).order_by(RawRow.row_number)).scalars().all()
        source_row = conn.scalar(select(RawRow.data).where(RawRow.id == found["I-2"].raw_row_id))
    assert imported.profile == {"name": "incidents"}
    assert imported.imported_by == "tester"
    assert imported.sha256 == summary.sha256 and len(summary.sha256) == 64
    assert (imported.rows_total, imported.rows_recorded) == (3, 3)
    assert raw[1]["killed_min"] == "at least 12"
    assert source_row is not None and source_row["incident_id"] == "I-2"


def test_bad_rows_are_quarantined_with_row_field_and_reason(engine: Engine, tmp_path: Path) -> None:
    rows = [
        *good_rows(),
        incident("I-4", "12", "fair", killed_max="5"),
        incident("", "many", "probable"),
        incident("I-6", "2", "weak", governorate="Atlantis"),
    ]
    path = write_csv(tmp_path / "incidents.csv", rows, COLUMNS)
    summary = ingest_incidents(engine, path, "Field team", "tester")
    assert (summary.rows_total, summary.rows_recorded, summary.rows_quarantined) == (6, 3, 3)
    by_row = {q.row_number: {e.field for e in q.errors} for q in summary.quarantined}
    assert by_row == {
        5: {"killed_max"},
        6: {"incident_id", "killed_min", "grade"},
        7: {"governorate"},
    }
    with engine.connect() as conn:
        entries = conn.execute(
            select(RawRow.row_number, QuarantineEntry.record_id, QuarantineEntry.field)
            .join(RawRow, RawRow.id == QuarantineEntry.raw_row_id)
            .order_by(RawRow.row_number, QuarantineEntry.field)
        ).all()
        reasons = conn.scalars(select(QuarantineEntry.reason)).all()
    assert [(e.row_number, e.record_id, e.field) for e in entries] == [
        (5, "I-4", "killed_max"),
        (6, None, "grade"),
        (6, None, "incident_id"),
        (6, None, "killed_min"),
        (7, "I-6", "governorate"),
    ]
    assert any("'Atlantis'" in r for r in reasons)
    assert sizes(engine)["raw_rows"] == 6  # nothing lost: every row kept verbatim


def test_reimporting_the_same_file_is_a_no_op(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "incidents.csv", good_rows(), COLUMNS)
    first = ingest_incidents(engine, path, "Field team", "tester")
    before = sizes(engine)
    again = ingest_incidents(engine, path, "Field team", "tester")
    assert again.already_imported and again.import_id == first.import_id
    assert again.rows_recorded == 0
    assert sizes(engine) == before


def test_an_incident_sent_again_is_not_doubled(engine: Engine, tmp_path: Path) -> None:
    ingest_incidents(engine, write_csv(tmp_path / "a.csv", good_rows(), COLUMNS), "Field team", "t")
    changed = incident("I-1", "6", "confirmed", killed_max="7", place="Jableh highway")
    rows = [*good_rows()[1:], changed, incident("I-9", "1", "weak")]
    summary = ingest_incidents(
        engine, write_csv(tmp_path / "b.csv", rows, COLUMNS), "Field team", "t"
    )
    assert (summary.rows_recorded, summary.rows_already_present) == (1, 2)
    assert summary.rows_quarantined == 1
    assert summary.quarantined[0].errors[0].field == "incident_id"
    assert "different content" in summary.quarantined[0].errors[0].reason
    found = stored(engine)
    assert sorted(found) == ["I-1", "I-2", "I-3", "I-9"]
    assert found["I-1"].killed_min == 5


def test_the_same_id_twice_in_one_file(engine: Engine, tmp_path: Path) -> None:
    rows = [*good_rows(), good_rows()[0], incident("I-2", "1", "weak")]
    summary = ingest_incidents(engine, write_csv(tmp_path / "a.csv", rows, COLUMNS), "S", "t")
    assert (summary.rows_recorded, summary.rows_already_present, summary.rows_quarantined) == (
        3,
        1,
        1,
    )
    assert sizes(engine)["incidents"] == 3


def test_same_incident_id_from_two_sources_is_two_incidents(engine: Engine, tmp_path: Path) -> None:
    ingest_incidents(engine, write_csv(tmp_path / "a.csv", good_rows(), COLUMNS), "One", "t")
    rows = [*good_rows(), incident("X", "1", "weak")]
    summary = ingest_incidents(engine, write_csv(tmp_path / "b.csv", rows, COLUMNS), "Two", "t")
    assert summary.rows_recorded == 4
    assert sizes(engine)["incidents"] == 7


def test_arabic_workbook(engine: Engine, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["رقم الحادثة", "التاريخ", "المحافظة", "المكان", "عدد القتلى", "التقييم", "الوصف"])
    sheet.append(["ح-١", "٧ آذار ٢٠٢٥", "اللاذقية", "جبلة", "بين ٥ و ٧", "مؤكد", "سيارة"])
    sheet.append(["ح-٢", "آذار ٢٠٢٥", "محافظة طرطوس", "", "١٢ على الأقل", "متنازع عليه", ""])
    sheet.append(["ح-٣", "", "", "", "٣", "ممتاز", ""])
    path = tmp_path / "حوادث.xlsx"
    workbook.save(path)
    summary = ingest_incidents(engine, path, "مجموعة الرصد", "tester")
    assert (summary.rows_recorded, summary.rows_quarantined) == (2, 1)
    assert summary.quarantined[0].record_id == "ح-٣"
    assert summary.quarantined[0].errors[0].field == "grade"
    found = stored(engine)
    first, second = found["ح-١"], found["ح-٢"]
    assert (first.date, first.governorate, first.killed_min, first.killed_max) == (
        "2025-03-07",
        "SY06",
        5,
        7,
    )
    assert (first.grade, first.place, first.description) == ("confirmed", "جبلة", "سيارة")
    assert (second.date, second.governorate, second.killed_min) == ("2025-03", "SY10", 12)
    assert second.grade == "contested" and second.description is None


def test_counts_by_grade_keep_discounted_apart(engine: Engine, tmp_path: Path) -> None:
    rows = [*good_rows(), incident("I-4", "2-3", "fair"), incident("I-5", "1", "discounted")]
    ingest_incidents(engine, write_csv(tmp_path / "a.csv", rows, COLUMNS), "S", "t")
    with engine.connect() as conn:
        found = incident_counts(conn)
    assert [c.grade for c in found] == ["confirmed", "fair", "weak", "contested", "discounted"]
    by_grade = {c.grade: c for c in found}
    assert by_grade["confirmed"] == IncidentGradeCount("confirmed", 1, 5, 7, 1)
    assert by_grade["fair"] == IncidentGradeCount("fair", 2, 14, 15, 2)
    assert by_grade["weak"] == IncidentGradeCount("weak", 0, 0, 0, 0)
    assert by_grade["discounted"] == IncidentGradeCount("discounted", 2, 4, 5, 2)
    assert [c.grade for c in found if not c.counted] == ["discounted"]


def test_unreadable_file_leaves_the_store_as_it_was(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("\n\n", encoding="utf-8")
    before = sizes(engine)
    with pytest.raises(TableError):
        ingest_incidents(engine, path, "S", "t")
    assert sizes(engine) == before


def test_a_corrected_incident_resolves_its_quarantine_entry(engine: Engine, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        [incident("INC-9", "seven", "confirmed")],
        COLUMNS,
    )
    ingest_incidents(engine, bad, "Group", "test")
    fixed = write_csv(tmp_path / "fixed.csv", [incident("INC-9", "7", "confirmed")], COLUMNS)
    ingest_incidents(engine, fixed, "Group", "test")
    with engine.connect() as conn:
        entries = conn.execute(
            select(QuarantineEntry.subject, QuarantineEntry.resolved_by_incident_id)
        ).all()
        incident_id = conn.scalar(select(Incident.id).where(Incident.incident_ref == "INC-9"))
    assert entries and all(e.subject == "incident" for e in entries)
    assert {e.resolved_by_incident_id for e in entries} == {incident_id}
