"""Cases: the reports that seek one person, grouped by a rule a relative could check.

Two relatives (a mother, a brother) report the same son, each writing his name as they say it,
one in Arabic script and one in Latin letters. Two reports seek the same person when, on the
cross-script name keys of `marsad.names`:
- their first names agree, and their father's and family names agree where both give them
  (at least one of the two given by both);
- their mothers' names, sexes and birth years do not disagree where both give them (birth
  years within a year of each other's range).
Grouping is transitive (a third report that agrees with either joins both). The rule is
deliberately strict: two cases wrongly merged would tell one family about another's son,
while two cases left apart are both matched against the same persons and a reviewer sees both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from marsad.linkage.features import mother_key
from marsad.names import name_key, parse_name_parts


@dataclass(frozen=True)
class SoughtKeys:
    """What grouping compares of one report's sought person."""

    report: int
    first: str | None
    father: str | None
    family: str | None
    mother: str | None
    sex: str | None
    birth_year_min: int | None
    birth_year_max: int | None

    @classmethod
    def of(
        cls,
        report: int,
        name: str,
        parts: tuple[str | None, str | None, str | None, str | None],
        name_mother: str | None,
        sex: str | None,
        born: tuple[int | None, int | None],
    ) -> SoughtKeys:
        """`parts` are first, father, grandfather and family name as given; when none is,
        the full name is read into parts as for records."""
        if not any(parts):
            parsed = parse_name_parts(name)
            parts = (parsed.first, parsed.father, parsed.grandfather, parsed.family)
        first, father, _, family = (name_key(p) or None if p else None for p in parts)
        return cls(report, first, father, family, mother_key(name_mother), sex, *born)


def _agree(a: object, b: object) -> bool:
    """Equal, or one of them unknown."""
    return a is None or b is None or a == b


def _years_agree(a: SoughtKeys, b: SoughtKeys) -> bool:
    if a.birth_year_max is None or b.birth_year_max is None:
        return True
    low_a = a.birth_year_min if a.birth_year_min is not None else a.birth_year_max - 100
    low_b = b.birth_year_min if b.birth_year_min is not None else b.birth_year_max - 100
    return low_a - 1 <= b.birth_year_max and low_b - 1 <= a.birth_year_max


def same_sought(a: SoughtKeys, b: SoughtKeys) -> bool:
    """Whether two reports seek the same person (the module's rule)."""
    if a.first is None or a.first != b.first:
        return False
    both = [(x, y) for x, y in ((a.father, b.father), (a.family, b.family)) if x and y]
    return (
        bool(both)
        and all(x == y for x, y in both)
        and _agree(a.mother, b.mother)
        and _agree(a.sex, b.sex)
        and _years_agree(a, b)
    )


def group_reports(reports: Sequence[SoughtKeys]) -> list[list[int]]:
    """The reports (by id) in groups that seek one person each, every group sorted, groups in
    the order of their first report."""
    parent = {r.report: r.report for r in reports}

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_first: dict[str, list[SoughtKeys]] = {}
    for r in reports:
        if r.first is not None:
            by_first.setdefault(r.first, []).append(r)
    for block in by_first.values():
        for i, a in enumerate(block):
            for b in block[i + 1 :]:
                if same_sought(a, b):
                    ra, rb = root(a.report), root(b.report)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for report in sorted(parent):
        groups.setdefault(root(report), []).append(report)
    return sorted(groups.values(), key=lambda g: g[0])
