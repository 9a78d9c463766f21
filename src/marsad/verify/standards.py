"""The counting standards' definitions, in English and Arabic, generated from the rules in force.

The counts (`marsad.services.counts`) apply the rules: reported is every person; documented,
the rules' `documented:` section; corroborated, at least `min_independent_sources` independent
sources, or verified; verified, the rules' `verified:` requirements or a reviewer's word. Every
face says what a standard means through `definitions`, built from the same rules and the
catalogue's sentences, so no page, command or report can define a standard otherwise than it
is counted.
"""

from __future__ import annotations

from marsad.i18n import text
from marsad.verify.reasons import (
    conjoined,
    independent_sources,
    level_word,
    options_in,
    precision_word,
)
from marsad.verify.rules import VerificationRules

STANDARDS = ("reported", "documented", "corroborated", "verified", "estimated")
"""Widest first, the estimate last: the order every face shows them in."""


def _date(precision: str, lang: str) -> str:
    return text("definition.date", lang, precision=precision_word(precision, lang))


def _place(level: str, lang: str) -> str:
    return text("definition.place", lang, level=level_word(level, lang))


def _condition(rules: VerificationRules, requirement: str, lang: str) -> str:
    if requirement == "identified":
        return text("definition.identified", lang, names=options_in(rules.identified, lang))
    if requirement == "dated":
        return text("definition.dated", lang, date=_date(rules.date_precision, lang))
    if requirement == "placed":
        return text("definition.placed", lang, place=_place(rules.place_level, lang))
    sources = independent_sources(rules.min_independent_sources, lang)
    return text("definition.corroborated_by", lang, sources=sources)


def definitions(rules: VerificationRules, lang: str) -> dict[str, str]:
    """Each standard of STANDARDS → one sentence in `lang` saying what it counts under `rules`."""
    confirmation = ""
    if rules.reviewer_confirmation and "corroborated" in rules.verified_requires:
        confirmation = text("definition.verified.confirmation", lang)
    conditions = [_condition(rules, r, lang) for r in rules.verified_requires]
    sources = independent_sources(rules.min_independent_sources, lang)
    return {
        "reported": text("definition.reported", lang),
        "documented": text(
            "definition.documented",
            lang,
            names=options_in(rules.documented_full_name, lang),
            date=_date(rules.documented_date_precision, lang),
            place=_place(rules.documented_place_level, lang),
        ),
        "corroborated": text("definition.corroborated", lang, sources=sources),
        "verified": text(
            "definition.verified",
            lang,
            conditions=conjoined(conditions, lang),
            confirmation=confirmation,
        ),
        "estimated": text("definition.estimated", lang),
    }
