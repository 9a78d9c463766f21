"""What the linkage model compares: one Splink comparison per field, and the fields each reads.

The levels of each comparison are fixed (a saved model is read by its levels' labels); which
comparisons a run uses depends on the fields the records carry (`marsad.linkage.plan`).

Two domain facts shape the levels:
- Relatives killed together share father's, grandfather's and family name, date and place;
  only the first name tells brothers apart. So a clear first-name disagreement carries a fixed,
  strong weight against a match that EM may not dilute (EM on such data would otherwise learn
  that first names often disagree within "matches" made of siblings).
- Agreeing on "Mohammad" says less than agreeing on a rare family name: name comparisons are
  term-frequency adjusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink.internals.comparison_creator import ComparisonCreator

FIRST_NAME_DISAGREE_M = 1e-5
"""m for a clear first-name disagreement: how often one person's first name is recorded as
an unrelated name. Fixed, not trained (see module docstring)."""
RARE_SPELLING = 2
"""A first-name key written by at most this many records of the lists being linked is rare."""
COMMON_SPELLING = 10
"""A first-name key written by at least this many records is a name the lists know."""
VOWEL_VARIANT_SIMILARITY = 0.8
"""Jaro-Winkler of two spellings, from which keys differing only in vowels across scripts are
read as one name."""


def _name(column: str, *, term_frequency: bool, extra: tuple[Any, ...] = ()) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=term_frequency),
            cll.JaroWinklerLevel(column, 0.9),
            cll.JaroWinklerLevel(column, 0.75),
            *extra,
            cll.ElseLevel(),
        ],
        comparison_description=f"name part {column}",
    )


def _two_part_family() -> Any:
    """A two-part name ("Ali Mohammad") reads as first + family, but is often first +
    father's name: its "family" then equals the other record's father's name."""
    return cll.CustomLevel(
        "(father_key_l IS NULL AND family_key_l = father_key_r) "
        "OR (father_key_r IS NULL AND family_key_r = father_key_l)",
        label_for_charts="equals the other's father's name (two-part name)",
    )


def _father_left_out() -> Any:
    """A name of three parts whose writer left out the father's name reads the grandfather's
    name as the father's: it then equals the other record's grandfather's name."""
    return cll.CustomLevel(
        "(grandfather_key_l IS NULL AND father_key_l = grandfather_key_r) "
        "OR (grandfather_key_r IS NULL AND father_key_r = grandfather_key_l)",
        label_for_charts="equals the other's grandfather's name (father left out)",
    )


def _rare_spelling(edits: int) -> Any:
    """A first name that the lists write at most RARE_SPELLING times, `edits` key edits from
    one they write at least COMMON_SPELLING times: a slip of the pen more often than a
    brother, whose name is a name the lists know."""
    return cll.And(
        cll.CustomLevel(
            f"least(first_count_l, first_count_r) <= {RARE_SPELLING} "
            f"AND greatest(first_count_l, first_count_r) >= {COMMON_SPELLING}"
        ),
        cll.DamerauLevenshteinLevel("first_key", edits),
    ).configure(label_for_charts=f"rare spelling {edits} key edit(s) from a common name")


def _vowels_across_scripts() -> Any:
    """One first name in Arabic script, one in Latin letters, whose keys differ only in
    vowels (`features.consonants`) and whose spellings are alike: Huda / هدى (Jaro-Winkler
    0.85), not Hassan / حسين (0.68). Without this level such a pair met the first-name veto."""
    return cll.And(
        cll.ExactMatchLevel("first_consonants"),
        cll.JaroWinklerLevel("first_latin", VOWEL_VARIANT_SIMILARITY),
        cll.CustomLevel("first_arabic_l <> first_arabic_r"),
    ).configure(label_for_charts="vowels written otherwise across scripts")


def _first_name() -> ComparisonCreator:
    """First names: equal keys, a typo (one key edit and near-identical spelling), one name
    whose vowels the two scripts write differently, a rare spelling close to a common name,
    or not."""
    return cl.CustomComparison(
        output_column_name="first_key",
        comparison_levels=[
            cll.NullLevel("first_key"),
            cll.ExactMatchLevel("first_key", term_frequency_adjustments=True),
            cll.And(
                cll.DamerauLevenshteinLevel("first_key", 1),
                cll.JaroWinklerLevel("first_latin", 0.88),
            ).configure(label_for_charts="typo (one key edit, similar spelling)"),
            _vowels_across_scripts(),
            _rare_spelling(1),
            _rare_spelling(2),
            cll.ElseLevel().configure(m_probability=FIRST_NAME_DISAGREE_M, fix_m_probability=True),
        ],
        comparison_description="first name",
    )


def _date() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="dod",
        comparison_levels=[
            cll.NullLevel("dod"),
            cll.ExactMatchLevel("dod", term_frequency_adjustments=True).configure(
                label_for_charts="same full date"
            ),
            cll.CustomLevel(
                "abs(dod_day_number_l - dod_day_number_r) <= 3",
                label_for_charts="within 3 days",
            ),
            cll.CustomLevel(
                "(length(dod_l) = 7 OR length(dod_r) = 7) AND dod_month_l = dod_month_r",
                label_for_charts="same month, one side month only",
            ),
            cll.CustomLevel(
                "(length(dod_l) = 4 OR length(dod_r) = 4) AND dod_year_l = dod_year_r",
                label_for_charts="same year, one side year only",
            ),
            cll.CustomLevel("dod_month_l = dod_month_r", label_for_charts="same month, days apart"),
            cll.ElseLevel(),
        ],
        comparison_description="date of death",
    )


def _place() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.CustomLevel(
                "adm1_l IS NULL OR adm1_r IS NULL", label_for_charts="unknown"
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "locality_key_l = locality_key_r AND adm1_l = adm1_r",
                label_for_charts="same locality",
            ),
            cll.CustomLevel(
                "adm2_l = adm2_r AND (locality_key_l IS NULL OR locality_key_r IS NULL)",
                label_for_charts="same district",
            ),
            cll.CustomLevel(
                "adm1_l = adm1_r AND (locality_key_l IS NULL OR locality_key_r IS NULL)",
                label_for_charts="same governorate",
            ),
            cll.CustomLevel("adm1_l = adm1_r", label_for_charts="same governorate, other locality"),
            cll.ElseLevel(),
        ],
        comparison_description="place of death (p-code hierarchy)",
    )


def _age() -> ComparisonCreator:
    mid_l = "(age_min_l + coalesce(age_max_l, age_min_l + 20)) / 2.0"
    mid_r = "(age_min_r + coalesce(age_max_r, age_min_r + 20)) / 2.0"
    exact = (
        "age_max_l IS NOT NULL AND age_max_r IS NOT NULL AND age_max_l = age_min_l "
        "AND age_max_r = age_min_r"
    )
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.CustomLevel("age_min_l IS NULL OR age_min_r IS NULL").configure(
                is_null_level=True, label_for_charts="unknown"
            ),
            cll.CustomLevel(f"{exact} AND age_min_l = age_min_r", label_for_charts="same age"),
            cll.CustomLevel(
                f"{exact} AND abs(age_min_l - age_min_r) <= 1", label_for_charts="within 1 year"
            ),
            cll.CustomLevel(
                f"{exact} AND abs(age_min_l - age_min_r) <= 5", label_for_charts="within 5 years"
            ),
            cll.CustomLevel(
                "age_min_l <= coalesce(age_max_r, 200) AND age_min_r <= coalesce(age_max_l, 200)",
                label_for_charts="ranges overlap",
            ),
            cll.CustomLevel(f"abs({mid_l} - {mid_r}) <= 10", label_for_charts="within 10 years"),
            cll.ElseLevel(),
        ],
        comparison_description="age (with tolerance)",
    )


def _lists() -> ComparisonCreator:
    """Whether the two records come from one list. A list names a person once, save for its few
    duplicates, so a pair within one list is far less often one person than a pair across
    lists with the same names, date and place: most such pairs are namesakes or relatives."""
    return cl.CustomComparison(
        output_column_name="lists",
        comparison_levels=[
            # Every record has its list; the null level only keeps Splink from warning.
            cll.NullLevel("source"),
            cll.CustomLevel("source_l = source_r", label_for_charts="same list"),
            cll.ElseLevel().configure(label_for_charts="different lists"),
        ],
        comparison_description="the records' lists",
    )


def _sex() -> ComparisonCreator:
    return cl.ExactMatch("sex")


def _status() -> ComparisonCreator:
    return cl.ExactMatch("status")


@dataclass(frozen=True)
class ComparisonSpec:
    """One comparison: its output column, the feature column whose presence it needs, the
    feature columns its levels read, and how to build it."""

    name: str
    needs: str
    reads: tuple[str, ...]
    build: Callable[[], ComparisonCreator]
    label: str


COMPARISONS: tuple[ComparisonSpec, ...] = (
    ComparisonSpec(
        "first_key",
        "first_key",
        ("first_key", "first_latin", "first_consonants", "first_arabic", "first_count"),
        _first_name,
        "first name",
    ),
    ComparisonSpec(
        "father_key",
        "father_key",
        ("father_key", "grandfather_key"),
        lambda: _name("father_key", term_frequency=True, extra=(_father_left_out(),)),
        "father's name",
    ),
    ComparisonSpec(
        "grandfather_key",
        "grandfather_key",
        ("grandfather_key",),
        lambda: _name("grandfather_key", term_frequency=True),
        "grandfather's name",
    ),
    ComparisonSpec(
        "family_key",
        "family_key",
        ("family_key", "father_key"),
        lambda: _name("family_key", term_frequency=True, extra=(_two_part_family(),)),
        "family name",
    ),
    ComparisonSpec(
        "mother_key",
        "mother_key",
        ("mother_key",),
        lambda: _name("mother_key", term_frequency=True),
        "mother's name",
    ),
    ComparisonSpec("sex", "sex", ("sex",), _sex, "sex"),
    ComparisonSpec("age", "age_min", ("age_min", "age_max"), _age, "age"),
    ComparisonSpec(
        "dod",
        "dod",
        ("dod", "dod_month", "dod_year", "dod_day_number"),
        _date,
        "date of death",
    ),
    ComparisonSpec("place", "adm1", ("adm1", "adm2", "locality_key"), _place, "place"),
    ComparisonSpec("status", "status", ("status",), _status, "status"),
    ComparisonSpec("lists", "source", ("source",), _lists, "lists"),
)
"""Every comparison the model knows, in the order of a comparison vector."""

BY_NAME = {spec.name: spec for spec in COMPARISONS}


def build(names: tuple[str, ...]) -> list[ComparisonCreator | dict[str, Any]]:
    """The Splink comparisons named, in the order given."""
    return [BY_NAME[name].build() for name in names]
