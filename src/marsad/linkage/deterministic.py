"""The high-confidence linkage rule: same name keys, same full date of death, same governorate.

It links only what no reasonable reviewer would dispute, so it stays in the final system
in front of the probabilistic model. First, father's and family name must all be present
and agree on their cross-script keys (`marsad.names`), so brothers killed together — who
share father's and family name, date and place — are kept apart by their first names.
Records missing any part of the key are left to the probabilistic engine and to reviewers.
Two records that share the key but contradict each other on what else they say (different
grandfathers, sexes, or ages years apart) are cousins or namesakes as often as one person:
the rule leaves them to the model too; so it does a key that one list wrote twice.
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
    name_grandfather: str | None = None
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    source: str | None = None


AGE_TOLERANCE = 2
"""Years by which two recorded ages (or age ranges) may miss each other and still agree."""


def compatible(a: LinkableRecord, b: LinkableRecord) -> bool:
    """Whether nothing the two records both say contradicts their being one person."""
    if a.sex and b.sex and a.sex != b.sex:
        return False
    if a.age_min is not None and b.age_min is not None:
        a_max = a.age_max if a.age_max is not None else 200
        b_max = b.age_max if b.age_max is not None else 200
        if a.age_min > b_max + AGE_TOLERANCE or b.age_min > a_max + AGE_TOLERANCE:
            return False
    grandfather_a, grandfather_b = grandfather(a), grandfather(b)
    if grandfather_a and grandfather_b:
        ga, gb = name_key(grandfather_a), name_key(grandfather_b)
        if ga and gb and ga != gb:
            return False
    return True


def grandfather(record: LinkableRecord) -> str | None:
    """The grandfather's name as the source gave it, or as its full name reads when the source
    gave no name parts at all (the same reading `record_key` uses)."""
    if record.name_grandfather:
        return record.name_grandfather
    if record.name_first or record.name_father or record.name_family:
        return None
    return parse_name_parts(record.name).grandfather


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
    """Pairs (earliest compatible record of the key group, other record) that the rule links.

    A record that contradicts every earlier record of its key group starts a group of its
    own within the key, so one person's records still link when a namesake shares the key.
    A key group in which one source wrote the key twice holds namesakes (or a duplicate the
    model will find): the rule leaves the whole group to the model.
    """
    keyed: dict[tuple[str, ...], list[LinkableRecord]] = {}
    for record in records:
        key = record_key(record)
        if key is not None:
            keyed.setdefault(key, []).append(record)
    links: list[tuple[int, int]] = []
    for group in keyed.values():
        if not _written_twice_by_one_source(group):
            links.extend(_links_within(group))
    return sorted(links)


def _written_twice_by_one_source(group: list[LinkableRecord]) -> bool:
    sources = [r.source for r in group if r.source is not None]
    return len(set(sources)) < len(sources)


def _links_within(group: list[LinkableRecord]) -> list[tuple[int, int]]:
    links: list[tuple[int, int]] = []
    persons: list[list[LinkableRecord]] = []
    for record in sorted(group, key=lambda r: r.id):
        for person in persons:
            if all(compatible(record, other) for other in person):
                links.append((person[0].id, record.id))
                person.append(record)
                break
        else:
            persons.append([record])
    return links
