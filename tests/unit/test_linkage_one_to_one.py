"""The prior's fallback and one-to-one scoring between lists (`marsad.linkage.prior`,
`marsad.linkage.one_to_one`)."""

from __future__ import annotations

import numpy as np
import pytest

from marsad.linkage import one_to_one as oto
from marsad.linkage import prior as pr


def test_a_flat_likelihood_is_not_identified_and_a_steep_one_is() -> None:
    pairs = 100_000.0
    # Bayes factors summing to about the number of pairs: the lists say nothing.
    flat = np.full(400, 250.0)
    assert pr.likelihood_ratio(flat, pairs, 5e-5) < pr.CHI2_1_95
    # 300 pairs at 2^20: many pairs are surely one person.
    steep = np.concatenate([np.full(300, 2.0**20), np.full(5_000, 0.01)])
    assert pr.likelihood_ratio(steep, pairs, 300 / pairs) > 100


def test_likelihood_ratio_is_zero_at_no_match() -> None:
    assert pr.likelihood_ratio(np.array([3.0, 0.5]), 1_000.0, 0.0) == 0.0


def test_overlap_beyond_chance_subtracts_chance_agreement_of_the_fields_both_carry() -> None:
    sizes = {"a": 300, "b": 200}
    u = {"first_key": 0.1, "father_key": 0.2, "dod": 0.5}
    # List b carries no father's name: the father cannot agree by chance across a and b.
    carried = {"a": {"first_key": 1.0, "father_key": 1.0, "dod": 1.0}, "b": {"first_key": 1.0}}
    carried["b"]["dod"] = 1.0
    chance = 300 * 200 * 0.1 * 0.5
    assert pr.alike_beyond_chance(3_250, sizes, carried, u) == pytest.approx(250)
    assert pr.alike_beyond_chance(int(chance) - 10, sizes, carried, u) == 0.0


def test_the_prior_says_how_it_was_set() -> None:
    fallback = pr.Prior(1e-3, pr.OVERLAP, 0.16, 5e-5, 280.0)
    assert "do not identify the prior" in fallback.describe()
    assert fallback.as_dict()["how"] == "overlap"
    assert "estimated by EM" in pr.Prior(2e-4, pr.ESTIMATED, 500.0).describe()


def test_link_odds_grow_as_the_lists_run_out_of_unlinked_records() -> None:
    assert oto.link_odds(0, 100, 100) == pytest.approx(1 / 10_000)
    assert oto.link_odds(80, 100, 100) == pytest.approx(81 / 400)
    # Never more links than the smaller list has records.
    assert np.isfinite(oto.link_odds(500, 100, 120))


def test_assignment_keeps_each_record_once_and_maximises_the_sum() -> None:
    a = np.array([1, 1, 2, 2, 3])
    b = np.array([10, 11, 10, 11, 12])
    log_odds = np.array([5.0, 4.0, 4.5, 1.0, -2.0])
    chosen = oto.assign(a, b, log_odds)
    # 1-11 + 2-10 (8.5) beats 1-10 + 2-11 (6.0); 3-12 has negative log-odds: unlinked.
    assert chosen.tolist() == [False, True, True, False, False]


def one_cell(a: list[int], b: list[int], bits: float) -> tuple[np.ndarray, ...]:
    """Every pair between records `a` and `b`, all agreeing equally (`bits`)."""
    left = np.array([i for i in a for _ in b])
    right = np.array([j for _ in a for j in b])
    return left, right, np.full(len(left), bits)


def test_a_mutual_unique_best_pair_reaches_the_threshold_and_namesakes_do_not() -> None:
    # Lists of 350 records, 250 links expected: theta = 251 / (100 * 100).
    lonely = oto.one_to_one(*one_cell([1], [2], 8.2), 250, 350, 350)
    assert lonely[0] > 0.8
    # Two indistinguishable records on each list: either pairing, never a machine link.
    pair_of_pairs = oto.one_to_one(*one_cell([1, 2], [3, 4], 8.2), 250, 350, 350)
    held = pair_of_pairs[~np.isnan(pair_of_pairs)]
    assert len(held) == 2 and (held < 0.5).all()
    # One record and two namesakes on the other list: a coin toss.
    one_of_two = oto.one_to_one(*one_cell([1], [3, 4], 8.2), 250, 350, 350)
    assert np.nanmax(one_of_two) < 0.5
    # Few links expected: the same lonely pair is not worth a link; it keeps its score.
    assert np.isnan(oto.one_to_one(*one_cell([1], [2], 8.2), 20, 350, 350)[0])


def test_a_candidate_taken_by_a_better_link_is_no_competition() -> None:
    # 1-10 agree fully; 2-11 agree fully; 1-11 agree partly (11 is taken by 2, a better link).
    a, b = np.array([1, 2, 1]), np.array([10, 11, 11])
    bits = np.array([8.2, 8.2, 3.0])
    scored = oto.one_to_one(a, b, bits, 250, 350, 350)
    alone = oto.one_to_one(np.array([1]), np.array([10]), np.array([8.2]), 250, 350, 350)
    assert scored[0] == pytest.approx(alone[0])
    assert np.isnan(scored[2])


def test_a_list_with_a_likely_duplicate_is_not_read_as_a_set() -> None:
    a_list = np.array([1, 1, 2, 3])
    b_list = np.array([2, 1, 3, 3])
    probability = np.array([0.9, 0.7, 0.9, 0.2])
    assert oto.lists_read_as_sets(a_list, b_list, probability, 0.5) == {2, 3}


def test_rescore_changes_only_pairs_between_lists_read_as_sets() -> None:
    a = np.array([1, 1, 5])
    b = np.array([2, 3, 6])
    a_list = np.array([7, 7, 9])
    b_list = np.array([8, 7, 8])
    prior = 1e-3
    probability = np.array([0.3, 0.3, 0.3])
    sizes = {7: 350, 8: 350, 9: 350}
    out = oto.rescore(a, b, a_list, b_list, probability, prior, sizes, {7, 8})
    assert out[0] != probability[0]
    assert out[1] == probability[1] and out[2] == probability[2]


def test_an_explanation_shows_the_one_to_one_competition_and_still_adds_up() -> None:
    from marsad.linkage.explain import ONE_TO_ONE, explain

    model = {
        "probability_two_random_records_match": 0.001,
        "comparisons": [
            {
                "output_column_name": "first_key",
                "comparison_levels": [
                    {"sql_condition": "n", "is_null_level": True},
                    {"sql_condition": "=", "m_probability": 0.9, "u_probability": 0.1},
                    {"sql_condition": "ELSE", "m_probability": 0.1, "u_probability": 0.9},
                ],
            }
        ],
    }
    plain = explain(model, [1], 0.85, [3.17])
    assert all(c.comparison != ONE_TO_ONE for c in plain.contributions)
    raised = explain(model, [1], 0.85, [3.17], one_to_one=True)
    assert raised.contributions[-1].comparison == ONE_TO_ONE
    assert raised.probability == 0.85
    assert 2**raised.total_weight / (1 + 2**raised.total_weight) == pytest.approx(0.85)
