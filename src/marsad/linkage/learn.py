"""What reviewers' decisions teach the model: a correction to its log-odds, learned from labels.

Every pair a reviewer accepted or rejected is a label. Splink's label-based m estimation
(`estimate_m_from_pairwise_labels`) counts every label as a match and ignores rejections, and
the pairs reviewers see are the review band, not a random sample of matches: its m would lean
toward whatever the band holds. So labels are used instead to correct the model where it is
wrong: a logistic regression of the labels on the pairs' comparison levels (one-hot, every
level of every comparison, and a constant) with the model's own log-odds as an offset. Where
the model is right the coefficients stay at zero; where reviewers keep rejecting a level the
model trusts, that level's coefficient goes negative. Because the fit conditions on the
comparison levels, choosing which pairs to review by their score (a function of those levels)
does not bias it, as it would bias a count of matches.

An L2 penalty pulls every coefficient toward zero, as `PENALTY` pseudo-observations would: a
handful of labels moves the model little, thousands move it as far as they say. The fit is
statsmodels' penalised GLM (`GLM.fit_regularized` with `L1_wt=0`, which takes the offset).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import statsmodels.api as sm

MIN_LABELS = 50
"""Fewer labelled pairs than this teach nothing: the model is used as EM left it."""
MIN_EACH = 10
"""Nor when either answer (same person, not the same) has fewer labels than this: with one
class the fit can only push every score one way."""
PENALTY = 20.0
"""The L2 penalty on each coefficient (in nats²), as if each level had about 4 × PENALTY labels
agreeing with the model already."""
REVIEWERS = "reviewers"
"""The name of the correction's contribution in an explanation, beside the comparisons'."""

_BITS = math.log(2)


@dataclass(frozen=True)
class Correction:
    """How far reviewers' labels say the model's log-odds are off, by comparison level (bits).

    A pair's correction is the constant plus the weight of each of its levels; a level no
    label fell in has none. It applies only to pairs the model scores below `applies_below`
    (the match threshold): labels come from the pairs the model was unsure of, and an
    extrapolation from them should not undo the links the model makes by itself.
    """

    comparisons: tuple[str, ...]
    constant: float
    levels: Mapping[str, Mapping[int, float]]
    """comparison -> comparison vector value (-1 for the null level) -> bits"""
    matches: int
    non_matches: int
    applies_below: float
    """a model probability: pairs scored at or above it keep the model's score"""

    @property
    def labels(self) -> int:
        return self.matches + self.non_matches

    def weights(self, gammas: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """The correction (bits) of each row of a matrix of comparison vectors."""
        if gammas.ndim != 2 or gammas.shape[1] != len(self.comparisons):
            raise ValueError(
                f"the comparison vectors have {gammas.shape[-1]} values but the correction "
                f"was learned on {len(self.comparisons)} comparisons"
            )
        out = np.full(len(gammas), self.constant)
        for j, name in enumerate(self.comparisons):
            for gamma, weight in self.levels.get(name, {}).items():
                out += np.where(gammas[:, j] == gamma, weight, 0.0)
        return out

    def weight(self, gammas: Sequence[int]) -> float:
        """The correction (bits) of one comparison vector."""
        return float(self.weights(np.asarray([gammas], dtype=np.int64))[0])

    def applied(
        self, gammas: np.ndarray[Any, Any], log_odds: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """The correction (bits) each pair gets given the model's log-odds (bits): none at
        or above `applies_below`."""
        ceiling = math.log2(self.applies_below / (1 - self.applies_below))
        out: np.ndarray[Any, Any] = np.where(log_odds < ceiling, self.weights(gammas), 0.0)
        return out

    def applies(self, log_odds: float) -> bool:
        """Whether a pair the model scores at `log_odds` (bits) is corrected."""
        return bool(log_odds < math.log2(self.applies_below / (1 - self.applies_below)))

    def as_dict(self) -> dict[str, Any]:
        """JSON for the link run's settings."""
        return {
            "comparisons": list(self.comparisons),
            "constant": self.constant,
            "levels": {
                name: {str(gamma): weight for gamma, weight in sorted(table.items())}
                for name, table in self.levels.items()
            },
            "matches": self.matches,
            "non_matches": self.non_matches,
            "applies_below": self.applies_below,
            "penalty": PENALTY,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Correction:
        return cls(
            comparisons=tuple(str(c) for c in data["comparisons"]),
            constant=float(data["constant"]),
            levels={
                str(name): {int(gamma): float(weight) for gamma, weight in table.items()}
                for name, table in data["levels"].items()
            },
            matches=int(data["matches"]),
            non_matches=int(data["non_matches"]),
            applies_below=float(data["applies_below"]),
        )

    def describe(self) -> str:
        return (
            f"learned from {self.labels:,} reviewers' decisions "
            f"({self.matches:,} same person, {self.non_matches:,} not)"
        )


def probabilities(log_odds: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Match probabilities from log-odds in bits, 2^w / (1 + 2^w), overflowing for no w."""
    weights: np.ndarray[Any, Any] = np.asarray(log_odds, dtype=float)
    out: np.ndarray[Any, Any] = np.exp2(-np.logaddexp2(0.0, -weights))
    return out


def too_few(matches: int, non_matches: int) -> str | None:
    """Why labels this many are too few to learn from; None when they are enough."""
    if matches + non_matches < MIN_LABELS or min(matches, non_matches) < MIN_EACH:
        return (
            f"{matches + non_matches:,} reviewers' decisions ({matches:,} same person, "
            f"{non_matches:,} not) are too few to learn from: it takes {MIN_LABELS}, "
            f"at least {MIN_EACH} of each, on pairs the model scored"
        )
    return None


def fit_correction(
    comparisons: Sequence[str],
    gammas: np.ndarray[Any, Any],
    log_odds: np.ndarray[Any, Any],
    same: np.ndarray[Any, Any],
    applies_below: float,
) -> Correction | None:
    """The correction that labelled pairs teach, or None when they are too few (`too_few`).

    `gammas` are the labelled pairs' comparison vectors (one row per pair), `log_odds` the
    model's log-odds for each (bits, the offset), `same` whether a reviewer said they are one
    person; the correction applies to pairs scored below `applies_below` (a probability).
    """
    labels = np.asarray(same, dtype=bool)
    matches = int(labels.sum())
    if too_few(matches, len(labels) - matches) is not None:
        return None
    vectors = np.asarray(gammas, dtype=np.int64)
    columns = [
        (j, int(gamma))
        for j in range(len(comparisons))
        for gamma in sorted(set(vectors[:, j].tolist()))
    ]
    design = np.column_stack(
        [np.ones(len(labels))] + [(vectors[:, j] == gamma).astype(float) for j, gamma in columns]
    )
    model = sm.GLM(
        labels.astype(float),
        design,
        family=sm.families.Binomial(),
        offset=np.asarray(log_odds, dtype=float) * _BITS,
    )
    # statsmodels divides the log-likelihood by the number of labels; the penalty must not be.
    fitted = model.fit_regularized(alpha=PENALTY / len(labels), L1_wt=0.0)
    bits = np.round(np.asarray(fitted.params, dtype=float) / _BITS, 4)
    levels: dict[str, dict[int, float]] = {}
    for (j, gamma), weight in zip(columns, bits[1:], strict=True):
        levels.setdefault(comparisons[j], {})[gamma] = float(weight)
    return Correction(
        comparisons=tuple(comparisons),
        constant=float(bits[0]),
        levels=levels,
        matches=matches,
        non_matches=len(labels) - matches,
        applies_below=applies_below,
    )


def answer_value(
    probability: float,
    lists_a: frozenset[str] | None,
    lists_b: frozenset[str],
    waiting_alike: int,
    labelled_alike: int,
) -> float:
    """How much a reviewer's answer on one waiting pair is worth, to order the queue.

    What the answer is expected to change, times what it teaches. Two persons: with
    probability p the answer is "same person" and joins them, one person fewer, and each list
    one of them gains changes a capture history (two persons, each on one list, become one
    person on two); "not the same" changes nothing. One person already (`lists_a` None: a
    chain of links joined the two records, `lists_b` is its lists): "same" changes nothing,
    "not the same", with probability 1 - p, splits it. What it teaches grows with the waiting
    pairs that share the comparison vector (the pair among them) per label the vector already
    has, and slowly (log2(1 + x)): the correction learns a level from a few dozen labels.
    """
    teaches = math.log2(1 + waiting_alike / (1 + labelled_alike))
    if lists_a is None:
        return (1 - probability) * teaches
    return probability * (1 + len(lists_a ^ lists_b)) * teaches
