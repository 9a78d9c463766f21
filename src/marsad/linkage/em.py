"""Expectation–maximisation of the model's m probabilities, with the default model as a prior.

Splink's EM finds the two groups of pairs that the comparisons separate best, and on some lists
those are not "one person" and "two people": where relatives and namesakes outnumber a person's
own records in the training blocks, it settled on relatives (on the all-Latin scenario it learned
that half of all matches lie within one list, and that a father's name that disagrees costs
under two bits). A Dirichlet prior centred on the shipped default model keeps each level's m near
what one person's records look like unless the lists say otherwise with many pairs: the
maximum a-posteriori estimate adds `strength` pseudo-pairs spread as the default model's m.
Splink has no prior on m, hence these few lines of NumPy; Splink still builds the comparison
vectors (the SQL) and estimates u by random sampling, and the model stays a Splink model.

Patterns are the distinct comparison vectors of one training session's pairs, with counts:
EM on them is exact and small whatever the number of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

ITERATIONS = 200
TOLERANCE = 1e-7


@dataclass(frozen=True)
class Levels:
    """One comparison's parameters, indexed by comparison vector value (0 = the last level)."""

    m: Floats
    u: Floats
    fixed: npt.NDArray[np.bool_]
    """Levels whose m is fixed (the first-name disagreement)."""


@dataclass(frozen=True)
class Patterns:
    """One session's distinct comparison vectors (rows; -1 = null level) and their counts."""

    gammas: Ints
    counts: Floats


def _log_ratio(patterns: Patterns, m: list[Floats], u: list[Floats]) -> Floats:
    """log(P(vector | match) / P(vector | non-match)) of each pattern."""
    out = np.zeros(len(patterns.counts))
    for j, (mj, uj) in enumerate(zip(m, u, strict=True)):
        g = patterns.gammas[:, j]
        seen = g >= 0
        out[seen] += np.log(np.maximum(mj[g[seen]], 1e-300)) - np.log(uj[g[seen]])
    return out


def map_em(
    patterns: Patterns, levels: list[Levels], strength: float, prior: float = 0.1
) -> tuple[list[Floats], float]:
    """m of each comparison (columns of `patterns.gammas`, in `levels` order) and the share
    of matches among the session's pairs, by EM with a Dirichlet(strength · m₀) prior."""
    u = [lv.u for lv in levels]
    m = [lv.m.copy() for lv in levels]
    share = prior
    total = float(patterns.counts.sum())
    if total == 0:
        return m, share
    for _ in range(ITERATIONS):
        odds = np.log(share / (1 - share)) + _log_ratio(patterns, m, u)
        weight = patterns.counts / (1 + np.exp(-np.clip(odds, -700, 700)))
        share = float(np.clip(weight.sum() / total, 1e-9, 1 - 1e-9))
        change = 0.0
        for j, level in enumerate(levels):
            g = patterns.gammas[:, j]
            seen = g >= 0
            counts = np.bincount(g[seen], weights=weight[seen], minlength=len(level.m))
            free = ~level.fixed
            mass = 1.0 - float(level.m[level.fixed].sum())
            posterior = counts[free] + strength * level.m[free]
            new = level.m.copy()
            if posterior.sum() > 0:
                new[free] = mass * posterior / posterior.sum()
            change = max(change, float(np.abs(new - m[j]).max()))
            m[j] = new
        if change < TOLERANCE:
            break
    return m, share
