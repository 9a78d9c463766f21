"""Cross-script name keys: one ASCII skeleton per name part, equal across spellings and scripts.

`name_key("محمد") == name_key("Mouhammad") == "mhmd"`. Keys are for blocking and exact-match
comparisons in record linkage; fuzzy comparisons (Jaro-Winkler, Levenshtein) run on them too,
which is why they are plain ASCII: DuckDB's string distances count bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from marsad.names.arabic import arabic_part_words, arabic_units, has_arabic
from marsad.names.latin import latin_part_words, latin_units
from marsad.names.parts import NameParts, parse_name_parts
from marsad.names.skeleton import build_skeleton


@lru_cache(maxsize=262_144)
def name_key(part: str) -> str:
    """ASCII key of ONE name part (a compound such as "Abd al-Rahman" is one part).

    Arabic script is read when the part holds any Arabic letter, Latin otherwise. Returns ""
    when nothing readable is left.
    """
    if has_arabic(part):
        return build_skeleton(arabic_units(arabic_part_words(part)))
    return build_skeleton(latin_units(latin_part_words(part)))


@dataclass(frozen=True)
class NameKeys:
    """Keys of a record's name parts, for one-call use by linkage.

    `combined` joins the present keys with spaces (first father grandfather family), for a
    whole-name comparison; a missing part is left out rather than padded.
    """

    first: str | None
    father: str | None
    grandfather: str | None
    family: str | None

    @property
    def combined(self) -> str:
        return " ".join(k for k in (self.first, self.father, self.grandfather, self.family) if k)

    @classmethod
    def from_parts(cls, parts: NameParts) -> NameKeys:
        return name_keys(parts.first, parts.father, parts.grandfather, parts.family)

    @classmethod
    def from_full_name(cls, full_name: str) -> NameKeys:
        return cls.from_parts(parse_name_parts(full_name))

    @classmethod
    def of_record(
        cls,
        name: str,
        first: str | None,
        father: str | None,
        grandfather: str | None,
        family: str | None,
    ) -> NameKeys:
        """A record's keys as linkage reads it: of the source's own parts, else of its full
        name parsed into parts (mixing the two readings would misplace names)."""
        if any((first, father, grandfather, family)):
            return name_keys(first, father, grandfather, family)
        return cls.from_full_name(name)

    @property
    def present(self) -> frozenset[str]:
        """The distinct keys of the parts that have one."""
        return frozenset(k for k in (self.first, self.father, self.grandfather, self.family) if k)


def _key_or_none(part: str | None) -> str | None:
    if part is None or not part.strip():
        return None
    return name_key(part.strip()) or None


def name_keys(
    first: str | None,
    father: str | None = None,
    grandfather: str | None = None,
    family: str | None = None,
) -> NameKeys:
    """Keys for separately recorded parts; empty or unreadable parts become None."""
    return NameKeys(
        first=_key_or_none(first),
        father=_key_or_none(father),
        grandfather=_key_or_none(grandfather),
        family=_key_or_none(family),
    )
