"""Ingest on SQLite and PostgreSQL: nothing lost, nothing doubled, bad rows quarantined."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from marsad.ingest.table import TableError
from marsad.services.exports import export_quarantine, quarantine_items
from marsad.services.ingest import ingest_file
from marsad.store.models import Import, QuarantineEntry, RawRow, Record
from tests.integration.helpers import counts, person, write_csv


def three_rows() -> list[dict[str, str]]:
    return [
        person("A-1", "محمد أحمد الأسعد", sex="ذكر", age="34"),
        person("A-2", "Fatima Ali Hassan", date="2025-03", governorate="طرطوس", sex="f"),
        person("A-3", "Ahmad Youssef", date="2025", governorate="", age="child"),
    ]


def test_standard_csv_becomes_records(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", three_rows())
    summary = ingest_file(engine, path, "Monitoring group", kind="monitoring_group")
    assert (summary.rows_total, summary.rows_recorded, summary.rows_quarantined) == (3, 3, 0)
    with engine.connect() as conn:
        records = {r.record_id: r for r in conn.execute(select(Record))}
        raw = conn.execute(select(RawRow.data).order_by(RawRow.row_number)).scalars().all()
    assert records["A-1"].sex == "male"
    assert (records["A-1"].age_min, records["A-1"].age_max) == (34, 34)
    assert records["A-1"].pcode_adm1 == "SY06"
    assert records["A-2"].date_of_death == "2025-03"
    assert records["A-2"].pcode_adm1 == "SY10"
    assert records["A-3"].date_of_death == "2025"
    assert (records["A-3"].age_min, records["A-3"].age_max) == (0, 17)
    assert records["A-1"].status == "killed"
    assert raw[0]["name"] == "محمد أحمد الأسعد"
    assert raw[0]["sex"] == "ذكر"


def test_reimporting_the_same_file_is_a_no_op(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "list.csv", three_rows())
    first = ingest_file(engine, path, "Monitoring group")
    before = counts(engine)
    again = ingest_file(engine, path, "Monitoring group")
    assert again.already_imported and again.import_id == first.import_id
    assert counts(engine) == before


def test_a_record_already_seen_is_not_duplicated(engine: Engine, tmp_path: Path) -> None:
    ingest_file(engine, write_csv(tmp_path / "one.csv", three_rows()), "Monitoring group")
    rows = [*three_rows(), person("A-4", "Omar Khaled al-Homsi")]
    summary = ingest_file(engine, write_csv(tmp_path / "two.csv", rows), "Monitoring group")
    assert (summary.rows_recorded, summary.rows_already_present) == (1, 3)
    assert counts(engine)["records"] == 4
    assert counts(engine)["raw_rows"] == 7


def test_same_record_id_with_other_content_is_quarantined(engine: Engine, tmp_path: Path) -> None:
    ingest_file(engine, write_csv(tmp_path / "one.csv", three_rows()), "Monitoring group")
    changed = [person("A-1", "محمد أحمد الأسعد", date="2025-03-09")]
    summary = ingest_file(engine, write_csv(tmp_path / "two.csv", changed), "Monitoring group")
    assert summary.rows_quarantined == 1
    assert summary.quarantined[0].errors[0].field == "record_id"
    assert "different content" in summary.quarantined[0].errors[0].reason


def test_same_record_id_in_two_sources_is_two_records(engine: Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", three_rows())
    ingest_file(engine, path, "Monitoring group")
    other = write_csv(tmp_path / "other.csv", [*three_rows(), person("X", "Ali")])
    summary = ingest_file(engine, other, "UN office", kind="un_office")
    assert summary.rows_recorded == 4


def test_bad_rows_go_to_quarantine_with_field_and_reason(engine: Engine, tmp_path: Path) -> None:
    rows = [
        person("B-1", "Ali Hassan"),
        person("", "No Id"),
        person("B-3", "", sex="x"),
        person("B-4", "Samir Issa", status="alive"),
        person("B-5", "=cmd|' /C calc'!A0"),
        person("B-6", "Rami Haddad", date="2025-02-30", governorate="Atlantis"),
        person("B-7", "Hala Daher", governorate="Homs", pcode="SY0602"),
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    summary = ingest_file(engine, path, "Field team", kind="field_team")
    assert (summary.rows_total, summary.rows_recorded, summary.rows_quarantined) == (7, 2, 5)
    by_row = {q.row_number: {e.field for e in q.errors} for q in summary.quarantined}
    assert by_row[3] == {"record_id"}
    assert by_row[4] == {"name", "sex"}, "a quarantined row lists its unread values too"
    assert by_row[5] == {"status"}
    assert by_row[6] == {"name"}
    assert by_row[8] == {"pcode"}
    assert counts(engine)["raw_rows"] == 7, "every row is kept verbatim"
    items = list(quarantine_items(engine))
    assert len(items) == 5
    assert all(item.file_name == "bad.csv" for item in items)
    assert {(i.row_number, i.record_id) for i in items} >= {(3, None), (4, "B-3"), (5, "B-4")}
    with engine.connect() as conn:
        kept = conn.execute(select(Record).where(Record.record_id == "B-6")).one()
    assert (kept.date_of_death, kept.governorate) == (None, None)
    assert kept.unread == {"date_of_death": "2025-02-30", "governorate": "Atlantis"}


def test_ragged_rows_and_unclosed_quotes(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text(
        "record_id,name,sex\n"
        "R-1,Ali Hassan,m\n"
        "R-2,Samir,m,extra\n"
        "R-3,Omar\n"
        'R-4,"Rami Haddad,m\n'
        "R-5,Hala Daher,f\n",
        encoding="utf-8",
    )
    summary = ingest_file(engine, path, "Field team")
    assert summary.rows_recorded == 1
    assert summary.rows_quarantined == summary.rows_total - 1
    fields = {e.field for q in summary.quarantined for e in q.errors}
    assert "_row" in fields
    assert counts(engine)["raw_rows"] == summary.rows_total


def test_windows_1256_file_is_read_as_arabic(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "cp1256.csv"
    text = "record_id,name,governorate\nW-1,محمد أحمد الأسعد,اللاذقية\n"
    path.write_bytes(text.encode("windows-1256"))
    summary = ingest_file(engine, path, "Hospital", kind="hospital")
    assert summary.rows_recorded == 1
    assert summary.encoding == "windows-1256"
    assert any("1256" in w for w in summary.warnings)
    with engine.connect() as conn:
        record = conn.execute(select(Record)).one()
    assert record.name == "محمد أحمد الأسعد"
    assert record.pcode_adm1 == "SY06"


def test_empty_file_is_refused_and_the_store_unchanged(engine: Engine, tmp_path: Path) -> None:
    before = counts(engine)
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(TableError, match=r"empty\.csv"):
        ingest_file(engine, path, "Monitoring group")
    assert counts(engine) == before


def test_a_one_megabyte_field_is_kept_raw_and_quarantined(engine: Engine, tmp_path: Path) -> None:
    huge = "x" * (1 << 20)
    path = write_csv(tmp_path / "big.csv", [person("H-1", "Ali Hassan", notes=huge)])
    summary = ingest_file(engine, path, "Monitoring group")
    assert summary.rows_quarantined == 1
    assert summary.quarantined[0].errors[0].field == "notes"
    with engine.connect() as conn:
        raw = conn.execute(select(RawRow.data)).scalar_one()
    assert raw["notes"] == huge


def test_duplicate_headers_lose_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "record_id,name,name\nD-1,Ali Hassan,Ali Hassan\nD-2,Ali Hassan,Omar Issa\n",
        encoding="utf-8",
    )
    summary = ingest_file(engine, path, "Monitoring group")
    assert (summary.rows_recorded, summary.rows_quarantined) == (1, 1)
    with engine.connect() as conn:
        raw = conn.execute(select(RawRow.data).order_by(RawRow.row_number)).scalars().all()
        columns = conn.execute(select(Import.columns)).scalar_one()
    assert columns == ["record_id", "name", "name"]
    assert sorted(raw[1].values()) == sorted(["D-2", "Ali Hassan", "Omar Issa"])


def test_quarantine_export_correct_and_reingest(engine: Engine, tmp_path: Path) -> None:
    rows = [person("Q-1", "Ali Hassan"), person("Q-2", "Samir Issa", status="vivant")]
    ingest_file(engine, write_csv(tmp_path / "q.csv", rows), "Monitoring group")
    out = tmp_path / "fix.csv"
    assert export_quarantine(engine, out) == 1
    text = out.read_text(encoding="utf-8")
    assert "status" in text and "vivant" in text
    out.write_text(text.replace("vivant", "tué"), encoding="utf-8")
    summary = ingest_file(engine, out, "Monitoring group")
    assert summary.rows_recorded == 1
    assert list(quarantine_items(engine)) == []
    with engine.connect() as conn:
        resolved = conn.execute(select(QuarantineEntry.resolved_by_record_id)).scalar_one()
        record = conn.execute(select(Record).where(Record.record_id == "Q-2")).one()
    assert resolved == record.id
    assert record.status == "killed"


def test_xlsx_with_formula_cell(engine: Engine, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["record_id", "name", "age"])
    sheet.append(["X-1", "Ali Hassan", 34])
    sheet.append(["X-2", '=HYPERLINK("http://x")', 20])
    path = tmp_path / "list.xlsx"
    book.save(path)
    summary = ingest_file(engine, path, "Media", kind="media")
    assert (summary.rows_recorded, summary.rows_quarantined) == (1, 1)
    assert summary.quarantined[0].errors[0].field == "name"


def test_kobo_json_with_profile(engine: Engine, tmp_path: Path) -> None:
    export = {
        "results": [
            {
                "_uuid": "k-1",
                "victim": {
                    "name_first": "محمد",
                    "name_father": "أحمد",
                    "name_family": "الأسعد",
                    "sex": "1",
                },
                "date": "07/03/2025",
            },
            {
                "_uuid": "k-2",
                "victim": {"name_first": "فاطمة", "name_family": "حسن", "sex": "2"},
                "date": "2025-03-08",
            },
        ]
    }
    path = tmp_path / "kobo.json"
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    profile = tmp_path / "kobo.yaml"
    profile.write_text(
        "name: kobo-test\n"
        "columns:\n"
        "  record_id: _uuid\n"
        "  name_first: victim/name_first\n"
        "  name_father: victim/name_father\n"
        "  name_family: victim/name_family\n"
        "  sex: victim/sex\n"
        "  date_of_death: date\n"
        "values:\n"
        "  sex: {'1': male, '2': female}\n"
        "defaults:\n"
        "  governorate: Lattakia\n",
        encoding="utf-8",
    )
    summary = ingest_file(engine, path, "Field team", profile_path=profile)
    assert summary.rows_recorded == 2
    with engine.connect() as conn:
        records = {r.record_id: r for r in conn.execute(select(Record))}
        stored_profile = conn.execute(select(Import.profile)).scalar_one()
    assert records["k-1"].name == "محمد أحمد الأسعد"
    assert records["k-1"].date_of_death == "2025-03-07"
    assert records["k-2"].sex == "female"
    assert records["k-2"].pcode_adm1 == "SY06"
    assert stored_profile["name"] == "kobo-test" and "victim/sex" in stored_profile["yaml"]
