"""What reviewers' decisions teach the model: the correction, and what an answer is worth."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from marsad.linkage.explain import weight_to_probability
from marsad.linkage.learn import (
    MIN_EACH,
    MIN_LABELS,
    Correction,
    answer_value,
    fit_correction,
    probabilities,
    too_few,
)

COMPARISONS = ("first_key", "dod")
PLANTED = -3.0
"""Bits the model gives too many to a date of death that disagrees (dod level 0)."""


def labelled(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`n` pairs whose true log-odds are the model's plus PLANTED where the dates disagree."""
    rng = np.random.default_rng(seed)
    gammas = np.column_stack([rng.integers(0, 3, n), rng.integers(-1, 2, n)])
    log_odds = rng.normal(0.0, 2.0, n)
    truth = log_odds + np.where(gammas[:, 1] == 0, PLANTED, 0.0)
    same = rng.random(n) < probabilities(truth)
    return gammas, log_odds, same


def date_effect(correction: Correction) -> float:
    """How much lower the correction puts a disagreeing date than an agreeing one (bits)."""
    return correction.weight([1, 0]) - correction.weight([1, 1])


def test_the_correction_learns_a_planted_effect() -> None:
    correction = fit_correction(COMPARISONS, *labelled(6000, seed=1), applies_below=0.8)
    assert correction is not None
    assert date_effect(correction) == pytest.approx(PLANTED, abs=0.4)
    first_name = [correction.weight([g, 1]) for g in range(3)]
    assert max(first_name) - min(first_name) < 0.4, "no effect was planted on first names"


def test_few_labels_change_little() -> None:
    few = fit_correction(COMPARISONS, *labelled(MIN_LABELS + 10, seed=2), applies_below=0.8)
    many = fit_correction(COMPARISONS, *labelled(6000, seed=2), applies_below=0.8)
    assert few is not None and many is not None
    assert abs(date_effect(few)) < 0.5 * abs(date_effect(many))


def test_one_answer_only_or_too_few_labels_teach_nothing() -> None:
    gammas, log_odds, _ = labelled(500, seed=3)
    assert fit_correction(COMPARISONS, gammas, log_odds, np.ones(500, dtype=bool), 0.8) is None
    assert fit_correction(COMPARISONS, gammas, log_odds, np.zeros(500, dtype=bool), 0.8) is None
    some = np.arange(500) < MIN_EACH - 1
    assert fit_correction(COMPARISONS, gammas, log_odds, some, 0.8) is None
    small = slice(0, MIN_LABELS - 1)
    assert fit_correction(COMPARISONS, gammas[small], log_odds[small], ~some[small], 0.8) is None
    message = too_few(3, 40)
    assert message is not None and "43 reviewers' decisions" in message
    assert too_few(MIN_LABELS, MIN_LABELS) is None


def test_the_correction_survives_the_run_settings_json() -> None:
    correction = fit_correction(COMPARISONS, *labelled(400, seed=4), applies_below=0.8)
    assert correction is not None
    again = Correction.from_dict(json.loads(json.dumps(correction.as_dict())))
    assert again == correction
    vectors = np.array([[0, -1], [2, 0], [1, 1]])
    assert list(again.weights(vectors)) == [correction.weight(v) for v in vectors.tolist()]
    assert correction.labels == 400
    with pytest.raises(ValueError, match="2 comparisons"):
        correction.weights(np.array([[1, 1, 1]]))


def test_the_correction_leaves_the_models_own_links_alone() -> None:
    correction = fit_correction(COMPARISONS, *labelled(400, seed=4), applies_below=0.8)
    assert correction is not None
    vectors = np.array([[1, 0], [1, 0], [1, 0]])
    log_odds = np.array([1.99, 2.01, 5.0])  # 0.8 is 2 bits
    applied = correction.applied(vectors, log_odds)
    assert applied[0] == correction.weight([1, 0]) != 0 and list(applied[1:]) == [0.0, 0.0]
    assert correction.applies(1.99) and not correction.applies(2.01)


def test_probabilities_are_the_explanations() -> None:
    weights = np.array([-2000.0, -3.5, 0.0, 1.25, 2000.0])
    assert probabilities(weights) == pytest.approx([weight_to_probability(w) for w in weights])
    assert math.isfinite(float(probabilities(weights).sum()))


def test_an_answer_is_worth_more_when_it_changes_histories_or_teaches_many_pairs() -> None:
    one, two = frozenset({"A"}), frozenset({"B"})
    across = answer_value(0.6, one, two, waiting_alike=1, labelled_alike=0)
    within = answer_value(0.6, one, one, waiting_alike=1, labelled_alike=0)
    assert across == pytest.approx(3 * within), "two capture histories change, and the count"
    assert answer_value(0.7, one, one, 1, 0) > within, "likelier to join"
    joined = answer_value(0.6, None, one, waiting_alike=1, labelled_alike=0)
    assert joined == pytest.approx(0.4), "already one person: only a rejection changes it"
    common = answer_value(0.6, one, one, waiting_alike=40, labelled_alike=0)
    answered = answer_value(0.6, one, one, waiting_alike=40, labelled_alike=39)
    assert common > across and answered == pytest.approx(within)
