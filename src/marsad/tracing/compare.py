"""A sought person and a person's records, side by side in the linkage model's terms.

Matching reads both through `marsad.linkage.features` (the same cross-script name keys as
linkage) with one change: ages become birth years. A record's age is at death and a report's
at disappearance, years apart, so both are turned into birth years (`reports.birth_years`)
and written where the model's age comparison reads ages, as years before BIRTH_EPOCH: the age
comparison's levels ("same age", "within 1 year", "ranges overlap"…) then compare birth years.
Dates of death, places, statuses and lists are not compared: a missing person is sought
wherever and however they were recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from marsad.domain.records import RecordRow
from marsad.tracing.reports import birth_years

TRACING_COMPARISONS = (
    "first_key",
    "father_key",
    "grandfather_key",
    "family_key",
    "mother_key",
    "sex",
    "age",
)
"""The linkage model's comparisons that tracing uses, in the order of a comparison vector."""
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("first_consonants", "father_key"),
    ("first_consonants", "family_key"),
    ("first_consonants", "second_key"),
    ("first_consonants", "mother_key"),
    ("father_key", "family_key"),
)
"""Pairs compared: a report and a record that agree on two name parts. The first name is taken
without its vowels (`features.consonants`): a relative writing "Muhsin" and a list writing
محسن ("mhsin" and "mhsn" as keys) agree on "mhsn"; the second name part (father's, else
grandfather's, else family name) catches a two-part name ("Muhsin Ali") against a full one
("محسن علي إبراهيم"); father + family catch a first name written otherwise (سهى / سهي)."""
BIRTH_EPOCH = 2200
"""Birth year y is written as the "age" BIRTH_EPOCH − y (see the module docstring)."""
REPORT_SOURCE = "missing reports"


@dataclass(frozen=True)
class Sought:
    """A sought person as one report describes it (a case's reports are each matched, and
    each candidate keeps the best of them)."""

    report_id: int
    name: str
    name_first: str | None
    name_father: str | None
    name_grandfather: str | None
    name_family: str | None
    name_mother: str | None
    sex: str | None
    birth_year_min: int | None
    birth_year_max: int | None


def as_ages(earliest: int | None, latest: int | None) -> tuple[int | None, int | None]:
    """Birth years as the model's (age_min, age_max) (module docstring)."""
    if latest is None:
        return None, None
    return BIRTH_EPOCH - latest, None if earliest is None else BIRTH_EPOCH - earliest


def sought_row(sought: Sought, unique_id: int) -> RecordRow:
    """The sought person as a record of a list of its own, for the features frame."""
    age_min, age_max = as_ages(sought.birth_year_min, sought.birth_year_max)
    return RecordRow(
        id=unique_id,
        source_id=0,
        source=REPORT_SOURCE,
        record_id=str(sought.report_id),
        name=sought.name,
        name_first=sought.name_first,
        name_father=sought.name_father,
        name_grandfather=sought.name_grandfather,
        name_family=sought.name_family,
        name_mother=sought.name_mother,
        sex=sought.sex,
        age_min=age_min,
        age_max=age_max,
        date_of_death=None,
        governorate=None,
        district=None,
        locality=None,
        pcode=None,
        pcode_adm1=None,
        status="missing",
        civilian=None,
        cause=None,
        person_id=None,
    )


def record_for_tracing(record: RecordRow, unique_id: int) -> RecordRow:
    """A record with its age at death read as birth years, under the id matching knows it by."""
    age_min, age_max = as_ages(*birth_years(record.age_min, record.age_max, record.date_of_death))
    return replace(record, id=unique_id, age_min=age_min, age_max=age_max, date_of_death=None)


WHY: Mapping[tuple[str, str], str] = {
    ("first_key", "Exact match on first_key"): "tracing.why.same_first",
    ("first_key", "typo (one key edit, similar spelling)"): "tracing.why.first_typo",
    ("first_key", "vowels written otherwise across scripts"): "tracing.why.scripts",
    ("first_key", "All other comparisons"): "tracing.why.first_differs",
    ("father_key", "Exact match on father_key"): "tracing.why.same_father",
    ("father_key", "Jaro-Winkler distance of father_key >= 0.9"): "tracing.why.father_close",
    ("father_key", "All other comparisons"): "tracing.why.father_differs",
    ("grandfather_key", "Exact match on grandfather_key"): "tracing.why.same_grandfather",
    ("family_key", "Exact match on family_key"): "tracing.why.same_family",
    ("family_key", "Jaro-Winkler distance of family_key >= 0.9"): "tracing.why.family_close",
    ("family_key", "All other comparisons"): "tracing.why.family_differs",
    ("mother_key", "Exact match on mother_key"): "tracing.why.same_mother",
    ("mother_key", "Jaro-Winkler distance of mother_key >= 0.9"): "tracing.why.mother_close",
    ("mother_key", "All other comparisons"): "tracing.why.mother_differs",
    ("sex", "All other comparisons"): "tracing.why.sex_differs",
    ("age", "same age"): "tracing.why.same_year",
    ("age", "within 1 year"): "tracing.why.year_apart",
    ("age", "within 5 years"): "tracing.why.years_close",
    ("age", "ranges overlap"): "tracing.why.years_overlap",
    ("age", "All other comparisons"): "tracing.why.years_differ",
}
"""(comparison, level label) → the catalogue key of the reason in plain words; levels not
listed (an unknown value, a far spelling) say nothing worth a family's attention."""
SCRIPTS = "tracing.why.scripts"


def level_labels(model: Mapping[str, Any]) -> dict[str, list[str]]:
    """Comparison → its levels' labels, indexed by comparison vector value (0 = the last)."""
    return {
        str(c["output_column_name"]): [
            str(lv.get("label_for_charts"))
            for lv in c["comparison_levels"]
            if not lv.get("is_null_level")
        ][::-1]
        for c in model["comparisons"]
    }


def why(
    labels: Mapping[str, Sequence[str]],
    comparisons: Sequence[str],
    gammas: Sequence[int],
    scripts_differ: bool,
) -> list[str]:
    """The catalogue keys of the reasons for a candidate, agreements first. Names written in
    two scripts are said once, whether the model read it from the first name or not."""
    found: list[str] = []
    for name, value in zip(comparisons, gammas, strict=True):
        if value < 0:
            continue
        key = WHY.get((name, labels[name][value]))
        if key is not None and key not in found:
            found.append(key)
    if scripts_differ and SCRIPTS not in found:
        found.append(SCRIPTS)
    against = [k for k in found if k.endswith(("_differs", "_differ"))]
    return [k for k in found if k not in against] + against
