"""LCMCR chains that stop when they converge: the rule, the fixed draw count, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from marsad.domain.estimates import CaptureHistories
from marsad.estimate import lcmcr
from marsad.estimate.histories import read_histories_csv

DATA = Path(__file__).resolve().parents[1] / "data" / "mse"

SMALL = lcmcr.Settings(
    burn_in=400, samples=500, thin=8, chains=4, stopping=lcmcr.StoppingRule(min_ess=300)
)
"""A short maximum (500 + 400 + 4,000 sweeps), checked at thinning 2, 3, ..., 8."""


def histories(name: str) -> CaptureHistories:
    return read_histories_csv(DATA / f"{name}.csv")


def reference(name: str) -> dict[str, Any]:
    results: dict[str, Any] = json.loads((DATA / "reference-results.json").read_text())
    return dict(results[name]["lcmcr"])


def test_a_well_mixing_table_stops_early_below_the_thresholds() -> None:
    posterior = lcmcr.sample_posterior(histories("snowshoe_hare"), SMALL, seed=3)
    found = lcmcr.summarise(posterior)
    diagnostics = found.diagnostics
    assert diagnostics["stopped"] == lcmcr.CONVERGED
    assert diagnostics["sweeps_per_chain"] < SMALL.sweeps_per_chain
    assert diagnostics["max_sweeps_per_chain"] == SMALL.sweeps_per_chain
    assert diagnostics["rhat"] < diagnostics["stop_rhat_below"] == 1.01
    assert diagnostics["ess"] >= 300
    assert diagnostics["ess_tail"] >= 400
    assert posterior.draws.shape == (4, 500)
    assert not any("maximum" in note for note in diagnostics["notes"])


def test_a_slow_mixing_table_runs_to_the_maximum_and_says_so() -> None:
    """Kosovo mixes slowest of the reference tables: R's own long runs disagree in the tail."""
    posterior = lcmcr.sample_posterior(histories("kosovo"), SMALL, seed=3)
    found = lcmcr.summarise(posterior)
    diagnostics = found.diagnostics
    assert diagnostics["stopped"] == lcmcr.REACHED_MAXIMUM
    assert diagnostics["sweeps_per_chain"] == SMALL.sweeps_per_chain
    assert diagnostics["checks"] == len(SMALL.checks()) == 7
    assert (diagnostics["burn_in"], diagnostics["thin"]) == (SMALL.burn_in, SMALL.thin)
    assert posterior.draws.shape == (4, 500)
    assert any("maximum" in note for note in diagnostics["notes"])
    rhat, ess = diagnostics["rhat"], diagnostics["ess"]
    assert rhat >= 1.01 or ess < 300 or diagnostics["ess_tail"] < 400


def test_the_draws_are_those_of_a_fixed_run_of_the_length_it_stopped_at() -> None:
    """Only the length adapts: stopping at thinning t returns the fixed run's draws at t."""
    data = histories("snowshoe_hare")
    adaptive = lcmcr.sample_posterior(data, SMALL, seed=8)
    length = adaptive.length
    assert length is not None
    assert length.stopped == lcmcr.CONVERGED
    assert 2 <= length.thin < SMALL.thin
    assert length.burn_in == SMALL.burn_in * length.thin // SMALL.thin
    fixed = lcmcr.Settings(burn_in=length.burn_in, samples=500, thin=length.thin, chains=4)
    assert np.array_equal(adaptive.draws, lcmcr.posterior_draws(data, fixed, seed=8))


def test_same_seed_same_draws_whatever_the_number_of_threads() -> None:
    data = histories("spina_bifida_3list")
    first = lcmcr.sample_posterior(data, SMALL, seed=21)
    one_thread = lcmcr.sample_posterior(data, SMALL, seed=21, workers=1)
    four_threads = lcmcr.sample_posterior(data, SMALL, seed=21, workers=4)
    other = lcmcr.sample_posterior(data, SMALL, seed=22)
    assert np.array_equal(first.draws, one_thread.draws)
    assert np.array_equal(first.draws, four_threads.draws)
    assert first.length == one_thread.length == four_threads.length
    assert not np.array_equal(first.draws, other.draws)


def test_chains_of_different_lengths_add_draw_by_draw() -> None:
    easy = lcmcr.sample_posterior(histories("snowshoe_hare"), SMALL, seed=1)
    hard = lcmcr.sample_posterior(histories("kosovo"), SMALL, seed=2)
    assert easy.length is not None and hard.length is not None
    assert easy.length.thin < hard.length.thin
    total = lcmcr.Posterior(
        observed=easy.observed + hard.observed,
        draws=easy.draws + hard.draws,
        settings=SMALL,
        seed=1,
    )
    assert lcmcr.summarise(total).estimate == float(np.median(easy.draws + hard.draws))


@pytest.mark.parametrize("name", ["snowshoe_hare", "madigan_york_5list", "hiv_rome"])
def test_the_default_preset_agrees_with_r_lcmcr(name: str) -> None:
    data = histories(name)
    settings = lcmcr.preset("default", len(data.lists))
    found = lcmcr.summarise(lcmcr.sample_posterior(data, settings, seed=2016))
    ref = reference(name)
    assert found.diagnostics["stopped"] == lcmcr.CONVERGED
    assert found.diagnostics["sweeps_per_chain"] < settings.sweeps_per_chain
    assert found.estimate == pytest.approx(ref["median"], rel=0.02)
    assert found.diagnostics["quantiles"]["2.5"] == pytest.approx(ref["q025"], rel=0.05)
    assert found.diagnostics["quantiles"]["97.5"] == pytest.approx(ref["q975"], rel=0.08)


def test_presets_default_adapts_fixed_does_not() -> None:
    default = lcmcr.preset("default", 5)
    fixed = lcmcr.preset("fixed", 5)
    assert default.stopping == lcmcr.StoppingRule()
    assert fixed.stopping is None
    assert default.sweeps_per_chain == fixed.sweeps_per_chain == 110_500
    assert lcmcr.preset("hrdag", 5).stopping is None
    assert list(fixed.checks()) == [20]
    assert list(default.checks()) == list(range(2, 21))
    assert default.length(2).sweeps(default.samples) == 500 + 1_000 + 10_000


def test_rejects_bad_rules() -> None:
    with pytest.raises(ValueError, match="rhat_below"):
        lcmcr.StoppingRule(rhat_below=1.0)
    with pytest.raises(ValueError, match="min_ess"):
        lcmcr.StoppingRule(min_ess=-1.0)
    with pytest.raises(ValueError, match="min_thin"):
        lcmcr.StoppingRule(min_thin=0)
    with pytest.raises(ValueError, match="exceeds"):
        lcmcr.Settings(thin=4, stopping=lcmcr.StoppingRule(min_thin=5))
