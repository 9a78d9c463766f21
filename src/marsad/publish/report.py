"""Render `ReportData` as one self-contained HTML page: no script, no external file, no network.

The page must open on an air-gapped laptop and print cleanly, so CSS lives in the template and
charts are inline SVG (`charts`). All text goes through Jinja2 autoescaping; only the charts,
which escape their own labels, are inserted as markup. The same template renders English and
Arabic: fixed wording comes from the catalogue, numbers and dates from `marsad.i18n`.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from marsad.domain.estimates import Estimate
from marsad.i18n import (
    format_count,
    format_date,
    format_percent,
    has_text,
    language,
    local_name,
    localise_digits,
    text,
    text_direction,
    whole_percent,
)
from marsad.publish.charts.bars import horizontal_bar_chart
from marsad.publish.charts.governorates import governorate_weeks_chart
from marsad.publish.charts.intervals import IntervalRow, interval_chart
from marsad.publish.charts.posterior import posterior_density_chart
from marsad.publish.charts.pyramid import age_band, age_sex_pyramid
from marsad.publish.charts.trace import trace_chart
from marsad.publish.charts.upset import upset_chart
from marsad.publish.charts.weeks import week_chart
from marsad.publish.report_data import STANDARD_KEYS, ReportData, StandardCount, StratumEstimate
from marsad.publish.report_estimate import estimate_details_context

SEXES = ("male", "female", "unknown")
TOP_GOVERNORATES = 6
"""Governorates shown as their own row in the weekly small multiples; the rest are "other"."""

_ENV = Environment(
    loader=PackageLoader("marsad.publish", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
METHOD_NAMES = {
    "lcmcr": ("LCMCR (Bayesian latent-class model)", "LCMCR (نموذج الفئات الكامنة البايزي)"),
    "dga": (
        "dga (Bayesian averaging of graphical models)",
        "dga (متوسط بايزي للنماذج البيانية)",
    ),
    "loglinear": ("log-linear models", "النماذج اللوغاريتمية الخطية"),
}


def method_name(method: str, lang: str = "en") -> str:
    """A method's name as a reader should see it; unknown methods as recorded."""
    names = METHOD_NAMES.get(method)
    if names is None:
        return method
    return names[1] if lang == "ar" else names[0]


@pass_context
def _count_filter(context: Context, value: float) -> str:
    return format_count(value, context["lang"])


@pass_context
def _method_filter(context: Context, method: str) -> str:
    return method_name(method, context["lang"])


_ENV.filters["count"] = _count_filter
_ENV.filters["method_name"] = _method_filter


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
    return _texts(estimate.diagnostics.get("warnings", []))


def _texts(found: object) -> list[str]:
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


def _stratum_label(label: str, data: ReportData, lang: str) -> str:
    """A stratum named after a governorate reads in the report's language."""
    if lang == "ar":
        for governorate in data.persons_by_governorate:
            if label in (governorate.name_en, governorate.pcode) and governorate.name_ar:
                return governorate.name_ar
    return label


def _stratum_row(stratum: StratumEstimate, data: ReportData, lang: str) -> dict[str, Any]:
    estimate = stratum.estimate
    return {
        "label": _stratum_label(stratum.label, data, lang),
        "observed": stratum.observed,
        "estimate": format_interval(estimate, lang) if estimate else None,
        "share": share_documented(estimate, lang) if estimate else None,
        "note": stratum.note or ("" if estimate else text("estimate.documented_only", lang)),
    }


def _interval_row(label: str, observed: int, estimate: Estimate | None) -> IntervalRow:
    if estimate is None:
        return IntervalRow(label, observed)
    return IntervalRow(label, observed, estimate.estimate, *estimate.interval)


def _estimate_context(data: ReportData, lang: str) -> dict[str, Any]:
    rows: list[IntervalRow] = []
    if data.estimate is not None:
        rows.append(
            _interval_row(text("estimate.all", lang), data.estimate.observed, data.estimate)
        )
    rows += [
        _interval_row(_stratum_label(s.label, data, lang), s.observed, s.estimate)
        for s in data.strata
    ]
    levels = [e.level for e in [data.estimate, *(s.estimate for s in data.strata)] if e]
    level = levels[0] if levels else 0.95
    chart = (
        interval_chart(rows, title=text("estimate.chart", lang), level=level, lang=lang)
        if rows
        else None
    )
    warnings = warnings_of(data.estimate) if data.estimate else []
    for stratum in data.strata:
        if stratum.estimate is not None:
            warnings += [f"{stratum.label}: {line}" for line in warnings_of(stratum.estimate)]
    return {
        "estimate_chart": chart,
        "strata_rows": [_stratum_row(s, data, lang) for s in data.strata],
        "warnings": warnings,
        "diagnostics": diagnostic_rows(data.estimate, lang) if data.estimate else [],
    } | _posterior_context(data.estimate, lang)


def _posterior_context(estimate: Estimate | None, lang: str) -> dict[str, Any]:
    """Charts and tables of how the estimate was reached: draws, chains, graphs or models."""
    context: dict[str, Any] = {
        "density_chart": None,
        "trace_chart": None,
        "trace_facts": None,
        "convergence": [],
        "sampler_notes": [],
        "top_graphs": [],
        "top_models": [],
        "criterion": "",
        "list_numbers": "",
    }
    if estimate is None:
        return context
    chains = trace_of(estimate)
    if chains is not None:
        every = estimate.diagnostics.get("trace_every")
        every = every if isinstance(every, int) and every > 0 else 1
        lower, upper = estimate.interval
        draws = [value for chain in chains for value in chain]
        context["density_chart"] = posterior_density_chart(
            draws,
            median=estimate.estimate,
            lower=lower,
            upper=upper,
            level=estimate.level,
            title=text("estimate.density_chart", lang),
            lang=lang,
        )
        context["trace_chart"] = trace_chart(
            chains, every=every, title=text("estimate.trace_chart", lang), lang=lang
        )
        summed = "strata_estimated" in estimate.diagnostics
        context["trace_facts"] = {
            "draws": format_count(len(draws), lang),
            "chains": chain_count(len(chains), lang),
            "every": format_count(every, lang),
            "level": whole_percent(estimate.level, lang),
            "summed": text("estimate.summed", lang) if summed else "",
        }
    context["convergence"] = convergence_rows(estimate, lang)
    context["sampler_notes"] = _texts(estimate.diagnostics.get("notes", []))
    context["top_graphs"] = top_graph_rows(estimate, lang)
    context["criterion"], context["top_models"] = top_model_rows(estimate, lang)
    lists = estimate.diagnostics.get("lists")
    if isinstance(lists, list) and all(isinstance(name, str) for name in lists):
        context["list_numbers"] = ", ".join(
            f"{localise_digits(str(i), lang)} = {name}" for i, name in enumerate(lists, 1)
        )
    return context


def chain_count(chains: int, lang: str = "en") -> str:
    """ "1 chain", "2 chains"; in Arabic the singular and dual have their own forms."""
    if chains in (1, 2):
        return text("chains.one" if chains == 1 else "chains.two", lang)
    return text("chains.many", lang, n=format_count(chains, lang))


def _persons_context(data: ReportData, lang: str) -> dict[str, Any]:
    by_count = sorted(data.persons_by_governorate, key=lambda g: (-g.persons, g.pcode))
    chart = (
        horizontal_bar_chart(
            [(local_name(g.name_en, g.name_ar, lang), g.persons) for g in by_count],
            title=text("persons.governorate_chart", lang),
            lang=lang,
        )
        if any(g.persons for g in by_count)
        else None
    )
    sexes = [*SEXES, *(k for k in data.persons_by_sex if k not in SEXES)]
    bands = [row for row in data.age_sex if age_band(row.band) is not None]
    unknown_age = sum(
        row.male + row.female + row.unknown_sex
        for row in data.age_sex
        if age_band(row.band) is None
    )
    return {
        "governorates": [
            {
                "pcode": g.pcode,
                "name": local_name(g.name_en, g.name_ar, lang),
                "other": g.name_en if lang == "ar" else g.name_ar,
                "persons": g.persons,
            }
            for g in sorted(data.persons_by_governorate, key=lambda g: g.pcode)
        ],
        "other_lang": "en" if lang == "ar" else "ar",
        "governorate_chart": chart,
        "sex_rows": [
            (
                text(f"sex.{k}", lang) if has_text(f"sex.{k}") else humanise(k),
                data.persons_by_sex.get(k, 0),
            )
            for k in sexes
        ],
        "age_chart": (
            age_sex_pyramid(bands, title=text("age_sex.chart", lang), lang=lang)
            if any(row.male + row.female + row.unknown_sex for row in bands)
            else None
        ),
        "unknown_age": unknown_age,
        "missing_rows": [
            (text(f"missing.{k}", lang) if has_text(f"missing.{k}") else k, n)
            for k, n in data.documented_missing.items()
        ],
    }


def _time_context(data: ReportData, lang: str) -> dict[str, Any]:
    weeks = sorted(data.persons_by_week, key=lambda w: w.week_start)
    dated = sum(w.persons for w in weeks)
    chart = (
        week_chart(
            [(w.week_start, w.persons) for w in weeks],
            title=text("time.week_chart", lang),
            lang=lang,
        )
        if dated
        else None
    )
    peak = max(weeks, key=lambda w: w.persons) if dated else None
    caption = (
        text(
            "time.week_caption",
            lang,
            first=format_date(weeks[0].week_start, lang),
            last=format_date(weeks[-1].week_start, lang),
            peak=format_count(peak.persons, lang),
            peak_week=format_date(peak.week_start, lang),
        )
        if peak
        else ""
    )
    return {
        "week_chart": chart,
        "week_caption": caption,
        "persons_dated": dated,
        "governorate_weeks_chart": _governorate_weeks(data, lang),
    }


def _governorate_weeks(data: ReportData, lang: str) -> Any:
    """Small multiples of the governorates with most deaths, the rest summed as "other"."""
    if not any(row.persons for row in data.weekly_by_governorate):
        return None
    totals: dict[str, int] = {}
    names: dict[str, str] = {}
    for row in data.weekly_by_governorate:
        totals[row.pcode] = totals.get(row.pcode, 0) + row.persons
        names[row.pcode] = local_name(row.name_en, row.name_ar, lang)
    ranked = sorted(totals, key=lambda pcode: (-totals[pcode], pcode))
    shown = ranked if len(ranked) <= TOP_GOVERNORATES + 1 else ranked[:TOP_GOVERNORATES]
    rows: dict[str, list[tuple[datetime.date, int]]] = {pcode: [] for pcode in shown}
    other: list[tuple[datetime.date, int]] = []
    for row in data.weekly_by_governorate:
        rows.get(row.pcode, other).append((row.week_start, row.persons))
    series = [(names[pcode], rows[pcode]) for pcode in shown]
    if other:
        series.append((text("time.other", lang), other))
    return governorate_weeks_chart(series, title=text("time.governorate_chart", lang), lang=lang)


def _overlap_context(data: ReportData, lang: str) -> dict[str, Any]:
    histories = data.capture_histories
    if histories is None or histories.observed == 0:
        return {"upset_chart": None, "list_sizes": [], "single_list": 0, "observed": 0}
    single = sum(c for p, c in histories.counts.items() if sum(p) == 1)
    return {
        "upset_chart": upset_chart(histories, title=text("overlap.chart", lang), lang=lang),
        "list_sizes": list(histories.list_sizes().items()),
        "single_list": single,
        "observed": histories.observed,
    }


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


def _standards_context(data: ReportData, lang: str) -> dict[str, Any]:
    cards = []
    for standard in ordered_standards(data.standards):
        key = standard.key
        known = has_text(f"standard.title.{key}")
        has_range = standard.low is not None and standard.high is not None
        cards.append(
            {
                "key": key,
                "title": text(f"standard.title.{key}", lang) if known else humanise(key),
                "value": format_count(standard.persons, lang),
                "range": (
                    text(
                        "standard.range",
                        lang,
                        low=format_bound(standard.low or 0.0, lang),
                        high=format_bound(standard.high or 0.0, lang),
                    )
                    if has_range
                    else ""
                ),
                "definition": data.definitions.get(lang, {}).get(key, ""),
            }
        )
    return {"standards": cards, "headline_text": headline_sentence(data.standards, lang)}


def _incident_rows(data: ReportData, lang: str) -> list[dict[str, str]]:
    return [
        {
            "grade": text(f"grade.{row.grade}", lang)
            if has_text(f"grade.{row.grade}")
            else row.grade,
            "key": row.grade,
            "incidents": format_count(row.incidents, lang),
            "killed": text(
                "range",
                lang,
                low=format_count(row.killed_min, lang),
                high=format_count(row.killed_max, lang),
            ),
        }
        for row in data.incidents
    ]


def _methodology_context(data: ReportData, lang: str) -> dict[str, Any]:
    def linkage_label(key: str) -> str:
        return text(f"linkage.{key}", lang) if has_text(f"linkage.{key}") else humanise(key)

    return {
        "source_rows": [
            (
                source.name,
                text(
                    "method.source_size",
                    lang,
                    records=format_count(source.records, lang),
                    imports=format_count(source.imports, lang),
                ),
            )
            for source in data.sources
        ],
        "linkage_rows": [
            (linkage_label(k), format_value(v, lang)) for k, v in data.linkage.items()
        ],
        "estimation_rows": [(label_of(k, lang), v) for k, v in data.estimation.items()],
        "rule_rows": [
            (text(f"standard.title.{key}", lang), sentence)
            for key in ("reported", "corroborated", "verified", "documented")
            if (sentence := data.definitions.get(lang, {}).get(key))
        ],
        "cutoff": format_date(data.data_cutoff, lang) if data.data_cutoff else None,
    }


def render_report(data: ReportData, lang: str = "en") -> str:
    """The whole report as one HTML5 document in `lang` ("en" or "ar", right to left)."""
    lang = language(lang)
    template = _ENV.get_template("report.html.j2")
    estimate = data.estimate

    def say(key: str, **values: str) -> str:
        return text(key, lang, **values)

    def count(value: float) -> str:
        return format_count(value, lang)

    def share(part: int, whole: int) -> str:
        return format_share(part, whole, lang)

    context: dict[str, Any] = {
        "data": data,
        "title": data.title or text("report.title", lang),
        "lang": lang,
        "dir": text_direction(lang),
        "t": say,
        "n": count,
        "format_share": share,
        "generated": format_datetime(data.generated_at, lang),
        "independent_sources": sum(1 for s in data.sources if s.copies is None),
        "estimate_text": format_interval(estimate, lang) if estimate else None,
        "share_text": share_documented(estimate, lang) if estimate else None,
        "percent_children": share(data.persons_children, data.persons_total),
        "incident_rows": _incident_rows(data, lang),
    }
    context |= _standards_context(data, lang)
    context |= _persons_context(data, lang)
    context |= _time_context(data, lang)
    context |= _overlap_context(data, lang)
    context |= _estimate_context(data, lang)
    context |= estimate_details_context(data, lang)
    context |= _methodology_context(data, lang)
    return template.render(context)
