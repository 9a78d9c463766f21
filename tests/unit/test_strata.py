from __future__ import annotations

import numpy as np
import pytest

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.estimate import loglinear
from marsad.estimate.strata import (
    combine,
    estimate_by_strata,
    estimate_stratum,
    histories_by_stratum,
)


def fixed(histories: CaptureHistories) -> Estimate:
    n = histories.observed
    return Estimate(n, 2.0 * n, (1.5 * n, 3.0 * n), 0.95, "fixed")


def simulated(seed: int, size: int, rates: tuple[float, ...]) -> list[tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    captured = rng.random((size, len(rates))) < np.array(rates)
    return [tuple(int(b) for b in row) for row in captured if row.any()]


def test_histories_by_stratum_counts_patterns() -> None:
    groups = histories_by_stratum(
        ["A", "B", "C"], [("x", (1, 0, 0)), ("x", (1, 0, 0)), ("y", (0, 1, 1))]
    )
    assert groups["x"].counts == {(1, 0, 0): 2}
    assert groups["y"].observed == 1
    assert groups["x"].lists == ("A", "B", "C")


def test_stratum_with_fewer_than_three_lists_is_documented_only() -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 30, (1, 1, 0): 10, (0, 1, 0): 5})
    result = estimate_stratum("SY06", histories, fixed)
    assert result.estimate is None
    assert "2 list(s)" in result.note
    assert result.observed == 45


def test_too_few_persons_is_documented_only() -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 3, (0, 1, 0): 2, (0, 0, 1): 1})
    assert estimate_stratum("s", histories, fixed).estimate is None


def test_combine_adds_points_and_interval_ends() -> None:
    many = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 20, (0, 1, 0): 20, (0, 0, 1): 20})
    sparse = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 7})
    result = estimate_by_strata({"a": many, "b": sparse}, fixed, "fixed", 0.95)
    total = result.total
    assert total.observed == 67
    assert total.estimate == pytest.approx(120 + 7)
    assert total.interval == pytest.approx((90 + 7, 180 + 7))
    assert total.diagnostics["strata_documented_only"] == 1
    assert any("'b'" in w for w in total.diagnostics["warnings"])


def test_strata_with_loglinear_cover_a_simulated_truth() -> None:
    north = simulated(1, 4000, (0.3, 0.4, 0.25))
    south = simulated(2, 3000, (0.6, 0.2, 0.35))
    groups = histories_by_stratum(
        ["A", "B", "C"], [("north", p) for p in north] + [("south", p) for p in south]
    )
    result = estimate_by_strata(groups, loglinear.estimate, "loglinear", 0.95)
    assert all(s.estimate is not None for s in result.strata)
    lo, hi = result.total.interval
    assert lo <= 7000 <= hi
    assert combine(result.strata, "loglinear", 0.95).estimate == result.total.estimate
