"""Which records carry enough to be matched, and so may enter capture histories.

HRDAG estimates only from records that could have been linked had they been on another list:
a record with one name and a year cannot be told from its namesakes, so whether it was
"captured twice" is unknowable, and counting it as a person seen once inflates the estimate.
Such records are still reported and counted under the counting standards; they are only left
out of multiple systems estimation. The thresholds live in the rules file (`identifiable:`).
"""

from __future__ import annotations

from dataclasses import dataclass

from marsad.names import parse_name_parts
from marsad.verify.evidence import DATE_PRECISIONS, PLACE_LEVELS, date_precision, place_precision

NAME = "name parts"
DATE = "date of death"
PLACE = "place of death"
REQUIREMENTS = (NAME, DATE, PLACE)
"""What a record may lack, in the order reports list them."""


@dataclass(frozen=True)
class IdentifiableRule:
    """At least `min_name_parts` name parts, a date of death to `date_precision` or finer and
    a place of death at `place_level` or finer (HRDAG's default: two names, the month, the
    governorate)."""

    min_name_parts: int = 2
    date_precision: str = "month"
    place_level: str = "governorate"

    def __post_init__(self) -> None:
        if self.min_name_parts < 0:
            raise ValueError(f"min_name_parts must be 0 or more, got {self.min_name_parts}")
        if self.date_precision not in DATE_PRECISIONS:
            raise ValueError(f"date_precision must be one of {', '.join(DATE_PRECISIONS)}")
        if self.place_level not in PLACE_LEVELS:
            raise ValueError(f"place_level must be one of {', '.join(PLACE_LEVELS)}")

    def missing(
        self,
        name_parts: int,
        date_of_death: str | None,
        pcode: str | None,
        governorate: str | None,
        waived: frozenset[str] = frozenset(),
    ) -> tuple[str, ...]:
        """The requirements a record does not meet (empty: the record is identifiable);
        `waived` requirements (those its list never records, see `waived_for`) are not
        asked for."""
        lacking = []
        if name_parts < self.min_name_parts:
            lacking.append(NAME)
        if date_precision(date_of_death) < DATE_PRECISIONS.index(self.date_precision) + 1:
            lacking.append(DATE)
        if place_precision(pcode, governorate) < PLACE_LEVELS.index(self.place_level) + 1:
            lacking.append(PLACE)
        return tuple(r for r in lacking if r not in waived)

    def as_dict(self) -> dict[str, int | str]:
        return {
            "min_name_parts": self.min_name_parts,
            "date_precision": self.date_precision,
            "place_level": self.place_level,
        }


def name_part_count(
    name: str | None,
    first: str | None,
    father: str | None,
    grandfather: str | None,
    family: str | None,
) -> int:
    """How many name parts a record has: the source's own part columns when it gave any,
    else the parts read from the full name (as linkage reads them: the source's parts win)."""
    given = (first, father, grandfather, family)
    if any(given):
        return sum(1 for part in given if part and part.strip())
    if not name or not name.strip():
        return 0
    parsed = parse_name_parts(name)
    return sum(
        1 for part in (parsed.first, parsed.father, parsed.grandfather, parsed.family) if part
    )


def waived_for(records_with_date: int, records_with_place: int) -> frozenset[str]:
    """The requirements waived for a list: a date or a place of death when not one record of
    the list has one. Such a list (a roll of names and dates, a newspaper's list of names) is
    matched on what it records; requiring what it never records would leave the whole list
    out of the estimate, and with it the overlaps that estimation needs."""
    waived = set()
    if records_with_date == 0:
        waived.add(DATE)
    if records_with_place == 0:
        waived.add(PLACE)
    return frozenset(waived)
