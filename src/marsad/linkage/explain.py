"""Why the model scored a pair as it did, rebuilt from its comparison vector and the saved model.

A model decision keeps only its comparison vector (`gammas`) and the run's Splink model (the
dict from `linker.misc.save_model_to_json`), so the explanation is rebuilt here exactly as
Splink reads a saved model: in each comparison the null level has the value -1 and the other
levels count down to 0 in list order; a level saved without an m or u probability (not
trained) takes Splink's default. Term-frequency adjustments are not in the vector: with them,
the stored probability can differ from the one the weights give.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from marsad.linkage.learn import REVIEWERS, Correction

DEFAULT_PRIOR = 0.0001
"""Splink's `probability_two_random_records_match` when the model does not say."""
ONE_TO_ONE = "one_to_one"
"""The contribution of one-to-one scoring between two lists (`marsad.linkage.one_to_one`)."""
ONE_TO_ONE_ROUNDING = 0.05
"""Bits between a stored score and its comparisons' sum that rounding explains (weights are
stored to 3 decimals, scores to 12 digits): a larger difference is one-to-one scoring."""


@dataclass(frozen=True)
class Contribution:
    """One comparison's say: the level the pair fell in and its match weight log2(m/u).

    `weight` is None for a null level (a value missing on either side), which contributes 0.
    The correction reviewers' decisions taught the model (`marsad.linkage.learn`) is a
    contribution of its own, named `learn.REVIEWERS`, with no level value (`gamma` None).
    """

    comparison: str
    level: str
    gamma: int | None
    weight: float | None


@dataclass(frozen=True)
class PairExplanation:
    """The prior, each comparison's contribution and their total (all match weights, in bits).

    `probability` is the decision's stored probability, or the one the total gives when none
    was stored.
    """

    prior_weight: float
    contributions: tuple[Contribution, ...]
    total_weight: float
    probability: float


def weight_to_probability(weight: float) -> float:
    """2^w / (1 + 2^w), written so that no weight overflows."""
    if weight >= 0:
        return 1 / (1 + math.pow(2.0, -weight))
    factor = math.pow(2.0, weight)
    return factor / (1 + factor)


def model_prior_weight(model: Mapping[str, Any]) -> float:
    """The match weight (bits) of the model's prior: where every pair starts."""
    prior = float(model.get("probability_two_random_records_match") or DEFAULT_PRIOR)
    return math.log2(prior / (1 - prior)) if prior < 1 else math.inf


def default_m(num_levels: int) -> list[float]:
    """Splink's default m probabilities, indexed by comparison vector value."""
    exact = 0.95
    return [(1 - exact) / (num_levels - 1)] * (num_levels - 1) + [exact]


def default_u(num_levels: int) -> list[float]:
    """Splink's default u probabilities: weights spread from -5 to 3, and 10 for the top level."""
    if num_levels == 2:
        weights = [-5.0]
    else:
        step = 8 / (num_levels - 2)
        weights = [-5 + i * step for i in range(num_levels - 1)]
    weights.append(10.0)
    return [m / math.pow(2.0, w) for m, w in zip(default_m(num_levels), weights, strict=True)]


def _level_weight(level: Mapping[str, Any], gamma: int, num_levels: int) -> float:
    m = level.get("m_probability") or default_m(num_levels)[gamma]
    u = level.get("u_probability") or default_u(num_levels)[gamma]
    return math.log2(float(m) / float(u))


def _contribution(index: int, comparison: Mapping[str, Any], gamma: int) -> Contribution:
    name = str(comparison.get("output_column_name") or f"comparison {index + 1}")
    levels: Sequence[Mapping[str, Any]] = comparison["comparison_levels"]
    num_levels = sum(1 for level in levels if not level.get("is_null_level"))
    value = num_levels - 1
    for level in levels:
        is_null = bool(level.get("is_null_level"))
        level_gamma = -1 if is_null else value
        if not is_null:
            value -= 1
        if level_gamma == gamma:
            label = str(level.get("label_for_charts") or gamma)
            weight = None if is_null else _level_weight(level, gamma, num_levels)
            return Contribution(name, label, gamma, weight)
    raise ValueError(f"comparison {name!r} has no level with comparison vector value {gamma}")


def explain(
    model: Mapping[str, Any],
    gammas: Sequence[int],
    probability: float | None,
    weights: Sequence[float] | None = None,
    correction: Correction | None = None,
    one_to_one: bool = False,
) -> PairExplanation:
    """Explain one scored pair from the saved model and its comparison vector.

    `weights`, when the run stored them, are Splink's own per-comparison weights with
    term-frequency adjustments, so the explanation adds up to the stored score; without them
    each level's weight is log2(m/u) from the model. `correction`, when the run learned one
    from reviewers' decisions and it applies to the pair (the model scored it below the match
    threshold), is the last contribution: the stored score includes it. With `one_to_one` (the
    run scored pairs between lists one to one), a stored `probability` that differs from what
    the comparisons add up to by more than rounding was scored one to one between two lists
    (`marsad.linkage.one_to_one`): the difference is a contribution of its own, `ONE_TO_ONE`,
    the competition the pair has on the other list.
    """
    comparisons: Sequence[Mapping[str, Any]] = model["comparisons"]
    if len(gammas) != len(comparisons):
        raise ValueError(
            f"the comparison vector has {len(gammas)} values but the model has "
            f"{len(comparisons)} comparisons"
        )
    prior_weight = model_prior_weight(model)
    contributions = tuple(
        _contribution(i, comparison, int(gamma))
        for i, (comparison, gamma) in enumerate(zip(comparisons, gammas, strict=True))
    )
    if weights is not None:
        contributions = tuple(
            c if c.weight is None and w == 0 else replace(c, weight=float(w))
            for c, w in zip(contributions, weights, strict=True)
        )
    total = prior_weight + sum(c.weight for c in contributions if c.weight is not None)
    if correction is not None and correction.applies(total):
        weight = correction.weight(gammas)
        contributions = (
            *contributions,
            Contribution(REVIEWERS, f"{correction.labels:,} decisions", None, weight),
        )
        total += weight
    if (
        one_to_one
        and probability is not None
        and weights is not None
        and 1e-9 < probability < 1 - 1e-9
    ):
        competition = math.log2(probability / (1.0 - probability)) - total
        if abs(competition) > ONE_TO_ONE_ROUNDING:
            contributions = (
                *contributions,
                Contribution(ONE_TO_ONE, "one to one between two lists", None, competition),
            )
            total += competition
    return PairExplanation(
        prior_weight=prior_weight,
        contributions=contributions,
        total_weight=total,
        probability=weight_to_probability(total) if probability is None else probability,
    )
