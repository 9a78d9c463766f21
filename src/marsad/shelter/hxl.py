"""Occupancy in the Humanitarian Exchange Language, as coordination meetings take it: one row
per site (or governorate) and date, with the hashtags of IOM's DTM and OCHA's HAPI
(`#affected+idps+ind`, `#adm1+code`, `#loc+name`, `#date+reported`), and the HXL schema the
export must pass (checked with libhxl, the HXL standard's own library)."""

from __future__ import annotations

from collections.abc import Sequence

import hxl

from marsad.publish.tables import Column

COUNTS = ("households", "individuals", "female", "male", "children")
_COUNT_TAGS = {
    "households": "#affected+idps+hh",
    "individuals": "#affected+idps+ind",
    "female": "#affected+idps+f+ind",
    "male": "#affected+idps+m+ind",
    "children": "#affected+idps+children+ind",
}

BY_SITE = (
    Column("date", "#date+reported", "str"),
    Column("site_id", "#loc+code", "str"),
    Column("site_name", "#loc+name", "str"),
    Column("site_type", "#loc+type", "str"),
    Column("governorate", "#adm1+code", "str"),
    *(Column(c, _COUNT_TAGS[c], "int") for c in COUNTS),
)
BY_GOVERNORATE = (
    Column("date", "#date+reported", "str"),
    Column("governorate", "#adm1+code", "str"),
    Column("governorate_name", "#adm1+name", "str"),
    Column("sites", "#loc+sites+num", "int"),
    *(Column(c, _COUNT_TAGS[c], "int") for c in COUNTS),
)
TABLES = {"site": BY_SITE, "governorate": BY_GOVERNORATE}


def _at_least(min_cell: int) -> str:
    """A regular expression for a whole number that is 0 or at least `min_cell` (≤ 10)."""
    if min_cell <= 1:
        return r"^\d+$"
    low = "" if min_cell >= 10 else f"|[{min_cell}-9]"
    return rf"^(0{low}|[1-9]\d+)$"


def schema_rows(columns: Sequence[Column], min_cell: int) -> list[list[str]]:
    """The HXL schema of an export: dates and codes required and well formed, counts whole and
    not negative, and (a public export) households either empty, 0 or at least `min_cell`."""
    header = [
        "#valid_tag",
        "#valid_required",
        "#valid_datatype",
        "#valid_value+min",
        "#valid_value+regex",
        "#description",
    ]
    rows = [header]
    for column in columns:
        tag = column.hxl or ""
        if column.name == "date":
            rows.append([tag, "true", "date", "", r"^\d{4}-\d{2}-\d{2}$", "the end of this day"])
        elif column.name in ("site_id", "governorate"):
            regex = r"^SY\d{2}$" if column.name == "governorate" else ""
            rows.append([tag, "true", "", "", regex, "required code"])
        elif column.kind == "int":
            regex = _at_least(min_cell) if column.name == "households" and min_cell <= 10 else ""
            rows.append([tag, "", "number", "0", regex, "a count"])
    return rows


def validate(
    header: Sequence[str], rows: Sequence[Sequence[object]], schema: list[list[str]]
) -> list[str]:
    """What libhxl finds wrong with the table (empty when it passes the schema)."""
    problems: list[str] = []

    def report(error: object) -> None:
        problems.append(str(error))

    data = hxl.data([list(header), *([("" if v is None else str(v)) for v in r] for r in rows)])
    hxl.schema(schema, callback=report).validate(data)
    return problems
