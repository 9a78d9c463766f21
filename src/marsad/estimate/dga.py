"""Bayesian model averaging over decomposable graphs, reproducing HRDAG's dga (bma.cr).

Madigan & York (1997): each decomposable graphical model on the lists gives the completed 2^p
table (observed cells plus n0 persons no list recorded) a hyper-Dirichlet prior with `delta`
per cell. Its marginal likelihood is a product of Dirichlet-multinomial terms over the cliques
divided by those over the separators. Times the multinomial coefficient and a prior on
N = n + n0, summed over all decomposable graphs with equal prior weight, this is the posterior
of N on a grid of n0. docs/methodology-dga.md explains the choices and the default grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import special

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.estimate import graph_search
from marsad.estimate.decomposable import DecomposableGraph, decomposable_graphs
from marsad.estimate.histories import drop_empty_lists

Prior = Literal["1/N", "uniform"]
Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_LISTS = 3
MAX_LISTS = 10
MAX_EXHAUSTIVE = 5
"""dga ships the decomposable graphs for 3, 4 and 5 lists only: up to 5 every graph is in the
average, from 6 to 10 the graphs a bounded search finds (`marsad.estimate.graph_search`)."""

TAIL_MASS = 1e-6
TAIL_SHARE = 0.2
INITIAL_MISSING = 1024
MAX_MISSING = 2**21
"""The default grid n0 = 0..1024 doubles until its last fifth holds less than TAIL_MASS of the
posterior and every graph's posterior is falling at its end, up to 2^21 unrecorded persons."""

TOP_GRAPHS = 5

PRUNE_LOG = 50.0
"""When the grid grows, graphs below e^-50 of the posterior mass and falling are left out."""

_BLOCK = 4096
"""Grid points evaluated at once: 822 graphs x 4096 points is 27 MB of float64."""


@dataclass(frozen=True)
class Posterior:
    """The posterior of the total N on an integer grid, and of the graphs."""

    lists: tuple[str, ...]
    observed: int
    totals: IntArray
    probabilities: Array
    graphs: tuple[DecomposableGraph, ...]
    graph_weights: Array
    delta: float
    prior: Prior
    grid_rule: str
    warnings: tuple[str, ...]
    searched: bool = False
    """Whether the graphs are those a bounded search found rather than all of them."""

    def quantile(self, q: float) -> int:
        """dga's rule: the smallest N whose posterior CDF reaches q."""
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"quantile level must be between 0 and 1, got {q}")
        cdf = np.cumsum(self.probabilities)
        index = min(int(np.searchsorted(cdf, q, side="left")), len(cdf) - 1)
        return int(self.totals[index])

    @property
    def mean(self) -> float:
        return float(np.dot(self.probabilities, self.totals))

    @property
    def sd(self) -> float:
        spread = self.totals - self.mean
        return math.sqrt(float(np.dot(self.probabilities, spread * spread)))

    @property
    def mode(self) -> int:
        return int(self.totals[int(np.argmax(self.probabilities))])

    @property
    def tail_mass(self) -> float:
        """Posterior mass on the last fifth of the grid: how much a longer grid could matter."""
        return _tail_mass(self.probabilities)

    def sample(self, size: int, seed: int | np.random.Generator | None = None) -> IntArray:
        """Independent draws of N, e.g. to add up strata."""
        if size < 0:
            raise ValueError(f"size must be at least 0, got {size}")
        rng = np.random.default_rng(seed)
        cdf = np.cumsum(self.probabilities)
        picks = np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right")
        return np.asarray(self.totals[np.minimum(picks, len(cdf) - 1)], dtype=np.int64)


# --- the model --------------------------------------------------------------------------


class _Model:
    """Precomputed pieces of dga's log posterior for one table, evaluated block by block.

    For every subset A of the lists (a possible clique or separator) the clique marginal table
    has 2^|A| cells with Dirichlet parameter delta * 2^(p - |A|); only its all-zero cell grows
    with n0. Its log marginal likelihood is, with a = delta 2^p,
        sum_cells [lgamma(count + alpha) - lgamma(alpha)] + lgamma(a) - lgamma(N + a),
    and a graph's is the sum over its cliques minus the sum over its separators, which is
    `incidence @ components` for a +1/-1 incidence matrix. The empty set contributes 0.
    Only the subsets some graph uses are kept (`masks`): with 10 lists there are 1,024 subsets
    but a few hundred graphs use far fewer.
    """

    def __init__(
        self,
        histories: CaptureHistories,
        delta: float,
        prior: Prior,
        graphs: tuple[DecomposableGraph, ...],
        masks: range | None = None,
    ) -> None:
        p = len(histories.lists)
        table = np.zeros((2,) * p)
        for pattern, count in histories.counts.items():
            table[pattern] = count
        self.observed = float(table.sum())
        self.prior = prior
        self.total_alpha = delta * 2.0**p
        used = sorted(
            ({_mask(c) for graph in graphs for c in (*graph.cliques, *graph.separators)} - {0})
            | set(masks or ())
        )
        self.column = column = {mask: index for index, mask in enumerate(used)}
        self.constant = np.zeros(len(used))
        self.zero_cell = np.zeros(len(used))
        self.alpha = np.zeros(len(used))
        for index, mask in enumerate(used):
            inside = [i for i in range(p) if mask >> i & 1]
            outside = tuple(i for i in range(p) if i not in inside)
            margin = table.sum(axis=outside).ravel() if outside else table.ravel()
            alpha = delta * 2.0 ** (p - len(inside))
            others = margin[1:]
            self.constant[index] = (
                float(np.sum(special.gammaln(others + alpha)))
                - special.gammaln(alpha) * (len(others) + 1)
                + special.gammaln(self.total_alpha)
            )
            self.zero_cell[index] = margin[0]
            self.alpha[index] = alpha
        self.incidence = np.zeros((len(graphs), len(used)))
        for row, graph in enumerate(graphs):
            for clique in graph.cliques:
                self.incidence[row, column[_mask(clique)]] += 1.0
            for separator in graph.separators:
                if _mask(separator):
                    self.incidence[row, column[_mask(separator)]] -= 1.0

    def components(self, missing: Array) -> Array:
        """Each kept subset's log marginal likelihood at each n0 in `missing`."""
        totals = self.observed + missing
        return np.asarray(
            self.constant[:, None]
            + special.gammaln(self.zero_cell[:, None] + missing[None, :] + self.alpha[:, None])
            - special.gammaln(totals + self.total_alpha)[None, :],
            float,
        )

    def common(self, missing: Array) -> Array:
        """The part of the log posterior every graph shares: multinomial coefficient, prior."""
        totals = self.observed + missing
        shared = special.gammaln(totals + 1.0) - special.gammaln(missing + 1.0)
        if self.prior == "1/N":
            shared -= np.log(totals)
        return np.asarray(shared, float)

    def log_joint(self, missing: Array, rows: IntArray) -> Array:
        """Unnormalised log posterior of (graph, n0) for the graphs in `rows`, n0 in `missing`."""
        log_joint = self.incidence[rows] @ self.components(missing)
        return np.asarray(log_joint + self.common(missing), float)


def _mask(vertices: tuple[int, ...]) -> int:
    return sum(1 << i for i in vertices)


def _searched_graphs(
    histories: CaptureHistories, delta: float, prior: Prior, seed: int
) -> tuple[DecomposableGraph, ...]:
    """The graphs `graph_search` finds, scored by dga's posterior summed over its coarse grid."""
    p = len(histories.lists)
    model = _Model(histories, delta, prior, (), masks=range(1, 2**p))
    grid, log_width = graph_search.search_grid(MAX_MISSING)
    components = model.components(grid)
    shared = model.common(grid) + log_width

    def score(graph: DecomposableGraph) -> float:
        total = shared.copy()
        for clique in graph.cliques:
            total += components[model.column[_mask(clique)]]
        for separator in graph.separators:
            total -= components[model.column[_mask(separator)]]
        return float(special.logsumexp(total))

    return graph_search.search_graphs(p, score, seed)


def _sums(log_joint: Array) -> tuple[Array, Array]:
    """Log sums over graphs (per n0) and over n0 (per graph) of a block, with one exp each.

    Each column is scaled by its own maximum; the graph sums rescale the columns by their
    maxima relative to the block's.
    """
    peak = log_joint.max(axis=0)
    scaled = np.exp(log_joint - peak)
    top = float(peak.max())
    with np.errstate(divide="ignore"):
        log_graphs = top + np.log(scaled @ np.exp(peak - top))
    return peak + np.log(scaled.sum(axis=0)), log_graphs


class _Grid:
    """The log posterior accumulated over a growing grid n0 = 0, 1, ..., top.

    Extending the grid only evaluates the graphs still in play: a graph whose posterior at
    the end of the grid is below e^-PRUNE_LOG of the total so far and still falling adds
    nothing measurable further out, so it is not evaluated there (its weight is kept).
    """

    def __init__(self, model: _Model) -> None:
        self.model = model
        self.log_n: list[Array] = []
        self.log_graphs = np.full(model.incidence.shape[0], -np.inf)
        self.active: IntArray = np.arange(model.incidence.shape[0], dtype=np.int64)
        self.rising = True
        self.top = -1

    def extend(self, top: int) -> None:
        for start in range(self.top + 1, top + 1, _BLOCK):
            missing = np.arange(start, min(start + _BLOCK, top + 1), dtype=float)
            if not len(self.active):
                self.log_n.append(np.full(len(missing), -np.inf))
                continue
            log_n, log_graphs = _sums(self.model.log_joint(missing, self.active))
            self.log_n.append(log_n)
            self.log_graphs[self.active] = np.logaddexp(self.log_graphs[self.active], log_graphs)
        self.top = max(self.top, top)
        if self.top >= 1 and len(self.active):
            ends = self.model.log_joint(np.array([self.top - 1.0, self.top]), self.active)
            total = float(special.logsumexp(np.concatenate(self.log_n)))
            falling = ends[:, 1] <= ends[:, 0]
            self.rising = not bool(np.all(falling))
            self.active = self.active[~(falling & (ends[:, 1] < total - PRUNE_LOG))]

    def normalised(self) -> tuple[Array, Array]:
        log_n = np.concatenate(self.log_n)
        total = float(special.logsumexp(log_n))
        return np.exp(log_n - total), np.exp(self.log_graphs - total)


def _tail_mass(probabilities: Array) -> float:
    top = len(probabilities) - 1
    start = math.floor((1.0 - TAIL_SHARE) * top) + 1
    return float(np.sum(probabilities[start:])) if top > 0 else 1.0


# --- public API ---------------------------------------------------------------------------


def posterior(
    histories: CaptureHistories,
    *,
    delta: float | None = None,
    prior: Prior = "1/N",
    n_max: int | None = None,
    seed: int = 1,
    search: bool | None = None,
) -> Posterior:
    """dga's posterior of N, averaged over every decomposable graph on the lists or over the
    graphs a bounded search finds (`search`; None: search from 6 lists; `seed` seeds it).

    `delta` is the Dirichlet parameter per cell of the 2^p table (default 2^-p, so the prior
    weighs one person). `prior` is dga's default p(N) ∝ 1/N, or "uniform". `n_max` is the
    largest number of unrecorded persons considered (grid n0 = 0..n_max); by default the grid
    doubles from 1024 until its last fifth holds less than TAIL_MASS of the posterior and no
    graph's posterior still rises at its end. Lists that recorded nobody are dropped.
    """
    notes: list[str] = []
    kept = drop_empty_lists(histories)
    dropped = [name for name in histories.lists if name not in kept.lists]
    if dropped:
        notes.append(f"dropped lists that recorded nobody: {', '.join(dropped)}")
    p = len(kept.lists)
    if not MIN_LISTS <= p <= MAX_LISTS:
        raise ValueError(
            f"graphical-model averaging (dga) needs {MIN_LISTS} to {MAX_LISTS} lists that "
            f"recorded someone; got {p} ({', '.join(kept.lists) or 'none'}). "
            + (
                "Merge lists that overlap in practice"
                if p > MAX_LISTS
                else "With fewer lists the dependence between them cannot be estimated"
            )
        )
    if delta is None:
        delta = 2.0**-p
    if not (math.isfinite(delta) and delta > 0.0):
        raise ValueError(f"delta must be a positive number, got {delta}")
    if prior not in ("1/N", "uniform"):
        raise ValueError(f"prior must be '1/N' or 'uniform', got {prior!r}")
    if n_max is not None and (isinstance(n_max, bool) or n_max < 0):
        raise ValueError(f"n_max must be a whole number at least 0, got {n_max!r}")

    if search is None:
        search = p > MAX_EXHAUSTIVE
    if not search:
        graphs = decomposable_graphs(p)
    else:
        graphs = _searched_graphs(kept, delta, prior, seed)
        notes.append(
            f"{p} lists: averaged over the {len(graphs)} most probable decomposable graphs a "
            "bounded search found, not over every graph"
        )
    grid = _Grid(_Model(kept, delta, prior, graphs))
    if n_max is not None:
        grid.extend(int(n_max))
        rule = f"given: n0 = 0..{int(n_max)}"
    else:
        top = INITIAL_MISSING
        grid.extend(top)
        while (grid.rising or _tail_mass(grid.normalised()[0]) >= TAIL_MASS) and top < MAX_MISSING:
            top = min(2 * top, MAX_MISSING)
            grid.extend(top)
        rule = f"default: n0 = 0..{top}, doubled from {INITIAL_MISSING}"
        if grid.rising:
            notes.append(
                f"the posterior of some graphs still rises at {MAX_MISSING} unrecorded persons, "
                "where the default grid stops"
            )
    probabilities, graph_weights = grid.normalised()
    tail = _tail_mass(probabilities)
    if tail >= TAIL_MASS:
        notes.append(
            f"the last fifth of the grid (n0 up to {grid.top}) still holds {tail:.2g} of the "
            "posterior: the upper quantiles depend on where the grid stops"
            + (
                "; raise n_max"
                if n_max is not None
                else f"; the default grid stops at {MAX_MISSING} unrecorded persons"
            )
        )
    return Posterior(
        lists=kept.lists,
        observed=kept.observed,
        totals=kept.observed + np.arange(grid.top + 1, dtype=np.int64),
        probabilities=probabilities,
        graphs=graphs,
        graph_weights=graph_weights,
        delta=float(delta),
        prior=prior,
        grid_rule=rule,
        warnings=tuple(notes),
        searched=search,
    )


def estimate(
    histories: CaptureHistories,
    *,
    delta: float | None = None,
    prior: Prior = "1/N",
    n_max: int | None = None,
    level: float = 0.95,
    seed: int = 1,
) -> Estimate:
    """Posterior median of N with the equal-tailed interval, both by dga's quantile rule."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    found = posterior(histories, delta=delta, prior=prior, n_max=n_max, seed=seed)
    return summarise(found, histories, level)


def summarise(post: Posterior, histories: CaptureHistories, level: float = 0.95) -> Estimate:
    """The estimate and JSON-ready diagnostics of a posterior computed from `histories`."""
    tail = (1.0 - level) / 2.0
    sizes = histories.list_sizes()
    order = np.argsort(-post.graph_weights, kind="stable")[:TOP_GRAPHS]
    diagnostics: dict[str, Any] = {
        "lists": list(post.lists),
        "list_sizes": {name: sizes[name] for name in post.lists},
        "delta": post.delta,
        "prior": post.prior,
        "n_graphs": len(post.graphs),
        "graphs": "found by a bounded search" if post.searched else "all decomposable graphs",
        "top_graphs": [
            {
                "graph": post.graphs[i].name(post.lists),
                "cliques": [[post.lists[v] for v in c] for c in post.graphs[i].cliques],
                "weight": float(post.graph_weights[i]),
            }
            for i in order
        ],
        "grid": {
            "rule": post.grid_rule,
            "missing": [0, int(post.totals[-1]) - post.observed],
            "totals": [int(post.totals[0]), int(post.totals[-1])],
            "points": len(post.totals),
        },
        "posterior": {"mean": post.mean, "sd": post.sd, "mode": post.mode},
        "tail_mass": post.tail_mass,
        "warnings": list(post.warnings),
    }
    return Estimate(
        observed=post.observed,
        estimate=float(post.quantile(0.5)),
        interval=(float(post.quantile(tail)), float(post.quantile(1.0 - tail))),
        level=level,
        method="dga",
        model=f"average of {len(post.graphs)} decomposable graphs",
        diagnostics=diagnostics,
    )


def sample_posterior(
    histories: CaptureHistories,
    size: int,
    seed: int | np.random.Generator | None = None,
    *,
    delta: float | None = None,
    prior: Prior = "1/N",
    n_max: int | None = None,
) -> IntArray:
    """Draws of N from dga's posterior, so strata can be added draw by draw."""
    search_seed = seed if isinstance(seed, int) else 1
    found = posterior(histories, delta=delta, prior=prior, n_max=n_max, seed=search_seed)
    return found.sample(size, seed)
