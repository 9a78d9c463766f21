"""Estimates that carry linkage uncertainty: identifiable histories, drawn clusterings, pooling,
the clusterings' chains, and the signs of split lists (pure functions)."""

from __future__ import annotations

import numpy as np
import pytest

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.estimate import split_signals
from marsad.estimate.linkage_draws import Decisions
from marsad.estimate.methods import MethodOptions, fit, lcmcr_settings
from marsad.estimate.pooling import ClusteringFit, mixture_quantile, pool, width_share
from marsad.estimate.population import SPLIT_ACROSS_RECORDS, Population
from marsad.linkage.clusters import cluster_records
from marsad.verify.identifiable import DATE, NAME, PLACE

# Records 1-8: persons 10 (records 1, 2, 3), 11 (4, 5), 12 (6), 13 (7, of another status), 14 (8).
LISTS = {1: "A", 2: "B", 3: "C", 4: "A", 5: "C", 6: "B", 7: "A", 8: "C"}
MISSING: dict[int, tuple[str, ...]] = {
    1: (),
    2: (DATE,),
    3: (),
    4: (NAME,),
    5: (PLACE,),
    6: (),
    7: (),
    8: (NAME, DATE),
}
PERSON_OF = {1: 10, 2: 10, 3: 10, 4: 11, 5: 11, 6: 12, 7: 13, 8: 14}
LABEL_OF: dict[int, str | None] = {10: "north", 11: "north", 12: "south", 13: None, 14: "south"}
POPULATION = Population(LISTS, MISSING, PERSON_OF, LABEL_OF)


def test_a_list_enters_a_history_only_through_an_identifiable_record() -> None:
    persons = POPULATION.persons(POPULATION.stored_groups())
    assert sorted(persons.included, key=lambda p: sorted(p[1])) == [
        ("north", frozenset({"A", "C"})),
        ("south", frozenset({"B"})),
    ]
    histories = persons.histories()
    assert histories.lists == ("A", "B", "C")
    assert histories.counts == {(1, 0, 1): 1, (0, 1, 0): 1}
    assert persons.labelled(histories.lists) == [("north", (1, 0, 1)), ("south", (0, 1, 0))]


def test_who_was_left_out_and_why() -> None:
    left = POPULATION.persons(POPULATION.stored_groups()).left_out.as_dict()
    assert left == {
        "records": 7,
        "records_left_out": 4,
        "records_by_missing": {DATE: 2, NAME: 2, PLACE: 1},
        "persons": 4,
        "persons_left_out": 2,
        "persons_by_missing": {DATE: 1, SPLIT_ACROSS_RECORDS: 1, NAME: 1},
    }


def test_a_drawn_person_takes_the_stratum_of_the_person_most_of_its_records_come_from() -> None:
    merged = POPULATION.persons([[1, 2, 3, 6], [4, 5], [7], [8]])
    assert ("north", frozenset({"A", "B", "C"})) in merged.included
    assert POPULATION.label([6, 4]) == "north", "a tie goes to the lower person id"
    assert POPULATION.label([7, 7, 6]) is None, "a person of another status is not estimated"


def _decisions(**overrides: object) -> Decisions:
    fields: dict[str, object] = {
        "sources": {1: 1, 2: 2, 3: 3, 4: 1, 5: 2},
        "human_matches": [],
        "human_non_matches": [],
        "fixed": [],
        "pairs": [(1, 2), (2, 3), (4, 5)],
        "probabilities": [1.0, 0.0, 0.5],
    }
    fields.update(overrides)
    return Decisions(**fields)  # type: ignore[arg-type]


def test_pairs_are_kept_with_their_probability_and_reviewers_decisions_hold() -> None:
    rng = np.random.default_rng(1)
    groups = [sorted(g) for g in _decisions().draw(rng)]
    assert [1, 2] in groups and [3] in groups
    joined = sum([4, 5] in _decisions().draw(rng) for _ in range(2000))
    assert 900 < joined < 1100
    kept_apart = _decisions(human_non_matches=[(1, 2)]).draw(rng)
    assert [1, 2] not in [sorted(g) for g in kept_apart]
    fixed = _decisions(fixed=[(2, 3)], probabilities=[0.0, 0.0, 0.0]).draw(rng)
    assert [2, 3] in [sorted(g) for g in fixed]
    matched = _decisions(human_matches=[(3, 4)], probabilities=[0.0, 0.0, 0.0]).draw(rng)
    assert [3, 4] in [sorted(g) for g in matched]


def test_the_same_seed_draws_the_same_clusterings() -> None:
    decisions = _decisions(probabilities=[0.5, 0.5, 0.5])
    first = list(decisions.draws(30, seed=4))
    assert first == list(decisions.draws(30, seed=4))
    assert first != list(decisions.draws(30, seed=5))


def test_bad_probabilities_are_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        _decisions(probabilities=[1.5, 0.0, 0.0])
    with pytest.raises(ValueError, match="one probability"):
        _decisions(probabilities=[0.5])


def test_clusters_from_decisions_follow_the_one_list_rule() -> None:
    sources = {1: "A", 2: "B", 3: "A"}
    clusters, refused = cluster_records(sources, sources, [], [], [(1, 2), (2, 3)])
    assert refused == 1, "3 would join 1's person through list B, though both are on list A"
    assert sorted(clusters.groups()) == [[1, 2], [3]]


def _estimate(median: float, low: float, high: float) -> Estimate:
    return Estimate(100, median, (low, high), 0.95, "loglinear", "[1,2,3]")


def test_width_share_is_what_the_spread_between_clusterings_adds() -> None:
    assert width_share((100.0, 200.0), (100.0, 200.0)) == 0.0
    assert width_share((100.0, 200.0), (120.0, 160.0)) == pytest.approx(0.6)
    assert width_share((100.0, 200.0), (90.0, 210.0)) == 0.0
    assert width_share((100.0, float("inf")), (100.0, 150.0)) is None


def test_pooled_draws_keep_one_clusterings_interval_and_widen_with_spread() -> None:
    rng = np.random.default_rng(2)
    same = [
        ClusteringFit(_estimate(1000, 900, 1100), rng.normal(1000, 51, (2, 2000)).astype(np.int64))
        for _ in range(10)
    ]
    pooled = pool(same, 700, 0.95, "lcmcr")
    assert pooled.observed == 700
    assert pooled.estimate == pytest.approx(1000, abs=5)
    assert pooled.interval == pytest.approx((900, 1100), abs=10)
    assert pooled.diagnostics["width_share"] < 0.05
    apart = [
        ClusteringFit(_estimate(c, c - 100, c + 100), rng.normal(c, 51, (2, 2000)).astype(np.int64))
        for c in (800, 1200)
    ]
    spread = pool(apart, 700, 0.95, "lcmcr")
    assert spread.diagnostics["width_share"] > 0.4
    within = spread.diagnostics["within_interval"]
    assert within[1] - within[0] == pytest.approx(200, abs=15)
    assert spread.diagnostics["linkage_draws"] == 2
    assert [c["estimate"] for c in spread.diagnostics["clusterings"]] == [800, 1200]


def test_log_linear_clusterings_pool_as_a_mixture_of_their_intervals() -> None:
    one = _estimate(1000, 900, 1200)
    assert mixture_quantile([one], 0.025) == pytest.approx(900, abs=0.01)
    assert mixture_quantile([one], 0.5) == pytest.approx(1000, abs=0.01)
    assert mixture_quantile([one], 0.975) == pytest.approx(1200, abs=0.01)
    pooled = pool([ClusteringFit(one), ClusteringFit(_estimate(1100, 1000, 1300))], 700, 0.95, "x")
    assert 900 < pooled.interval[0] < 1000 and 1200 < pooled.interval[1] < 1300
    assert pooled.model == "[1,2,3], pooled over 2 clusterings"
    assert 0.0 < pooled.diagnostics["width_share"] < 0.5
    unbounded = _estimate(1000, 900, float("inf"))
    assert mixture_quantile([one, unbounded], 0.975) == float("inf")


def test_each_clustering_runs_short_chains_that_together_give_the_usual_draws() -> None:
    full = lcmcr_settings("default", 4)
    short = lcmcr_settings("default", 4, clusterings=20)
    assert short.chains * short.samples * 20 == full.chains * full.samples
    assert short.burn_in == full.burn_in // 5 and short.stopping is None
    assert lcmcr_settings("fast", 4, clusterings=20).samples == 250
    histories = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 50, (0, 1, 0): 40, (1, 1, 1): 20})
    drawn = fit(histories, MethodOptions(method="dga", clusterings=20))
    assert drawn.draws is not None and drawn.draws.size == 1000


def test_split_lists_are_flagged_by_their_signs() -> None:
    split = CaptureHistories(("A", "B"), {(1, 0): 60, (0, 1): 30, (1, 1): 10})
    joined = CaptureHistories(("A", "B"), {(1, 0): 50, (0, 1): 20, (1, 1): 20})
    assert split_signals.singleton_share(split) == pytest.approx(0.9)
    found = split_signals.singletons(split, [joined, joined])
    assert found is not None and found.code == "split_singletons"
    assert found.values["expected"] == pytest.approx(70 / 90)
    assert split_signals.singletons(joined, [joined]) is None
    assert split_signals.singletons(split, []) is None
    assert split_signals.review_band(4, 100) is None
    assert split_signals.review_band(5, 100) == split_signals.SplitWarning(
        "split_review_band", {"persons": 5, "share": 0.05}
    )
    calibrated = [(0.6, i % 5 < 3) for i in range(100)]
    assert split_signals.calibration(calibrated) is None
    under = [(0.6, True) for _ in range(100)]
    flagged = split_signals.calibration(under)
    assert flagged is not None and flagged.values == {
        "pairs": 100,
        "accepted": 100,
        "predicted": pytest.approx(60),
    }
    assert split_signals.calibration(under[:29]) is None
