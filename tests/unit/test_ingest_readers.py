"""Streaming readers: CSV dialects and encodings, broken rows, XLSX, JSON and JSON Lines."""

import codecs
import json
import tracemalloc
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from marsad.ingest import table as tabular
from marsad.ingest.readers import open_table
from marsad.ingest.table import RawRow, TableError

DATA = Path(__file__).parent.parent / "data" / "ingest"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path: Path, **kwargs: str) -> tuple[list[str], list[RawRow]]:
    with open_table(path, **kwargs) as table:
        return table.columns, list(table.rows())


# CSV


def test_standard_csv() -> None:
    with open_table(DATA / "standard.csv") as table:
        rows = list(table.rows())
        assert table.encoding == "utf-8"
        assert table.warnings == []
        assert table.columns[:3] == ["record_id", "name", "name_first"]
        assert len(table.columns) == 20
    assert [r.row_number for r in rows] == [2, 3]
    assert rows[0].cells["name"] == "Ahmad Ali Hasan"
    assert rows[1].cells["notes"] == "note with, comma"
    assert all(r.problems == [] for r in rows)


def test_values_are_verbatim(tmp_path: Path) -> None:
    path = write(tmp_path, "v.csv", 'id,name,age\n1,"  Ahmad   Ali ",\t34 \n')
    _, rows = read(path)
    assert rows[0].cells == {"id": "1", "name": "  Ahmad   Ali ", "age": "\t34 "}


def test_utf8_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "record_id,الاسم\nr1,أحمد\n".encode())
    with open_table(path) as table:
        assert table.columns == ["record_id", "الاسم"]
        assert table.encoding == "utf-8-sig"
        assert next(table.rows()).cells == {"record_id": "r1", "الاسم": "أحمد"}
    columns, _ = read(path, encoding="utf-8")
    assert columns == ["record_id", "الاسم"]


def test_windows_1256_file_is_decoded_with_a_warning() -> None:
    path = DATA / "arabic-windows-1256.csv"
    with open_table(path) as table:
        rows = list(table.rows())
        assert table.encoding == "windows-1256"
        assert len(table.warnings) == 1
        assert str(path) in table.warnings[0]
        assert "windows-1256" in table.warnings[0]
        assert table.columns == ["الرقم", "الاسم", "الجنس", "العمر", "الحالة"]
    assert rows[0].cells["الاسم"] == "أحمد علي"
    assert rows[1].cells["الجنس"] == "أنثى"
    assert rows[1].cells["الحالة"] == "مفقودة"


def test_explicit_encoding_is_used(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "id,name\n1,حلب\n", encoding="windows-1256")
    with open_table(path, encoding="windows-1256") as table:
        assert table.warnings == []
        assert next(table.rows()).cells["name"] == "حلب"


def test_wrong_explicit_encoding_raises_table_error(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "id,name\n1,حلب\n", encoding="windows-1256")
    with pytest.raises(TableError, match=r"e\.csv"):
        read(path, encoding="utf-8")


def test_utf16_with_bom_is_detected(tmp_path: Path) -> None:
    path = write(tmp_path, "u.txt", "\ufeffid\tname\n1\tحمص\n", encoding="utf-16-le")
    _, rows = read(path)
    assert rows[0].cells == {"id": "1", "name": "حمص"}


@pytest.mark.parametrize(
    ("delimiter", "suffix"), [(";", ".csv"), ("\t", ".tsv"), ("\t", ".csv"), (",", ".txt")]
)
def test_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str, suffix: str) -> None:
    text = delimiter.join(["id", "name", "notes"]) + "\n"
    text += delimiter.join(["1", "Ali", "a b"]) + "\n"
    columns, rows = read(write(tmp_path, "d" + suffix, text))
    assert columns == ["id", "name", "notes"]
    assert rows[0].cells == {"id": "1", "name": "Ali", "notes": "a b"}


def test_one_megabyte_field(tmp_path: Path) -> None:
    big = "ب" * 1_000_000
    _, rows = read(write(tmp_path, "big.csv", f'id,notes\n1,"{big}"\n2,short\n'))
    assert rows[0].cells["notes"] == big
    assert rows[1].row_number == 3


def test_blank_and_delimiter_only_lines_are_skipped(tmp_path: Path) -> None:
    text = "\n\nid,name\n\n1,Ali\n,\n   \n2,Omar\n"
    columns, rows = read(write(tmp_path, "b.csv", text))
    assert columns == ["id", "name"]
    assert [(r.row_number, r.cells["id"]) for r in rows] == [(5, "1"), (8, "2")]


def test_row_number_is_the_line_where_a_multiline_row_starts(tmp_path: Path) -> None:
    text = 'id,notes\n1,"line one\nline two"\n2,x\n'
    _, rows = read(write(tmp_path, "m.csv", text))
    assert [r.row_number for r in rows] == [2, 4]
    assert rows[0].cells["notes"] == "line one\nline two"
    assert rows[0].problems == []


def test_crlf_line_endings(tmp_path: Path) -> None:
    _, rows = read(write(tmp_path, "c.csv", "id,name\r\n1,Ali\r\n2,Omar\r\n"))
    assert [r.cells for r in rows] == [{"id": "1", "name": "Ali"}, {"id": "2", "name": "Omar"}]


def test_ragged_rows_get_a_problem_and_keep_every_cell(tmp_path: Path) -> None:
    text = "id,name,age\n1,Ali\n2,Omar,30,extra\n3,Huda,20\n"
    _, rows = read(write(tmp_path, "r.csv", text))
    short, long, ok = rows
    assert short.cells == {"id": "1", "name": "Ali"}
    assert [p.field for p in short.problems] == ["_row"]
    assert "2 cells" in short.problems[0].reason and "header has 3" in short.problems[0].reason
    assert long.cells["(column 4)"] == "extra"
    assert "4 cells" in long.problems[0].reason
    assert ok.problems == []


def test_unclosed_quote_names_the_swallowed_lines(tmp_path: Path) -> None:
    text = 'id,name,notes\n1,Ali,ok\n2,"Omar,broken\n3,Huda,x\n4,Sami,y\n'
    _, rows = read(write(tmp_path, "q.csv", text))
    assert rows[0].problems == []
    broken = rows[1]
    assert broken.row_number == 3
    assert [p.field for p in broken.problems] == ["_row"]
    assert "lines 3-5" in broken.problems[0].reason
    assert "quote" in broken.problems[0].reason


def test_unclosed_quote_with_matching_cell_count_is_still_caught(tmp_path: Path) -> None:
    text = 'id,notes\n1,"open\n2,x\n'
    _, rows = read(write(tmp_path, "q2.csv", text))
    assert len(rows) == 1
    assert "lines 2-3" in rows[0].problems[0].reason


def test_duplicate_headers_keep_both_columns(tmp_path: Path) -> None:
    text = "id,name,name,name\n1,Ali,Ali,\n2,Ali,Omar,Ali\n"
    with open_table(write(tmp_path, "dup.csv", text)) as table:
        rows = list(table.rows())
        assert table.columns == ["id", "name", "name", "name"]
        assert any("'name'" in w and "repeats" in w for w in table.warnings)
    assert rows[0].cells == {"id": "1", "name": "Ali", "name (2)": "Ali", "name (3)": ""}
    assert rows[0].problems == []
    assert len(rows[1].problems) == 1
    problem = rows[1].problems[0]
    assert problem.field == "name"
    assert "'name'" in problem.reason and "'name (2)'" in problem.reason


def test_duplicate_key_does_not_overwrite_an_existing_header(tmp_path: Path) -> None:
    text = "name,name (2),name\nA,B,C\n"
    _, rows = read(write(tmp_path, "dup2.csv", text))
    assert rows[0].cells == {"name": "A", "name (2)": "B", "name (3)": "C"}


def test_empty_header_gets_a_positional_key(tmp_path: Path) -> None:
    with open_table(write(tmp_path, "eh.csv", "id,,name\n1,x,Ali\n")) as table:
        row = next(table.rows())
        assert table.columns == ["id", "", "name"]
        assert table.warnings
    assert row.cells == {"id": "1", "(column 2)": "x", "name": "Ali"}


def test_formula_text_in_csv_is_kept_verbatim(tmp_path: Path) -> None:
    text = "id,name\n1,\"=cmd|' /C calc'!A0\"\n2,@SUM(A1)\n"
    _, rows = read(write(tmp_path, "f.csv", text))
    assert rows[0].cells["name"] == "=cmd|' /C calc'!A0"
    assert rows[1].cells["name"] == "@SUM(A1)"


@pytest.mark.parametrize("text", ["", "\n\n  \n", ",,,\n,,\n"])
def test_empty_file_raises_table_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "empty.csv", text)
    with pytest.raises(TableError, match=r"empty\.csv"):
        open_table(path)


def test_header_only_file_has_no_rows(tmp_path: Path) -> None:
    columns, rows = read(write(tmp_path, "h.csv", "id,name\n"))
    assert columns == ["id", "name"]
    assert rows == []


def test_missing_file_and_unknown_types(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"nothing\.csv"):
        open_table(tmp_path / "nothing.csv")
    with pytest.raises(TableError, match=r"\.xls files"):
        open_table(write(tmp_path, "old.xls", "x"))
    with pytest.raises(TableError, match="unknown file type"):
        open_table(write(tmp_path, "doc.pdf", "x"))


def test_rows_can_be_read_twice_and_close_ends_iteration(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id\n1\n2\n3\n")
    with open_table(path) as table:
        assert len(list(table.rows())) == 3
        partial = table.rows()
        assert next(partial).cells == {"id": "1"}
    assert list(partial) == []


def test_csv_memory_stays_flat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "CHUNK", 64 * 1024)
    path = tmp_path / "large.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("record_id,name,notes\n")
        for i in range(5_000):
            f.write(f"r{i},اسم رقم {i},{'ملاحظة ' * 100}\n")
    assert path.stat().st_size > 6_000_000
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table.rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5_000
    assert peak < 1_500_000  # the file is over 6 MB, and would take twice that as text


# XLSX


def make_xlsx(path: Path, rows: list[list[object]], title: str = "Sheet1") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_xlsx_values_become_text(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "v.xlsx",
        [
            ["record_id", "name", "age", "date_of_death", "score", "civilian", "when"],
            [1, "أحمد علي", 34.0, date(2025, 3, 7), 2.5, True, datetime(2025, 3, 7, 14, 30)],
            ["r2", '=HYPERLINK("http://x")', 27, datetime(2025, 3, 8), None, False, None],
        ],
    )
    with open_table(path) as table:
        rows = list(table.rows())
        assert table.columns == [
            "record_id",
            "name",
            "age",
            "date_of_death",
            "score",
            "civilian",
            "when",
        ]
    first, second = rows
    assert first.row_number == 2
    assert first.cells == {
        "record_id": "1",
        "name": "أحمد علي",
        "age": "34",
        "date_of_death": "2025-03-07",
        "score": "2.5",
        "civilian": "TRUE",
        "when": "2025-03-07 14:30:00",
    }
    assert second.cells["name"].startswith("=HYPERLINK(")
    assert second.cells["date_of_death"] == "2025-03-08"
    assert second.cells["score"] == ""


def test_xlsx_formula_cell_yields_formula_text(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "f.xlsx", [["record_id", "name"], ["r1", "=1+1"], ["r2", "=A2"]])
    _, rows = read(path)
    assert [r.cells["name"] for r in rows] == ["=1+1", "=A2"]


def test_xlsx_sheet_selection_blank_rows_and_row_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["other"])
    victims = workbook.create_sheet("Victims")
    victims.append([None])
    victims.append(["id", "name", None])
    victims.append([1, "Ali"])
    victims.append([None, None])
    victims.append([2, "Omar", None, None])
    victims.append([3, "Huda", None, "stray"])
    workbook.save(tmp_path / "s.xlsx")
    with open_table(tmp_path / "s.xlsx", sheet="Victims") as table:
        rows = list(table.rows())
        assert table.columns == ["id", "name"]
    assert [r.row_number for r in rows] == [3, 5, 6]
    assert rows[1].cells == {"id": "2", "name": "Omar"}
    assert rows[1].problems == []
    assert rows[2].cells["(column 4)"] == "stray"
    assert "4 cells" in rows[2].problems[0].reason
    columns, _ = read(tmp_path / "s.xlsx")
    assert columns == ["other"]


def test_xlsx_duplicate_headers(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "d.xlsx", [["id", "sex", "sex"], [1, "m", "f"]])
    _, rows = read(path)
    assert rows[0].cells == {"id": "1", "sex": "m", "sex (2)": "f"}
    assert rows[0].problems[0].field == "sex"


def test_xlsx_file_problems(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "ok.xlsx", [["id"], [1]])
    with pytest.raises(TableError, match="no sheet 'Nope'"):
        open_table(path, sheet="Nope")
    with pytest.raises(TableError, match=r"fake\.xlsx"):
        open_table(write(tmp_path, "fake.xlsx", "id,name\n1,Ali\n"))
    with pytest.raises(TableError, match=r"blank\.xlsx.*empty"):
        open_table(make_xlsx(tmp_path / "blank.xlsx", []))


# JSON


def test_kobo_json_with_groups() -> None:
    with open_table(DATA / "kobo-victims.json") as table:
        rows = list(table.rows())
        columns = table.columns
    assert columns[:4] == ["_id", "_uuid", "victim/name_first", "victim/name_family"]
    assert "place/pcode" in columns and "_attachments" in columns
    assert columns.index("place/pcode") > columns.index("_geolocation")  # first-seen order
    first, second = rows
    assert (first.row_number, second.row_number) == (1, 2)
    assert first.cells["victim/sex"] == "1"
    assert first.cells["victim/age"] == "41"
    assert first.cells["_tags"] == "checked; coast"
    assert first.cells["_notes"] == ""
    assert first.cells["_geolocation"] == "35.36; 35.92"
    assert "place/pcode" not in first.cells
    assert second.cells["victim/name_first"] == "سلمى"
    assert second.cells["victim/age"] == "9.5"
    assert second.cells["_validated"] == "true"
    assert second.cells["extra"] == ""
    assert json.loads(second.cells["_attachments"]) == [{"filename": "photo.jpg"}]


def test_top_level_array_and_data_key(tmp_path: Path) -> None:
    records = [{"id": 1, "name": "Ali", "age": 1.50}, {"id": 2, "name": "Omar", "sex": "m"}]
    path = write(tmp_path, "a.json", json.dumps(records))
    columns, rows = read(path)
    assert columns == ["id", "name", "age", "sex"]
    assert rows[0].cells == {"id": "1", "name": "Ali", "age": "1.5"}
    keyed = write(tmp_path, "k.json", json.dumps({"version": "2", "data": records, "n": [1, 2]}))
    assert read(keyed) == (columns, rows)


def test_json_numbers_are_kept_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "n.json", '[{"id": 007, "age": 34.0}]'.replace("007", "7"))
    _, rows = read(path)
    assert rows[0].cells == {"id": "7", "age": "34.0"}


def test_json_read_in_small_chunks_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = read(DATA / "kobo-victims.json")
    monkeypatch.setattr(tabular, "CHUNK", 7)
    assert read(DATA / "kobo-victims.json") == expected
    path = write(tmp_path, "nums.json", '{"results": [{"a": 12345678901234}, {"a": 9}]} ')
    _, rows = read(path)
    assert [r.cells["a"] for r in rows] == ["12345678901234", "9"]


def test_json_lines(tmp_path: Path) -> None:
    text = '{"id": 1, "victim": {"name": "Ali"}}\n\n{"id": 2, "tags": ["a", "b"]}\n'
    for suffix in (".jsonl", ".ndjson"):
        columns, rows = read(write(tmp_path, "l" + suffix, text))
        assert columns == ["id", "victim/name", "tags"]
        assert [r.row_number for r in rows] == [1, 3]
        assert rows[1].cells == {"id": "2", "tags": "a; b"}


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("bad.json", '[{"id": 1},', "not readable JSON"),
        ("bad.json", "", "not readable JSON"),
        ("bad.json", "[]", "no records"),
        ("bad.json", '[{"id": 1}, 5]', "item 2"),
        ("bad.json", '{"a": [{"id": 1}], "b": [{"id": 2}]}', "two lists of objects"),
        ("bad.json", '{"count": 3}', "no list of objects"),
        ("bad.json", '"text"', "expected a list of objects"),
        ("bad.json", '[{"id": 1}] [', "after the end"),
        ("bad.jsonl", '{"id": 1}\n{"id": \n', "line 2"),
        ("bad.jsonl", '{"id": 1}\n[1, 2]\n', "line 2: not a JSON object"),
    ],
)
def test_unreadable_json_raises_table_error(
    tmp_path: Path, name: str, text: str, reason: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(TableError, match=reason) as info:
        open_table(path)
    assert str(path) in str(info.value)


def test_json_memory_stays_flat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "CHUNK", 64 * 1024)
    path = tmp_path / "large.json"
    with path.open("w", encoding="utf-8") as f:
        f.write('{"count": 2000, "results": [')
        for i in range(2_000):
            f.write(("," if i else "") + json.dumps({"id": i, "v": {"name": "اسم " * 200}}))
        f.write("]}")
    assert path.stat().st_size > 6_000_000
    tracemalloc.start()
    try:
        with open_table(path) as table:
            count = sum(1 for _ in table.rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2_000
    assert peak < 1_500_000
