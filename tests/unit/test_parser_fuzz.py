"""Property-based fuzz of every parser: whatever the bytes, a reader raises only TableError, a
profile only ValueError, and a row parser never raises (it returns the row's field errors).

Hypothesis generates the inputs (random and shrunk, derandomised so a failure repeats); the
upload limits are on for the readers, as for a file from the web.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.domain.records import STANDARD_COLUMNS, ParsedRow
from marsad.ingest.incidents import INCIDENT_COLUMNS, parse_incident
from marsad.ingest.parse import parse_row
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import MappingProfile, builtin_profile, standard_profile
from marsad.ingest.readers import open_table
from marsad.ingest.table import NO_LIMITS, UPLOAD_LIMITS, ReadLimits, TableError

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CSV_TEXT = st.text(alphabet=st.sampled_from([*",;\t\"'\r\n =+-@x0é٣\x00"]), max_size=300)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
CELLS = st.dictionaries(st.text(max_size=30), st.text(max_size=80), max_size=12)


def read_file(suffix: str, data: bytes, limits: ReadLimits = UPLOAD_LIMITS) -> None:
    """Open and read every row of `data` saved with `suffix`: only TableError may come out."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            with open_table(path, limits=limits) as table:
                for row in table.rows():
                    assert isinstance(row.cells, dict)
        except TableError as error:
            assert str(path) in str(error)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_as_csv_tsv_json_or_jsonl(data: bytes) -> None:
    for suffix in (".csv", ".tsv", ".json", ".jsonl"):
        read_file(suffix, data)


@FUZZ
@given(CSV_TEXT, st.sampled_from(["utf-8", "utf-16", "windows-1256"]))
def test_csv_made_of_delimiters_quotes_and_formulas(text: str, encoding: str) -> None:
    read_file(".csv", text.encode(encoding, errors="replace"))


@FUZZ
@given(st.lists(JSON_VALUES, max_size=5), st.booleans())
def test_json_documents_of_any_shape(values: list[Any], lines: bool) -> None:
    if lines:
        data = "\n".join(json.dumps(v) for v in values).encode()
        read_file(".jsonl", data)
    else:
        read_file(".json", json.dumps(values).encode())
        read_file(".json", json.dumps({"data": values, "meta": values[:1]}).encode())


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["record_id", "name", "age", "date_of_death"])
    sheet.append(["1", "Ahmad Ali", 34, "2025-03-07"])
    sheet.append(["2", "=HYPERLINK(x)", None, "07/03/2025"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


WORKBOOK = _workbook()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(0, 255)), max_size=8))
def test_damaged_workbooks(flips: list[tuple[int, int]]) -> None:
    data = bytearray(WORKBOOK)
    for position, value in flips:
        data[position] = value
    read_file(".xlsx", bytes(data))
    read_file(".xlsx", bytes(data), NO_LIMITS)


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["xl/worksheets/sheet1.xml", "xl/workbook.xml"]))
def test_workbooks_with_a_part_rewritten(text: str, part: str) -> None:
    """A well-formed zip whose sheet or workbook part holds arbitrary text."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(WORKBOOK)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for member in source.infolist():
            out.writestr(member, text if member.filename == part else source.read(member))
    read_file(".xlsx", buffer.getvalue())


KOBO = builtin_profile("kobo-victims")
KOBO_HEADERS = [h for headers in KOBO.columns.values() for h in headers]


@FUZZ
@given(CELLS, st.dictionaries(st.sampled_from(KOBO_HEADERS), st.text(max_size=40), max_size=10))
def test_rows_read_through_the_standard_and_kobo_profiles(
    cells: dict[str, str], kobo: dict[str, str]
) -> None:
    gazetteer = default_gazetteer()
    standard = {**cells, **dict(zip(STANDARD_COLUMNS, cells.values(), strict=False))}
    for row, profile in ((standard, standard_profile()), ({**cells, **kobo}, KOBO)):
        parsed = parse_row(row, profile, gazetteer)
        assert isinstance(parsed, ParsedRow)
        assert (parsed.record is None) == bool(parsed.errors)


@FUZZ
@given(CELLS, st.lists(st.text(max_size=30), min_size=len(INCIDENT_COLUMNS)))
def test_incident_rows(cells: dict[str, str], values: list[str]) -> None:
    row = {**cells, **dict(zip(INCIDENT_COLUMNS, values, strict=False))}
    for day_first in (True, False):
        parsed = parse_incident(row, default_gazetteer(), day_first)
        assert parsed is not None


@FUZZ
@given(st.text(max_size=300))
def test_profile_text(text: str) -> None:
    with contextlib.suppress(ValueError):
        MappingProfile.from_yaml(text)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            ["name", "columns", "values", "defaults", "encoding", "sheet", "day_first", "x"]
        ),
        JSON_VALUES,
        max_size=6,
    )
)
def test_profiles_of_any_shape(data: dict[str, Any]) -> None:
    with contextlib.suppress(ValueError):
        MappingProfile.from_yaml(yaml.safe_dump(data))
