"""The one labelling function: stored values in the reader's language, linkage levels in plain
words, the parser's reasons, times with their zone, and the digit style setting."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from marsad.i18n import (
    format_moment,
    format_partial_date,
    label,
    level_words,
    localise_digits,
    parse_reason,
    refusal_words,
)


def test_stored_values_are_labelled_in_both_languages() -> None:
    assert label("status", "killed", "ar") == "قُتل"
    assert label("sex", "male", "ar") == "ذكر"
    assert label("kind", "field_team", "en") == "field team"
    assert label("kind", "field_team", "ar") == "فريق ميداني"
    assert label("governorate", "SY04", "ar") == "حمص"
    assert label("governorate", "Homs", "ar") == "حمص"
    assert label("governorate", "SY04", "en") == "Homs"
    assert label("district", "SY0602", "ar") == "جبلة"
    assert label("verification", "verified", "ar") != "verified"
    assert label("method", "lcmcr", "ar").startswith("LCMCR")
    assert label("audit_action", "person.view", "ar") == "قراءة ملف شخص"


def test_blanks_stay_blank_and_data_is_shown_as_stored() -> None:
    assert label("status", None, "ar") == ""
    assert label("status", "", "ar") == ""
    assert label("governorate", "Atlantis", "ar") == "Atlantis"
    assert label("no such field", "killed", "ar") == "killed"


def test_every_level_of_the_shipped_model_is_said_in_words() -> None:
    """No comparison level of the default model reaches a page in the model's own terms."""
    text = resources.files("marsad.linkage").joinpath("default_model.json").read_text("utf-8")
    for comparison in json.loads(text)["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            shown = level["label_for_charts"]
            for lang in ("en", "ar"):
                words = level_words(name, shown, lang)
                assert lang == "en" or words != shown, (name, shown)
                for term in ("_key", "NULL", "Jaro", "All other", "Exact match", "dod", "edit"):
                    assert term not in words, (name, shown, lang)


def test_dates_apart_are_counted_in_words() -> None:
    assert level_words("father_key", "Exact match on father_key", "en") == "same father's name"
    assert level_words("dod", "within 3 days", "en", days_apart=1) == "dates one day apart"
    assert level_words("dod", "within 3 days", "ar", days_apart=3) == "التاريخان بفارق ٣ أيام"
    assert (
        level_words("mother_key", "mother_key is NULL", "en") == "mother's name missing on one side"
    )


def test_parser_reasons_are_translated_and_keep_the_value() -> None:
    said = parse_reason("spreadsheet formula, not a value: '=1+1'", "ar")
    assert said == ("صيغة جدول بيانات وليست قيمة", "'=1+1'")
    assert parse_reason("not a recognised date: 'yesterday'", "ar") == (
        "تاريخ غير مفهوم",
        "'yesterday'",
    )
    assert parse_reason("something new", "ar") is None


def test_times_carry_their_zone_and_the_language_s_digits() -> None:
    moment = dt.datetime(2025, 3, 7, 14, 5)
    assert format_moment(moment, "en") == "7 March 2025, 14:05 UTC"
    assert format_moment(moment, "ar") == "٧ آذار ٢٠٢٥، ١٤:٠٥ بالتوقيت العالمي"
    aware = dt.datetime(2025, 3, 7, 16, 5, 9, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_moment(aware, "en", seconds=True) == "7 March 2025, 14:05:09 UTC"
    assert format_partial_date("2025-03", "ar") == "آذار ٢٠٢٥"
    assert format_partial_date(None, "ar") == ""


def test_the_digit_style_is_a_setting_per_language(monkeypatch: pytest.MonkeyPatch) -> None:
    assert localise_digits("2025", "ar") == "٢٠٢٥"
    monkeypatch.setenv("MARSAD_DIGITS_AR", "latin")
    assert localise_digits("2025", "ar") == "2025"
    assert format_moment(dt.datetime(2025, 3, 7, 14, 5), "ar").startswith("7 آذار 2025")
    monkeypatch.setenv("MARSAD_DIGITS_EN", "arabic-indic")
    assert localise_digits("12", "en") == "١٢"
    monkeypatch.setenv("MARSAD_DIGITS_AR", "roman")
    with pytest.raises(ValueError, match="MARSAD_DIGITS_AR"):
        localise_digits("1", "ar")


def test_service_refusals_are_said_in_the_page_s_language() -> None:
    assert refusal_words("a reason is required", "ar") == "السبب مطلوب"
    assert (
        refusal_words("status decision 7 is already revoked", "ar") == "قرار الحالة 7 ملغى من قبل"
    )
    assert refusal_words("user 'amina' already exists", "en") == "user 'amina' already exists"
    assert refusal_words("RecursionError: maximum recursion depth", "ar") is None
