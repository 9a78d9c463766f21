from __future__ import annotations

import numpy as np
import pytest

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.estimate import lcmcr
from marsad.estimate.methods import Fit, MethodOptions, fit
from marsad.estimate.strata import (
    combine,
    estimate_by_strata,
    estimate_stratum,
    histories_by_stratum,
)

LOGLINEAR = MethodOptions(method="loglinear")


def fixed(histories: CaptureHistories, seed: int) -> Fit:
    n = histories.observed
    return Fit(Estimate(n, 2.0 * n, (1.5 * n, 3.0 * n), 0.95, "fixed"))


def with_draws(histories: CaptureHistories, seed: int) -> Fit:
    n = histories.observed
    draws = np.random.default_rng(seed).poisson(2 * n, size=(2, 500)).astype(np.int64)
    return Fit(Estimate(n, 2.0 * n, (1.5 * n, 3.0 * n), 0.95, "dga"), draws)


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
    result = estimate_stratum("SY06", histories, fixed, seed=1)
    assert result.estimate is None
    assert "2 list(s)" in result.note
    assert result.observed == 45


def test_too_few_persons_is_documented_only() -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 3, (0, 1, 0): 2, (0, 0, 1): 1})
    assert estimate_stratum("s", histories, fixed, seed=1).estimate is None


def test_combine_adds_interval_ends_without_draws() -> None:
    many = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 20, (0, 1, 0): 20, (0, 0, 1): 20})
    sparse = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 7})
    result = estimate_by_strata({"a": many, "b": sparse}, fixed, LOGLINEAR)
    total = result.total
    assert total.observed == 67
    assert total.estimate == pytest.approx(120 + 7)
    assert total.interval == pytest.approx((90 + 7, 180 + 7))
    assert total.diagnostics["strata_documented_only"] == 1
    assert any("'b'" in w for w in total.diagnostics["warnings"])


def test_combine_adds_draws_when_every_stratum_has_them() -> None:
    one = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 200, (0, 1, 0): 200, (0, 0, 1): 200})
    two = CaptureHistories(("A", "B", "C"), {(1, 1, 0): 100, (0, 1, 1): 100, (1, 0, 1): 100})
    sparse = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 7})
    options = MethodOptions(method="dga")
    result = estimate_by_strata({"a": one, "b": two, "c": sparse}, with_draws, options)
    strata = [s for s in result.strata if s.draws is not None]
    assert len(strata) == 2
    summed = strata[0].draws + strata[1].draws + 7  # type: ignore[operator]
    assert result.total.estimate == pytest.approx(float(np.median(summed)))
    lo, hi = result.total.interval
    assert lo == pytest.approx(float(np.quantile(summed, 0.025)))
    width_of_sum = hi - lo
    width_of_ends = sum(
        s.estimate.interval[1] - s.estimate.interval[0] for s in strata if s.estimate is not None
    )
    assert width_of_sum < width_of_ends, "independent strata: narrower than adding ends"
    assert result.total.diagnostics["interval_combination"].startswith("posterior draws")


@pytest.mark.parametrize("method", ["loglinear", "dga", "lcmcr"])
def test_strata_cover_a_simulated_truth(method: str) -> None:
    north = simulated(1, 4000, (0.3, 0.4, 0.25))
    south = simulated(2, 3000, (0.6, 0.2, 0.35))
    groups = histories_by_stratum(
        ["A", "B", "C"], [("north", p) for p in north] + [("south", p) for p in south]
    )
    options = MethodOptions(method=method, preset="fast")
    result = estimate_by_strata(groups, lambda h, seed: fit(h, options, seed), options)
    assert all(s.estimate is not None for s in result.strata)
    lo, hi = result.total.interval
    assert lo <= 7000 <= hi
    assert combine(result.strata, options, 3).estimate == pytest.approx(result.total.estimate)


def adaptive(histories: CaptureHistories, seed: int) -> Fit:
    """LCMCR with a short maximum (4 chains, at most 4,900 sweeps) that stops when converged."""
    rule = lcmcr.StoppingRule(min_ess=300)
    settings = lcmcr.Settings(burn_in=400, samples=500, thin=8, chains=4, stopping=rule)
    posterior = lcmcr.sample_posterior(histories, settings, seed)
    return Fit(lcmcr.summarise(posterior), posterior.draws)


def test_adaptive_lcmcr_strata_return_equal_draws_whatever_their_length() -> None:
    """Strata stop at different lengths but return as many draws, so the total adds them."""
    easy = simulated(4, 300, (0.1, 0.1, 0.1))
    hard = simulated(5, 3000, (0.6, 0.5, 0.7))
    groups = histories_by_stratum(
        ["A", "B", "C"], [("easy", p) for p in easy] + [("hard", p) for p in hard]
    )
    options = MethodOptions(method="lcmcr")
    result = estimate_by_strata(groups, adaptive, options)
    stopped = {
        s.label: s.estimate.diagnostics["stopped"] for s in result.strata if s.estimate is not None
    }
    assert stopped == {"easy": lcmcr.CONVERGED, "hard": lcmcr.REACHED_MAXIMUM}
    draws = [s.draws for s in result.strata if s.draws is not None]
    assert [d.shape for d in draws] == [(4, 500), (4, 500)]
    assert result.total.estimate == pytest.approx(float(np.median(draws[0] + draws[1])))
