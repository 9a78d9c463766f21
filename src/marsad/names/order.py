"""Full names written family name first ("al-Hassan Mohammad Ahmad"), as civil registers,
European registrations and some administrative lists write them.

One string cannot say which way it was written, but the lists can, without any list of names.
A name is a chain of given names (own, father's, grandfather's) with the family name at one end:
[given, given, given, family] or [family, given, given, given]. So:
- the middle parts of a chain of three or more are given names whichever way it was written,
  and so are the parts a source gave in first-, father's- or grandfather's-name columns;
- which end holds the family name is a latent choice per name, and each list makes it mostly
  one way.
Expectation–maximisation fits how often each name key is a given name and how often a family
name, and each list's share of names written family name first: a name is turned when its ends
and its list say so. Female first names, which never stand in a father's or grandfather's place,
are still known as given names from the names whose order is clear.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt

from marsad.names.keys import name_key
from marsad.names.parts import NameParts

PSEUDO_COUNT = 0.5
"""Added to every key's count in each role, so a key seen once says little."""
PRIOR_FAMILY_FIRST = 0.1
"""The share of a list's names read family name first before its names are looked at."""
LIST_SHARE_BOUNDS = (0.005, 0.995)
"""A list's estimated share is kept inside these bounds: no list is certain either way."""
EM_ROUNDS = 30

Floats = npt.NDArray[np.float64]


def _key(part: str | None) -> str | None:
    return (name_key(part) or None) if part else None


def family_first_reading(parts: NameParts) -> NameParts | None:
    """The same words read family name first, or None when the parse leaves no such reading
    (one word, or a family name made of several words after the grandfather)."""
    if parts.first is None or parts.family is None or " " in parts.family:
        return None
    words = [p for p in (parts.first, parts.father, parts.grandfather, parts.family) if p]
    rest = words[1:]
    return NameParts(
        first=rest[0],
        father=rest[1] if len(rest) > 1 else None,
        grandfather=rest[2] if len(rest) > 2 else None,
        family=words[0],
    )


class _Keys:
    """Integer ids for name keys, so EM runs on arrays."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        return self.ids.setdefault(key, len(self.ids))


def _counts(ids: list[int], size: int, weights: Floats | None = None) -> Floats:
    return np.bincount(np.asarray(ids, dtype=np.int64), weights=weights, minlength=size).astype(
        float
    )


def _log_family_odds(given: Floats, family: Floats) -> Floats:
    """log P(key | family name) - log P(key | given name) of every key, smoothed."""
    size = len(given)
    p_family = (family + PSEUDO_COUNT) / (family.sum() + PSEUDO_COUNT * size)
    p_given = (given + PSEUDO_COUNT) / (given.sum() + PSEUDO_COUNT * size)
    return np.asarray(np.log(p_family / p_given), dtype=np.float64)


def read_order(
    given: Sequence[NameParts | None], parsed: Sequence[NameParts | None], lists: Sequence[Hashable]
) -> list[NameParts | None]:
    """The parsed full names (None where a source gave parts), each turned family name first
    when its ends and its list's share say it was written so."""
    keys = _Keys()
    fixed_given: list[int] = []
    fixed_family: list[int] = []
    for parts in given:
        if parts is not None:
            fixed_given.extend(
                keys(k) for p in (parts.first, parts.father, parts.grandfather) if (k := _key(p))
            )
            if family := _key(parts.family):
                fixed_family.append(keys(family))
    rows: list[int] = []
    firsts: list[int] = []
    lasts: list[int] = []
    middles: list[int] = []
    sources: dict[Hashable, int] = {}
    source_of: list[int] = []
    for i, (parts, source) in enumerate(zip(parsed, lists, strict=True)):
        if parts is None or family_first_reading(parts) is None:
            continue
        first, last = _key(parts.first), _key(parts.family)
        if first and last:
            rows.append(i)
            firsts.append(keys(first))
            lasts.append(keys(last))
            middles.extend(keys(k) for p in (parts.father, parts.grandfather) if (k := _key(p)))
            source_of.append(sources.setdefault(source, len(sources)))
    out: list[NameParts | None] = list(parsed)
    if not rows:
        return out
    size = len(keys.ids)
    given0 = _counts(fixed_given, size) + _counts(middles, size)
    family0 = _counts(fixed_family, size)
    first_ids, last_ids = np.asarray(firsts), np.asarray(lasts)
    source_ids = np.asarray(source_of)
    per_list = np.bincount(source_ids).astype(float)
    shares = np.full(len(sources), PRIOR_FAMILY_FIRST)
    turned = np.full(len(rows), PRIOR_FAMILY_FIRST)
    low, high = LIST_SHARE_BOUNDS
    for _ in range(EM_ROUNDS):
        given_counts = given0 + _counts(firsts, size, 1 - turned) + _counts(lasts, size, turned)
        family_counts = family0 + _counts(firsts, size, turned) + _counts(lasts, size, 1 - turned)
        odds = _log_family_odds(given_counts, family_counts)
        evidence = odds[first_ids] - odds[last_ids]
        prior = np.log(shares / (1 - shares))[source_ids]
        turned = 1 / (1 + np.exp(-np.clip(prior + evidence, -700, 700)))
        shares = np.clip(np.bincount(source_ids, weights=turned) / per_list, low, high)
    for row, flip in zip(rows, turned > 0.5, strict=True):
        if flip:
            out[row] = family_first_reading(parsed[row])  # type: ignore[arg-type]
    return out
