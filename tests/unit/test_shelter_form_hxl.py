"""The registration XLSForm's sheets and the HXL schema of the exports (pure parts)."""

from __future__ import annotations

from marsad.shelter.hxl import BY_GOVERNORATE, BY_SITE, schema_rows, validate
from marsad.shelter.members import MEMBER_COLUMNS
from marsad.shelter.vulnerabilities import VULNERABILITIES
from marsad.shelter.xlsform import workbook


def test_every_registration_field_is_asked_in_both_languages() -> None:
    sheets = workbook()
    survey = sheets["survey"]
    header = survey[0]
    names = {row[1] for row in survey[1:]}
    assert set(MEMBER_COLUMNS) - {"registration_id", "name"} <= names
    english, arabic = header.index("label::English (en)"), header.index("label::Arabic (ar)")
    for row in survey[1:]:
        if row[0] != "end_group":
            assert row[english] and row[arabic], row
    codes = {row[1] for row in sheets["choices"][1:] if row[0] == "vulnerability"}
    assert codes == set(VULNERABILITIES)


def test_the_schema_refuses_small_cells_bad_codes_and_negative_counts() -> None:
    tags = [c.hxl or "" for c in BY_SITE]
    good = ["2025-03-08", "S1", "Airbase", "camp", "SY06", 5, 20, 9, 11, 8]
    assert (
        validate(
            tags,
            [good, ["2025-03-08", "S2", "", "camp", "SY10", 0, 0, 0, 0, 0]],
            schema_rows(BY_SITE, 5),
        )
        == []
    )
    small = ["2025-03-08", "S3", "", "camp", "SY6", 3, -1, 0, 0, 0]
    problems = validate(tags, [small], schema_rows(BY_SITE, 5))
    assert len(problems) >= 3
    assert validate(tags, [[*good[:5], 3, 12, 6, 6, 2]], schema_rows(BY_SITE, 1)) == []
    by_governorate = [c.hxl or "" for c in BY_GOVERNORATE]
    assert "#affected+idps+ind" in by_governorate and "#adm1+name" in by_governorate
