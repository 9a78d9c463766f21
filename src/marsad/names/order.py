"""Full names written family name first ("al-Hassan Mohammad Ahmad"), as civil registers,
European registrations and some administrative lists write them.

One string cannot say which way it was written, but the lists can, without any list of names:
- inside a chain of three or more parts, the middle parts are given names (the father's and
  grandfather's) whichever end the family name is at, and so are the parts that a source gave
  in first-, father's- or grandfather's-name columns. A family name rarely stands there (only
  the family names that are also given names, such as Hassan). So how often a name key stands
  where only a given name can, out of all the places it stands, tells a given name from a family
  name: about half for a given name, near nothing for a family name.
- a list writes most of its names one way. So each list's share of names written family name
  first is estimated from its own names (expectation–maximisation over the names' evidence),
  and a name whose two ends say little is read the way its list mostly writes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from marsad.names.keys import name_key
from marsad.names.parts import NameParts

PSEUDO_COUNT = 0.5
"""Added to both counts of a key's given-name share, so an unseen key says nothing."""
PRIOR_FAMILY_FIRST = 0.1
"""The share of a list's names read family name first before its names are looked at."""
LIST_SHARE_BOUNDS = (0.01, 0.99)
"""A list's estimated share is kept inside these bounds: no list is certain either way."""
EM_ROUNDS = 20


def _key(part: str | None) -> str | None:
    return (name_key(part) or None) if part else None


@dataclass
class GivenNames:
    """For each name key: how often it stands where only a given name can, and how often at all."""

    given: Counter[str] = field(default_factory=Counter)
    seen: Counter[str] = field(default_factory=Counter)

    def add_given_columns(self, parts: NameParts) -> None:
        """A source's own name columns: first, father's and grandfather's names are given names."""
        for part in (parts.first, parts.father, parts.grandfather):
            key = _key(part)
            if key:
                self.given[key] += 1
                self.seen[key] += 1
        family = _key(parts.family)
        if family:
            self.seen[family] += 1

    def add_full_name(self, parts: NameParts) -> None:
        """A parsed full name: its middle parts are given names, its ends may be either."""
        keys = [_key(p) for p in (parts.first, parts.father, parts.grandfather, parts.family)]
        for key in keys:
            if key:
                self.seen[key] += 1
        if keys[0] and keys[3]:
            for key in keys[1:3]:
                if key:
                    self.given[key] += 1

    def leaning(self, part: str | None) -> float:
        """Log odds that a key stands in a given-name place: high for given names."""
        key = _key(part)
        if not key:
            return 0.0
        given = self.given[key] + PSEUDO_COUNT
        other = self.seen[key] - self.given[key] + PSEUDO_COUNT
        return math.log(given / other)


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


def evidence(parts: NameParts, names: GivenNames) -> float:
    """Log odds, from the name alone, that it was written family name first: its last word
    looks like a given name and its first word does not."""
    return names.leaning(parts.family) - names.leaning(parts.first)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= -700 else 0.0


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def list_shares(scores: Sequence[tuple[Hashable, float]]) -> dict[Hashable, float]:
    """Each list's share of names written family name first, from (list, evidence) pairs:
    EM for a two-component mixture whose components' log-likelihood ratio is the evidence."""
    shares = {source: PRIOR_FAMILY_FIRST for source, _ in scores}
    low, high = LIST_SHARE_BOUNDS
    for _ in range(EM_ROUNDS):
        totals: Counter[Hashable] = Counter()
        counts: Counter[Hashable] = Counter()
        for source, score in scores:
            totals[source] += _sigmoid(_logit(shares[source]) + score)
            counts[source] += 1
        shares = {s: min(high, max(low, totals[s] / counts[s])) for s in counts}
    return shares


def read_order(
    given: Sequence[NameParts | None], parsed: Sequence[NameParts | None], lists: Sequence[Hashable]
) -> list[NameParts | None]:
    """The parsed full names (None where a source gave parts), each turned family name first
    when its evidence and its list's share say it was written so."""
    names = GivenNames()
    for parts in given:
        if parts is not None:
            names.add_given_columns(parts)
    for parts in parsed:
        if parts is not None:
            names.add_full_name(parts)
    turned = [family_first_reading(p) if p is not None else None for p in parsed]
    scored = [
        (source, evidence(parts, names))
        for parts, other, source in zip(parsed, turned, lists, strict=True)
        if parts is not None and other is not None
    ]
    shares = list_shares(scored)
    out: list[NameParts | None] = []
    for parts, other, source in zip(parsed, turned, lists, strict=True):
        if (
            parts is not None
            and other is not None
            and _logit(shares[source]) + evidence(parts, names) > 0
        ):
            parts = other
        out.append(parts)
    return out
