"""Render `ReportData` as one self-contained HTML page: no script, no external file, no network.

The page must open on an air-gapped laptop and print cleanly, so CSS lives in the template and
charts are inline SVG (`charts`). All text goes through Jinja2 autoescaping; only the charts,
which escape their own labels, are inserted as markup. The same template renders English and
Arabic: fixed wording comes from the catalogue, numbers and dates from `marsad.i18n`.
"""

from __future__ import annotations

import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from marsad.domain.estimates import Estimate
from marsad.i18n import (
    format_count,
    format_date,
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
from marsad.publish.report_data import ReportData, StratumEstimate
from marsad.publish.report_estimate import estimate_details_context
from marsad.publish.report_format import (
    chain_count,
    convergence_rows,
    diagnostic_rows,
    format_bound,
    format_datetime,
    format_interval,
    format_share,
    format_value,
    headline_sentence,
    humanise,
    label_of,
    method_name,
    ordered_standards,
    share_documented,
    texts_of,
    top_graph_rows,
    top_model_rows,
    trace_of,
    warnings_of,
)

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


@pass_context
def _count_filter(context: Context, value: float) -> str:
    return format_count(value, context["lang"])


@pass_context
def _method_filter(context: Context, method: str) -> str:
    return method_name(method, context["lang"])


_ENV.filters["count"] = _count_filter


_ENV.filters["method_name"] = _method_filter


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
    context["sampler_notes"] = texts_of(estimate.diagnostics.get("notes", []))
    context["top_graphs"] = top_graph_rows(estimate, lang)
    context["criterion"], context["top_models"] = top_model_rows(estimate, lang)
    lists = estimate.diagnostics.get("lists")
    if isinstance(lists, list) and all(isinstance(name, str) for name in lists):
        context["list_numbers"] = ", ".join(
            f"{localise_digits(str(i), lang)} = {name}" for i, name in enumerate(lists, 1)
        )
    return context


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


def _displacement_rows(data: ReportData, lang: str) -> list[dict[str, str]]:
    """The displacement section's rows; a withheld count is a dash."""

    def shown(value: int | None) -> str:
        return "–" if value is None else format_count(value, lang)

    return [
        {
            "governorate": row.governorate,
            "sites": format_count(row.sites, lang),
            "households": shown(row.households),
            "individuals": shown(row.individuals),
            "children": shown(row.children),
        }
        for row in data.displacement
    ]


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
        "displacement_rows": _displacement_rows(data, lang),
    }
    context |= _standards_context(data, lang)
    context |= _persons_context(data, lang)
    context |= _time_context(data, lang)
    context |= _overlap_context(data, lang)
    context |= _estimate_context(data, lang)
    context |= estimate_details_context(data, lang)
    context |= _methodology_context(data, lang)
    return template.render(context)
