"""Comparing encoded records: blocking on keyed tokens, Dice similarity of names filters, and a
Fellegi–Sunter score from what the encodings let the linkage unit see.

The score mirrors `marsad link`'s model where encodings allow it:
- names: the names filters' Dice coefficient (the overlap coefficient when one record has name
  parts the other lacks, as a list of first and family names against a list of four parts);
  agreement is worth less the more records carry the same names filter (term frequency);
  a clear disagreement (the first name weighs most in the filter) is a veto, as a clear
  first-name disagreement is in the plaintext model;
- coarse fields: agreement worth log2(m/u), with u the chance that two records picked at
  random agree, estimated from the encodings themselves;
- two records of one list are far less often one person than two of different lists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numba
import numpy as np
import numpy.typing as npt

from marsad.overlap.encoding import EncodedList
from marsad.overlap.schema import COARSE_FIELDS

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

NAME_BANDS = ((0.999, 0.0), (0.9, -3.0), (0.8, -6.0), (0.7, -10.0))
"""(lowest similarity, weight added to the exact-agreement weight) of each names level; below
the last the names disagree."""
NAME_DISAGREE = -25.0
"""Weight of names that clearly disagree: a veto, as the first-name veto of `marsad link`."""
NAME_M = 0.9
"""How often one person's names filters are identical in two lists."""
COARSE_M = {"year": 0.95, "month": 0.8, "governorate": 0.95, "sex": 0.98, "age": 0.8}
"""How often one person's coarse field agrees in two lists where both give it."""
AGE_NEAR = (0.6, 0.0)
"""(lowest Dice of age filters, weight) for ages one band apart: neither for nor against."""
SAME_LIST = -5.0
"""Weight of a pair within one list (`marsad link`'s "lists" comparison)."""
PAIR_CHUNK = 2_000_000


@dataclass(frozen=True)
class Combined:
    """Every list's records in one array each, in the order of the lists."""

    lists: tuple[str, ...]
    list_of: npt.NDArray[np.int32]
    parts: npt.NDArray[np.uint8]
    names: npt.NDArray[np.uint64]
    coarse: npt.NDArray[np.uint64]
    blocks: Ints
    counted: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, encoded: Sequence[EncodedList]) -> Combined:
        return cls(
            lists=tuple(e.label for e in encoded),
            list_of=np.concatenate(
                [np.full(len(e), i, dtype=np.int32) for i, e in enumerate(encoded)]
            ),
            parts=np.concatenate([e.parts for e in encoded]),
            names=np.concatenate([e.names for e in encoded]),
            coarse=np.concatenate([e.coarse for e in encoded]),
            blocks=np.concatenate([e.blocks for e in encoded]),
            counted=np.concatenate([e.counted for e in encoded]),
        )

    def __len__(self) -> int:
        return len(self.list_of)


def candidate_pairs(blocks: Ints) -> tuple[Ints, Ints]:
    """Every pair of records (a < b) that share a blocking token under some rule, once."""
    count = len(blocks)
    keys: list[Ints] = []
    for rule in range(blocks.shape[1]):
        tokens = blocks[:, rule]
        ids = np.flatnonzero(tokens >= 0)
        order = ids[np.argsort(tokens[ids], kind="stable")]
        sorted_tokens = tokens[order]
        starts = np.flatnonzero(np.r_[True, sorted_tokens[1:] != sorted_tokens[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        keys.append(_block_pairs(order, starts[sizes > 1], sizes[sizes > 1], count))
    merged = np.unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    return merged // count, merged % count


def _jit(function: Any) -> Any:
    return numba.njit(cache=True, nogil=True)(function)


@_jit
def _block_pairs(order: Any, starts: Any, sizes: Any, count: int) -> Any:  # pragma: no cover
    total = 0
    for size in sizes:
        total += size * (size - 1) // 2
    out = np.empty(total, dtype=np.int64)
    k = 0
    for g in range(len(starts)):
        start = starts[g]
        size = sizes[g]
        for x in range(size):
            a = order[start + x]
            for y in range(x + 1, size):
                b = order[start + y]
                low, high = (a, b) if a < b else (b, a)
                out[k] = low * count + high
                k += 1
    return out


@_jit
def _popcount(word: Any) -> Any:  # pragma: no cover
    word = word - ((word >> np.uint64(1)) & np.uint64(0x5555555555555555))
    word = (word & np.uint64(0x3333333333333333)) + (
        (word >> np.uint64(2)) & np.uint64(0x3333333333333333)
    )
    word = (word + (word >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (word * np.uint64(0x0101010101010101)) >> np.uint64(56)


@_jit
def _row_counts(names: Any) -> Any:  # pragma: no cover
    out = np.zeros(names.shape[0], dtype=np.int64)
    for i in range(names.shape[0]):
        total = 0
        for w in range(names.shape[1]):
            total += _popcount(names[i, w])
        out[i] = total
    return out


@_jit
def _common_counts(names: Any, a: Any, b: Any) -> Any:  # pragma: no cover
    out = np.zeros(len(a), dtype=np.int64)
    for k in range(len(a)):
        total = 0
        for w in range(names.shape[1]):
            total += _popcount(names[a[k], w] & names[b[k], w])
        out[k] = total
    return out


def bit_counts(names: npt.NDArray[np.uint64]) -> Ints:
    """How many bits each names filter sets."""
    return cast(Ints, _row_counts(names))


def name_similarity(
    names: npt.NDArray[np.uint64],
    parts: npt.NDArray[np.uint8],
    counts: Ints,
    a: Ints,
    b: Ints,
) -> Floats:
    """Dice coefficient of the pairs' names filters, or, where one record has name parts the
    other lacks, the share of the smaller filter's bits that the other sets too."""
    common = cast(Ints, _common_counts(names, a, b)).astype(np.float64)
    size_a, size_b = counts[a].astype(np.float64), counts[b].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.where(size_a + size_b > 0, 2 * common / (size_a + size_b), 0.0)
        overlap = np.where(np.minimum(size_a, size_b) > 0, common / np.minimum(size_a, size_b), 0)
    return cast(Floats, np.where(parts[a] == parts[b], dice, overlap))


def value_counts(rows: npt.NDArray[np.uint64]) -> Ints:
    """For each row, how many rows are identical to it (itself included)."""
    if not len(rows):
        return np.zeros(0, dtype=np.int64)
    contiguous = np.ascontiguousarray(rows)
    as_bytes = contiguous.view(np.dtype((np.void, contiguous.dtype.itemsize * rows.shape[1])))
    _, inverse, counts = np.unique(as_bytes.ravel(), return_inverse=True, return_counts=True)
    return counts[inverse.ravel()]


def chance_agreement(values: npt.NDArray[np.uint64]) -> float:
    """u of a coarse field: the chance that two records that both give it agree by chance."""
    known = values[values != 0]
    if len(known) < 2:
        return 1.0
    _, counts = np.unique(known, return_counts=True)
    shares = counts / len(known)
    return float(np.clip(np.sum(shares**2), 1e-6, 1 - 1e-6))


@dataclass(frozen=True)
class ScoredPairs:
    """Candidate pairs with their match weight (log2 odds), most probable first."""

    a: Ints
    b: Ints
    weight: Floats

    def __len__(self) -> int:
        return len(self.a)

    @property
    def probability(self) -> Floats:
        return 1.0 / (1.0 + np.exp2(-self.weight))


def _coarse_weights(combined: Combined, a: Ints, b: Ints) -> Floats:
    out = np.zeros(len(a))
    for j, field in enumerate(COARSE_FIELDS):
        values = combined.coarse[:, j]
        left, right = values[a], values[b]
        known = (left != 0) & (right != 0)
        u, m = chance_agreement(values), COARSE_M[field]
        agree, disagree = math.log2(m / u), math.log2((1 - m) / (1 - u))
        same = left == right
        if field == "age":
            near = _dice_words(left, right) >= AGE_NEAR[0]
            out += np.where(known, np.where(same, agree, np.where(near, AGE_NEAR[1], disagree)), 0)
        else:
            out += np.where(known, np.where(same, agree, disagree), 0)
    return out


def _dice_words(left: npt.NDArray[np.uint64], right: npt.NDArray[np.uint64]) -> Floats:
    def bits(words: npt.NDArray[np.uint64]) -> Floats:
        unpacked = np.unpackbits(words.view(np.uint8).reshape(-1, 8), axis=1)
        return cast(Floats, unpacked.sum(axis=1, dtype=np.float64))

    both = bits(left) + bits(right)
    with np.errstate(divide="ignore", invalid="ignore"):
        return cast(Floats, np.where(both > 0, 2 * bits(left & right) / both, 0.0))


def name_weights(similarity: Floats, frequency: Ints, total: int) -> Floats:
    """log2(m/u) of the names' agreement: u is the share of records carrying the commoner of
    the two names filters (term frequency), lowered by how far the filters differ."""
    exact = np.log2(NAME_M * total / np.maximum(frequency, 1))
    out = np.full(len(similarity), NAME_DISAGREE)
    for lowest, shift in reversed(NAME_BANDS):
        out = np.where(similarity >= lowest, exact + shift, out)
    return cast(Floats, out)


def score_pairs(combined: Combined) -> ScoredPairs:
    """Score every candidate pair; the prior is one match per record among all its pairs."""
    total = len(combined)
    a_all, b_all = candidate_pairs(combined.blocks)
    counts = bit_counts(combined.names)
    frequency = value_counts(np.column_stack([combined.names, combined.parts.astype(np.uint64)]))
    prior = -math.log2(max(total, 2))
    weights = []
    for start in range(0, len(a_all), PAIR_CHUNK):
        a, b = a_all[start : start + PAIR_CHUNK], b_all[start : start + PAIR_CHUNK]
        similarity = name_similarity(combined.names, combined.parts, counts, a, b)
        weight = prior + name_weights(similarity, np.maximum(frequency[a], frequency[b]), total)
        weight += _coarse_weights(combined, a, b)
        weight += np.where(combined.list_of[a] == combined.list_of[b], SAME_LIST, 0.0)
        weights.append(weight)
    weight = np.concatenate(weights) if weights else np.zeros(0)
    order = np.lexsort((b_all, a_all, -weight))
    return ScoredPairs(a_all[order], b_all[order], weight[order])
