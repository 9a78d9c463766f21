"""What a reader sees, in their language: the one catalogue of phrases (`catalogue`) and the
formats of numbers, shares, dates and names (`formats`).

`text(key, lang, **values)` is the phrase `key` in `lang` ("ar", or English for anything else)
with its fields filled in; a key the catalogue lacks is a KeyError, never a phrase of the other
language left on the page.
"""

from __future__ import annotations

from marsad.i18n.catalogue import CATALOGUE
from marsad.i18n.formats import (
    ARABIC_MONTHS,
    LANGUAGES,
    digit_style,
    format_count,
    format_date,
    format_moment,
    format_month,
    format_number,
    format_partial_date,
    format_percent,
    language,
    local_name,
    localise_digits,
    text_direction,
    whole_percent,
)
from marsad.i18n.labels import has_label, label, level_words, parse_reason, refusal_words

__all__ = [
    "ARABIC_MONTHS",
    "CATALOGUE",
    "LANGUAGES",
    "digit_style",
    "format_count",
    "format_date",
    "format_moment",
    "format_month",
    "format_number",
    "format_partial_date",
    "format_percent",
    "has_label",
    "has_text",
    "label",
    "language",
    "level_words",
    "local_name",
    "localise_digits",
    "parse_reason",
    "refusal_words",
    "text",
    "text_direction",
    "whole_percent",
]


def text(key: str, lang: str, /, **values: object) -> str:
    """The phrase `key` in `lang` ("ar" or anything else for English), fields filled in."""
    english, arabic = CATALOGUE[key]
    wording = arabic if lang == "ar" else english
    return wording.format(**values) if values else wording


def has_text(key: str) -> bool:
    """Whether `key` has wording; for labels that come from data and may have none."""
    return key in CATALOGUE
