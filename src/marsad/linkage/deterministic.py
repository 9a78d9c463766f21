"""The high-confidence linkage rule: same name keys, same full date of death, same governorate.

It links only what no reasonable reviewer would dispute, so it stays in the final system
in front of the probabilistic model. First, father's and family name must all be present
and agree on their cross-script keys (`marsad.names`), so brothers killed together — who
share father's and family name, date and place — are kept apart by their first names.
Records missing any part of the key are left to the probabilistic engine and to reviewers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from marsad.names import name_key, parse_name_parts

RULE = "exact-keys:first+father+family+date+governorate"


@dataclass(frozen=True)
class LinkableRecord:
    """What the rule reads from one record."""

    id: int
    name: str
    name_first: str | None
    name_father: str | None
    name_family: str | None
    date_of_death: str | None
    pcode_adm1: str | None


def record_key(record: LinkableRecord) -> tuple[str, ...] | None:
    """The blocking key of the rule, or None when the record lacks part of it."""
    if record.date_of_death is None or len(record.date_of_death) != 10 or not record.pcode_adm1:
        return None
    first, father, family = record.name_first, record.name_father, record.name_family
    if not (first and father and family):
        parts = parse_name_parts(record.name)
        first, father, family = parts.first, parts.father, parts.family
    if not (first and father and family):
        return None
    keys = (name_key(first), name_key(father), name_key(family))
    if not all(keys):
        return None
    return (*keys, record.date_of_death, record.pcode_adm1)


def rule_links(records: Iterable[LinkableRecord]) -> list[tuple[int, int]]:
    """Pairs (first record of the key group, other record) that the rule links."""
    anchors: dict[tuple[str, ...], int] = {}
    links: list[tuple[int, int]] = []
    for record in sorted(records, key=lambda r: r.id):
        key = record_key(record)
        if key is None:
            continue
        anchor = anchors.setdefault(key, record.id)
        if anchor != record.id:
            links.append((anchor, record.id))
    return links
