"""Pairwise precision and recall of a clustering against ground truth (synthetic scenarios)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PairwiseQuality:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_quality(
    truth: Mapping[Any, Hashable], predicted: Mapping[Any, Hashable | None]
) -> PairwiseQuality:
    """Compare two record → cluster mappings over the records both know.

    A pair of records is "true" when the truth puts them in one person and "predicted" when
    the linkage does; counted through cluster sizes, never by listing pairs.
    """
    common = truth.keys() & predicted.keys()
    true_sizes = Counter(truth[k] for k in common)
    predicted_sizes = Counter(predicted[k] for k in common)
    both = Counter((truth[k], predicted[k]) for k in common)
    return PairwiseQuality(
        true_pairs=sum(_pairs(n) for n in true_sizes.values()),
        predicted_pairs=sum(_pairs(n) for n in predicted_sizes.values()),
        correct_pairs=sum(_pairs(n) for n in both.values()),
    )
