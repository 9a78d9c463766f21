"""Full names written family name first ("al-Hassan Mohammad Ahmad"), as civil registers and
some administrative lists write them.

One string cannot say which way it was written, but the lists can: the records whose source gave
the name parts in separate columns show which words are first names and which are family names.
A full name whose first word the lists use as a family name, and whose last word they use as a
first name, was written family name first. Names made only of words used both ways ("Ali Hasan
Ahmad") stay in the usual order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from marsad.names.parts import NameParts

FAMILY_FIRST_MARGIN = 2.0
"""The least family-likeness (log odds, family column against first-name column) of a name's
first word, and half the least gap between it and the last word's, before the name is read
family name first. 2.0 is odds of about 7 to 1: a typo or a rare name seen once in either
column never reaches it, and a word the lists use both ways ("Ibrahim") stays a first name."""


@dataclass
class NameRoles:
    """How often each name key stands as a first name and as a family name in the lists."""

    first: Counter[str] = field(default_factory=Counter)
    family: Counter[str] = field(default_factory=Counter)

    @classmethod
    def from_keys(cls, pairs: Iterable[tuple[str | None, str | None]]) -> NameRoles:
        """Count (first key, family key) pairs of names recorded part by part."""
        roles = cls()
        for first, family in pairs:
            if first:
                roles.first[first] += 1
            if family:
                roles.family[family] += 1
        return roles

    def family_leaning(self, key: str | None) -> float:
        """Log odds that `key` is a family name rather than a first name (0 when unknown)."""
        if not key:
            return 0.0
        return math.log((self.family[key] + 1) / (self.first[key] + 1))


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


def is_family_first(first_key: str | None, last_key: str | None, roles: NameRoles) -> bool:
    """Whether a parsed full name whose first and last words have these keys was written
    family name first."""
    lead = roles.family_leaning(first_key)
    return lead >= FAMILY_FIRST_MARGIN and lead - roles.family_leaning(last_key) >= (
        2 * FAMILY_FIRST_MARGIN
    )
