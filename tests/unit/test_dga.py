from __future__ import annotations

import itertools
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from marsad.domain.estimates import CaptureHistories
from marsad.estimate import graph_search
from marsad.estimate.decomposable import decomposable_graphs, from_edges
from marsad.estimate.dga import (
    TAIL_MASS,
    Posterior,
    estimate,
    posterior,
    sample_posterior,
)
from marsad.estimate.histories import read_histories_csv

DATA = Path(__file__).resolve().parents[1] / "data" / "mse"
REFERENCE: dict[str, Any] = json.loads((DATA / "reference-results.json").read_text())
WITH_DGA = sorted(name for name, entry in REFERENCE.items() if name != "_meta" and entry.get("dga"))
DEFAULT_PRIOR_RUNS = [
    (name, key)
    for name in WITH_DGA
    for key, run in sorted(REFERENCE[name]["dga"].items())
    if run["prior"].startswith("1/N")
]
QUANTILES = {"q025": 0.025, "q05": 0.05, "median": 0.5, "q95": 0.95, "q975": 0.975}


@cache
def _histories(name: str) -> CaptureHistories:
    return read_histories_csv(DATA / f"{name}.csv")


def _grid(run: dict[str, Any]) -> tuple[int, int]:
    start, end = (int(part) for part in run["Nmissing"].split(":"))
    return start, end


@cache
def _reference_posterior(name: str, key: str) -> Posterior:
    run = REFERENCE[name]["dga"][key]
    return posterior(_histories(name), delta=run["delta"], n_max=_grid(run)[1])


@cache
def _default(name: str) -> Posterior:
    return posterior(_histories(name))


def _top_graphs(text: str) -> list[tuple[frozenset[frozenset[str]], float]]:
    """Read "[A,B][C] 0.9 ; [A][B][C] 0.1" into sets of cliques and weights."""
    graphs = []
    for part in text.split(" ; "):
        name, weight = part.rsplit(" ", 1)
        cliques = frozenset(frozenset(c.split(",")) for c in re.findall(r"\[([^\]]*)\]", name))
        graphs.append((cliques, float(weight)))
    return graphs


# --- graphs -----------------------------------------------------------------------------


def test_the_datasets_with_a_dga_reference_are_the_expected_ones() -> None:
    assert WITH_DGA == [
        "hiv_rome",
        "kosovo",
        "lesbian_allegheny",
        "madigan_york_5list",
        "spina_bifida_3list",
    ]


@pytest.mark.parametrize(("n_vertices", "count"), [(1, 1), (2, 2), (3, 8), (4, 61), (5, 822)])
def test_decomposable_graph_counts(n_vertices: int, count: int) -> None:
    graphs = decomposable_graphs(n_vertices)
    assert len(graphs) == count
    assert len({graph.edges for graph in graphs}) == count


@pytest.mark.parametrize("n_vertices", [3, 4, 5])
def test_cliques_and_separators_form_junction_trees(n_vertices: int) -> None:
    for graph in decomposable_graphs(n_vertices):
        cliques = [set(c) for c in graph.cliques]
        assert set().union(*cliques) == set(range(n_vertices))
        assert not any(a < b for a, b in itertools.permutations(cliques, 2))
        for separator in graph.separators:
            assert sum(set(separator) <= c for c in cliques) >= 2
        # In a junction tree every vertex lies in one more clique than separators.
        for v in range(n_vertices):
            in_cliques = sum(v in c for c in graph.cliques)
            in_separators = sum(v in s for s in graph.separators)
            assert in_cliques - in_separators == 1


def test_graphs_with_a_four_cycle_are_excluded() -> None:
    cycle = frozenset({(0, 1), (1, 2), (2, 3), (0, 3)})
    edges = {graph.edges for graph in decomposable_graphs(4)}
    assert cycle not in edges
    assert cycle | {(0, 2)} in edges


def test_graph_names_use_list_labels() -> None:
    graph = next(g for g in decomposable_graphs(3) if g.cliques == ((0, 1), (2,)))
    assert graph.name(["BC", "DC", "MR"]) == "[BC,DC][MR]"
    with pytest.raises(ValueError, match="labels"):
        graph.name(["BC"])


# --- agreement with dga -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "key"), DEFAULT_PRIOR_RUNS)
def test_quantiles_match_dga(name: str, key: str) -> None:
    run = REFERENCE[name]["dga"][key]
    post = _reference_posterior(name, key)
    start, _ = _grid(run)
    # A grid from n0 = 1 (dga's package example) drops n0 = 0: check that its mass is nil.
    assert float(post.probabilities[:start].sum()) < 1e-6
    assert abs(post.quantile(0.5) - run["median"]) <= 0.02 * run["median"]
    for field, q in QUANTILES.items():
        assert abs(post.quantile(q) - run[field]) <= 1, field


@pytest.mark.parametrize(("name", "key"), DEFAULT_PRIOR_RUNS)
def test_moments_mode_and_tail_match_dga(name: str, key: str) -> None:
    run = REFERENCE[name]["dga"][key]
    post = _reference_posterior(name, key)
    assert post.mean == pytest.approx(run["mean"], rel=1e-6)
    assert post.sd == pytest.approx(run["sd"], rel=1e-5)
    assert abs(post.mode - run["mode"]) <= 1
    assert post.tail_mass == pytest.approx(run["tail_mass_last20pct"], rel=1e-2)
    assert len(post.graphs) == run["n_models"]


@pytest.mark.parametrize(("name", "key"), DEFAULT_PRIOR_RUNS)
def test_top_graphs_match_dga(name: str, key: str) -> None:
    post = _reference_posterior(name, key)
    order = np.argsort(-post.graph_weights)
    for rank, (cliques, weight) in enumerate(_top_graphs(REFERENCE[name]["dga"][key]["top3"])):
        graph = post.graphs[int(order[rank])]
        ours = frozenset(frozenset(post.lists[v] for v in clique) for clique in graph.cliques)
        assert ours == cliques
        assert float(post.graph_weights[order[rank]]) == pytest.approx(weight, abs=6e-5)


@pytest.mark.parametrize("name", WITH_DGA)
def test_default_grid_gives_dga_answers(name: str) -> None:
    run = REFERENCE[name]["dga"]["default"]
    result = estimate(_histories(name))
    assert result.method == "dga"
    assert result.observed == _histories(name).observed
    assert abs(result.estimate - run["median"]) <= 1
    assert abs(result.interval[0] - run["q025"]) <= 1
    assert abs(result.interval[1] - run["q975"]) <= 1
    grid = result.diagnostics["grid"]
    assert grid["totals"][0] == result.observed
    assert grid["points"] == grid["missing"][1] + 1
    assert result.diagnostics["tail_mass"] < TAIL_MASS
    assert result.diagnostics["warnings"] == []
    assert result.diagnostics["n_graphs"] == run["n_models"]
    assert json.loads(json.dumps(result.as_dict()))["method"] == "dga"


def test_diagnostics_list_the_top_graphs_by_weight() -> None:
    result = estimate(_histories("kosovo"))
    top = result.diagnostics["top_graphs"]
    weights = [entry["weight"] for entry in top]
    assert weights == sorted(weights, reverse=True)
    best, _ = _top_graphs(REFERENCE["kosovo"]["dga"]["default"]["top3"])[0]
    assert frozenset(frozenset(c) for c in top[0]["cliques"]) == best
    assert result.diagnostics["delta"] == REFERENCE["kosovo"]["dga"]["default"]["delta"]


# --- properties -------------------------------------------------------------------------


def test_probabilities_and_graph_weights_are_distributions() -> None:
    post = _default("madigan_york_5list")
    assert float(post.probabilities.sum()) == pytest.approx(1.0, abs=1e-12)
    assert float(post.graph_weights.sum()) == pytest.approx(1.0, abs=1e-9)
    assert np.all(post.probabilities >= 0.0)
    assert list(post.totals[:2]) == [post.observed, post.observed + 1]


@pytest.mark.parametrize("q", [0.025, 0.5, 0.975])
def test_quantile_is_the_smallest_total_whose_cdf_reaches_q(q: float) -> None:
    post = _default("spina_bifida_3list")
    cdf = np.cumsum(post.probabilities)
    index = int(np.flatnonzero(post.totals == post.quantile(q))[0])
    assert cdf[index] >= q
    assert index == 0 or cdf[index - 1] < q


def test_uniform_prior_reweights_the_posterior_by_n() -> None:
    histories = _histories("lesbian_allegheny")
    inverse = posterior(histories, n_max=6000)
    uniform = posterior(histories, prior="uniform", n_max=6000)
    ratio = uniform.probabilities / inverse.probabilities
    assert np.allclose(ratio / ratio[0], inverse.totals / inverse.totals[0], rtol=1e-8)
    assert uniform.quantile(0.5) > inverse.quantile(0.5)


def test_list_order_does_not_change_the_posterior() -> None:
    histories = _histories("kosovo")
    order = [2, 0, 3, 1]
    permuted = CaptureHistories(
        lists=tuple(histories.lists[i] for i in order),
        counts={tuple(p[i] for i in order): c for p, c in histories.counts.items()},
    )
    a = posterior(histories, n_max=30000)
    b = posterior(permuted, n_max=30000)
    assert np.allclose(a.probabilities, b.probabilities, rtol=1e-9, atol=1e-300)


def test_empty_lists_are_dropped_with_a_warning() -> None:
    histories = _histories("spina_bifida_3list")
    padded = CaptureHistories(
        lists=(*histories.lists, "EMPTY"),
        counts={(*p, 0): c for p, c in histories.counts.items()},
    )
    result = estimate(padded, n_max=5000)
    plain = estimate(histories, n_max=5000)
    assert result.estimate == plain.estimate
    assert result.interval == plain.interval
    assert result.diagnostics["lists"] == list(histories.lists)
    assert any("EMPTY" in note for note in result.diagnostics["warnings"])


def test_a_short_grid_is_flagged() -> None:
    result = estimate(_histories("kosovo"), n_max=9000)
    assert result.diagnostics["tail_mass"] > TAIL_MASS
    assert any("raise n_max" in note for note in result.diagnostics["warnings"])


def test_larger_delta_changes_the_answer() -> None:
    histories = _histories("madigan_york_5list")
    assert posterior(histories, delta=0.5, n_max=400).mean != pytest.approx(
        posterior(histories, n_max=400).mean, rel=1e-6
    )


# --- sampling -----------------------------------------------------------------------------


def test_samples_follow_the_posterior_and_repeat_with_a_seed() -> None:
    histories = _histories("madigan_york_5list")
    post = _default("madigan_york_5list")
    draws = sample_posterior(histories, 20000, seed=7)
    assert draws.dtype == np.int64
    assert draws.shape == (20000,)
    assert np.array_equal(draws, sample_posterior(histories, 20000, seed=7))
    assert set(np.unique(draws)) <= set(post.totals.tolist())
    assert abs(float(draws.mean()) - post.mean) < 4.0 * post.sd / np.sqrt(len(draws))
    assert abs(float(np.median(draws)) - post.quantile(0.5)) <= 2
    assert len(post.sample(0, seed=1)) == 0


# --- refusals -----------------------------------------------------------------------------


def _table(n_lists: int) -> CaptureHistories:
    patterns = [p for p in itertools.product((0, 1), repeat=n_lists) if any(p)]
    return CaptureHistories(
        lists=tuple(f"L{i}" for i in range(n_lists)),
        counts={p: 10 + sum(p) for p in patterns},
    )


@pytest.mark.parametrize("n_lists", [2, 11])
def test_refuses_list_counts_outside_three_to_ten(n_lists: int) -> None:
    with pytest.raises(ValueError, match="3 to 10 lists"):
        estimate(_table(n_lists))


@pytest.mark.parametrize("n_vertices", [3, 4, 5])
def test_graphs_built_from_edges_are_the_enumerated_ones(n_vertices: int) -> None:
    pairs = list(itertools.combinations(range(n_vertices), 2))
    built = [
        graph
        for k in range(len(pairs) + 1)
        for edges in itertools.combinations(pairs, k)
        if (graph := from_edges(n_vertices, frozenset(edges))) is not None
    ]
    assert built == list(decomposable_graphs(n_vertices))
    square = frozenset({(0, 1), (1, 2), (2, 3), (0, 3)})
    assert from_edges(4, square) is None


@pytest.mark.parametrize("name", WITH_DGA)
def test_the_bounded_search_finds_the_graphs_that_matter(name: str) -> None:
    """Searching instead of enumerating (as past 5 lists) keeps almost all the posterior mass
    of every graph and gives dga's quantiles."""
    exact = _default(name)
    found = posterior(_histories(name), search=True)
    weights = {g.edges: w for g, w in zip(exact.graphs, exact.graph_weights, strict=True)}
    assert sum(weights[g.edges] for g in found.graphs) > 0.999
    assert found.searched and not exact.searched
    for q in (0.025, 0.5, 0.975):
        assert found.quantile(q) == exact.quantile(q)


def test_six_lists_are_averaged_over_searched_graphs_as_over_all_of_them() -> None:
    """The snowshoe hares (6 lists): every one of the 18,154 decomposable graphs, against the
    graphs the search keeps; both beside LCMCR's reference, 76 (70-90)."""
    hares = _histories("snowshoe_hare")
    every = posterior(hares, search=False)
    assert len(every.graphs) == 18_154
    searched = estimate(hares)
    assert searched.diagnostics["graphs"] == "found by a bounded search"
    assert searched.diagnostics["n_graphs"] <= graph_search.MAX_GRAPHS
    low, high = searched.interval
    assert abs(every.quantile(0.025) - low) <= 1 and abs(every.quantile(0.975) - high) <= 1
    assert abs(every.quantile(0.5) - searched.estimate) <= 1
    assert (searched.interval[0], searched.estimate, searched.interval[1]) == (70, 77, 91)
    assert estimate(hares, seed=2).estimate == searched.estimate


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"delta": 0.0}, "delta"),
        ({"delta": float("nan")}, "delta"),
        ({"prior": "flat"}, "prior"),
        ({"n_max": -1}, "n_max"),
        ({"level": 1.0}, "level"),
    ],
)
def test_refuses_bad_settings(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        estimate(_table(3), **options)


def test_refuses_a_bad_quantile_level() -> None:
    with pytest.raises(ValueError, match="quantile"):
        _default("spina_bifida_3list").quantile(1.5)
