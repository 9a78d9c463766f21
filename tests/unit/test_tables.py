"""Export tables: each format reads back to the rows written, and a failed write leaves nothing."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from marsad.publish import tables
from marsad.publish.tables import (
    FORMATS,
    HXL_TAGS,
    Column,
    hxl_tag,
    pseudonym,
    write_table,
)

COLUMNS = [
    Column("id", HXL_TAGS["row_id"]),
    Column("governorate", HXL_TAGS["governorate_name"]),
    Column("killed", HXL_TAGS["killed"]),
    Column("share", None),
    Column("documented", None),
    Column("note", None),
]
ROWS: list[dict[str, object]] = [
    {"id": "P-1", "governorate": "اللاذقية", "killed": 12, "share": 0.25, "documented": True},
    {"id": "P-2", "governorate": "Tartous", "killed": 0, "share": 1.5, "documented": False},
    {"id": "P-3", "governorate": None, "killed": None, "share": None, "documented": None},
]
KEY = b"k" * 32


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_round_trip_with_bom_and_crlf(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert write_table(ROWS, COLUMNS, "csv", out) == 3
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    assert b"\r\n" in raw
    lines = read_csv(out)
    assert lines[0] == [c.name for c in COLUMNS]
    assert lines[1] == ["P-1", "اللاذقية", "12", "0.25", "true", ""]
    assert lines[2][4] == "false"
    assert lines[3] == ["P-3", "", "", "", "", ""]


def test_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    rows = [{"id": '=HYPERLINK("http://x")', "governorate": "+SUM(A1)", "note": "@cmd"}]
    write_table(rows, COLUMNS, "csv", out)
    data = read_csv(out)[1]
    assert data[0].startswith("'=")
    assert data[1].startswith("'+")
    assert data[5] == "'@cmd"


def test_csv_keeps_negative_numbers_as_numbers(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    write_table([{"killed": -3}], COLUMNS, "csv", out)
    assert read_csv(out)[1][2] == "-3"


def test_hxl_second_row_holds_the_hashtags(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert write_table(ROWS, COLUMNS, "hxl", out) == 3
    lines = read_csv(out)
    assert lines[0] == [c.name for c in COLUMNS]
    assert lines[1] == ["#meta+id", "#adm1+name", "#affected+killed", "", "", ""]
    assert lines[2][:3] == ["P-1", "اللاذقية", "12"]
    assert len(lines) == 5


def test_hxl_tags_are_well_formed() -> None:
    for name, tag in HXL_TAGS.items():
        assert tag[0] in "#+", name
        assert " " not in tag and tag == tag.lower(), name
    assert hxl_tag(HXL_TAGS["killed"], HXL_TAGS["female"]) == "#affected+killed+f"
    assert hxl_tag(HXL_TAGS["killed"], "children", "+m") == "#affected+killed+children+m"


def test_column_rejects_a_tag_without_hash() -> None:
    with pytest.raises(ValueError, match="HXL"):
        Column("killed", "affected+killed")
    with pytest.raises(ValueError, match="kind"):
        Column("killed", None, "integer")


def test_json_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    assert write_table(ROWS, COLUMNS, "json", out) == 3
    text = out.read_text(encoding="utf-8")
    assert "اللاذقية" in text  # not \u escapes
    data = json.loads(text)
    assert data[0] == {**ROWS[0], "note": None}
    assert data[2]["killed"] is None
    assert data[1]["documented"] is False


def test_json_of_no_rows_is_an_empty_array(tmp_path: Path) -> None:
    out = tmp_path / "t.json"
    assert write_table([], COLUMNS, "json", out) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == []


def test_parquet_round_trip_with_types(tmp_path: Path) -> None:
    out = tmp_path / "t.parquet"
    assert write_table(ROWS, COLUMNS, "parquet", out) == 3
    table = pq.read_table(out)
    types = {f.name: str(f.type) for f in table.schema}
    assert types == {
        "id": "string",
        "governorate": "string",
        "killed": "int64",
        "share": "double",
        "documented": "bool",
        "note": "string",
    }
    assert table.to_pylist() == [{**row, "note": None} for row in ROWS]


def test_parquet_in_several_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "PARQUET_BATCH_ROWS", 4)
    columns = [Column("n", None), Column("later", None, "int")]
    rows = ({"n": i, "later": i if i > 5 else None} for i in range(10))
    out = tmp_path / "t.parquet"
    assert write_table(rows, columns, "parquet", out) == 10
    meta = pq.ParquetFile(out).metadata
    assert meta.num_row_groups == 3
    read = pq.read_table(out).to_pylist()
    assert [r["n"] for r in read] == list(range(10))
    assert read[9]["later"] == 9 and read[0]["later"] is None


def test_parquet_refuses_a_value_of_another_type(tmp_path: Path) -> None:
    out = tmp_path / "t.parquet"
    rows: list[dict[str, object]] = [{"killed": 1}, {"killed": "many"}]
    with pytest.raises(ValueError, match="killed"):
        write_table(rows, COLUMNS, "parquet", out)
    assert not out.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_writes_into_an_open_binary_stream(fmt: str) -> None:
    buffer = io.BytesIO()
    assert write_table(ROWS, COLUMNS, fmt, buffer) == 3
    assert not buffer.closed
    assert buffer.getvalue()


def failing_rows() -> Iterator[Mapping[str, object]]:
    yield ROWS[0]
    raise RuntimeError("database went away")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failure_leaves_no_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"t.{fmt}"
    with pytest.raises(RuntimeError):
        write_table(failing_rows(), COLUMNS, fmt, out)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_failure_keeps_the_previous_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"t.{fmt}"
    write_table(ROWS, COLUMNS, fmt, out)
    before = out.read_bytes()
    with pytest.raises(RuntimeError):
        write_table(failing_rows(), COLUMNS, fmt, out)
    assert out.read_bytes() == before
    assert list(tmp_path.iterdir()) == [out]


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="xlsx"):
        write_table(ROWS, COLUMNS, "xlsx", tmp_path / "t.xlsx")


def test_pseudonym_is_stable_and_keyed() -> None:
    first = pseudonym(KEY, "person", 42)
    assert first == pseudonym(KEY, "person", 42)
    assert first == pseudonym(KEY, "person", "42")
    assert first.startswith("P-") and len(first) == 14
    assert set(first[2:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert pseudonym(b"x" * 32, "person", 42) != first
    assert pseudonym(KEY, "person", 43) != first
    record = pseudonym(KEY, "record", 42)
    assert record.startswith("R-") and record[2:] != first[2:]


def test_pseudonyms_do_not_clash_in_a_large_set() -> None:
    ids = {pseudonym(KEY, "record", i) for i in range(20_000)}
    assert len(ids) == 20_000


def test_pseudonym_refuses_weak_keys_and_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="bytes"):
        pseudonym(b"short", "person", 1)
    with pytest.raises(ValueError, match="kind"):
        pseudonym(KEY, "household", 1)
