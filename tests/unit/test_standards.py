"""The counting standards' definitions: made from the rules in force, in English and Arabic,
saying the same thing in both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from marsad.verify.rules import load_rules
from marsad.verify.standards import STANDARDS, definitions
from tests.unit.test_verify_rules import custom

DEFAULTS = load_rules()
LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_standard_is_defined_in_both_languages(lang: str) -> None:
    said = definitions(DEFAULTS, lang)
    assert list(said) == list(STANDARDS)
    assert all(sentence.strip() for sentence in said.values())
    if lang == "ar":
        assert not [s for s in said.values() if LATIN.search(s)], "no English left in Arabic"


def test_the_default_rules_read_as_they_are_counted() -> None:
    english, arabic = definitions(DEFAULTS, "en"), definitions(DEFAULTS, "ar")
    assert "at least 2 independent sources" in english["corroborated"]
    assert "every verified person" in english["corroborated"]
    assert "documented" not in english["corroborated"], "corroboration needs no documentation"
    assert "مصدران مستقلان على الأقل" in arabic["corroborated"]
    assert "first and family name; or first, father and grandfather name" in english["documented"]
    assert "to the day" in english["documented"] and "باليوم" in arabic["documented"]
    assert "instead of corroborated" in english["verified"]
    assert "بدلاً من التعزيز" in arabic["verified"]


def test_edited_rules_change_both_languages_alike(tmp_path: Path) -> None:
    rules = custom(
        tmp_path,
        corroborated__min_independent_sources=3,
        date_precision="month",
        place_level="district",
        verified__reviewer_confirmation=False,
    )
    english, arabic = definitions(rules, "en"), definitions(rules, "ar")
    assert "at least 3 independent sources" in english["corroborated"]
    assert "٣ مصادر مستقلة على الأقل" in arabic["corroborated"]
    assert "dated to the month" in english["verified"] and "بالشهر" in arabic["verified"]
    assert "at district level or finer" in english["verified"] and "المنطقة" in arabic["verified"]
    assert "instead of corroborated" not in english["verified"]
    assert "بدلاً من التعزيز" not in arabic["verified"]
    assert english != definitions(DEFAULTS, "en") and arabic != definitions(DEFAULTS, "ar")
