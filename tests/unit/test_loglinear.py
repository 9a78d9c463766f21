from __future__ import annotations

import itertools
import json
import math
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import statsmodels.api as sm

from marsad.domain.estimates import CaptureHistories
from marsad.estimate.histories import histories_from_patterns, read_histories_csv
from marsad.estimate.loglinear import (
    Criterion,
    ModelFit,
    estimate,
    fit_all,
    fit_model,
    profile_interval,
    stepwise,
)
from marsad.estimate.loglinear_models import candidate_models, model_name, parse_model_name

DATA = Path(__file__).resolve().parents[1] / "data" / "mse"
REFERENCE: dict[str, Any] = json.loads((DATA / "reference-results.json").read_text())
SEARCHED = sorted(
    name
    for name, entry in REFERENCE.items()
    if name != "_meta" and "closedpMS_t_best_BIC" in entry.get("rcapture", {})
)
ALL_DATASETS = sorted(name for name in REFERENCE if name != "_meta")


@cache
def _histories(name: str) -> CaptureHistories:
    return read_histories_csv(DATA / f"{name}.csv")


@cache
def _fits(name: str, criterion: Criterion) -> tuple[ModelFit, ...]:
    return tuple(fit_all(_histories(name), criterion))


def _close(ours: float, theirs: float, relative: float) -> bool:
    return abs(ours - theirs) <= relative * abs(theirs)


def test_the_searched_datasets_are_the_expected_ones() -> None:
    assert SEARCHED == [
        "hiv_rome",
        "kosovo",
        "lesbian_allegheny",
        "madigan_york_5list",
        "spina_bifida_3list",
    ]


@pytest.mark.parametrize("name", SEARCHED)
def test_model_space_matches_rcapture(name: str) -> None:
    expected = REFERENCE[name]["rcapture"]["closedpMS_t_best_BIC"]["n_models"]
    models = candidate_models(len(_histories(name).lists))
    assert len(models) == expected
    assert len(set(models)) == len(models)


@pytest.mark.parametrize("criterion", ["bic", "aic"])
@pytest.mark.parametrize("name", SEARCHED)
def test_best_model_estimate_and_interval_match_rcapture(name: str, criterion: Criterion) -> None:
    reference = REFERENCE[name]["rcapture"][f"closedpMS_t_best_{criterion.upper()}"]
    best = _fits(name, criterion)[0]
    assert best.name == reference["model"]
    assert _close(best.estimate, reference["abundance"], 1e-3)
    assert _close(best.stderr, reference["stderr"], 1e-3)
    assert best.deviance == pytest.approx(reference["deviance"], rel=1e-4, abs=1e-5)
    assert best.df == reference["df"]
    assert best.criterion(criterion) == pytest.approx(reference[criterion.upper()], rel=1e-6)
    low, high = profile_interval(_histories(name), best.terms)
    assert _close(low, reference["InfCL"], 1e-2)
    assert _close(high, reference["SupCL"], 1e-2)


@pytest.mark.parametrize("name", ALL_DATASETS)
def test_independence_model_matches_rcapture_mt(name: str) -> None:
    """Rcapture's Mt is the independence model; this also covers the 6-list hare data."""
    reference = REFERENCE[name]["rcapture"]["closedpCI_t"]["Mt"]
    fit = fit_model(_histories(name), ())
    assert _close(fit.estimate, reference["abundance"], 1e-3)
    assert fit.aic == pytest.approx(reference["AIC"], rel=1e-6)
    assert fit.bic == pytest.approx(reference["BIC"], rel=1e-6)
    low, high = profile_interval(_histories(name), ())
    assert _close(low, reference["InfCL"], 1e-2)
    assert _close(high, reference["SupCL"], 1e-2)


@pytest.mark.parametrize("name", ["kosovo", "hiv_rome", "spina_bifida_3list"])
def test_fits_agree_with_statsmodels(name: str) -> None:
    """An independent Poisson GLM gives the same deviance and intercept for every model."""
    histories = _histories(name)
    n_lists = len(histories.lists)
    cells = [p for p in np.ndindex(*(2,) * n_lists) if any(p)]
    y = np.array([histories.counts.get(tuple(int(b) for b in p), 0) for p in cells], float)
    for fit in _fits(name, "bic")[:10]:
        interactions = {
            sub
            for term in fit.terms
            for size in range(2, len(term) + 1)
            for sub in itertools.combinations(term, size)
        }
        columns = [[1.0] * len(cells)]
        columns += [[float(p[i]) for p in cells] for i in range(n_lists)]
        columns += [[float(all(p[i] for i in term)) for p in cells] for term in interactions]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm.GLM(y, np.array(columns).T, family=sm.families.Poisson()).fit()
        assert fit.deviance == pytest.approx(result.deviance, rel=1e-6, abs=1e-6)
        assert fit.unobserved == pytest.approx(math.exp(result.params[0]), rel=1e-5)


def test_names_follow_rcapture_notation() -> None:
    assert model_name(((0, 1, 2), (0, 3), (2, 3)), 4) == "[123,14,34]"
    assert model_name(((1, 2),), 3) == "[23,1]"
    assert model_name((), 4) == "[1,2,3,4]"
    assert model_name(((0, 1), (0,), (1, 0)), 3) == "[12,3]"
    for terms in candidate_models(4):
        assert parse_model_name(model_name(terms, 4), 4) == terms


def test_bad_models_and_list_counts_are_refused() -> None:
    kosovo = _histories("kosovo")
    with pytest.raises(ValueError, match="saturated"):
        fit_model(kosovo, [(0, 1, 2, 3)])
    with pytest.raises(ValueError, match="outside"):
        fit_model(kosovo, [(0, 4)])
    with pytest.raises(ValueError, match="at least 3 lists"):
        candidate_models(2)
    with pytest.raises(ValueError, match="at most 10 lists"):
        candidate_models(11)
    with pytest.raises(ValueError, match=r"7\.8 million"):
        candidate_models(6)
    with pytest.raises(ValueError, match=r"7\.8 million"):
        estimate(_histories("snowshoe_hare"), search="exhaustive")
    with pytest.raises(ValueError, match="search"):
        estimate(kosovo, search="greedy")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level"):
        estimate(kosovo, level=95)


def test_estimate_reports_the_best_model_and_its_diagnostics() -> None:
    reference = REFERENCE["kosovo"]["rcapture"]["closedpMS_t_best_BIC"]
    result = estimate(_histories("kosovo"))
    assert result.method == "loglinear"
    assert result.model == reference["model"]
    assert result.observed == REFERENCE["kosovo"]["n"]
    assert _close(result.estimate, reference["abundance"], 1e-3)
    assert _close(result.interval[0], reference["InfCL"], 1e-2)
    assert _close(result.interval[1], reference["SupCL"], 1e-2)
    diagnostics = result.diagnostics
    assert diagnostics["list_sizes"] == _histories("kosovo").list_sizes()
    top = diagnostics["top_models"]
    assert len(top) == 5
    assert top[0]["model"] == reference["model"]
    assert [m["bic"] for m in top] == sorted(m["bic"] for m in top)
    assert all(0.0 < m["weight"] <= 1.0 for m in top)
    assert diagnostics["warnings"] == []
    json.dumps(result.as_dict())


@pytest.mark.parametrize("name", ["kosovo", "spina_bifida_3list"])
def test_model_average_mixes_the_leading_models(name: str) -> None:
    histories = _histories(name)
    single = estimate(histories, criterion="aic")
    averaged = estimate(histories, criterion="aic", average=True)
    fits = _fits(name, "aic")
    assert averaged.model.startswith("average of")
    assert min(f.estimate for f in fits[:5]) < averaged.estimate < max(f.estimate for f in fits)
    assert averaged.interval[0] < averaged.estimate < averaged.interval[1]
    # A mixture's quantile lies between its components' quantiles.
    mixed = fits[: averaged.diagnostics["interval_models"]]
    lows, highs = zip(*(profile_interval(histories, f.terms) for f in mixed), strict=True)
    assert min(lows) - 1.0 <= averaged.interval[0] <= max(lows) + 1.0
    assert min(highs) - 1.0 <= averaged.interval[1] <= max(highs) + 1.0
    assert len(mixed) >= 2
    assert 0.99 <= averaged.diagnostics["interval_weight"] <= 1.0
    assert averaged.estimate != single.estimate


def test_estimate_is_deterministic() -> None:
    first = estimate(_histories("hiv_rome"), average=True)
    second = estimate(_histories("hiv_rome"), average=True)
    assert first.as_dict() == second.as_dict()


def test_a_list_that_recorded_nobody_is_dropped_with_a_warning() -> None:
    base = _histories("spina_bifida_3list")
    widened = CaptureHistories(
        lists=(*base.lists, "Silent"), counts={(*p, 0): c for p, c in base.counts.items()}
    )
    result = estimate(widened)
    reference = estimate(base)
    assert result.diagnostics["lists"] == list(base.lists)
    assert any("Silent" in w for w in result.diagnostics["warnings"])
    assert result.estimate == pytest.approx(reference.estimate)
    assert result.interval == pytest.approx(reference.interval)


def test_fewer_than_three_lists_with_anyone_is_refused() -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 10, (1, 1, 0): 3, (0, 1, 0): 7})
    with pytest.raises(ValueError, match="at least three lists that recorded someone"):
        estimate(histories)


def test_lists_that_never_overlap_give_no_estimate() -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 3, (0, 1, 0): 2, (0, 0, 1): 1})
    with pytest.raises(ValueError, match="finite"):
        estimate(histories)


def test_sparse_tables_give_finite_estimates_without_leaking_warnings() -> None:
    histories = CaptureHistories(
        ("A", "B", "C", "D"),
        {(1, 0, 0, 0): 9, (0, 1, 0, 0): 7, (0, 0, 1, 0): 5, (0, 0, 0, 1): 4, (1, 1, 0, 0): 2},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fits = fit_all(histories)
        result = estimate(histories, average=True)
    assert fits
    assert all(math.isfinite(f.estimate) and f.estimate >= histories.observed for f in fits)
    assert len(fits) < len(candidate_models(4))
    assert any("left out" in w for w in result.diagnostics["warnings"])
    assert histories.observed <= result.interval[0] <= result.estimate <= result.interval[1]


def test_boundary_fit_is_flagged() -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 1, 1): 50, (1, 1, 0): 1})
    fit = fit_model(histories, ())
    assert any("boundary" in w for w in fit.warnings)
    assert fit.estimate == pytest.approx(histories.observed, abs=1e-3)


def test_independence_interval_covers_a_simulated_population() -> None:
    """Independent lists: the independence model's 95% interval should cover the truth."""
    rng = np.random.default_rng(20240601)
    truth = 1500
    capture = np.array([0.3, 0.2, 0.25, 0.15])
    covered = 0
    estimates = []
    replicates = 40
    for _ in range(replicates):
        caught = rng.random((truth, capture.size)) < capture
        rows = [tuple(int(b) for b in row) for row in caught if row.any()]
        histories = histories_from_patterns(("A", "B", "C", "D"), rows)
        low, high = profile_interval(histories, ())
        covered += low <= truth <= high
        estimates.append(fit_model(histories, ()).estimate)
    assert covered >= 0.85 * replicates
    assert abs(np.mean(estimates) - truth) < 0.03 * truth


@pytest.mark.parametrize("name", SEARCHED)
def test_stepwise_selection_finds_the_best_bic_model_of_the_full_search(name: str) -> None:
    """On every reference dataset the stepwise path ends at Rcapture's BIC-best model."""
    reference = REFERENCE[name]["rcapture"]["closedpMS_t_best_BIC"]
    found = estimate(_histories(name), search="stepwise")
    assert found.model == reference["model"]
    assert _close(found.estimate, reference["abundance"], 1e-3)
    assert found.diagnostics["search"] == "stepwise"
    assert found.diagnostics["path"][0] == model_name((), len(_histories(name).lists))
    assert found.diagnostics["path"][-1] == reference["model"]


def test_stepwise_moves_one_hierarchical_step_at_a_time() -> None:
    found = stepwise(_histories("kosovo"))
    assert found.path == [
        "[1,2,3,4]",
        "[23,1,4]",
        "[23,34,1]",
        "[13,23,34]",
        "[12,13,23,34]",
        "[123,34]",
        "[123,14,34]",
    ]
    criteria = [fit.bic for fit in found.fits]
    assert criteria == sorted(criteria) and found.fits[0].name == found.path[-1]
    assert found.fitted == 31


def test_six_lists_are_chosen_stepwise_and_the_independence_fit_is_rcaptures_mt() -> None:
    """Rcapture's Mt on the snowshoe hares is the independence model: same N, deviance, AIC
    and BIC; the stepwise estimate sits beside LCMCR's reference (76, 70-90)."""
    hares = _histories("snowshoe_hare")
    mt = REFERENCE["snowshoe_hare"]["rcapture"]["closedp_t"]["Mt"]
    independence = fit_model(hares, [])
    assert _close(independence.estimate, mt["abundance"], 1e-6)
    assert _close(independence.deviance, mt["deviance"], 1e-6)
    assert _close(independence.aic, mt["AIC"], 1e-6)
    assert _close(independence.bic, mt["BIC"], 1e-6)
    assert independence.df == mt["df"]
    result = estimate(hares)
    assert result.diagnostics["search"] == "stepwise"
    assert result.model == "[46,1,2,3,5]"
    assert 70 <= result.interval[0] < result.estimate < result.interval[1] <= 95
    aic = estimate(hares, criterion="aic")
    assert aic.diagnostics["models_fitted"] > result.diagnostics["models_fitted"]


def test_ten_lists_are_searched_and_eleven_refused() -> None:
    rng = np.random.default_rng(3)
    seen = rng.random((3000, 10)) < np.linspace(0.1, 0.4, 10)
    seen = seen[seen.any(axis=1)]
    histories = histories_from_patterns(
        [f"L{i}" for i in range(10)], [tuple(int(b) for b in row) for row in seen]
    )
    result = estimate(histories)
    assert result.diagnostics["search"] == "stepwise"
    assert result.interval[0] <= result.estimate <= result.interval[1]
    assert abs(result.estimate - 3000) < 300
    with pytest.raises(ValueError, match="at most 10 lists"):
        estimate(
            histories_from_patterns(
                [f"L{i}" for i in range(11)],
                [tuple(int(i == j) for i in range(11)) for j in range(11)],
            )
        )
