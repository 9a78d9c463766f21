"""LCMCR: agreement with R's LCMCR 0.4.14, the exact one-class posterior, and the diagnostics."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import special

from marsad.domain.estimates import CaptureHistories
from marsad.estimate import lcmcr, lcmcr_kernel
from marsad.estimate.histories import read_histories_csv

DATA = Path(__file__).resolve().parents[1] / "data" / "mse"

# Chain lengths per dataset: Kosovo and Allegheny mix slowly (R's own 110k-sweep runs differ by
# 7% in the upper tail), so they get the default 4 x 110k sweeps; the others mix fast.
LONG = lcmcr.Settings()
SHORT = lcmcr.Settings(burn_in=5_000, samples=4_000, thin=10, chains=2)
AGREEING = {
    "kosovo": LONG,
    "lesbian_allegheny": LONG,
    "snowshoe_hare": SHORT,
    "madigan_york_5list": SHORT,
    "spina_bifida_3list": SHORT,
}


def reference(name: str) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((DATA / "reference-results.json").read_text())
    return dict(results[name]["lcmcr"])


def histories(name: str) -> CaptureHistories:
    return read_histories_csv(DATA / f"{name}.csv")


@pytest.mark.parametrize("name", sorted(AGREEING))
def test_agrees_with_r_lcmcr(name: str) -> None:
    ref = reference(name)
    found = lcmcr.estimate(histories(name), seed=2016, **_kwargs(AGREEING[name]))
    quantiles = found.diagnostics["quantiles"]
    assert found.estimate == pytest.approx(ref["median"], rel=0.02)
    assert quantiles["2.5"] == pytest.approx(ref["q025"], rel=0.05)
    assert quantiles["97.5"] == pytest.approx(ref["q975"], rel=0.08)
    assert found.diagnostics["rhat"] < 1.05


def test_hiv_rome_lower_tail_agrees_with_r() -> None:
    """Here the chains can settle in a second mode R's runs never visit (see the docs)."""
    ref = reference("hiv_rome")
    found = lcmcr.estimate(histories("hiv_rome"), seed=2016, **_kwargs(SHORT))
    assert found.diagnostics["quantiles"]["2.5"] == pytest.approx(ref["q025"], rel=0.05)
    assert found.estimate >= ref["median"] * 0.98


def _kwargs(settings: lcmcr.Settings) -> dict[str, Any]:
    return {
        "K": settings.K,
        "burn_in": settings.burn_in,
        "samples": settings.samples,
        "thin": settings.thin,
        "chains": settings.chains,
    }


def test_one_class_matches_the_exact_posterior() -> None:
    """With K = 1 the model is independence with Beta(1, 1) capture probabilities and p(N) ∝ 1/N:

    p(N | data) ∝ N! / (N - n)! / N * prod_j B(n_j + 1, N - n_j + 1), computable on a grid.
    """
    data = histories("spina_bifida_3list")
    n = data.observed
    sizes = np.array(list(data.list_sizes().values()), dtype=float)
    grid = np.arange(n, 20 * n, dtype=float)
    log_post = (
        special.gammaln(grid + 1)
        - special.gammaln(grid - n + 1)
        - np.log(grid)
        + sum(special.betaln(s + 1, grid - s + 1) for s in sizes)
    )
    cdf = np.cumsum(np.exp(log_post - log_post.max()))
    cdf /= cdf[-1]
    exact = [grid[np.searchsorted(cdf, q)] for q in (0.025, 0.5, 0.975)]

    cells = np.array(list(data.counts), dtype=np.int8)
    counts = np.array(list(data.counts.values()), dtype=np.int64)
    draws, _, _ = lcmcr_kernel.run_chain(
        lcmcr_kernel.seed_state(5, 0), cells, counts, 1, 0.25, 0.25, 1_000, 20_000, 2
    )
    sampled = np.quantile(draws, [0.025, 0.5, 0.975])
    assert sampled[1] == pytest.approx(exact[1], rel=0.01)
    assert sampled[0] == pytest.approx(exact[0], rel=0.02)
    assert sampled[2] == pytest.approx(exact[2], rel=0.03)


def test_same_seed_same_draws_other_seed_other_draws() -> None:
    data = histories("madigan_york_5list")
    settings = lcmcr.Settings(burn_in=200, samples=300, thin=2, chains=2)
    first = lcmcr.posterior_draws(data, settings, seed=11)
    again = lcmcr.posterior_draws(data, settings, seed=11)
    other = lcmcr.posterior_draws(data, settings, seed=12)
    assert first.shape == (2, 300)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first[0], first[1])
    assert first.min() >= data.observed


def test_without_a_seed_the_drawn_seed_repeats_the_run() -> None:
    data = histories("spina_bifida_3list")
    settings = lcmcr.Settings(burn_in=100, samples=200, thin=1, chains=2)
    first = lcmcr.sample_posterior(data, settings)
    again = lcmcr.sample_posterior(data, settings, seed=first.seed)
    assert np.array_equal(first.draws, again.draws)


def test_diagnostics_are_json_and_complete() -> None:
    data = histories("snowshoe_hare")
    found = lcmcr.estimate(data, burn_in=500, samples=2_500, thin=2, chains=3, seed=4, level=0.9)
    diagnostics = found.diagnostics
    json.dumps(found.as_dict(), allow_nan=False)
    for key in ("K", "burn_in", "samples", "thin", "chains", "seed", "rhat", "ess", "notes"):
        assert key in diagnostics
    assert diagnostics["seed"] == 4
    assert diagnostics["stopped"] == lcmcr.FIXED_LENGTH
    assert diagnostics["sweeps_per_chain"] == 500 + 500 + 2_500 * 2
    assert set(diagnostics["quantiles"]) == {"2.5", "5", "25", "50", "75", "95", "97.5"}
    assert len(diagnostics["trace"]) == 3
    assert all(len(row) <= lcmcr.TRACE_POINTS for row in diagnostics["trace"])
    assert diagnostics["trace_every"] == 3 * 2
    assert found.method == "lcmcr"
    assert found.level == 0.9
    assert found.interval[0] == diagnostics["quantiles"]["5"]
    assert found.interval[1] == diagnostics["quantiles"]["95"]
    assert found.interval[0] <= found.estimate <= found.interval[1]
    assert diagnostics["quantiles"]["50"] == found.estimate


def test_summing_strata_draws_gives_a_summary() -> None:
    settings = lcmcr.Settings(burn_in=300, samples=400, thin=2, chains=2)
    one = lcmcr.sample_posterior(histories("madigan_york_5list"), settings, seed=1)
    two = lcmcr.sample_posterior(histories("snowshoe_hare"), settings, seed=2)
    total = lcmcr.Posterior(
        observed=one.observed + two.observed, draws=one.draws + two.draws, settings=settings, seed=1
    )
    summary = lcmcr.summarise(total)
    assert summary.observed == 537 + 68
    assert summary.estimate == float(np.median(one.draws + two.draws))


def test_presets() -> None:
    assert lcmcr.preset("fixed", 4) == lcmcr.Settings()
    assert lcmcr.preset("default", 4) == lcmcr.Settings(stopping=lcmcr.StoppingRule())
    assert lcmcr.preset("hrdag", 3).K == 7
    assert lcmcr.preset("hrdag", 4).K == 15
    assert lcmcr.preset("hrdag", 6).K == 15
    hrdag = lcmcr.preset("hrdag", 5)
    assert (hrdag.burn_in, hrdag.samples, hrdag.thin) == (10_000, 10_000, 500)
    with pytest.raises(ValueError, match="unknown preset"):
        lcmcr.preset("fast", 4)  # type: ignore[arg-type]


def test_rejects_bad_input() -> None:
    two_lists = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 5, (0, 1, 0): 4, (1, 1, 0): 2})
    with pytest.raises(ValueError, match="at least 3 lists"):
        lcmcr.sample_posterior(two_lists)
    with pytest.raises(ValueError, match="K must be at least 2"):
        lcmcr.Settings(K=1)
    with pytest.raises(ValueError, match="thin"):
        lcmcr.Settings(thin=0)
    with pytest.raises(ValueError, match="burn_in"):
        lcmcr.Settings(burn_in=-1)
    with pytest.raises(ValueError, match="level"):
        lcmcr.estimate(histories("snowshoe_hare"), level=1.0)


def test_rhat_and_ess_on_known_chains() -> None:
    rng = np.random.default_rng(3)
    iid = rng.normal(size=(4, 2_000))
    assert lcmcr.split_rhat(iid) == pytest.approx(1.0, abs=0.01)
    assert lcmcr.effective_sample_size(iid) == pytest.approx(8_000, rel=0.1)

    rho = 0.9
    ar = np.zeros((4, 20_000))
    noise = rng.normal(size=ar.shape)
    for t in range(1, ar.shape[1]):
        ar[:, t] = rho * ar[:, t - 1] + noise[:, t]
    expected = ar.size * (1 - rho) / (1 + rho)
    ess = lcmcr.effective_sample_size(ar)
    assert ess is not None
    assert ess == pytest.approx(expected, rel=0.2)
    tail = lcmcr.tail_effective_sample_size(ar)
    assert tail is not None
    assert 0 < tail < ar.size

    apart = iid + np.array([[0.0], [0.0], [0.0], [3.0]])
    rhat = lcmcr.split_rhat(apart)
    assert rhat is not None
    assert rhat > 1.1
    assert lcmcr.split_rhat(np.ones((2, 100))) is None


def test_binomial_sampler_moments() -> None:
    """The hand-written binomial, in its inversion and BTPE regimes and with p above 1/2."""
    state = lcmcr_kernel.seed_state(9, 0)
    weights = np.array([0.5, 0.3, 0.2])
    out = np.empty(3, dtype=np.int64)
    scratch = np.empty(3)
    for n, total in ((40, 30_000), (5_000, 3_000)):
        draws = np.empty((total, 3))
        for i in range(total):
            lcmcr_kernel._multinomial(state, n, weights, out, scratch)
            draws[i] = out
        assert np.all(draws.sum(axis=1) == n)
        expected_sd = np.sqrt(n * weights * (1 - weights) / total)
        assert np.all(np.abs(draws.mean(axis=0) - n * weights) < 5 * expected_sd)
        variance = n * weights * (1 - weights)
        assert np.allclose(draws.var(axis=0), variance, rtol=0.1)
    for n, p in ((200, 0.7), (100_000, 0.02), (30, 0.999)):
        sample = np.array([lcmcr_kernel._binomial(state, n, p) for _ in range(20_000)])
        assert abs(sample.mean() - n * p) < 5 * math.sqrt(n * p * (1 - p) / 20_000)
