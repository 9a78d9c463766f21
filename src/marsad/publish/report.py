"""Render `ReportData` as one self-contained HTML page: no script, no external file, no network.

The page must open on an air-gapped laptop and print cleanly, so CSS lives in the template and
charts are inline SVG (`charts`). All text goes through Jinja2 autoescaping; only the charts,
which escape their own labels, are inserted as markup.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from marsad.domain.estimates import Estimate
from marsad.publish.charts import (
    IntervalRow,
    format_count,
    horizontal_bar_chart,
    interval_chart,
    upset_chart,
    week_chart,
)
from marsad.publish.report_data import ReportData, StratumEstimate

SEX_LABELS = {"male": "Male", "female": "Female", "unknown": "Not recorded"}

_ENV = Environment(
    loader=PackageLoader("marsad.publish", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["count"] = format_count


def format_bound(value: float) -> str:
    """An interval end; an infinite upper bound is said in words, not as a number."""
    return format_count(value) if math.isfinite(value) else "no upper bound"


def format_interval(estimate: Estimate) -> str:
    """`10,356 (95% interval 8,994–12,110)`."""
    lower, upper = estimate.interval
    return (
        f"{format_count(estimate.estimate)} ({estimate.level:.0%} interval "
        f"{format_bound(lower)}–{format_bound(upper)})"
    )


def format_percent(share: float) -> str:
    """A share as a whole percentage; a small but non-zero share reads "<1%", not "0%"."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def format_share(part: int, whole: int) -> str:
    """`part` as a percentage of `whole`; a dash when there is no whole to share."""
    return format_percent(part / whole) if whole else "–"


def share_documented(estimate: Estimate) -> str | None:
    """Documented / estimated, with the interval that follows from the estimate's interval.

    None when the estimate is zero (nothing to divide by).
    """
    if estimate.estimate <= 0:
        return None
    lower, upper = estimate.interval
    low_share = estimate.observed / upper if upper > 0 else 0.0
    high_share = min(1.0, estimate.observed / lower) if lower > 0 else 1.0
    low_text = format_percent(low_share)
    if not low_text.startswith("<"):
        low_text = low_text.removesuffix("%")
    return (
        f"{format_percent(estimate.observed / estimate.estimate)} ({estimate.level:.0%} interval "
        f"{low_text}–{format_percent(high_share)})"
    )


def format_value(value: object) -> str:
    """A setting or diagnostic for display: counts grouped, floats to 4 significant digits."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else format_count(value)
    return str(value)


def humanise(key: str) -> str:
    """`records_linked` -> `Records linked`; short keys are abbreviations: `aic` -> `AIC`."""
    text = key.replace("_", " ").strip()
    if len(text) <= 3:
        return text.upper()
    return text[:1].upper() + text[1:]


def warnings_of(estimate: Estimate) -> list[str]:
    """The warnings an estimator left in `diagnostics["warnings"]` (a string or a list)."""
    found = estimate.diagnostics.get("warnings", [])
    if isinstance(found, str):
        return [found]
    if isinstance(found, list | tuple):
        return [str(item) for item in found]
    return []


def diagnostic_rows(estimate: Estimate) -> list[tuple[str, str]]:
    """Scalar diagnostics (fit statistics and the like); warnings are listed separately."""
    return [
        (humanise(key), format_value(value))
        for key, value in estimate.diagnostics.items()
        if key != "warnings" and isinstance(value, str | int | float | bool)
    ]


def format_datetime(moment: datetime.datetime) -> str:
    zone = moment.tzname() or ""
    return f"{moment:%Y-%m-%d %H:%M} {zone}".strip()


def _stratum_row(stratum: StratumEstimate) -> dict[str, Any]:
    estimate = stratum.estimate
    return {
        "label": stratum.label,
        "observed": stratum.observed,
        "estimate": format_interval(estimate) if estimate else None,
        "share": share_documented(estimate) if estimate else None,
        "note": stratum.note or ("" if estimate else "Documented only."),
    }


def _interval_row(label: str, observed: int, estimate: Estimate | None) -> IntervalRow:
    if estimate is None:
        return IntervalRow(label, observed)
    return IntervalRow(label, observed, estimate.estimate, *estimate.interval)


def _estimate_context(data: ReportData) -> dict[str, Any]:
    rows: list[IntervalRow] = []
    if data.estimate is not None:
        rows.append(_interval_row("All persons", data.estimate.observed, data.estimate))
    rows += [_interval_row(s.label, s.observed, s.estimate) for s in data.strata]
    levels = [e.level for e in [data.estimate, *(s.estimate for s in data.strata)] if e]
    level = levels[0] if levels else 0.95
    chart = (
        interval_chart(rows, title="Persons documented and estimated, by stratum", level=level)
        if rows
        else None
    )
    warnings = warnings_of(data.estimate) if data.estimate else []
    for stratum in data.strata:
        if stratum.estimate is not None:
            warnings += [f"{stratum.label}: {text}" for text in warnings_of(stratum.estimate)]
    return {
        "estimate_chart": chart,
        "strata_rows": [_stratum_row(s) for s in data.strata],
        "warnings": warnings,
        "diagnostics": diagnostic_rows(data.estimate) if data.estimate else [],
    }


def _persons_context(data: ReportData) -> dict[str, Any]:
    by_count = sorted(data.persons_by_governorate, key=lambda g: (-g.persons, g.pcode))
    chart = (
        horizontal_bar_chart(
            [(g.name_en, g.persons) for g in by_count], title="Persons documented by governorate"
        )
        if any(g.persons for g in by_count)
        else None
    )
    extra = [k for k in data.persons_by_sex if k not in SEX_LABELS]
    sexes = [*SEX_LABELS, *extra]
    return {
        "governorates": sorted(data.persons_by_governorate, key=lambda g: g.pcode),
        "governorate_chart": chart,
        "sex_rows": [
            (SEX_LABELS.get(k, humanise(k)), data.persons_by_sex.get(k, 0)) for k in sexes
        ],
    }


def _time_context(data: ReportData) -> dict[str, Any]:
    weeks = sorted(data.persons_by_week, key=lambda w: w.week_start)
    dated = sum(w.persons for w in weeks)
    chart = (
        week_chart(
            [(w.week_start, w.persons) for w in weeks], title="Persons documented per ISO week"
        )
        if dated
        else None
    )
    return {
        "week_chart": chart,
        "persons_dated": dated,
        "first_week": weeks[0].week_start if weeks else None,
        "last_week": weeks[-1].week_start if weeks else None,
        "peak_week": max(weeks, key=lambda w: w.persons) if dated else None,
    }


def _overlap_context(data: ReportData) -> dict[str, Any]:
    histories = data.capture_histories
    if histories is None or histories.observed == 0:
        return {"upset_chart": None, "list_sizes": [], "single_list": 0, "observed": 0}
    single = sum(c for p, c in histories.counts.items() if sum(p) == 1)
    return {
        "upset_chart": upset_chart(
            histories, title="Persons by the combination of lists that recorded them"
        ),
        "list_sizes": list(histories.list_sizes().items()),
        "single_list": single,
        "observed": histories.observed,
    }


def render_report(data: ReportData) -> str:
    """The whole report as one HTML5 document (UTF-8, English, right-to-left where Arabic)."""
    template = _ENV.get_template("report.html.j2")
    estimate = data.estimate
    context: dict[str, Any] = {
        "data": data,
        "generated": format_datetime(data.generated_at),
        "independent_sources": sum(1 for s in data.sources if s.copies is None),
        "estimate_text": format_interval(estimate) if estimate else None,
        "share_text": share_documented(estimate) if estimate else None,
        "linkage_rows": [(humanise(k), format_value(v)) for k, v in data.linkage.items()],
        "format_share": format_share,
        "percent_children": format_share(data.persons_children, data.persons_total),
    }
    context |= _persons_context(data)
    context |= _time_context(data)
    context |= _overlap_context(data)
    context |= _estimate_context(data)
    return template.render(context)
