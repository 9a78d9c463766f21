"""Which records may enter capture histories: the rule, its name-part count and its YAML key."""

from __future__ import annotations

from importlib import resources

import pytest

from marsad.verify.identifiable import (
    DATE,
    NAME,
    PLACE,
    IdentifiableRule,
    name_part_count,
    waived_for,
)
from marsad.verify.rules import RulesError, load_rules, parse_rules

DEFAULT_TEXT = (
    resources.files("marsad.verify").joinpath("default_rules.yaml").read_text(encoding="utf-8")
)
WITHOUT = DEFAULT_TEXT[: DEFAULT_TEXT.index("# What a record must")]
SECTION = """identifiable:
  min_name_parts: 2
  date_precision: month
  place_level: governorate
"""


def test_the_default_rule_is_hrdags_two_names_a_month_and_a_governorate() -> None:
    rule = load_rules().identifiable
    assert rule == IdentifiableRule(2, "month", "governorate")
    assert rule.missing(2, "2025-03", None, "SY01") == ()
    assert rule.missing(4, "2025-03-07", "SY0103", None) == ()
    assert rule.missing(1, "2025-03", None, "SY01") == (NAME,)
    assert rule.missing(3, "2025", None, "SY01") == (DATE,)
    assert rule.missing(3, "2025-03-07", None, None) == (PLACE,)
    assert rule.missing(0, None, None, None) == (NAME, DATE, PLACE)


def test_a_stricter_rule_asks_for_more() -> None:
    rule = IdentifiableRule(3, "day", "district")
    assert rule.missing(3, "2025-03-07", "SY0103", "SY01") == ()
    assert rule.missing(3, "2025-03", "SY01", "SY01") == (DATE, PLACE)
    with pytest.raises(ValueError, match="date_precision"):
        IdentifiableRule(2, "week", "governorate")


def test_name_parts_are_the_sources_own_when_it_gave_any() -> None:
    assert name_part_count("Ahmad Ali Hasan", "Ahmad", None, None, None) == 1
    assert name_part_count(None, "Ahmad", "Ali", " ", "Hasan") == 3
    assert name_part_count("أحمد علي حسن الخطيب", None, None, None, None) == 4
    assert name_part_count("FATMA CHAHINE", None, None, None, None) == 2
    assert name_part_count("Ahmad", None, None, None, None) == 1
    assert name_part_count("  ", None, None, None, None) == 0
    assert name_part_count(None, None, None, None, None) == 0


def test_rules_without_the_section_take_the_defaults() -> None:
    """Rules set in a store before the section existed still read."""
    assert "identifiable:" not in WITHOUT and "identifiable:" in DEFAULT_TEXT
    assert parse_rules(WITHOUT, "old.yaml").identifiable == IdentifiableRule()


def test_the_section_is_read_from_the_rules_file() -> None:
    text = WITHOUT + SECTION.replace("2", "3").replace("month", "day")
    assert parse_rules(text, "mine.yaml").identifiable == IdentifiableRule(3, "day", "governorate")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("min_name_parts: 2", "min_name_parts: two", "identifiable.min_name_parts"),
        ("min_name_parts: 2", "min_name_parts: 5", "identifiable.min_name_parts"),
        ("min_name_parts: 2", "min_name_parts: true", "identifiable.min_name_parts"),
        ("date_precision: month", "date_precision: week", "identifiable.date_precision"),
        ("  place_level: governorate\n", "  place_level: village\n", "identifiable.place_level"),
        ("  min_name_parts: 2\n", "", "identifiable.min_name_parts: missing"),
        ("  min_name_parts: 2\n", "  min_name_parts: 2\n  sex: true\n", "identifiable.sex"),
        (SECTION, "identifiable: yes\n", "identifiable: expected a mapping"),
    ],
)
def test_a_bad_section_names_the_file_and_the_key(old: str, new: str, key: str) -> None:
    section = SECTION.replace(old, new) if old != SECTION else new
    assert section != SECTION
    with pytest.raises(RulesError, match=f"^mine.yaml: {key}"):
        parse_rules(WITHOUT + section, "mine.yaml")


def test_what_a_list_never_records_is_not_asked_of_its_records() -> None:
    assert waived_for(records_with_date=120, records_with_place=0) == frozenset({PLACE})
    assert waived_for(records_with_date=0, records_with_place=0) == frozenset({DATE, PLACE})
    assert waived_for(records_with_date=1, records_with_place=1) == frozenset()
    rule = IdentifiableRule()
    assert rule.missing(3, "2025-03-07", None, None) == (PLACE,)
    assert rule.missing(3, "2025-03-07", None, None, waived=frozenset({PLACE})) == ()
    assert rule.missing(1, None, None, None, waived=frozenset({PLACE})) == (NAME, DATE)
