"""Log-linear multiple systems estimation, reproducing Rcapture's closedpMS.t and closedpCI.t.

The 2^J - 1 observed cells of the J-list table are fitted by a Poisson log-linear model with
0/1 coding, so the unobserved all-zero cell is predicted as exp(intercept). The model space is
Rcapture's: every hierarchical model with all main effects and interactions up to order J - 1.
Models are ranked by BIC (or AIC) computed as R's glm does, and the interval is Rcapture's
multinomial profile-likelihood interval for N. Up to 5 lists every model is fitted; from 6 to
10 lists (6 already have about 7.8 million models) the model is chosen by stepwise selection,
as R's `step` does on the same Poisson model. docs/methodology.md explains the choices.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import optimize, special, stats
from threadpoolctl import ThreadpoolController

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.estimate.histories import drop_empty_lists
from marsad.estimate.loglinear_models import (
    MAX_SEARCH_LISTS,
    MIN_LISTS,
    Terms,
    candidate_models,
    check_list_count,
    generators_of,
    interactions,
    normalise_terms,
    terms_name,
)

Criterion = Literal["bic", "aic"]


Array = npt.NDArray[np.float64]


Search = Literal["auto", "exhaustive", "stepwise"]


MAX_STEPS = 200
"""Stepwise selection stops after this many moves even if one more would still improve."""


MAX_UNOBSERVED_RATIO = 1e7
"""Models predicting more than this many unobserved persons per observed one are degenerate."""


AVERAGE_MIN_WEIGHT = 1e-3


AVERAGE_MAX_MODELS = 30
"""The model-averaged interval uses the models above this weight, at most this many."""


TOP_MODELS = 5


_MAX_ITERATIONS = 25


_TOLERANCE = 1e-8


_MU_FLOOR = float(np.finfo(float).eps)


_ZERO_FIT = 1e-8


_BLAS = ThreadpoolController()
"""The fits are thousands of small solves: on BLAS threads they run many times slower (each
call wakes every thread, and on a busy machine waits for them), so they run on one."""


@dataclass(frozen=True)
class ModelFit:
    """One log-linear model fitted to the observed cells, with R's fit statistics."""

    name: str
    terms: Terms
    n_params: int
    deviance: float
    df: int
    aic: float
    bic: float
    estimate: float
    unobserved: float
    stderr: float
    converged: bool
    warnings: tuple[str, ...] = field(default=())

    def criterion(self, criterion: Criterion) -> float:
        return self.bic if criterion == "bic" else self.aic


# --- fitting -------------------------------------------------------------------------------


@cache
def _cells(n_lists: int) -> npt.NDArray[np.int8]:
    """The observed patterns in lexicographic order, first list most significant."""
    return np.array(list(itertools.product((0, 1), repeat=n_lists))[1:], dtype=np.int8)


def _observed_counts(histories: CaptureHistories) -> Array:
    cells = _cells(len(histories.lists))
    return np.array([histories.counts.get(tuple(int(b) for b in row), 0) for row in cells], float)


class _Design:
    """Design columns for every interaction of one table size, built once and reused."""

    def __init__(self, n_lists: int, with_unobserved: bool = False) -> None:
        cells = _cells(n_lists).astype(float)
        if with_unobserved:
            cells = np.vstack([cells, np.zeros(n_lists)])
        self.base = np.column_stack([np.ones(len(cells)), cells])
        self.columns = {
            term: np.prod(cells[:, list(term)], axis=1)
            for k in range(2, n_lists + 1)
            for term in itertools.combinations(range(n_lists), k)
        }

    def matrix(self, terms: Terms) -> Array:
        extra = [self.columns[term] for term in interactions(terms)]
        return np.column_stack([self.base, *extra]) if extra else self.base


@dataclass(frozen=True)
class _Glm:
    """Fits of a stack of models with the same number of parameters (one row each)."""

    coef: Array
    mu: Array
    deviance: Array
    cov_intercept: Array
    converged: npt.NDArray[np.bool_]


def _poisson_deviance(y: Array, mu: Array) -> Array:
    return np.asarray(
        2.0 * np.sum(special.xlogy(y, y) - special.xlogy(y, mu) - (y - mu), axis=-1), float
    )


def _fit_poisson(x: Array, y: Array) -> _Glm:
    """Iteratively reweighted least squares as R's glm.fit does it, for a stack of models.

    `x` holds k design matrices of the same shape, `y` one or k count vectors. Same start
    (mu = y + 0.1), floor on mu, deviance-based stopping rule and iteration cap as R, so
    boundary fits (zero cells) stop where R's do and rank the same. Stacking the models lets
    numpy solve them together: 6,893 five-list models in a fraction of a second.
    """
    k, m, p = x.shape
    y = np.broadcast_to(y, (k, m))
    mu = y + 0.1
    eta = np.log(mu)
    coef = np.zeros((k, p))
    deviance = np.full(k, math.inf)
    converged = np.zeros(k, dtype=bool)
    with (
        _BLAS.limit(limits=1, user_api="blas"),
        np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"),
    ):
        for _ in range(_MAX_ITERATIONS):
            todo = np.flatnonzero(~converged)
            if not len(todo):
                break
            root_w = np.sqrt(mu[todo])
            z = eta[todo] + (y[todo] - mu[todo]) / mu[todo]
            step = _least_squares(x[todo] * root_w[:, :, None], (z * root_w)[:, :, None])
            coef[todo] = step[:, :, 0]
            eta[todo] = (x[todo] @ step)[:, :, 0]
            mu[todo] = np.maximum(np.exp(eta[todo]), _MU_FLOOR)
            new_deviance = _poisson_deviance(y[todo], mu[todo])
            change = np.abs(new_deviance - deviance[todo]) / (np.abs(new_deviance) + 0.1)
            converged[todo] = change < _TOLERANCE
            deviance[todo] = new_deviance
        information = np.swapaxes(x, 1, 2) @ (x * mu[:, :, None])
        try:
            inverse = np.linalg.inv(information)
        except np.linalg.LinAlgError:
            inverse = np.linalg.pinv(information)
    return _Glm(coef, mu, deviance, np.asarray(inverse[:, 0, 0], float), converged)


def _least_squares(a: Array, b: Array) -> Array:
    """Solve a stack of least-squares problems by QR, as R does; SVD if a factor is singular."""
    q, r = np.linalg.qr(a)
    try:
        return np.asarray(np.linalg.solve(r, np.swapaxes(q, 1, 2) @ b), float)
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(a) @ b, float)


def fit_model(histories: CaptureHistories, terms: Sequence[Sequence[int]]) -> ModelFit:
    """Fit one hierarchical model to the observed cells; N̂ = observed + exp(intercept)."""
    n_lists = len(histories.lists)
    check_list_count(n_lists)
    generators = normalise_terms(terms, n_lists)
    return _fit_many(histories, [generators], _Design(n_lists))[0]


def _fit_many(
    histories: CaptureHistories, models: Sequence[Terms], design: _Design
) -> list[ModelFit]:
    """Fit models in stacks of equal size; the result keeps the order of `models`."""
    n_lists = len(histories.lists)
    y = _observed_counts(histories)
    observed = float(y.sum())
    matrices = [design.matrix(terms) for terms in models]
    by_size: dict[int, list[int]] = {}
    for index, matrix in enumerate(matrices):
        by_size.setdefault(matrix.shape[1], []).append(index)
    fits: dict[int, ModelFit] = {}
    for n_params, indices in by_size.items():
        glm = _fit_poisson(np.stack([matrices[i] for i in indices]), y)
        log_lik = np.sum(special.xlogy(y, glm.mu) - glm.mu - special.gammaln(y + 1), axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            unobserved = np.exp(glm.coef[:, 0])
            variance = unobserved + unobserved**2 * glm.cov_intercept
        for row, index in enumerate(indices):
            aic = float(-2.0 * log_lik[row] + 2.0 * n_params)
            notes: list[str] = []
            if not glm.converged[row]:
                notes.append(f"the fit did not converge in {_MAX_ITERATIONS} iterations")
            if float(glm.mu[row].min()) < _ZERO_FIT:
                notes.append("some expected cell counts are numerically zero (boundary fit)")
            fits[index] = ModelFit(
                name=terms_name(models[index], n_lists),
                terms=models[index],
                n_params=n_params,
                deviance=float(glm.deviance[row]),
                df=len(y) - n_params,
                aic=aic,
                bic=aic + (math.log(observed) - 2.0) * n_params if observed > 0 else math.nan,
                estimate=observed + float(unobserved[row]),
                unobserved=float(unobserved[row]),
                stderr=math.sqrt(max(float(variance[row]), 0.0)),
                converged=bool(glm.converged[row]),
                warnings=tuple(notes),
            )
    return [fits[index] for index in range(len(models))]


def _usable(fit: ModelFit, observed: int) -> bool:
    return (
        math.isfinite(fit.unobserved)
        and math.isfinite(fit.bic)
        and fit.unobserved <= MAX_UNOBSERVED_RATIO * observed
    )


def fit_all(histories: CaptureHistories, criterion: Criterion = "bic") -> list[ModelFit]:
    """Fit every candidate model and sort by the criterion (ties by name).

    Models whose unobserved count is infinite, NaN or above MAX_UNOBSERVED_RATIO times the
    observed count are left out: they are degenerate fits, not estimates.
    """
    if criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be 'bic' or 'aic', got {criterion!r}")
    n_lists = len(histories.lists)
    models = candidate_models(n_lists)
    fits = _fit_many(histories, models, _Design(n_lists))
    usable = [fit for fit in fits if _usable(fit, histories.observed)]
    return sorted(usable, key=lambda fit: (fit.criterion(criterion), fit.name))


# --- stepwise selection (6 to 10 lists) ---------------------------------------------------


@dataclass(frozen=True)
class Stepwise:
    """The models a stepwise search fitted, best first, and the moves it made."""

    fits: list[ModelFit]
    path: list[str]
    fitted: int


def _neighbours(generators: Terms, n_lists: int) -> list[Terms]:
    """Models one move away: add one interaction whose faces are all in the model (up to
    order J - 1), or drop one of the model's highest interactions (a generator)."""
    inside = frozenset(interactions(generators))
    found: list[Terms] = []
    for k in range(2, n_lists):
        for term in itertools.combinations(range(n_lists), k):
            if term in inside:
                continue
            faces = itertools.combinations(term, k - 1)
            if all(face in inside for face in faces if len(face) >= 2):
                found.append(generators_of(inside | {term}))
    for term in generators:
        found.append(generators_of(inside - {term}))
    return found


def stepwise(histories: CaptureHistories, criterion: Criterion = "bic") -> Stepwise:
    """Hierarchical stepwise selection from the independence model, in both directions.

    Each step fits every model one move away (`_neighbours`: adding an interaction whose
    lower-order faces are in, two-way first because only they qualify at the start, or dropping
    a highest-order one) and moves to the one with the lowest criterion, if it is lower than the
    current model's; it stops when no move improves, or after MAX_STEPS moves. This is R's
    `step(glm(..., family = poisson), scope = ~ .^(J-1), direction = "both", k = log(n))` (k = 2
    for AIC) with Rcapture's criteria. Degenerate fits are never moved to.
    """
    if criterion not in ("bic", "aic"):
        raise ValueError(f"criterion must be 'bic' or 'aic', got {criterion!r}")
    n_lists = len(histories.lists)
    check_list_count(n_lists)
    design = _Design(n_lists)
    seen: dict[Terms, ModelFit] = {}

    def fit_new(models: Sequence[Terms]) -> None:
        new = [m for m in dict.fromkeys(models) if m not in seen]
        for model, fitted in zip(new, _fit_many(histories, new, design), strict=True):
            seen[model] = fitted

    current: Terms = ()
    fit_new([current])
    if not _usable(seen[current], histories.observed):
        raise ValueError("the independence model gives no finite estimate for these lists")
    path = [seen[current].name]
    for _ in range(MAX_STEPS):
        neighbours = _neighbours(current, n_lists)
        fit_new(neighbours)
        usable = [seen[m] for m in neighbours if _usable(seen[m], histories.observed)]
        if not usable:
            break
        best = min(usable, key=lambda fit: (fit.criterion(criterion), fit.name))
        if best.criterion(criterion) >= seen[current].criterion(criterion):
            break
        current = best.terms
        path.append(best.name)
    usable_fits = [fit for fit in seen.values() if _usable(fit, histories.observed)]
    ranked = sorted(usable_fits, key=lambda fit: (fit.criterion(criterion), fit.name))
    return Stepwise(ranked, path, len(seen))


# --- profile likelihood -----------------------------------------------------------------


class _Profile:
    """Rcapture's multinomial profile log-likelihood of N for one model.

    For a trial N the model is refitted to the full 2^J table with the unobserved cell set to
    n0 = N - n; the multinomial log-likelihood is then -deviance/2 plus Cormack's (1992)
    correction log(n0^n0 N! / (N^N n0!)), computed exactly with log-gamma.
    """

    def __init__(self, histories: CaptureHistories, terms: Terms, n_hat: float) -> None:
        n_lists = len(histories.lists)
        self.x = _Design(n_lists, with_unobserved=True).matrix(terms)
        self.y = np.append(_observed_counts(histories), 0.0)
        self.n = float(histories.observed)
        self.n_hat = n_hat
        self._values: dict[float, float] = {}
        found = optimize.minimize_scalar(
            lambda big_n: -self.loglik(big_n),
            bounds=(self.n, max(3.0 * n_hat, self.n + 1.0)),
            method="bounded",
            options={"xatol": 1e-4},
        )
        self.n_max = float(found.x)
        self.l_max = self.loglik(self.n_max)

    def loglik(self, big_n: float) -> float:
        if big_n not in self._values:
            n0 = max(big_n - self.n, 0.0)
            y = self.y.copy()
            y[-1] = n0
            deviance = float(_fit_poisson(self.x[None], y).deviance[0])
            total = self.n + n0
            correction = (
                special.xlogy(n0, n0)
                + special.gammaln(total + 1.0)
                - special.xlogy(total, total)
                - special.gammaln(n0 + 1.0)
            )
            self._values[big_n] = -deviance / 2.0 + float(correction)
        return self._values[big_n]

    def signed_root(self, big_n: float) -> float:
        """Likelihood-ratio z: Φ of this approximates the model's P(N̂ below big_n)."""
        drop = max(self.l_max - self.loglik(big_n), 0.0)
        return math.copysign(math.sqrt(2.0 * drop), big_n - self.n_max)

    def interval(self, level: float) -> tuple[float, float]:
        target = self.l_max - float(stats.chi2.ppf(level, 1)) / 2.0

        def gap(big_n: float) -> float:
            return self.loglik(big_n) - target

        if gap(self.n) >= 0.0:
            lower = self.n
        else:
            lower = float(optimize.brentq(gap, self.n, self.n_max, xtol=1e-4))
        upper_end = max(3.0 * self.n_hat, self.n_max + 1.0)
        limit = self.n * (1.0 + MAX_UNOBSERVED_RATIO)
        while gap(upper_end) > 0.0 and upper_end < limit:
            upper_end *= 2.0
        if gap(upper_end) > 0.0:
            return lower, math.inf
        upper = float(optimize.brentq(gap, self.n_max, upper_end, xtol=1e-4))
        return lower, upper


def profile_interval(
    histories: CaptureHistories, terms: Sequence[Sequence[int]], level: float = 0.95
) -> tuple[float, float]:
    """Profile-likelihood interval for N, as closedpCI.t computes it.

    The lower end is the observed count when the likelihood at N = n is still inside the
    interval; the upper end is infinite when the likelihood never falls far enough.
    """
    _check_level(level)
    fit = fit_model(histories, terms)
    if not _usable(fit, histories.observed):
        raise ValueError(f"model {fit.name} gives no finite estimate; no interval exists")
    return _Profile(histories, fit.terms, fit.estimate).interval(level)


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")


# --- the estimate ---------------------------------------------------------------------------


def estimate(
    histories: CaptureHistories,
    criterion: Criterion = "bic",
    average: bool = False,
    level: float = 0.95,
    search: Search = "auto",
) -> Estimate:
    """Estimate the total by the best log-linear model, or by averaging over models.

    Lists that recorded nobody are dropped (with a warning); model names number the lists
    that remain. `search` "exhaustive" fits every hierarchical model (up to 5 lists),
    "stepwise" chooses by `stepwise` selection, "auto" the first up to 5 lists and the second
    from 6. With `average`, models are weighted by exp(-criterion/2); the estimate and a
    model-averaged tail-area interval come from the leading models fitted (weight at least
    AVERAGE_MIN_WEIGHT, at most AVERAGE_MAX_MODELS), their weights renormalised.
    """
    _check_level(level)
    if search not in ("auto", "exhaustive", "stepwise"):
        raise ValueError(f"search must be auto, exhaustive or stepwise, got {search!r}")
    notes: list[str] = []
    kept = drop_empty_lists(histories)
    dropped = [name for name in histories.lists if name not in kept.lists]
    if dropped:
        notes.append(f"dropped lists that recorded nobody: {', '.join(dropped)}")
    if len(kept.lists) < MIN_LISTS:
        raise ValueError(
            f"log-linear MSE needs at least three lists that recorded someone; "
            f"got {len(kept.lists)} ({', '.join(kept.lists) or 'none'})"
        )
    stepwise_search = search == "stepwise" or (
        search == "auto" and len(kept.lists) > MAX_SEARCH_LISTS
    )
    searched: dict[str, Any] = {"search": "stepwise" if stepwise_search else "exhaustive"}
    if stepwise_search:
        found = stepwise(kept, criterion)
        fits, n_candidates = found.fits, found.fitted
        searched["path"] = found.path
    else:
        fits = fit_all(kept, criterion)
        n_candidates = len(candidate_models(len(kept.lists)))
    if not fits:
        raise ValueError("no log-linear model gave a finite estimate for these lists")
    if len(fits) < n_candidates:
        notes.append(
            f"{n_candidates - len(fits)} of {n_candidates} models gave a degenerate "
            "(infinite or implausibly large) estimate and were left out"
        )
    weights = _weights([fit.criterion(criterion) for fit in fits])
    best = fits[0]
    notes.extend(f"model {best.name}: {note}" for note in best.warnings)

    if average:
        chosen = [
            (float(w), fit) for w, fit in zip(weights, fits, strict=True) if w >= AVERAGE_MIN_WEIGHT
        ][:AVERAGE_MAX_MODELS]
        covered = sum(w for w, _ in chosen)
        value = sum(w * fit.estimate for w, fit in chosen) / covered
        profiles = [(w / covered, _Profile(kept, fit.terms, fit.estimate)) for w, fit in chosen]
        interval = _averaged_interval(profiles, level)
        model = f"average of {len(fits)} models"
        extra: dict[str, Any] = {"interval_models": len(chosen), "interval_weight": covered}
    else:
        value = best.estimate
        interval = _Profile(kept, best.terms, best.estimate).interval(level)
        model = best.name
        extra = {}

    if math.isinf(interval[1]):
        notes.append("the profile likelihood never fell enough: the upper bound is unbounded")
    diagnostics: dict[str, Any] = {
        "lists": list(kept.lists),
        "list_sizes": kept.list_sizes(),
        "criterion": criterion,
        "averaged": average,
        **searched,
        "models_fitted": n_candidates,
        "best": {
            "model": best.name,
            "estimate": best.estimate,
            "stderr": best.stderr,
            "deviance": best.deviance,
            "df": best.df,
            "aic": best.aic,
            "bic": best.bic,
        },
        "top_models": [
            {
                "model": fit.name,
                criterion: fit.criterion(criterion),
                "weight": float(w),
                "estimate": fit.estimate,
                "deviance": fit.deviance,
                "df": fit.df,
            }
            for w, fit in zip(weights[:TOP_MODELS], fits[:TOP_MODELS], strict=True)
        ],
        **extra,
        "warnings": notes,
    }
    return Estimate(
        observed=kept.observed,
        estimate=value,
        interval=interval,
        level=level,
        method="loglinear",
        model=model,
        diagnostics=diagnostics,
    )


def _weights(values: Sequence[float]) -> Array:
    scores = np.asarray(values, dtype=float)
    raw = np.exp(-(scores - scores.min()) / 2.0)
    return np.asarray(raw / raw.sum(), dtype=float)


def _averaged_interval(
    profiles: Sequence[tuple[float, _Profile]], level: float
) -> tuple[float, float]:
    """Model-averaged tail-area (MATA) profile interval, Fletcher & Turek (2012).

    Each model's sampling distribution is read from its profile likelihood, P(N̂ <= N) ≈
    Φ(signed root); the bounds are where the weighted mixture of these reaches (1-level)/2
    and (1+level)/2. Each model's own interval brackets the roots.
    """
    tail = (1.0 - level) / 2.0
    own = [profile.interval(level) for _, profile in profiles]

    def mixture(big_n: float) -> float:
        return sum(w * float(stats.norm.cdf(p.signed_root(big_n))) for w, p in profiles)

    def root(share: float, low: float, high: float) -> float:
        return float(optimize.brentq(lambda big_n: mixture(big_n) - share, low, high, xtol=1e-3))

    centres = [profile.n_max for _, profile in profiles]
    lowest = min(low for low, _ in own)
    lower = lowest if mixture(lowest) >= tail else root(tail, lowest, max(centres))
    highest = max(high for _, high in own)
    if math.isinf(highest):
        return lower, math.inf
    upper = root(1.0 - tail, min(centres), highest)
    return lower, upper
