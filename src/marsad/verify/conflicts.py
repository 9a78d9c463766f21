"""Resolved values for a person whose records disagree (docs/methodology.md, "Conflicts").

Counts group persons by one value per field, yet sources disagree on dates, places and ages.
Every value is kept with its records and sources; the resolved value is picked by rules in a
fixed order, so the choice can be explained and recomputed:

1. a reviewer's choice wins;
2. values that only refine one another ("2025-03" and "2025-03-07"; SY01 and SY0103; ages
   30-39 and 34) are not a conflict: the most specific is taken;
3. otherwise the field is conflicting, and the value supported by most independent lists wins
   (a list giving a coarser value that contains it supports it too), then the most specific
   of those tied, then the value of the earliest record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from marsad.domain.causes import cause_term
from marsad.verify.evidence import RecordEvidence, place_precision

FIELDS = ("status", "sex", "age", "date_of_death", "place", "civilian", "cause")


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One value a field takes in a person's records, as a display string, with its evidence.

    Ages read "34" (exact), "30-39" (range), "18+" (open above); civilian "yes"/"no"; a place
    is its most specific p-code.
    """

    value: str
    records: tuple[int, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldResolution:
    """A field's resolved value, the rule that picked it, and every value seen.

    `conflicting` says the records truly disagree; it stays true after a reviewer's choice,
    which settles the value but not the fact that sources disagree.
    """

    field: str
    value: str | None
    rule: str
    conflicting: bool
    values: tuple[FieldValue, ...]


@dataclass(frozen=True)
class PersonResolution:
    """Every field of one person resolved, and the typed values that counts group by."""

    fields: dict[str, FieldResolution]
    conflicting: bool
    status: str
    sex: str | None
    age_min: int | None
    age_max: int | None
    date_of_death: str | None
    pcode: str | None
    governorate: str | None
    district: str | None
    civilian: bool | None
    cause: str | None

    def conflicts_json(self) -> dict[str, Any]:
        """The conflicting fields only, with every value, its records and sources."""
        return {
            name: {
                "resolved": f.value,
                "rule": f.rule,
                "values": [
                    {"value": v.value, "records": list(v.records), "sources": list(v.sources)}
                    for v in f.values
                ],
            }
            for name, f in self.fields.items()
            if f.conflicting
        }

    def resolved_by_json(self) -> dict[str, str]:
        """Field → the rule that picked its value, for every field that has a value."""
        return {name: f.rule for name, f in self.fields.items() if f.value is not None}


def resolve_person(
    records: Sequence[RecordEvidence], choices: Mapping[str, str] | None = None
) -> PersonResolution:
    """Resolve every field of one person; `choices` maps field → a reviewer's chosen value.

    Raises ValueError for a choice on an unknown field or of a value no record gives.
    """
    if not records:
        raise ValueError("a person has at least one record")
    choices = choices or {}
    for name in choices:
        if name not in FIELDS:
            raise ValueError(f"unknown field {name!r} (expected one of {', '.join(FIELDS)})")
    groups: dict[str, dict[str, _Group]] = {name: {} for name in FIELDS}
    ages: dict[str, tuple[int | None, int | None]] = {}
    place_adm1: dict[str, str | None] = {}
    ordered = sorted(records, key=_record_id)
    for r in ordered:
        age = None
        if r.age_min is not None or r.age_max is not None:
            age = _age_text(r.age_min, r.age_max)
            ages.setdefault(age, (r.age_min, r.age_max))
        place = r.pcode or r.governorate
        if place and place_adm1.get(place) is None:
            place_adm1[place] = place[:4] if place[:2] == "SY" else r.governorate
        civilian = None if r.civilian is None else ("yes" if r.civilian else "no")
        row = (r.status, r.sex, age, r.date_of_death, place, civilian, cause_term(r.cause))
        for name, value in zip(FIELDS, row, strict=True):
            if value:
                group = groups[name].get(value)
                if group is None:
                    groups[name][value] = _Group(r)
                else:
                    group.add(r)

    def age_refines(fine: str, coarse: str) -> bool:
        (f_lo, f_hi), (c_lo, c_hi) = _bounds(ages[fine]), _bounds(ages[coarse])
        return c_lo <= f_lo and f_hi <= c_hi and (f_lo, f_hi) != (c_lo, c_hi)

    def place_refines(fine: str, coarse: str) -> bool:
        if coarse[:2] != "SY":
            return False
        if fine[:2] == "SY":
            return len(fine) > len(coarse) and fine.startswith(coarse)
        return len(coarse) == 4 and place_adm1[fine] == coarse

    specific: dict[str, tuple[Callable[[str], float], Callable[[str, str], bool]]] = {
        "age": (lambda v: -_width(ages[v]), age_refines),
        "date_of_death": (len, _date_refines),
        "place": (place_precision, place_refines),
    }
    fields = {
        name: _resolve(name, groups[name], choices.get(name), *specific.get(name, _FLAT))
        for name in FIELDS
    }
    place = fields["place"].value
    age_min, age_max = ages[fields["age"].value] if fields["age"].value else (None, None)
    civilian = fields["civilian"].value
    return PersonResolution(
        fields=fields,
        conflicting=any(f.conflicting for f in fields.values()),
        status=fields["status"].value or records[0].status,
        sex=fields["sex"].value,
        age_min=age_min,
        age_max=age_max,
        date_of_death=fields["date_of_death"].value,
        pcode=place,
        governorate=place_adm1[place] if place else None,
        district=_district(ordered, place) if place else None,
        civilian=None if civilian is None else civilian == "yes",
        cause=fields["cause"].value,
    )


class _Group:
    """The records, sources and independent lists giving one value of one field."""

    __slots__ = ("lists", "records", "sources")

    def __init__(self, r: RecordEvidence) -> None:
        self.records = [r.record_id]
        self.sources = {r.source}
        self.lists = {r.independent_list}

    def field_value(self, value: str) -> FieldValue:
        sources = sorted(self.sources) if len(self.sources) > 1 else self.sources
        return FieldValue(value, tuple(self.records), tuple(sources))

    def add(self, r: RecordEvidence) -> None:
        self.records.append(r.record_id)
        self.sources.add(r.source)
        self.lists.add(r.independent_list)


def _resolve(
    name: str,
    groups: dict[str, _Group],
    choice: str | None,
    specificity: Callable[[str], float],
    refines: Callable[[str, str], bool],
) -> FieldResolution:
    if choice is not None and choice not in groups:
        known = ", ".join(groups) or "none"
        raise ValueError(f"{name}: {choice!r} is not one of the person's values ({known})")
    if not groups:
        return FieldResolution(name, None, "no value", False, ())
    if len(groups) == 1:
        (value, group), *_ = groups.items()
        rule = "only value" if choice is None else "reviewer choice"
        return FieldResolution(name, value, rule, False, (group.field_value(value),))
    values = tuple(g.field_value(v) for v, g in groups.items())
    conflicting = False
    ordered = sorted(groups, key=specificity, reverse=True)
    if all(refines(a, b) for a, b in pairwise(ordered)):
        value, rule = ordered[0], "most specific"
    else:
        conflicting = True
        value, rule = _most_supported(groups, specificity, refines)
    if choice is not None:
        value, rule = choice, "reviewer choice"
    return FieldResolution(name, value, rule, conflicting, values)


def _most_supported(
    groups: dict[str, _Group],
    specificity: Callable[[str], float],
    refines: Callable[[str, str], bool],
) -> tuple[str, str]:
    """Rule 3: most independent lists, then most specific, then earliest record."""
    support = {}
    for value in groups:
        lists = set(groups[value].lists)
        for other, group in groups.items():
            if refines(value, other):
                lists |= group.lists
        support[value] = len(lists)
    best = max(support.values())
    tied = [v for v in groups if support[v] == best]
    if len(tied) == 1:
        return tied[0], "most independent sources"
    finest = max(specificity(v) for v in tied)
    tied = [v for v in tied if specificity(v) == finest]
    if len(tied) == 1:
        return tied[0], "tie: most specific"
    return min(tied, key=lambda v: groups[v].records[0]), "tie: earliest record"


def _flat_specificity(value: str) -> float:
    return 0.0


def _never_refines(fine: str, coarse: str) -> bool:
    return False


_FLAT = (_flat_specificity, _never_refines)


def _date_refines(fine: str, coarse: str) -> bool:
    return len(fine) > len(coarse) and fine.startswith(coarse)


def _record_id(r: RecordEvidence) -> int:
    return r.record_id


def _age_text(age_min: int | None, age_max: int | None) -> str:
    if age_max is None:
        return f"{age_min}+"
    if age_min is None:
        return f"0-{age_max}"
    return str(age_min) if age_min == age_max else f"{age_min}-{age_max}"


_OLDEST = 130
"""The upper bound of an open age range ("18+"), so that "60+" is narrower than "18+"."""


def _bounds(age: tuple[int | None, int | None]) -> tuple[int, int]:
    return (age[0] or 0, _OLDEST if age[1] is None else age[1])


def _width(age: tuple[int | None, int | None]) -> int:
    low, high = _bounds(age)
    return high - low


def _district(ordered: Sequence[RecordEvidence], place: str) -> str | None:
    """The district name of the earliest record carrying the resolved place, if any."""
    for r in ordered:
        if (r.pcode or r.governorate) == place and r.district:
            return r.district
    return None
