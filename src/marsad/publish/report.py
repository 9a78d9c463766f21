"""Render `ReportData` as one self-contained HTML page: no script, no external file, no network.

The page must open on an air-gapped laptop and print cleanly, so CSS lives in the template and
charts are inline SVG (`charts`). All text goes through Jinja2 autoescaping; only the charts,
which escape their own labels, are inserted as markup.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from marsad.domain.estimates import Estimate
from marsad.publish.charts import (
    IntervalRow,
    format_count,
    horizontal_bar_chart,
    interval_chart,
    posterior_density_chart,
    trace_chart,
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
METHOD_NAMES = {
    "lcmcr": "LCMCR (Bayesian latent-class model)",
    "dga": "dga (Bayesian averaging of graphical models)",
    "loglinear": "log-linear models",
}


def method_name(method: str) -> str:
    """A method's name as a reader should see it; unknown methods as recorded."""
    return METHOD_NAMES.get(method, method)


_ENV.filters["count"] = format_count
_ENV.filters["method_name"] = method_name


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

LABELS = {
    "rhat": "R-hat",
    "ess": "Effective sample size",
    "ess_tail": "Effective sample size, tails",
    "K": "Latent classes (K)",
    "burn_in": "Burn-in sweeps",
    "warm_up": "Warm-up sweeps",
    "samples": "Kept draws per chain",
    "thin": "Thinning (one draw kept every n sweeps)",
    "mean_classes": "Classes in use (mean)",
    "mean_alpha": "Dirichlet concentration alpha (mean)",
    "mean": "Posterior mean",
    "sd": "Posterior SD",
    "quantiles": "Posterior quantiles",
    "posterior": "Posterior",
    "seconds": "Sampling time",
    "a_alpha": "Prior on alpha, shape",
    "b_alpha": "Prior on alpha, rate",
    "n_graphs": "Graphs averaged",
    "best": "Best model",
}


def format_number(value: float) -> str:
    """A statistic: counts grouped, others to 4 significant digits, never a long mantissa."""
    if not math.isfinite(value):
        return "infinite" if value > 0 else "not a number" if math.isnan(value) else "-infinite"
    if abs(value) >= 1000:
        return format_count(value)
    if value == 0 or abs(value) >= 0.001:
        return f"{value:.4g}"
    return f"{value:.2g}"


def format_value(value: object) -> str:
    """A setting or diagnostic for display: counts grouped, floats to 4 significant digits."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return format_number(value)
    return str(value)


def humanise(key: str) -> str:
    """`records_linked` -> `Records linked`; short keys are abbreviations: `aic` -> `AIC`."""
    text = key.replace("_", " ").strip()
    if len(text) <= 3:
        return text.upper()
    return text[:1].upper() + text[1:]


def label_of(key: str) -> str:
    return LABELS.get(key, humanise(key))


def rhat_note(rhat: float | None) -> str:
    """What an R-hat means, in words an analyst can act on."""
    if rhat is None or not math.isfinite(rhat):
        return "all draws of N are equal, so there is no spread to compare"
    if rhat < RHAT_AGREE:
        return f"below {RHAT_AGREE}: the chains agree"
    if rhat > RHAT_DISAGREE:
        return f"above {RHAT_DISAGREE}: the chains disagree; run longer (--preset hrdag)"
    return (
        f"between {RHAT_AGREE} and {RHAT_DISAGREE}: the chains roughly agree; "
        "a longer run (--preset hrdag) would settle it"
    )


def ess_note(ess: float | None, chains: int, goal: str) -> str:
    """Whether there are enough effective draws (100 a chain) for `goal`."""
    if ess is None or not math.isfinite(ess):
        return "all draws of N are equal"
    wanted = ESS_PER_CHAIN * max(chains, 1)
    if ess < wanted:
        return f"too few for {goal} ({wanted:,} or more wanted); run longer or thin more"
    return f"enough for {goal} ({wanted:,} or more wanted)"


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _as_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _format_list(items: list[Any]) -> str | None:
    if not items or len(items) > LONGEST_LIST or not all(_is_scalar(i) for i in items):
        return None
    separator = ", " if all(isinstance(i, str) for i in items) else "; "
    return separator.join(format_value(i) for i in items)


def _format_mapping(key: str, mapping: dict[str, Any]) -> str | None:
    if key == "grid":
        totals, points = mapping.get("totals"), mapping.get("points")
        if isinstance(totals, list) and len(totals) == 2 and isinstance(points, int):
            rule = f" ({mapping['rule']})" if mapping.get("rule") else ""
            return (
                f"N from {format_value(totals[0])} to {format_value(totals[1])} "
                f"on {points:,} points{rule}"
            )
    if not mapping or len(mapping) > LONGEST_LIST:
        return None
    shown = []
    for name, value in mapping.items():
        text = format_value(value) if _is_scalar(value) else None
        if isinstance(value, list):
            text = _format_list(value)
        if text is None:
            return None
        shown.append(f"{name}%: {text}" if key == "quantiles" else f"{humanise(name)}: {text}")
    return " · ".join(shown)


def format_diagnostic(key: str, value: object) -> str | None:
    """One diagnostic as short text, or None when it is not text-sized (a trace, a long list)."""
    number = _as_float(value)
    if key == "rhat" and number is not None:
        return f"{number:.3f}"
    if key in ("ess", "ess_tail") and number is not None:
        return format_count(number) if math.isfinite(number) else format_value(number)
    if key == "seed" and isinstance(value, int):
        return str(value)
    if key == "seconds" and number is not None:
        return f"{number:.1f} s"
    if _is_scalar(value):
        return format_value(value)
    if isinstance(value, list):
        return _format_list(value)
    if isinstance(value, dict):
        return _format_mapping(key, value)
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


def diagnostic_rows(estimate: Estimate) -> list[tuple[str, str]]:
    """Diagnostics that read as one line each; convergence, lists of warnings, traces and
    ranked models have their own place in the page.
    """
    rows = []
    for key, value in estimate.diagnostics.items():
        if key in SHOWN_ELSEWHERE or key in CONVERGENCE_KEYS:
            continue
        text = format_diagnostic(key, value)
        if text is not None:
            rows.append((label_of(key), text))
    return rows


def convergence_rows(estimate: Estimate) -> list[tuple[str, str, str]]:
    """R-hat and effective sample sizes as (label, value, what it means)."""
    found = estimate.diagnostics
    chains = found.get("chains")
    chains = chains if isinstance(chains, int) else len(trace_of(estimate) or [[]])
    rows = []
    if "rhat" in found:
        rhat = _as_float(found["rhat"])
        rows.append(
            (LABELS["rhat"], format_value(rhat) if rhat is None else f"{rhat:.3f}", rhat_note(rhat))
        )
    for key, goal in (("ess", "a stable median"), ("ess_tail", "stable interval ends")):
        if key in found:
            ess = _as_float(found[key])
            text = format_diagnostic(key, ess) or "undefined"
            rows.append((LABELS[key], text, ess_note(ess, chains, goal)))
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


def format_weight(weight: float) -> str:
    """A posterior or criterion weight as a percentage; a tiny one is not shown as 0.0%."""
    if 0 < weight < 0.0005:
        return "<0.1%"
    return f"{weight:.1%}"


def _entries(estimate: Estimate, key: str) -> list[dict[str, Any]]:
    found = estimate.diagnostics.get(key)
    if not isinstance(found, list):
        return []
    return [entry for entry in found if isinstance(entry, dict)]


def _cell(entry: dict[str, Any], key: str, form: Callable[[float], str]) -> str:
    number = _as_float(entry.get(key))
    return form(number) if number is not None else "–"


def top_graph_rows(estimate: Estimate) -> list[tuple[str, str]]:
    """dga's most probable graphs as (graph, posterior weight)."""
    return [
        (str(entry.get("graph", "–")), _cell(entry, "weight", format_weight))
        for entry in _entries(estimate, "top_graphs")
    ]


def top_model_rows(estimate: Estimate) -> tuple[str, list[tuple[str, str, str, str]]]:
    """The log-linear models that fit best: the criterion's name, then (model, criterion value,
    weight, estimate) per model.
    """
    criterion = estimate.diagnostics.get("criterion")
    criterion = criterion if isinstance(criterion, str) else "aic"
    rows = [
        (
            str(entry.get("model", "–")),
            _cell(entry, criterion, lambda v: f"{v:,.1f}"),
            _cell(entry, "weight", format_weight),
            _cell(entry, "estimate", format_count),
        )
        for entry in _entries(estimate, "top_models")
    ]
    return humanise(criterion), rows


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
    } | _posterior_context(data.estimate)


def _posterior_context(estimate: Estimate | None) -> dict[str, Any]:
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
            title="Posterior distribution of the total number of persons",
        )
        context["trace_chart"] = trace_chart(
            chains, every=every, title="Draws of the total by chain (trace plot)"
        )
        context["trace_facts"] = {
            "draws": len(draws),
            "chains": len(chains),
            "every": every,
            "level": f"{estimate.level:.0%}",
            "summed": "strata_estimated" in estimate.diagnostics,
        }
    context["convergence"] = convergence_rows(estimate)
    context["sampler_notes"] = _texts(estimate.diagnostics.get("notes", []))
    context["top_graphs"] = top_graph_rows(estimate)
    context["criterion"], context["top_models"] = top_model_rows(estimate)
    lists = estimate.diagnostics.get("lists")
    if isinstance(lists, list) and all(isinstance(name, str) for name in lists):
        context["list_numbers"] = ", ".join(f"{i} = {name}" for i, name in enumerate(lists, 1))
    return context


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
