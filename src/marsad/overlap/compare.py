"""Comparing encoded records: blocking on keyed tokens, Dice similarity of names filters, and a
Fellegi–Sunter model: u from record pairs drawn at random, the prior by EM, m fixed.

The comparisons mirror `marsad link`'s where encodings allow it:
- names: the names filters' Dice coefficient (the overlap coefficient when one record has name
  parts the other lacks, as a list of first and family names against a list of four parts).
  Identical names are graded by how many records share what the two share (term frequency:
  agreeing on "Mohammad Ali" says less than on a rare name). A clear disagreement is a fixed
  veto that EM may not dilute, as the first-name disagreement of `marsad link` is (the first
  name sets most of the filter's bits, so brothers' filters disagree); the blocking tokens
  also tell whether the first names agree exactly where the rest of the name does;
- the other fields (year, month, day, governorate, locality, sex, age band): agree, near (day,
  age), disagree, or unknown;
- whether the two records come from one list.
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

SIMILAR = (0.7, 0.8, 0.9)
"""Names levels: Dice (or overlap) coefficient below 0.7 is level 0 (disagree); 0.7-0.8 level
1; 0.8-0.9 levels 2-3 and 0.9 to exact levels 4-5, the higher of each pair when the two
records share at least RICH name parts (one typo in four parts is not one in two)."""
RICH = 3
EXACT = 0.999
"""From here the names agree exactly (levels 6-9, by how common they are)."""
COMMON = (32, 8, 2)
"""Exact names shared by more than 32 records are level 6, by 9-32 level 7, 3-8 level 8,
at most 2 level 9."""
NEAR = {"age": 0.6, "day": 0.3}
"""Dice of the filters from which two ages are one band apart, two dates two days apart."""
M_PROBABILITIES = {
    "names": (1e-4, 0.0391, 0.0236, 0.0898, 0.0033, 0.0627, 0.0187, 0.0699, 0.388, 0.2929),
    "first": (0.1668, 0.8332),
    "year": (0.005, 0.995),
    "month": (0.005, 0.995),
    "day": (0.0538, 0.1169, 0.8293),
    "governorate": (0.005, 0.995),
    "locality": (0.1043, 0.8957),
    "sex": (0.0205, 0.9795),
    "age": (0.005, 0.0259, 0.9741),
    "lists": (0.0382, 0.9618),
}
"""m of each level (how one person's records compare), measured on the candidate pairs of a
calibration scenario (`marsad synth`, 20,000 people, 5 lists, seed 2101, under schema 1's
blocking on the month of death; benchmarks use other seeds), not trained per run: EM on
these comparisons takes relatives killed together, whose whole names are alike, for one
person (docs/methodology.md). Clearly disagreeing names are held at 1e-4, as `marsad link`
holds a clear first-name disagreement; no other level is set below 0.005, since a slip of the
pen can put any field anywhere."""
RANDOM_PAIRS = 1_000_000
"""Random record pairs whose comparisons estimate u."""
EM_ROUNDS = 100
"""EM estimates the prior alone; it settles in a few rounds."""
PAIR_CHUNK = 2_000_000
COMPARISONS = ("names", "first", *COARSE_FIELDS, "lists")
LEVELS = (10, 2, *(3 if field in NEAR else 2 for field in COARSE_FIELDS), 2)
"""Levels of each comparison; -1 is unknown (no evidence either way)."""


@dataclass(frozen=True)
class Combined:
    """Every list's records in one array each, in the order of the lists."""

    lists: tuple[str, ...]
    list_of: npt.NDArray[np.int32]
    parts: npt.NDArray[np.uint8]
    names: npt.NDArray[np.uint64]
    coarse: npt.NDArray[np.uint64]
    blocks: Ints
    identifiable: npt.NDArray[np.bool_]
    of_status: npt.NDArray[np.bool_]
    first_rules: tuple[bool, ...]
    """For each blocking rule, whether it holds the first name."""

    @classmethod
    def of(cls, encoded: Sequence[EncodedList], rules: Sequence[Sequence[str]]) -> Combined:
        return cls(
            lists=tuple(e.label for e in encoded),
            list_of=np.concatenate(
                [np.full(len(e), i, dtype=np.int32) for i, e in enumerate(encoded)]
            ),
            parts=np.concatenate([e.parts for e in encoded]),
            names=np.concatenate([e.names for e in encoded]),
            coarse=np.concatenate([e.coarse for e in encoded]),
            blocks=np.concatenate([e.blocks for e in encoded]),
            identifiable=np.concatenate([e.identifiable for e in encoded]),
            of_status=np.concatenate([e.of_status for e in encoded]),
            first_rules=tuple("first" in rule for rule in rules),
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
    merged = _distinct(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    return merged // count, merged % count


def _distinct(values: Ints) -> Ints:
    """Sorted distinct values (np.unique is many times slower on this numpy)."""
    ordered = np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


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


def group_sizes(keys: Ints) -> Ints:
    """For each entry, how many entries have the same key (itself included)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(ordered)])
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = np.repeat(sizes, sizes)
    return out


def names_keys(names: npt.NDArray[np.uint64], parts: npt.NDArray[np.uint8]) -> Ints:
    """One 64-bit key per record, equal for equal names filters and parts (a hash of them)."""
    key = parts.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for w in range(names.shape[1]):
        key = (key ^ names[:, w]) * np.uint64(0xBF58476D1CE4E5B9)
        key ^= key >> np.uint64(31)
    return key.view(np.int64)


def _near_levels(left: npt.NDArray[np.uint64], right: npt.NDArray[np.uint64], near: float) -> Ints:
    def bits(words: npt.NDArray[np.uint64]) -> Floats:
        unpacked = np.unpackbits(words.view(np.uint8).reshape(-1, 8), axis=1)
        return cast(Floats, unpacked.sum(axis=1, dtype=np.float64))

    both = bits(left) + bits(right)
    with np.errstate(divide="ignore", invalid="ignore"):
        dice = np.where(both > 0, 2 * bits(left & right) / both, 0.0)
    return np.where(left == right, 2, np.where(dice >= near, 1, 0))


_SHARED_PARTS = np.array([bin(mask).count("1") for mask in range(256)], dtype=np.int64)
"""Name parts in a parts mask."""


@dataclass(frozen=True)
class Context:
    """What comparisons need besides the pair: bit counts, commonness of names and tokens."""

    counts: Ints
    names_common: Ints
    token_common: Ints

    @classmethod
    def of(cls, combined: Combined) -> Context:
        blocks = combined.blocks
        token_common = np.zeros(blocks.shape, dtype=np.int64)
        for rule in range(blocks.shape[1]):
            known = blocks[:, rule] >= 0
            token_common[known, rule] = group_sizes(blocks[known, rule])
        return cls(
            counts=bit_counts(combined.names),
            names_common=group_sizes(names_keys(combined.names, combined.parts)),
            token_common=token_common,
        )


def _first_name_levels(
    blocks: Ints, shared: npt.NDArray[np.bool_], first: tuple[bool, ...]
) -> Ints:
    """Whether the first names agree exactly, read from the blocking tokens: 1 when the pair
    shares a token of a rule with the first name; 0 when it shares only tokens of rules
    without it (the rest of the name agrees, the first name does not: brothers); else -1.
    Only known for names that are not identical (identical names say it already)."""
    with_first = np.array(first, dtype=bool)
    agree = shared[:, with_first].any(axis=1)
    rest_agree = shared[:, ~with_first].any(axis=1)
    return np.where(agree, 1, np.where(rest_agree, 0, -1))


def comparison_levels(combined: Combined, context: Context, a: Ints, b: Ints) -> Ints:
    """The comparison vector of each pair (columns as COMPARISONS; -1 unknown)."""
    out = np.full((len(a), len(COMPARISONS)), -1, dtype=np.int64)
    similarity = name_similarity(combined.names, combined.parts, context.counts, a, b)
    shared = (combined.blocks[a] == combined.blocks[b]) & (combined.blocks[a] >= 0)
    common = np.where(shared, context.token_common[a], np.iinfo(np.int64).max).min(axis=1)
    same_names = (similarity >= EXACT) & (combined.parts[a] == combined.parts[b])
    common = np.where(same_names, np.minimum(common, context.names_common[a]), common)
    rich = (_SHARED_PARTS[combined.parts[a] & combined.parts[b]] >= RICH).astype(np.int64)
    names = np.zeros(len(a), dtype=np.int64)
    names[similarity >= SIMILAR[0]] = 1
    names[similarity >= SIMILAR[1]] = 2 + rich[similarity >= SIMILAR[1]]
    names[similarity >= SIMILAR[2]] = 4 + rich[similarity >= SIMILAR[2]]
    exact = similarity >= EXACT
    names[exact] = 6
    for level, most in enumerate(COMMON, start=7):
        names[exact & (common <= most)] = level
    out[:, 0] = names
    out[:, 1] = _first_name_levels(combined.blocks, shared, combined.first_rules)
    out[exact, 1] = -1
    for j in range(len(COARSE_FIELDS)):
        left, right = combined.coarse[a, j], combined.coarse[b, j]
        known = (left != 0) & (right != 0)
        field = COARSE_FIELDS[j]
        if field in NEAR:
            levels = _near_levels(left, right, NEAR[field])
        else:
            levels = (left == right).astype(np.int64)
        out[:, 2 + j] = np.where(known, levels, -1)
    out[:, -1] = (combined.list_of[a] != combined.list_of[b]).astype(np.int64)
    return out


@dataclass(frozen=True)
class Model:
    """m and u of every level of every comparison, and the share of candidate pairs that
    match (the prior), as EM left them."""

    m: list[Floats]
    u: list[Floats]
    prior: float

    def weights(self, levels: Ints) -> Floats:
        """Each pair's match weight: log2 of the prior odds plus each comparison's log2 m/u."""
        out = np.full(len(levels), math.log2(self.prior / (1 - self.prior)))
        for k in range(len(COMPARISONS)):
            table = np.log2(self.m[k] / self.u[k])
            known = levels[:, k] >= 0
            out[known] += table[levels[known, k]]
        return out

    def document(self) -> dict[str, object]:
        return {
            "prior": self.prior,
            "comparisons": {
                name: {"m": self.m[k].round(6).tolist(), "u": self.u[k].round(6).tolist()}
                for k, name in enumerate(COMPARISONS)
            },
        }


def _normalised(counts: Floats) -> Floats:
    counts = np.maximum(counts, 1e-9)
    return cast(Floats, counts / counts.sum())


def _patterns(levels: Ints) -> tuple[Ints, Floats]:
    """The distinct comparison vectors and how many pairs have each: EM reads these."""
    if not len(levels):
        return levels, np.zeros(0)
    shifted = levels + 1
    code = np.zeros(len(levels), dtype=np.int64)
    for k, size in enumerate(LEVELS):
        code = code * (size + 1) + shifted[:, k]
    order = np.argsort(code, kind="stable")
    ordered = code[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, len(ordered)]).astype(np.float64)
    return levels[order[starts]], counts


def _level_shares(levels: Ints, weights: Floats) -> list[Floats]:
    return [
        _normalised(
            np.bincount(
                levels[levels[:, k] >= 0, k], weights=weights[levels[:, k] >= 0], minlength=size
            ).astype(np.float64)
        )
        for k, size in enumerate(LEVELS)
    ]


def random_pair_levels(combined: Combined, context: Context, seed: int = 1) -> Ints:
    """Comparison vectors of a seeded sample of record pairs drawn at random: nearly all are
    two different persons, so their levels' shares are u (as Splink's random sampling)."""
    total = len(combined)
    draws = min(RANDOM_PAIRS, total * (total - 1) // 2)
    rng = np.random.default_rng(seed)
    a = rng.integers(0, total, draws)
    b = rng.integers(0, total - 1, draws)
    b = np.where(b >= a, b + 1, b)
    return comparison_levels(combined, context, np.minimum(a, b), np.maximum(a, b))


def train(candidates: Ints, random: Ints, total: int) -> Model:
    """u from the random pairs, m as M_PROBABILITIES, and the prior by EM on the candidate
    pairs: the chance that two records drawn at random match (candidate pairs hold nearly
    every match; the other pairs count as none)."""
    patterns, counts = _patterns(candidates)
    u = _level_shares(random, np.ones(len(random)))
    m = [np.array(M_PROBABILITIES[name]) for name in COMPARISONS]
    pairs = max(total * (total - 1) / 2, 1.0)
    prior = min(total / pairs, 0.5)
    for _ in range(EM_ROUNDS):
        probability = 1 / (1 + np.exp2(-Model(m, u, prior).weights(patterns)))
        new_prior = float(np.clip((probability * counts).sum() / pairs, 1e-12, 0.5))
        converged = abs(new_prior - prior) <= 1e-4 * prior
        prior = new_prior
        if converged:
            break
    return Model(m, u, prior)


@dataclass(frozen=True)
class ScoredPairs:
    """Candidate pairs with their match weight (log2 odds), most probable first, and the model
    that scored them."""

    a: Ints
    b: Ints
    weight: Floats
    model: Model

    def __len__(self) -> int:
        return len(self.a)

    @property
    def probability(self) -> Floats:
        return 1.0 / (1.0 + np.exp2(-self.weight))


def score_pairs(combined: Combined) -> ScoredPairs:
    """Block, compare, train by EM and score every candidate pair."""
    a_all, b_all = candidate_pairs(combined.blocks)
    context = Context.of(combined)
    # One byte per level (levels are -1 to 9): ten times less memory than the comparisons'
    # own int64, which is what lets 100,000-person lists be scored on one laptop.
    levels = np.concatenate(
        [
            comparison_levels(
                combined,
                context,
                a_all[start : start + PAIR_CHUNK],
                b_all[start : start + PAIR_CHUNK],
            ).astype(np.int8)
            for start in range(0, len(a_all), PAIR_CHUNK)
        ]
        or [np.zeros((0, len(COMPARISONS)), dtype=np.int8)]
    )
    model = train(levels, random_pair_levels(combined, context), len(combined))
    weight = model.weights(levels)
    order = np.lexsort((b_all, a_all, -weight))
    return ScoredPairs(a_all[order], b_all[order], weight[order], model)
