"""One record of a person as verification and conflict resolution see it.

The service builds these from the store; everything in `marsad.verify` is pure logic over them,
so that a status or a resolved value can always be recomputed and explained from the records.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RecordEvidence:
    """One record of a person as verification sees it.

    `independent_list` is the independent list the record's source belongs to: a source that
    copies another is folded into the one it copies, so two records of one list count once.
    `pcode` is the most specific OCHA p-code known (SY01 ⊂ SY0100 ⊂ SY010000; a prefix
    contains); `governorate` is the admin-1 p-code (e.g. "SY01"). An exact age has
    `age_min == age_max`; a range has both bounds; None is unknown or open.
    `date_of_death` is "YYYY", "YYYY-MM" or "YYYY-MM-DD".
    """

    record_id: int
    source: str
    independent_list: str
    name_first: str | None = None
    name_father: str | None = None
    name_grandfather: str | None = None
    name_family: str | None = None
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    date_of_death: str | None = None
    pcode: str | None = None
    governorate: str | None = None
    district: str | None = None
    status: str = "killed"
    civilian: bool | None = None
    cause: str | None = None


DATE_PRECISIONS = ("year", "month", "day")
"""Precision of a date of death, coarse to fine: "YYYY", "YYYY-MM", "YYYY-MM-DD"."""

PLACE_LEVELS = ("governorate", "district", "subdistrict", "community")
"""OCHA p-code levels, coarse to fine: SYgg, SYggdd, SYggddss, and community codes Cnnnn."""


def date_precision(value: str | None) -> int:
    """0 for no date, then 1 year, 2 month, 3 day (an index into DATE_PRECISIONS, plus one)."""
    if not value:
        return 0
    return 3 if len(value) >= 10 else 2 if len(value) >= 7 else 1


def place_precision(pcode: str | None, governorate: str | None = None) -> int:
    """0 for no place, then 1 governorate … 4 community (an index into PLACE_LEVELS, plus one).

    A record with only a governorate p-code is placed at governorate level.
    """
    if pcode:
        if pcode[0] == "C":
            return 4
        if len(pcode) >= 4:
            return min((len(pcode) - 2) // 2, 3)
    return 1 if governorate else 0
