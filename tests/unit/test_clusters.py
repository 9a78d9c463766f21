from __future__ import annotations

import pytest

from marsad.linkage.clusters import Clusters, assign_person_ids
from marsad.linkage.quality import pairwise_quality


def test_join_and_groups() -> None:
    clusters = Clusters(range(1, 7))
    assert clusters.join(1, 2)
    assert clusters.join(2, 3)
    assert clusters.join(5, 6)
    assert sorted(clusters.groups()) == [[1, 2, 3], [4], [5, 6]]


def test_cannot_link_blocks_chains() -> None:
    clusters = Clusters(range(1, 5))
    clusters.keep_apart(1, 4)
    assert clusters.join(1, 2)
    assert clusters.join(3, 4)
    assert not clusters.join(2, 3), "2–3 would put 1 and 4 together"
    assert clusters.find(1) != clusters.find(4)
    with pytest.raises(ValueError):
        clusters.keep_apart(1, 2)


def test_machine_links_keep_one_lists_records_apart_through_other_lists() -> None:
    sources = {1: "A", 2: "B", 3: "A", 4: "C"}
    clusters = Clusters(sources, sources)
    assert clusters.machine_join(1, 2)
    assert not clusters.machine_join(2, 3), "3 would join 1, another record of list A, via B"
    assert clusters.machine_join(3, 4)
    assert not clusters.machine_join(1, 4), "clusters {1, 2} and {3, 4} both hold list A"
    assert clusters.find(1) != clusters.find(3)


def test_machine_link_of_a_lists_duplicate_pair_is_kept() -> None:
    sources = {1: "A", 2: "A", 3: "B", 4: "A"}
    clusters = Clusters(sources, sources)
    assert clusters.machine_join(1, 3)
    assert clusters.machine_join(2, 1), "a direct link between two records of list A"
    assert not clusters.machine_join(4, 2), "list A is already twice in the cluster"
    assert clusters.find(2) == clusters.find(3)


def test_human_match_ignores_sources_but_machine_links_respect_it() -> None:
    sources = {1: "A", 2: "B", 3: "A"}
    clusters = Clusters(sources, sources)
    assert clusters.join(1, 2)
    assert clusters.join(2, 3), "a reviewer's match joins whatever the lists"
    without = Clusters(sources)
    assert without.machine_join(1, 2)
    assert without.machine_join(2, 3), "without sources, a machine link is a plain join"


def test_person_ids_follow_the_majority_and_larger_groups_choose_first() -> None:
    previous = {1: 10, 2: 10, 3: 10, 4: 11, 5: None}
    groups = [[1, 2], [3], [4, 5]]
    assignment, next_id = assign_person_ids(groups, previous, next_id=12)
    assert assignment[1] == assignment[2] == 10
    assert assignment[3] == 12, "id 10 went to the larger group"
    assert assignment[4] == assignment[5] == 11
    assert next_id == 13


def test_pairwise_quality() -> None:
    truth = {"a": 1, "b": 1, "c": 1, "d": 2, "e": 3}
    predicted = {"a": 7, "b": 7, "c": 8, "d": 8, "e": 9}
    quality = pairwise_quality(truth, predicted)
    assert quality.true_pairs == 3
    assert quality.predicted_pairs == 2
    assert quality.correct_pairs == 1
    assert quality.precision == pytest.approx(0.5)
    assert quality.recall == pytest.approx(1 / 3)
