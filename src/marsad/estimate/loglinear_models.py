"""The space of hierarchical log-linear models over J lists, as Rcapture names and searches it:
a model is its generating interactions; every model up to order J - 1 is a candidate.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache

Terms = tuple[tuple[int, ...], ...]
"""A hierarchical model as its generating interactions, lists numbered from 0 in column order.

Main effects are always in the model and need not be listed; `()` is the independence model.
"""


MIN_LISTS = 3
MAX_LISTS = 10
MAX_SEARCH_LISTS = 5
"""Rcapture refuses the full search for 6 lists (about 7.8 million hierarchical models)."""


def candidate_models(n_lists: int) -> list[Terms]:
    """Every hierarchical model with interactions up to order J - 1, as closedpMS.t fits.

    3 lists give 8 models, 4 give 113 and 5 give 6,893 (Rcapture's counts).
    """
    check_list_count(n_lists)
    if n_lists > MAX_SEARCH_LISTS:
        raise ValueError(
            f"searching all log-linear models is limited to {MAX_SEARCH_LISTS} lists "
            f"(6 lists have about 7.8 million hierarchical models); got {n_lists}. "
            "Choose the model by stepwise selection (estimate's search='stepwise')"
        )
    return list(_candidates(n_lists))


@cache
def _candidates(n_lists: int) -> tuple[Terms, ...]:
    """Enumerate down-closed sets of interactions; a term joins only if its faces are in."""
    terms = [c for k in range(2, n_lists) for c in itertools.combinations(range(n_lists), k)]
    found: list[Terms] = []

    def extend(index: int, chosen: frozenset[tuple[int, ...]]) -> None:
        if index == len(terms):
            found.append(generators_of(chosen))
            return
        extend(index + 1, chosen)
        term = terms[index]
        faces = itertools.combinations(term, len(term) - 1)
        if all(face in chosen for face in faces if len(face) >= 2):
            extend(index + 1, chosen | {term})

    extend(0, frozenset())
    return tuple(found)


def generators_of(terms: frozenset[tuple[int, ...]]) -> Terms:
    """Keep the maximal interactions, in Rcapture's name order (higher order first)."""
    maximal = [t for t in terms if not any(t != u and set(t) <= set(u) for u in terms)]
    return tuple(sorted(maximal, key=lambda t: (-len(t), t)))


def normalise_terms(terms: Sequence[Sequence[int]], n_lists: int) -> Terms:
    cleaned: set[tuple[int, ...]] = set()
    for term in terms:
        indices = tuple(sorted(set(term)))
        if any(not 0 <= i < n_lists for i in indices):
            raise ValueError(f"term {tuple(term)} names a list outside 0..{n_lists - 1}")
        if len(indices) == n_lists:
            raise ValueError(
                "the J-way interaction makes the model saturated: the unobserved cell "
                "cannot be estimated"
            )
        if len(indices) >= 2:
            cleaned.add(indices)
    return generators_of(frozenset(cleaned))


@cache
def interactions(terms: Terms) -> list[tuple[int, ...]]:
    """All interactions a hierarchical model contains, in a fixed order."""
    closure = {
        sub
        for term in terms
        for k in range(2, len(term) + 1)
        for sub in itertools.combinations(term, k)
    }
    return sorted(closure, key=lambda t: (len(t), t))


def model_name(terms: Sequence[Sequence[int]], n_lists: int) -> str:
    """Rcapture's notation: generators, then main effects no interaction covers, lists from 1."""
    return terms_name(normalise_terms(terms, n_lists), n_lists)


def terms_name(generators: Terms, n_lists: int) -> str:
    covered = {i for term in generators for i in term}
    parts = [*generators, *((i,) for i in range(n_lists) if i not in covered)]
    return "[" + ",".join("".join(str(i + 1) for i in part) for part in parts) + "]"


def parse_model_name(name: str, n_lists: int) -> Terms:
    """Read Rcapture's notation ("[123,14,34]", lists from 1) back into terms."""
    body = name.strip()
    if not (body.startswith("[") and body.endswith("]")):
        raise ValueError(f"model name {name!r} must look like [12,3,4]")
    parts = [part.strip() for part in body[1:-1].split(",") if part.strip()]
    if any(not part.isdigit() for part in parts):
        raise ValueError(f"model name {name!r} must use list numbers 1..{n_lists}")
    return normalise_terms([tuple(int(digit) - 1 for digit in part) for part in parts], n_lists)


def check_list_count(n_lists: int) -> None:
    if n_lists < MIN_LISTS:
        raise ValueError(
            f"log-linear MSE needs at least {MIN_LISTS} lists (with 2 the dependence between "
            f"them cannot be estimated); got {n_lists}"
        )
    if n_lists > MAX_LISTS:
        raise ValueError(
            f"log-linear MSE here supports at most {MAX_LISTS} lists; got {n_lists}. "
            "Merge lists that overlap in practice"
        )
