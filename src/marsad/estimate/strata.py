"""Estimating stratum by stratum and combining the strata into a total.

Heterogeneous capture (lists that favour some governorates, ages or sexes) biases a single
estimate; estimating within strata where capture is more homogeneous and adding up is the
standard remedy (HRDAG's practice). A stratum in which fewer than three lists recorded
anyone is not estimated: it is reported as documented only, never as a silent number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marsad.domain.estimates import CaptureHistories, Estimate, Pattern

MIN_LISTS = 3
MIN_PERSONS = 10

STRATIFIERS = ("governorate", "period", "sex", "age_group")

Estimator = Callable[[CaptureHistories], Estimate]


@dataclass(frozen=True)
class StratumResult:
    """One stratum: its documented persons and its estimate, or why there is none."""

    label: str
    observed: int
    estimate: Estimate | None
    note: str = ""

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
    label: str, histories: CaptureHistories, estimator: Estimator
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
        return StratumResult(label, observed, estimator(histories))
    except ValueError as error:
        return StratumResult(label, observed, None, f"documented only: {error}")


def combine(strata: Sequence[StratumResult], method: str, level: float) -> Estimate:
    """Add strata into a total.

    Documented-only strata add their documented count at both ends (a floor, not an
    estimate). Interval ends are added, which is conservative: it is the interval if the
    strata's errors moved together; independent errors would give a narrower one.
    """
    observed = sum(s.observed for s in strata)
    point = lo = hi = 0.0
    estimated = 0
    for stratum in strata:
        if stratum.estimate is None:
            point += stratum.observed
            lo += stratum.observed
            hi += stratum.observed
        else:
            estimated += 1
            point += stratum.estimate.estimate
            lo += stratum.estimate.interval[0]
            hi += stratum.estimate.interval[1]
    warnings = [f"stratum {s.label!r}: {s.note}" for s in strata if s.estimate is None and s.note]
    return Estimate(
        observed=observed,
        estimate=point,
        interval=(lo, hi),
        level=level,
        method=method,
        model="sum over strata",
        diagnostics={
            "strata_estimated": estimated,
            "strata_documented_only": len(strata) - estimated,
            "interval_combination": "sum of stratum interval ends (conservative)",
            "warnings": warnings,
        },
    )


def estimate_by_strata(
    groups: Mapping[str, CaptureHistories], estimator: Estimator, method: str, level: float
) -> StratifiedEstimate:
    strata = [estimate_stratum(label, h, estimator) for label, h in groups.items()]
    return StratifiedEstimate(combine(strata, method, level), strata)
