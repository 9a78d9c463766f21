"""Decomposable (chordal) graphs on a few labelled vertices, with their cliques and separators.

Madigan & York's model averaging runs over every decomposable graph on the lists. HRDAG's dga
ships these as precomputed lists for 3, 4 and 5 lists; here they are enumerated: every graph
on p vertices is tested for chordality by maximum cardinality search, which also gives its
maximal cliques, and these are joined into a junction tree whose edges give the separators.
3, 4, 5 and 6 vertices give 8, 61, 822 and 18,154 graphs. Past 5 lists dga's average runs by
default over the graphs the bounded search of `marsad.estimate.graph_search` builds one at a
time (`from_edges`).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

Clique = tuple[int, ...]
"""A set of vertices (lists, numbered from 0 in column order), sorted."""

MAX_VERTICES = 6
"""Enumeration tests all 2^(p(p-1)/2) graphs: 1,024 for 5 vertices, 32,768 for 6 (18,154 of
them decomposable, about a second), 2 million for 7."""


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


def from_edges(n_vertices: int, edges: frozenset[tuple[int, int]]) -> DecomposableGraph | None:
    """The decomposable graph with these edges (pairs a < b), or None when it is not chordal.

    Maximum cardinality search (Tarjan & Yannakakis 1984) numbers the vertices; the graph is
    chordal iff every vertex's earlier-numbered neighbours form a clique, and then its maximal
    cliques are the maximal sets {v} + earlier neighbours of v. Quadratic in the vertices, so
    it serves graphs on up to 10 lists where testing every subset would not.
    """
    neighbours = _neighbours(n_vertices, sorted(edges))
    weight = [0] * n_vertices
    numbered: list[int] = []
    earlier: list[frozenset[int]] = []
    remaining = set(range(n_vertices))
    while remaining:
        vertex = max(sorted(remaining), key=lambda v: weight[v])
        before = frozenset(neighbours[vertex] - remaining)
        if any(b not in neighbours[a] for a, b in itertools.combinations(sorted(before), 2)):
            return None
        remaining.remove(vertex)
        numbered.append(vertex)
        earlier.append(before | {vertex})
        for other in neighbours[vertex] & remaining:
            weight[other] += 1
    candidates = set(earlier)
    cliques = sorted(tuple(sorted(c)) for c in candidates if not any(c < d for d in candidates))
    return DecomposableGraph(n_vertices, tuple(cliques), _separators(cliques))


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
            graph = from_edges(n_vertices, frozenset(edges))
            if graph is not None:
                found.append(graph)
    return tuple(found)


def _neighbours(n_vertices: int, edges: Sequence[tuple[int, int]]) -> list[set[int]]:
    neighbours: list[set[int]] = [set() for _ in range(n_vertices)]
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    return neighbours


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
