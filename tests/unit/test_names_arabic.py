"""Arabic-script rules: folding, display normalisation, loose transliteration."""

from __future__ import annotations

import pytest

from marsad.names import arabic_to_latin, normalise_name
from marsad.names.arabic import arabic_part_words, fold_arabic, has_arabic


def test_has_arabic_detects_script() -> None:
    assert has_arabic("محمد")
    assert has_arabic("Mohammad محمد")
    assert not has_arabic("Mohammad 12")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("مُحَمَّد", "محمد"),  # harakat and shadda
        ("مُصْطَفَىٰ", "مصطفى"),  # sukun and superscript alef
        ("محمــــد", "محمد"),  # tatweel
        ("أحمد", "احمد"),
        ("إبراهيم", "ابراهيم"),
        ("آدم", "ادم"),
        ("ٱلله", "الله"),
        ("علی", "علي"),  # Persian ya
        ("کمال", "كمال"),  # Persian kaf
        ("١٢٣", "123"),
        ("۴۵", "45"),
    ],
)
def test_fold_arabic(raw: str, expected: str) -> None:
    assert fold_arabic(raw) == expected


def test_fold_keeps_letters_keys_need() -> None:
    assert fold_arabic("مصطفى فاطمة مؤيد عائشة") == "مصطفى فاطمة مؤيد عائشة"


def test_normalise_display_folds() -> None:
    assert normalise_name("مصطفى") == "مصطفي"
    assert normalise_name("فاطمة") == "فاطمه"
    assert normalise_name("مؤيد") == "مويد"
    assert normalise_name("عائشة") == "عايشه"


def test_normalise_spaces_glued_compounds() -> None:
    assert normalise_name("عبدالرحمن") == normalise_name("عبد الرحمن") == "عبد الرحمن"
    assert normalise_name("ابوبكر") == "ابو بكر"
    assert normalise_name("نورالدين") == "نور الدين"


def test_normalise_collapses_punctuation_and_spaces() -> None:
    assert normalise_name("  محمد،   أحمد - الأسعد ") == "محمد احمد الاسعد"


def test_part_words_strip_article_but_not_allah() -> None:
    assert arabic_part_words("الأسعد") == ["اسعد"]
    assert arabic_part_words("عبد الله") == ["عبد", "الله"]
    assert arabic_part_words("عبدالله") == ["عبد", "الله"]
    assert arabic_part_words("العبدالله") == ["عبد", "الله"]


def test_part_words_keep_names_that_only_look_like_article() -> None:
    assert arabic_part_words("الياس") == ["الياس"]
    assert arabic_part_words("الهام") == ["الهام"]
    assert arabic_part_words("آلاء") == ["الاء"]


def test_loose_transliteration_reads_common_names() -> None:
    assert arabic_to_latin("محمد أحمد الأسعد") == "Muhammad Ahmad al-Asad"
    assert arabic_to_latin("عبد الرحمن") == "Abd al-Rahman"


def test_loose_transliteration_fallback_is_ascii_and_readable() -> None:
    reading = arabic_to_latin("الحلبي")
    assert reading == "al-Halabi"
    assert arabic_to_latin("سفيان").isascii()
    assert arabic_to_latin("١٢٣") == ""
