"""Signs that linkage split persons, which inflates every estimate.

A missed link turns one person recorded by two lists into two persons recorded by one list
each: the overlaps shrink and every estimator reads that as many unrecorded persons. Three
measurable signs, each with a threshold (docs/methodology.md, "When the lists look split"):

- singletons: the share of persons recorded by one list only is well above its mean over the
  clusterings drawn from the match probabilities (`marsad.estimate.linkage_draws`): the stored
  persons leave apart records that the model's own probabilities would join. (The share that
  the list sizes imply under independence at the estimated total is no test: the estimate
  itself moves to fit it, so it follows the split lists; docs/methodology.md shows the figures);
- review band: many persons have a record in a pair the model left for review, undecided;
- calibration: on the review-band pairs reviewers decided, the number they accepted is far
  from the sum of the model's match probabilities (the number a calibrated model predicts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from marsad.domain.estimates import CaptureHistories

SINGLETON_EXCESS = 0.02
"""Warn when the one-list share exceeds its mean over the drawn clusterings by 2 points or more."""
REVIEW_BAND_SHARE = 0.05
"""Warn when 5% or more of the persons estimated have a record in an undecided review pair."""
MIN_REVIEWED = 30
CALIBRATION_Z = 3.0
"""Calibration is judged on 30 or more decided review-band pairs: warn when the accepted count
is 3 binomial standard deviations or more from the sum of their match probabilities."""


@dataclass(frozen=True)
class SplitWarning:
    """One sign, by code, with the figures its sentence quotes (shares are 0-1)."""

    code: str
    values: dict[str, float | int]


def singleton_share(histories: CaptureHistories) -> float:
    """Of the persons any list recorded, the share exactly one list recorded."""
    if histories.observed == 0:
        return 0.0
    return sum(c for p, c in histories.counts.items() if sum(p) == 1) / histories.observed


def singletons(stored: CaptureHistories, drawn: Sequence[CaptureHistories]) -> SplitWarning | None:
    """The stored persons' one-list share against its mean over the drawn clusterings."""
    if not drawn or stored.observed == 0:
        return None
    share = singleton_share(stored)
    expected = sum(singleton_share(h) for h in drawn) / len(drawn)
    if share - expected < SINGLETON_EXCESS:
        return None
    return SplitWarning("split_singletons", {"share": share, "expected": expected})


def review_band(persons_in_band: int, persons: int) -> SplitWarning | None:
    if persons == 0 or persons_in_band / persons < REVIEW_BAND_SHARE:
        return None
    return SplitWarning(
        "split_review_band",
        {"persons": persons_in_band, "share": persons_in_band / persons},
    )


def calibration(reviewed: Sequence[tuple[float, bool]]) -> SplitWarning | None:
    """`reviewed`: (match probability, accepted) of each review-band pair a reviewer decided."""
    if len(reviewed) < MIN_REVIEWED:
        return None
    expected = sum(p for p, _ in reviewed)
    accepted = sum(1 for _, yes in reviewed if yes)
    spread = math.sqrt(sum(p * (1.0 - p) for p, _ in reviewed))
    if spread == 0.0 or abs(accepted - expected) < CALIBRATION_Z * spread:
        return None
    return SplitWarning(
        "split_calibration",
        {"pairs": len(reviewed), "accepted": accepted, "predicted": expected},
    )
