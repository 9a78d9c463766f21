"""A link decision said in words for the person and review pages: who or what decided, and
for a model's score the comparisons that spoke for and against ("same father's name, dates
one day apart"), each worded by `marsad.i18n.level_words`; the weights stay behind a
disclosure in the template."""

from __future__ import annotations

from dataclasses import dataclass

from marsad.i18n import format_partial_date, label, level_words, localise_digits, text
from marsad.linkage.explain import ONE_TO_ONE, Contribution, PairExplanation
from marsad.linkage.learn import REVIEWERS

NEUTRAL = 0.5
"""A weight (bits) closer to zero than this neither speaks for nor against a match."""


@dataclass(frozen=True)
class Said:
    """What weighed for and against a match, in words, strongest first."""

    for_match: list[str]
    against: list[str]


def explanation_words(
    explanation: PairExplanation | None, lang: str, days_apart: int | None = None
) -> Said:
    """The comparisons that weighed for and against, strongest first; the prior and the
    comparisons that weighed nothing are left to the numbers."""
    if explanation is None:
        return Said([], [])
    scored = []
    for c in explanation.contributions:
        if c.weight is None or abs(c.weight) < NEUTRAL:
            continue
        scored.append((c.weight, contribution_words(c, lang, days_apart)))
    scored.sort(key=lambda pair: -abs(pair[0]))
    return Said(
        [w for weight, w in scored if weight > 0], [w for weight, w in scored if weight < 0]
    )


def contribution_words(c: Contribution, lang: str, days_apart: int | None = None) -> str:
    """One comparison's outcome in words; the reviewers' correction by its own name."""
    if c.comparison in (REVIEWERS, ONE_TO_ONE):
        return label("comparison", c.comparison, lang)
    return level_words(c.comparison, c.level, lang, days_apart)


def joined(items: list[str], lang: str) -> str:
    """Items as one phrase: "a, b" or "أ، ب"."""
    return ("، " if lang == "ar" else ", ").join(items)


def decided_words(kind: str, decision: str, lang: str) -> str:
    """Who decided: a reviewer, a rule or the model, and which way."""
    return text(f"explain.{kind}.{decision}", lang)


def field_value(field: str, value: object, lang: str) -> str:
    """One cell of the side-by-side records: labelled values in the page's language, dates
    and ages in its digits, names and codes as written."""
    if value is None:
        return ""
    if field == "date_of_death":
        return format_partial_date(str(value), lang)
    if field == "age":
        return localise_digits(str(value), lang)
    if field in ("sex", "status", "civilian", "governorate", "district"):
        return label(field, value, lang)
    return str(value)
