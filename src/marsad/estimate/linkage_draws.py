"""Clusterings drawn from the link decisions' match probabilities, for linkage uncertainty.

The stored persons are one clustering: model pairs at or above the match threshold joined,
the review band left apart. Each pair scored by the model is in truth a match with its match
probability, so a clustering is drawn by keeping every stored model pair (review band
included) independently with its probability; rule links and reviewers' decisions are kept as
they are, and the pairs are joined as `marsad link` joins them (`cluster_records`: reviewers'
matches first, their non-matches kept apart, rule links, then model pairs most probable first,
under the one-list rule). Pairs the model scored below the review threshold are not stored and
so never drawn. Estimating on each drawn clustering and pooling the posteriors carries the
linkage's uncertainty into the interval (docs/methodology.md, "Linkage uncertainty").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from marsad.linkage.clusters import cluster_records

Pair = tuple[int, int]


@dataclass(frozen=True)
class Decisions:
    """What a clustering is drawn from.

    `sources`: record → source (for the one-list rule), every record that may be clustered.
    `fixed`: rule links, always kept. `pairs` and `probabilities`: model pairs no reviewer
    decided, most probable first, each kept with its probability.
    """

    sources: Mapping[int, int]
    human_matches: Sequence[Pair]
    human_non_matches: Sequence[Pair]
    fixed: Sequence[Pair]
    pairs: Sequence[Pair]
    probabilities: Sequence[float]

    def __post_init__(self) -> None:
        if len(self.pairs) != len(self.probabilities):
            raise ValueError("one probability per model pair")
        if any(not 0.0 <= p <= 1.0 for p in self.probabilities):
            raise ValueError("match probabilities must lie between 0 and 1")

    def draw(self, rng: np.random.Generator) -> list[list[int]]:
        """One clustering: the record ids of each person."""
        kept = rng.random(len(self.pairs)) < np.asarray(self.probabilities, dtype=float)
        machine = [
            *self.fixed,
            *(pair for pair, keep in zip(self.pairs, kept, strict=True) if keep),
        ]
        clusters, _ = cluster_records(
            self.sources, self.sources, self.human_matches, self.human_non_matches, machine
        )
        return clusters.groups()

    def draws(self, count: int, seed: int) -> Iterator[list[list[int]]]:
        """`count` clusterings from one seeded stream: the same seed gives the same ones."""
        rng = np.random.default_rng(np.random.SeedSequence([seed, DRAW_STREAM]))
        for _ in range(count):
            yield self.draw(rng)


DRAW_STREAM = 14
"""Keeps the clusterings' random stream apart from the samplers' streams of the same seed."""
