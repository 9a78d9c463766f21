"""Decomposable (chordal) graphs on a few labelled vertices, with their cliques and separators.

Madigan & York's model averaging runs over every decomposable graph on the lists. HRDAG's dga
ships these as precomputed lists for 3, 4 and 5 lists; here they are enumerated: every graph
on p vertices is tested for chordality, and a chordal graph's maximal cliques are joined into
a junction tree whose edges give the separators. 3, 4 and 5 vertices give 8, 61 and 822 graphs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

Clique = tuple[int, ...]
"""A set of vertices (lists, numbered from 0 in column order), sorted."""

MAX_VERTICES = 5
"""Enumeration tests all 2^(p(p-1)/2) graphs: 1,024 for 5 vertices, 32,768 for 6."""


@dataclass(frozen=True)
class DecomposableGraph:
    """A decomposable graph by its maximal cliques and the non-empty separators between them.

    The marginal likelihood factorises as the product over cliques divided by the product
    over separators. Empty separators (between connected components) are left out: their
    factor is 1, so the number of components is len(cliques) - len(separators).
    """

    n_vertices: int
    cliques: tuple[Clique, ...]
    separators: tuple[Clique, ...]

    @property
    def edges(self) -> frozenset[tuple[int, int]]:
        return frozenset(
            pair for clique in self.cliques for pair in itertools.combinations(clique, 2)
        )

    def name(self, labels: Sequence[str] | None = None) -> str:
        """dga's notation, one bracket per clique: "[A,B,D][C]"."""
        names = list(labels) if labels is not None else [str(i + 1) for i in range(self.n_vertices)]
        if len(names) != self.n_vertices:
            raise ValueError(f"{len(names)} labels for a graph on {self.n_vertices} vertices")
        return "".join("[" + ",".join(names[i] for i in clique) + "]" for clique in self.cliques)


def decomposable_graphs(n_vertices: int) -> tuple[DecomposableGraph, ...]:
    """Every decomposable graph on `n_vertices` labelled vertices, from fewest edges up."""
    if not 1 <= n_vertices <= MAX_VERTICES:
        raise ValueError(
            f"graphs are enumerated for 1 to {MAX_VERTICES} vertices; got {n_vertices}"
        )
    return _enumerate(n_vertices)


@cache
def _enumerate(n_vertices: int) -> tuple[DecomposableGraph, ...]:
    pairs = list(itertools.combinations(range(n_vertices), 2))
    found: list[DecomposableGraph] = []
    for k in range(len(pairs) + 1):
        for edges in itertools.combinations(pairs, k):
            neighbours = _neighbours(n_vertices, edges)
            if _is_chordal(neighbours):
                cliques = _maximal_cliques(neighbours)
                found.append(DecomposableGraph(n_vertices, cliques, _separators(cliques)))
    return tuple(found)


def _neighbours(n_vertices: int, edges: Sequence[tuple[int, int]]) -> list[set[int]]:
    neighbours: list[set[int]] = [set() for _ in range(n_vertices)]
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    return neighbours


def _is_chordal(neighbours: Sequence[set[int]]) -> bool:
    """A graph is chordal iff simplicial vertices can be removed one by one until none is left."""
    remaining = set(range(len(neighbours)))
    while remaining:
        simplicial = next(
            (
                v
                for v in sorted(remaining)
                if all(
                    b in neighbours[a]
                    for a, b in itertools.combinations(sorted(neighbours[v] & remaining), 2)
                )
            ),
            None,
        )
        if simplicial is None:
            return False
        remaining.remove(simplicial)
    return True


def _maximal_cliques(neighbours: Sequence[set[int]]) -> tuple[Clique, ...]:
    """Brute force over vertex subsets: at most 2^5 of them."""
    n = len(neighbours)
    complete = [
        subset
        for k in range(1, n + 1)
        for subset in itertools.combinations(range(n), k)
        if all(b in neighbours[a] for a, b in itertools.combinations(subset, 2))
    ]
    maximal = [c for c in complete if not any(set(c) < set(d) for d in complete)]
    return tuple(sorted(maximal))


def _separators(cliques: Sequence[Clique]) -> tuple[Clique, ...]:
    """Separators of a junction tree: a maximum-weight spanning tree of the clique graph.

    For a chordal graph any spanning tree maximising the summed intersection sizes has the
    running-intersection property, so its non-empty edge intersections are the separators
    (as a multiset, the same for every junction tree).
    """
    candidates = sorted(
        (
            (-len(set(a) & set(b)), i, j)
            for (i, a), (j, b) in itertools.combinations(enumerate(cliques), 2)
        ),
    )
    component = list(range(len(cliques)))

    def find(i: int) -> int:
        while component[i] != i:
            i = component[i]
        return i

    found: list[Clique] = []
    for negative_size, i, j in candidates:
        root_i, root_j = find(i), find(j)
        if root_i == root_j:
            continue
        component[root_j] = root_i
        if negative_size:
            found.append(tuple(sorted(set(cliques[i]) & set(cliques[j]))))
    return tuple(sorted(found))
