"""One entry point for the estimators, so that strata, the CLI and reports treat them alike.

Each method returns its estimate and, for the Bayesian ones, posterior draws of N: strata are
combined by adding draws, which gives the total a proper interval (adding interval ends
would not).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.estimate import dga, lcmcr, loglinear

PRESETS = ("default", "fixed", "fast", "hrdag")
DGA_DRAWS = 20_000
"""Draws taken from dga's exact posterior when strata are added (shared among clusterings)."""
CLUSTERING_CHAINS = 2
CLUSTERING_MIN_SAMPLES = 250
CLUSTERING_BURN_IN_SHARE = 5
"""On each of D drawn clusterings LCMCR runs 2 chains, a fifth of the preset's burn-in, the
preset's thinning, and enough draws per chain (at least 250) that the D clusterings together
give the preset's usual number of draws (docs/methodology.md, "Linkage uncertainty")."""

Draws = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MethodOptions:
    """What the user chose: method, interval level, and each method's own settings.

    `seed` makes the Bayesian methods reproducible; it is recorded with every estimate.
    `preset` picks LCMCR's chain lengths: "default" (run until the chains converge, at most
    4 x 110,500 sweeps), "fixed" (always 4 x 110,500), "fast" (short chains, for a first look)
    or "hrdag" (HRDAG's published Syria settings).
    """

    method: str = "lcmcr"
    level: float = 0.95
    criterion: str = "bic"
    preset: str = "default"
    seed: int = 1
    clusterings: int = 0
    """When estimating on each of this many drawn clusterings: shorter chains, fewer draws."""

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; use one of {', '.join(METHODS)}")
        if self.criterion not in ("bic", "aic"):
            raise ValueError(f"unknown criterion {self.criterion!r}; use bic or aic")
        if self.preset not in PRESETS:
            raise ValueError(f"unknown preset {self.preset!r}; use one of {', '.join(PRESETS)}")
        if not 0 < self.level < 1:
            raise ValueError(f"the interval level must be between 0 and 1, got {self.level}")
        if self.clusterings < 0:
            raise ValueError(f"the number of clusterings must be 0 or more, got {self.clusterings}")

    def settings(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "level": self.level,
            "criterion": self.criterion,
            "preset": self.preset,
            "seed": self.seed,
        }


@dataclass
class Fit:
    """An estimate, with posterior draws of N when the method has them."""

    estimate: Estimate
    draws: Draws | None = None


def lcmcr_settings(preset: str, n_lists: int, clusterings: int = 0) -> lcmcr.Settings:
    """The preset's chains, or each drawn clustering's share of them (see CLUSTERING_*)."""
    if preset == "fast":
        full = lcmcr.Settings(burn_in=2_000, samples=1_000, thin=10, chains=2)
    else:
        full = lcmcr.preset(cast(lcmcr.Preset, preset), n_lists)
    if clusterings == 0:
        return full
    chains = min(full.chains, CLUSTERING_CHAINS)
    samples = math.ceil(full.chains * full.samples / (clusterings * chains))
    return lcmcr.Settings(
        K=full.K,
        burn_in=full.burn_in // CLUSTERING_BURN_IN_SHARE,
        samples=max(CLUSTERING_MIN_SAMPLES, samples),
        thin=full.thin,
        chains=chains,
        a_alpha=full.a_alpha,
        b_alpha=full.b_alpha,
    )


def dga_draws(clusterings: int) -> int:
    return DGA_DRAWS // max(clusterings, 1)


def _lcmcr(histories: CaptureHistories, options: MethodOptions, seed: int) -> Fit:
    settings = lcmcr_settings(options.preset, len(histories.lists), options.clusterings)
    sampled = lcmcr.sample_posterior(histories, settings, seed)
    return Fit(lcmcr.summarise(sampled, options.level), sampled.draws)


def _loglinear(histories: CaptureHistories, options: MethodOptions, seed: int) -> Fit:
    criterion = cast(loglinear.Criterion, options.criterion)
    return Fit(loglinear.estimate(histories, criterion=criterion, level=options.level))


def _dga(histories: CaptureHistories, options: MethodOptions, seed: int) -> Fit:
    posterior = dga.posterior(histories, seed=seed)
    draws = posterior.sample(dga_draws(options.clusterings), seed).reshape(1, -1)
    return Fit(dga.summarise(posterior, histories, options.level), draws)


Estimator = Callable[[CaptureHistories, "MethodOptions", int], Fit]
"""(histories, options, seed) → the estimate, with posterior draws of N when it has them."""

ESTIMATORS: dict[str, Estimator] = {"lcmcr": _lcmcr, "loglinear": _loglinear, "dga": _dga}
"""Every estimation method by name, the default first: a new method is registered here and is
then offered by `marsad estimate --method`, compared by `--method all` and stratified alike."""
METHODS = tuple(ESTIMATORS)


def fit(histories: CaptureHistories, options: MethodOptions, seed: int | None = None) -> Fit:
    """Estimate with `options.method`; `seed` overrides the options' seed (one per stratum)."""
    return ESTIMATORS[options.method](histories, options, options.seed if seed is None else seed)


def summarise_draws(draws: Draws, observed: int, options: MethodOptions, n_lists: int) -> Estimate:
    """Median and equal-tailed interval of summed draws (a stratified total)."""
    if options.method == "lcmcr":
        posterior = lcmcr.Posterior(
            observed=observed,
            draws=draws,
            settings=lcmcr_settings(options.preset, n_lists, options.clusterings),
            seed=options.seed,
        )
        return lcmcr.summarise(posterior, options.level)
    tail = (1.0 - options.level) / 2.0
    low, median, high = np.quantile(draws.ravel().astype(float), [tail, 0.5, 1.0 - tail])
    return Estimate(
        observed=observed,
        estimate=float(median),
        interval=(float(low), float(high)),
        level=options.level,
        method=options.method,
        diagnostics={"draws": int(draws.size)},
    )
