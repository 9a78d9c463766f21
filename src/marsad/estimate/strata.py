"""Estimating stratum by stratum and combining the strata into a total.

Heterogeneous capture (lists that favour some governorates, ages or sexes) biases a single
estimate; estimating within strata where capture is more homogeneous and adding up is the
standard remedy (HRDAG's practice). A stratum in which fewer than three lists recorded
anyone is not estimated: it is reported as documented only, never as a silent number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from marsad.domain.estimates import CaptureHistories, Estimate, Pattern
from marsad.estimate.methods import Draws, Fit, MethodOptions, summarise_draws

MIN_LISTS = 3
MIN_PERSONS = 10

STRATIFIERS = ("governorate", "period", "sex", "age_group")

Fitter = Callable[[CaptureHistories, int], Fit]
"""Estimate one stratum's histories with the given seed."""


@dataclass(frozen=True)
class StratumResult:
    """One stratum: its documented persons and its estimate, or why there is none."""

    label: str
    observed: int
    estimate: Estimate | None
    note: str = ""
    draws: Draws | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stratum": self.label, "observed": self.observed}
        if self.estimate is None:
            out.update(estimate=None, interval=None, note=self.note)
        else:
            out.update(
                estimate=self.estimate.estimate,
                interval=list(self.estimate.interval),
                model=self.estimate.model,
                note=self.note,
            )
        return out


@dataclass
class StratifiedEstimate:
    """Strata and their combination into a total."""

    total: Estimate
    strata: list[StratumResult] = field(default_factory=list)


def histories_by_stratum(
    lists: Sequence[str], persons: Iterable[tuple[str, Pattern]]
) -> dict[str, CaptureHistories]:
    """Capture histories per stratum label from (stratum label, capture pattern) pairs."""
    counts: dict[str, dict[Pattern, int]] = {}
    for label, pattern in persons:
        cell = counts.setdefault(label, {})
        cell[pattern] = cell.get(pattern, 0) + 1
    return {label: CaptureHistories(tuple(lists), c) for label, c in sorted(counts.items())}


def _lists_with_anyone(histories: CaptureHistories) -> int:
    return sum(1 for size in histories.list_sizes().values() if size > 0)


def estimate_stratum(
    label: str, histories: CaptureHistories, fitter: Fitter, seed: int
) -> StratumResult:
    observed = histories.observed
    lists = _lists_with_anyone(histories)
    if lists < MIN_LISTS:
        return StratumResult(
            label,
            observed,
            None,
            f"documented only: {lists} list(s) recorded anyone here; estimation needs {MIN_LISTS}",
        )
    if observed < MIN_PERSONS:
        return StratumResult(
            label,
            observed,
            None,
            f"documented only: {observed} persons are too few to estimate (minimum {MIN_PERSONS})",
        )
    try:
        fitted = fitter(histories, seed)
    except ValueError as error:
        return StratumResult(label, observed, None, f"documented only: {error}")
    return StratumResult(label, observed, fitted.estimate, draws=fitted.draws)


def total_draws(strata: Sequence[StratumResult]) -> Draws | None:
    """Draws of the total: the estimated strata's draws added draw by draw, plus the
    documented-only strata's counts; None when an estimated stratum has no draws."""
    estimated = [s for s in strata if s.estimate is not None]
    draws = [s.draws for s in estimated]
    if not estimated or any(d is None for d in draws):
        return None
    floor = sum(s.observed for s in strata if s.estimate is None)
    return cast(Draws, sum(cast(list[Draws], draws))) + floor


def combine(strata: Sequence[StratumResult], options: MethodOptions, n_lists: int) -> Estimate:
    """Add strata into a total.

    Documented-only strata add their documented count (a floor, not an estimate). When every
    estimated stratum has posterior draws, the draws are added draw by draw and the total's
    interval comes from the summed draws. Otherwise (log-linear) the interval ends are added,
    which is conservative: it is the interval if the strata's errors moved together.
    """
    observed = sum(s.observed for s in strata)
    estimated = [s for s in strata if s.estimate is not None]
    floor = sum(s.observed for s in strata if s.estimate is None)
    warnings = [f"stratum {s.label!r}: {s.note}" for s in strata if s.estimate is None]
    diagnostics: dict[str, Any] = {
        "strata_estimated": len(estimated),
        "strata_documented_only": len(strata) - len(estimated),
    }
    summed = total_draws(strata)
    if summed is not None:
        total = summarise_draws(summed, observed, options, n_lists)
        diagnostics["interval_combination"] = "posterior draws added across strata"
    else:
        point = floor + sum(s.estimate.estimate for s in estimated if s.estimate)
        lo = floor + sum(s.estimate.interval[0] for s in estimated if s.estimate)
        hi = floor + sum(s.estimate.interval[1] for s in estimated if s.estimate)
        total = Estimate(observed, point, (lo, hi), options.level, options.method)
        diagnostics["interval_combination"] = "sum of stratum interval ends (conservative)"
    total.model = "sum over strata"
    total.diagnostics = {
        **total.diagnostics,
        **diagnostics,
        "warnings": [*total.diagnostics.get("warnings", []), *warnings],
    }
    return total


def estimate_by_strata(
    groups: Mapping[str, CaptureHistories], fitter: Fitter, options: MethodOptions
) -> StratifiedEstimate:
    """Estimate each stratum (seed = the options' seed + the stratum's position) and add up."""
    strata = [
        estimate_stratum(label, h, fitter, options.seed + index)
        for index, (label, h) in enumerate(groups.items())
    ]
    n_lists = len(next(iter(groups.values())).lists) if groups else 0
    return StratifiedEstimate(combine(strata, options, n_lists), strata)
