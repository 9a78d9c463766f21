"""A bounded search of decomposable graphs, for dga's model averaging on 6 to 10 lists.

dga averages over every decomposable graph, which is possible up to 5 lists (822 graphs); 6
lists have 18,154 and 10 lists billions. Past 5 lists the average runs over the graphs a
search finds instead, each weighted by its exact posterior (`marsad.estimate.dga`):

1. a greedy climb from the empty graph, toggling at each step the one edge (keeping the graph
   decomposable) that raises the graph's posterior most, until none does;
2. from there, Madigan & York's MC^3 with Giudici & Green's (1999) move: pick a pair of lists
   at random, toggle their edge, refuse the move if the graph is not decomposable, else accept
   it with the Metropolis ratio of the two graphs' posteriors;
3. keep the graphs visited whose posterior is within a factor `WINDOW` of the best (Occam's
   window, Madigan & Raftery 1994), at most `MAX_GRAPHS` of them.

A graph's posterior here is dga's marginal likelihood with the same prior, summed over a
coarse grid of n0 (every value to 1,023, then steps of 1%), which ranks graphs as the exact
sum does; the weights of the graphs kept are then computed exactly on dga's own grid.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from marsad.estimate.decomposable import DecomposableGraph, from_edges

Edges = frozenset[tuple[int, int]]
Array = npt.NDArray[np.float64]
Score = Callable[[DecomposableGraph], float]

PROPOSALS = 10_000
"""MC^3 proposals after the greedy climb (each toggles one of the p(p-1)/2 pairs)."""
WINDOW = 1e6
"""Graphs less probable than the best by more than this factor are left out of the average."""
MAX_GRAPHS = 500
LINEAR_UNTIL = 1024
GRID_RATIO = 1.01


def search_grid(max_missing: int) -> tuple[Array, Array]:
    """n0 values and the log of the width each stands for: every value below LINEAR_UNTIL,
    then a geometric grid (ratio GRID_RATIO) up to `max_missing`."""
    linear = np.arange(min(LINEAR_UNTIL, max_missing + 1), dtype=float)
    points = [float(v) for v in linear]
    value = float(LINEAR_UNTIL)
    while value <= max_missing:
        points.append(float(math.floor(value)))
        value *= GRID_RATIO
    grid = np.unique(np.array(points))
    widths = np.diff(np.append(grid, grid[-1] + 1.0))
    return grid, np.log(widths)


def search_graphs(
    n_vertices: int, score: Score, seed: int, proposals: int = PROPOSALS
) -> tuple[DecomposableGraph, ...]:
    """The graphs worth averaging over, most probable first (see the module's docstring)."""
    pairs = list(itertools.combinations(range(n_vertices), 2))
    scores: dict[Edges, tuple[DecomposableGraph, float] | None] = {}

    def evaluate(edges: Edges) -> tuple[DecomposableGraph, float] | None:
        if edges not in scores:
            graph = from_edges(n_vertices, edges)
            scores[edges] = None if graph is None else (graph, score(graph))
        return scores[edges]

    current: Edges = frozenset()
    current_score = _score_of(evaluate(current))
    while True:
        moves = [(edges, evaluate(edges)) for edges in (current ^ {pair} for pair in pairs)]
        legal = [(found[1], edges) for edges, found in moves if found is not None]
        best_score, best = max(legal, key=lambda item: (item[0], sorted(item[1])))
        if best_score <= current_score:
            break
        current, current_score = best, best_score
    rng = np.random.default_rng(seed)
    for pick, threshold in zip(
        rng.integers(len(pairs), size=proposals), rng.random(proposals), strict=True
    ):
        proposal = current ^ {pairs[int(pick)]}
        found = evaluate(proposal)
        if found is None:
            continue
        if math.log(max(float(threshold), 1e-300)) < found[1] - current_score:
            current, current_score = proposal, found[1]
    visited = sorted(
        (found for found in scores.values() if found is not None),
        key=lambda item: (-item[1], sorted(item[0].edges)),
    )
    top = visited[0][1]
    return tuple(graph for graph, value in visited[:MAX_GRAPHS] if value >= top - math.log(WINDOW))


def _score_of(found: tuple[DecomposableGraph, float] | None) -> float:
    if found is None:
        raise ValueError("the empty graph is always decomposable")
    return found[1]
