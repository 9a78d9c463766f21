"""The prior (the probability that two random records match), and what to do when the lists do
not identify it.

With each blocked pair's Bayes factor fixed, the log-likelihood of the prior λ is
ℓ(λ) = Σ log(1 − λ + λ·BF) + (pairs not blocked) · log(1 − λ): concave, with its maximum at 0
whenever the Bayes factors sum to no more than the number of all pairs. Near that edge the
maximum is a few expected matches and the likelihood is flat: the lists do not say that any pair
is one person. Lists drawn from a handful of common names are such lists (two lists of 500 people
named from 8 first and 5 family names over 7 days: λ 5 × 10⁻⁵ for a truth of 10⁻³, every pair
below 0.03). The test: twice the log-likelihood ratio of the estimate against λ = 0 below the
χ²₁ 95% point (3.84) — the lists cannot reject "no pair is one person" — is *not identified*.

The fallback is the overlap the lists show without the model's m: pairs of records on two lists
that agree on every field both carry, beyond the number chance agreement would give
(u, as the model estimates it by random sampling, for each field both records carry). It counts
only one person's records written alike on both lists, so it is a lower bound on the matches; it
needs no m, which lists like these cannot teach EM.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

CHI2_1_95 = 3.841458820694124
"""The 95% point of χ² with one degree of freedom."""
ESTIMATED = "estimated"
OVERLAP = "overlap"
SAVED = "saved"


@dataclass(frozen=True)
class Prior:
    """The prior a run used and how it was set: "estimated" (EM on the prior alone),
    "overlap" (not identified; from the lists' overlap beyond chance) or "saved" (a saved
    model's)."""

    value: float
    how: str
    likelihood_ratio: float | None = None
    """2 · (log-likelihood at the EM estimate − at 0): below CHI2_1_95, not identified."""
    estimated: float | None = None
    """EM's value, kept beside the fallback that replaced it."""
    overlap: float | None = None
    """Pairs across lists alike beyond chance (the fallback's numerator)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "how": self.how,
            "likelihood_ratio": self.likelihood_ratio,
            "estimated": self.estimated,
            "overlap": self.overlap,
        }

    def describe(self) -> str:
        """One line for the run's output."""
        if self.how == OVERLAP:
            return (
                f"the lists do not identify the prior (likelihood ratio against no match "
                f"{self.likelihood_ratio:.2f} < {CHI2_1_95:.2f}; EM gave {self.estimated:.3g}): "
                f"set to {self.value:.3g} from {self.overlap:,.0f} pairs across lists that agree "
                f"on every field beyond chance"
            )
        if self.how == SAVED:
            return f"prior {self.value:.3g} from the saved model"
        return f"prior {self.value:.3g} estimated by EM"


def likelihood_ratio(bayes_factors: npt.NDArray[np.float64], pairs: float, prior: float) -> float:
    """2 · (ℓ(prior) − ℓ(0)) for blocked pairs' Bayes factors among `pairs` pairs in all."""
    gain = float(np.log1p(prior * (bayes_factors - 1.0)).sum())
    return 2.0 * (gain + (pairs - len(bayes_factors)) * float(np.log1p(-prior)))


def alike_beyond_chance(
    alike_across: int,
    list_sizes: Mapping[str, int],
    carried: Mapping[str, Mapping[str, float]],
    u_top: Mapping[str, float],
) -> float:
    """Pairs across lists that agree on every field both carry (`alike_across`), less those
    chance would give: for each two lists, their pairs times, per field, the chance that both
    carry it and agree (`u_top`) or that one lacks it. `carried[list][field]` is the share of a
    list's records that carry the field. Never below 0."""
    names: Sequence[str] = sorted(list_sizes)
    chance = 0.0
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            share = 1.0
            for field, u in u_top.items():
                both = carried[a].get(field, 0.0) * carried[b].get(field, 0.0)
                share *= 1.0 - both + both * u
            chance += list_sizes[a] * list_sizes[b] * share
    return max(0.0, alike_across - chance)
