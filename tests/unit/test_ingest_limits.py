"""Upload limits: what a file may unpack to (bytes, rows, columns, cells, nesting), checked as
it is read; a workbook that unpacks to far more than it weighs is refused before openpyxl."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import openpyxl
import pytest

from marsad.ingest.readers import open_table
from marsad.ingest.table import NO_LIMITS, UPLOAD_LIMITS, LimitExceeded, ReadLimits, TableError
from tests.hostile import xlsx_bomb

MB = 1024 * 1024


def read_all(path: Path, limits: ReadLimits) -> int:
    with open_table(path, limits=limits) as table:
        return sum(1 for _ in table.rows())


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_parsed(
    tmp_path: Path,
) -> None:
    bomb = xlsx_bomb(tmp_path / "bomb.xlsx", 20 * MB)
    assert bomb.stat().st_size < MB / 4
    tracemalloc.start()
    with pytest.raises(LimitExceeded) as refused:
        open_table(bomb, limits=ReadLimits(max_bytes=4 * MB))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.limit == "bytes"
    assert "more than 4 MB (limit on unpacked size)" in str(refused.value)
    assert str(bomb) in str(refused.value)
    assert peak < 4 * MB


def test_a_workbook_that_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    """The directory says 1 KB, the part holds 20 MB: reading stops at what was declared."""
    bomb = xlsx_bomb(tmp_path / "liar.xlsx", 20 * MB, declared_bytes=1000)
    tracemalloc.start()
    with pytest.raises(TableError, match=r"not a readable \.xlsx"):
        open_table(bomb, limits=ReadLimits(max_bytes=4 * MB))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * MB


def test_the_default_upload_limits_refuse_a_workbook_of_100_mb(tmp_path: Path) -> None:
    bomb = xlsx_bomb(tmp_path / "bomb.xlsx", 100 * MB)
    with pytest.raises(LimitExceeded, match="unpacked size"):
        open_table(bomb, limits=UPLOAD_LIMITS)


def test_a_workbook_under_the_limit_reads_as_before(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["record_id", "name"])
    sheet.append(["1", "Ali"])
    book.save(tmp_path / "ok.xlsx")
    assert read_all(tmp_path / "ok.xlsx", UPLOAD_LIMITS) == 1


def csv_file(tmp_path: Path, rows: int, columns: int) -> Path:
    path = tmp_path / "list.csv"
    header = ",".join(f"c{i}" for i in range(columns))
    path.write_text(header + "\n" + (",".join("x" * columns) + "\n") * rows, encoding="utf-8")
    return path


def xlsx_file(tmp_path: Path, rows: int, columns: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([f"c{i}" for i in range(columns)])
    for _ in range(rows):
        sheet.append(["x"] * columns)
    book.save(tmp_path / "list.xlsx")
    return tmp_path / "list.xlsx"


def json_file(tmp_path: Path, rows: int, columns: int) -> Path:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{f"c{i}": "x" for i in range(columns)}] * rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [csv_file, xlsx_file, json_file])
@pytest.mark.parametrize(
    ("rows", "columns", "limits", "which"),
    [
        (11, 2, ReadLimits(max_rows=10), "rows"),
        (2, 11, ReadLimits(max_columns=10), "columns"),
        (6, 4, ReadLimits(max_cells=20), "cells"),
    ],
)
def test_rows_columns_and_cells_are_limited_while_reading(
    tmp_path: Path, make: object, rows: int, columns: int, limits: ReadLimits, which: str
) -> None:
    path = make(tmp_path, rows, columns)  # type: ignore[operator]
    with pytest.raises(LimitExceeded) as refused:
        read_all(path, limits)
    assert refused.value.limit == which and which in str(refused.value)
    assert read_all(path, NO_LIMITS) == rows


@pytest.mark.parametrize("make", [csv_file, json_file])
def test_text_files_are_limited_by_their_size(tmp_path: Path, make: object) -> None:
    path = make(tmp_path, 2000, 5)  # type: ignore[operator]
    with pytest.raises(LimitExceeded, match="unpacked size"):
        read_all(path, ReadLimits(max_bytes=4096))


def test_json_nesting_is_limited(tmp_path: Path) -> None:
    deep: object = "x"
    for _ in range(30):
        deep = {"a": deep}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps([{"record_id": "1", "nested": deep}]), encoding="utf-8")
    with pytest.raises(LimitExceeded, match="nesting levels"):
        read_all(path, ReadLimits(max_depth=20))
    assert read_all(path, NO_LIMITS) == 1


def test_json_nested_past_the_interpreter_is_a_table_error_without_limits(tmp_path: Path) -> None:
    path = tmp_path / "abyss.json"
    path.write_text("[" + '{"a":' * 100_000 + "1" + "}" * 100_000 + "]", encoding="utf-8")
    with pytest.raises(TableError, match="nested too deeply"):
        read_all(path, NO_LIMITS)
