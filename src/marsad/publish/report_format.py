"""Numbers, intervals and diagnostics as the report shows them, in its language: the formatting
that `report` builds its context from, apart from the Jinja template and the data it reads.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

from marsad.domain.estimates import Estimate
from marsad.i18n import (
    format_count,
    format_date,
    format_percent,
    has_text,
    localise_digits,
    text,
    whole_percent,
)
from marsad.publish.report_data import STANDARD_KEYS, StandardCount


def method_name(method: str, lang: str = "en") -> str:
    """A method's name as a reader should see it; unknown methods as recorded."""
    key = f"method_name.{method}"
    return text(key, lang) if has_text(key) else method


def format_bound(value: float, lang: str = "en") -> str:
    """An interval end; an infinite upper bound is said in words, not as a number."""
    return format_count(value, lang) if math.isfinite(value) else text("no_upper_bound", lang)


def format_interval(estimate: Estimate, lang: str = "en") -> str:
    """`10,356 (95% interval 8,994–12,110)`."""
    lower, upper = estimate.interval
    return text(
        "interval",
        lang,
        estimate=format_count(estimate.estimate, lang),
        level=whole_percent(estimate.level, lang),
        low=format_bound(lower, lang),
        high=format_bound(upper, lang),
    )


def format_share(part: int, whole: int, lang: str = "en") -> str:
    """`part` as a percentage of `whole`; a dash when there is no whole to share."""
    return format_percent(part / whole, lang) if whole else "–"


def share_documented(estimate: Estimate, lang: str = "en") -> str | None:
    """Documented / estimated, with the interval that follows from the estimate's interval.

    None when the estimate is zero (nothing to divide by).
    """
    if estimate.estimate <= 0:
        return None
    lower, upper = estimate.interval
    low_share = estimate.observed / upper if upper > 0 else 0.0
    high_share = min(1.0, estimate.observed / lower) if lower > 0 else 1.0
    low_text = format_percent(low_share, lang)
    if not low_text.startswith("<"):
        low_text = low_text.removesuffix("%").removesuffix("٪")
    return text(
        "interval",
        lang,
        estimate=format_percent(estimate.observed / estimate.estimate, lang),
        level=whole_percent(estimate.level, lang),
        low=low_text,
        high=format_percent(high_share, lang),
    )


RHAT_AGREE = 1.01


RHAT_DISAGREE = 1.1


ESS_PER_CHAIN = 100
"""Vehtari et al. (2021): R-hat below 1.01 and at least 100 effective draws per chain."""


LONGEST_LIST = 12
"""A list or mapping diagnostic longer than this is not shown as text (traces, grids)."""


CONVERGENCE_KEYS = ("rhat", "ess", "ess_tail")


SHOWN_ELSEWHERE = frozenset(
    {"warnings", "notes", "trace", "trace_every", "top_graphs", "top_models", "list_sizes"}
)
"""Diagnostics with their own place in the page: a list, a chart or a table, never a row."""


def format_statistic(value: float, lang: str = "en") -> str:
    """A statistic: counts grouped, others to 4 significant digits, never a long mantissa."""
    if not math.isfinite(value):
        key = "infinite" if value > 0 else "not_a_number" if math.isnan(value) else "minus_infinite"
        return text(key, lang)
    if abs(value) >= 1000:
        return format_count(value, lang)
    if value == 0 or abs(value) >= 0.001:
        return localise_digits(f"{value:.4g}", lang)
    return localise_digits(f"{value:.2g}", lang)


def format_value(value: object, lang: str = "en") -> str:
    """A setting or diagnostic for display: counts grouped, floats to 4 significant digits."""
    if value is None:
        return text("undefined", lang)
    if isinstance(value, bool):
        return text("yes" if value else "no", lang)
    if isinstance(value, int):
        return localise_digits(f"{value:,}", lang)
    if isinstance(value, float):
        return format_statistic(value, lang)
    return str(value)


def humanise(key: str) -> str:
    """`records_linked` -> `Records linked`; short keys are abbreviations: `aic` -> `AIC`."""
    text = key.replace("_", " ").strip()
    if len(text) <= 3:
        return text.upper()
    return text[:1].upper() + text[1:]


def label_of(key: str, lang: str = "en") -> str:
    """A diagnostic's or setting's label; keys with no wording are shown as words."""
    return text(f"diag.{key}", lang) if has_text(f"diag.{key}") else humanise(key)


def rhat_note(rhat: float | None, lang: str = "en") -> str:
    """What an R-hat means, in words an analyst can act on."""
    bounds = {
        "agree": localise_digits(str(RHAT_AGREE), lang),
        "disagree": localise_digits(str(RHAT_DISAGREE), lang),
    }
    if rhat is None or not math.isfinite(rhat):
        return text("rhat.none", lang)
    if rhat < RHAT_AGREE:
        return text("rhat.agree", lang, **bounds)
    if rhat > RHAT_DISAGREE:
        return text("rhat.disagree", lang, **bounds)
    return text("rhat.roughly", lang, **bounds)


def ess_note(ess: float | None, chains: int, goal: str, lang: str = "en") -> str:
    """Whether there are enough effective draws (100 a chain) for `goal` (already in `lang`)."""
    if ess is None or not math.isfinite(ess):
        return text("ess.equal", lang)
    wanted = format_count(ESS_PER_CHAIN * max(chains, 1), lang)
    if ess < ESS_PER_CHAIN * max(chains, 1):
        return text("ess.few", lang, goal=goal, wanted=wanted)
    return text("ess.enough", lang, goal=goal, wanted=wanted)


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _as_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _format_list(items: list[Any], lang: str = "en") -> str | None:
    if not items or len(items) > LONGEST_LIST or not all(_is_scalar(i) for i in items):
        return None
    separator = ("، " if lang == "ar" else ", ") if all(isinstance(i, str) for i in items) else "; "
    return separator.join(format_value(i, lang) for i in items)


def _format_mapping(key: str, mapping: dict[str, Any], lang: str = "en") -> str | None:
    if key == "grid":
        totals, points = mapping.get("totals"), mapping.get("points")
        if isinstance(totals, list) and len(totals) == 2 and isinstance(points, int):
            rule = f" ({mapping['rule']})" if mapping.get("rule") else ""
            return text(
                "grid",
                lang,
                low=format_value(totals[0], lang),
                high=format_value(totals[1], lang),
                points=format_value(points, lang),
                rule=rule,
            )
    if not mapping or len(mapping) > LONGEST_LIST:
        return None
    shown = []
    for name, value in mapping.items():
        shown_value = format_value(value, lang) if _is_scalar(value) else None
        if isinstance(value, list):
            shown_value = _format_list(value, lang)
        if shown_value is None:
            return None
        if key == "quantiles":
            shown.append(f"{whole_quantile(name, lang)}: {shown_value}")
        else:
            shown.append(f"{humanise(name)}: {shown_value}")
    return " · ".join(shown)


def whole_quantile(name: str, lang: str) -> str:
    """A quantile's key ("2.5") as a percentage: "2.5%" or "٢٫٥٪"."""
    return f"{localise_digits(name, lang)}٪" if lang == "ar" else f"{name}%"


def format_diagnostic(key: str, value: object, lang: str = "en") -> str | None:
    """One diagnostic as short text, or None when it is not text-sized (a trace, a long list)."""
    number = _as_float(value)
    if key == "rhat" and number is not None:
        return localise_digits(f"{number:.3f}", lang)
    if key in ("ess", "ess_tail") and number is not None:
        return format_count(number, lang) if math.isfinite(number) else format_value(number, lang)
    if key == "seed" and isinstance(value, int):
        return localise_digits(str(value), lang)
    if key == "seconds" and number is not None:
        return text("seconds", lang, n=localise_digits(f"{number:.1f}", lang))
    if _is_scalar(value):
        return format_value(value, lang)
    if isinstance(value, list):
        return _format_list(value, lang)
    if isinstance(value, dict):
        return _format_mapping(key, value, lang)
    return None


def warnings_of(estimate: Estimate) -> list[str]:
    """The warnings an estimator left in `diagnostics["warnings"]` (a string or a list)."""
    return texts_of(estimate.diagnostics.get("warnings", []))


def texts_of(found: object) -> list[str]:
    if isinstance(found, str):
        return [found]
    if isinstance(found, list | tuple):
        return [str(item) for item in found if _is_scalar(item)]
    return []


def diagnostic_rows(estimate: Estimate, lang: str = "en") -> list[tuple[str, str]]:
    """Diagnostics that read as one line each; convergence, lists of warnings, traces and
    ranked models have their own place in the page.
    """
    rows = []
    for key, value in estimate.diagnostics.items():
        if key in SHOWN_ELSEWHERE or key in CONVERGENCE_KEYS:
            continue
        shown = format_diagnostic(key, value, lang)
        if shown is not None:
            rows.append((label_of(key, lang), shown))
    return rows


def convergence_rows(estimate: Estimate, lang: str = "en") -> list[tuple[str, str, str]]:
    """R-hat and effective sample sizes as (label, value, what it means)."""
    found = estimate.diagnostics
    chains = found.get("chains")
    chains = chains if isinstance(chains, int) else len(trace_of(estimate) or [[]])
    rows = []
    if "rhat" in found:
        rhat = _as_float(found["rhat"])
        shown = format_diagnostic("rhat", rhat, lang) or format_value(rhat, lang)
        rows.append((label_of("rhat", lang), shown, rhat_note(rhat, lang)))
    for key, goal in (("ess", "ess.median"), ("ess_tail", "ess.tails")):
        if key in found:
            ess = _as_float(found[key])
            shown = format_diagnostic(key, ess, lang) or text("undefined", lang)
            rows.append((label_of(key, lang), shown, ess_note(ess, chains, text(goal, lang), lang)))
    return rows


def trace_of(estimate: Estimate) -> list[list[float]] | None:
    """The thinned draws of N per chain, when the estimator kept them and they are numbers."""
    trace = estimate.diagnostics.get("trace")
    if not isinstance(trace, list) or not trace:
        return None
    chains: list[list[float]] = []
    for chain in trace:
        if not isinstance(chain, list) or not chain:
            return None
        values = [_as_float(v) for v in chain]
        if any(v is None or not math.isfinite(v) for v in values):
            return None
        chains.append([v for v in values if v is not None])
    return chains


def format_weight(weight: float, lang: str = "en") -> str:
    """A posterior or criterion weight as a percentage; a tiny one is not shown as 0.0%."""
    shown = "<0.1%" if 0 < weight < 0.0005 else f"{weight:.1%}"
    return localise_digits(shown, lang).replace("%", "٪") if lang == "ar" else shown


def _entries(estimate: Estimate, key: str) -> list[dict[str, Any]]:
    found = estimate.diagnostics.get(key)
    if not isinstance(found, list):
        return []
    return [entry for entry in found if isinstance(entry, dict)]


def _cell(entry: dict[str, Any], key: str, form: Callable[[float], str]) -> str:
    number = _as_float(entry.get(key))
    return form(number) if number is not None else "–"


def top_graph_rows(estimate: Estimate, lang: str = "en") -> list[tuple[str, str]]:
    """dga's most probable graphs as (graph, posterior weight)."""
    return [
        (str(entry.get("graph", "–")), _cell(entry, "weight", lambda w: format_weight(w, lang)))
        for entry in _entries(estimate, "top_graphs")
    ]


def top_model_rows(
    estimate: Estimate, lang: str = "en"
) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The log-linear models that fit best: the criterion's name, then (model, criterion value,
    weight, estimate) per model.
    """
    criterion = estimate.diagnostics.get("criterion")
    criterion = criterion if isinstance(criterion, str) else "aic"
    rows = [
        (
            str(entry.get("model", "–")),
            _cell(entry, criterion, lambda v: localise_digits(f"{v:,.1f}", lang)),
            _cell(entry, "weight", lambda w: format_weight(w, lang)),
            _cell(entry, "estimate", lambda e: format_count(e, lang)),
        )
        for entry in _entries(estimate, "top_models")
    ]
    return humanise(criterion), rows


def format_datetime(moment: datetime.datetime, lang: str = "en") -> str:
    """`2024-07-15 08:00 UTC`; in Arabic the date in words, so it reads right to left."""
    zone = f" {moment.tzname()}" if moment.tzname() else ""
    if lang == "ar":
        return (
            f"{format_date(moment.date(), lang)}، {localise_digits(f'{moment:%H:%M}', lang)}{zone}"
        )
    return f"{moment:%Y-%m-%d %H:%M}{zone}"


def chain_count(chains: int, lang: str = "en") -> str:
    """ "1 chain", "2 chains"; in Arabic the singular and dual have their own forms."""
    if chains in (1, 2):
        return text("chains.one" if chains == 1 else "chains.two", lang)
    return text("chains.many", lang, n=format_count(chains, lang))


def standard_figure(standard: StandardCount, lang: str = "en") -> str:
    """One standard as the headline says it: "940 documented" or "estimated 2,100 (1,800–2,600)"."""
    shown = format_count(standard.persons, lang)
    if standard.key == "estimated" and standard.low is not None and standard.high is not None:
        return text(
            "standard.phrase.estimated",
            lang,
            n=shown,
            low=format_bound(standard.low, lang),
            high=format_bound(standard.high, lang),
        )
    name = (
        text(f"standard.{standard.key}", lang)
        if has_text(f"standard.{standard.key}")
        else (standard.key)
    )
    return text("standard.phrase", lang, n=shown, name=name)


def headline_sentence(standards: list[StandardCount], lang: str = "en") -> str:
    """The standards side by side, in the order of `STANDARD_KEYS`:
    "1,383 reported · 940 documented · 111 verified · estimated 2,100 (1,800–2,600)"."""
    return " · ".join(standard_figure(s, lang) for s in ordered_standards(standards))


def ordered_standards(standards: list[StandardCount]) -> list[StandardCount]:
    """Widest standard first, the estimate last; unknown keys after the known ones."""
    rank = {key: i for i, key in enumerate(STANDARD_KEYS)}
    return sorted(standards, key=lambda s: rank.get(s.key, len(rank)))
