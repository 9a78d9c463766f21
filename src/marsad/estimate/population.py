"""From records grouped into persons to capture histories, under the identifiability rule.

A person's capture history holds list L only if one of their records on L is identifiable
(`marsad.verify.identifiable`): a record too thin to be matched says nothing about whether the
person was recorded twice. A person with no identifiable record is left out of the estimate,
and counted here by what their records lack. The same function serves the stored persons and
every clustering drawn from the link probabilities (`marsad.estimate.linkage_draws`), so both
are estimated under one rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marsad.domain.estimates import CaptureHistories, Pattern
from marsad.estimate.histories import histories_from_patterns

SPLIT_ACROSS_RECORDS = "no one record meets every requirement"
"""Why a person is left out whose records meet each requirement, but never all in one record."""


@dataclass(frozen=True)
class Population:
    """The records of the persons in the store, as estimation reads them.

    `lists`: record → its independent list. `missing`: record → the identifiability
    requirements it does not meet (empty: identifiable). `person_of`: record → stored person.
    `label_of`: stored person → stratum label ("" unstratified), or None when the person is
    not of the status estimated.
    """

    lists: Mapping[int, str]
    missing: Mapping[int, tuple[str, ...]]
    person_of: Mapping[int, int]
    label_of: Mapping[int, str | None]

    def stored_groups(self) -> list[list[int]]:
        """The records of each stored person."""
        groups: dict[int, list[int]] = {}
        for record, person in self.person_of.items():
            groups.setdefault(person, []).append(record)
        return [sorted(records) for _, records in sorted(groups.items())]

    def label(self, records: Sequence[int]) -> str | None:
        """A group's stratum and status: those of the stored person holding most of its records
        (ties: the lower person id), so a drawn person is stratified as the counts stratify the
        person it mostly comes from."""
        if len(records) == 1:
            return self.label_of.get(self.person_of[records[0]])
        votes = Counter(self.person_of[r] for r in records)
        person = min(votes, key=lambda p: (-votes[p], p))
        return self.label_of.get(person)

    def persons(self, groups: Iterable[Sequence[int]]) -> Persons:
        """The capture patterns of the groups of the status estimated, and who was left out."""
        included: list[tuple[str, frozenset[str]]] = []
        left = LeftOut()
        for records in groups:
            label = self.label(records)
            if label is None:
                continue
            lists = frozenset(self.lists[r] for r in records if not self.missing[r])
            left.add(records, self.missing, bool(lists))
            if lists:
                included.append((label, lists))
        return Persons(included, left)


@dataclass
class LeftOut:
    """Records and persons of the status estimated that the identifiability rule left out."""

    records: int = 0
    records_left_out: int = 0
    records_by_missing: Counter[str] = field(default_factory=Counter)
    persons: int = 0
    persons_left_out: int = 0
    persons_by_missing: Counter[str] = field(default_factory=Counter)

    def add(
        self, records: Sequence[int], missing: Mapping[int, tuple[str, ...]], included: bool
    ) -> None:
        self.persons += 1
        self.records += len(records)
        lacking = [missing[r] for r in records]
        for what in lacking:
            if what:
                self.records_left_out += 1
                self.records_by_missing.update(what)
        if included:
            return
        self.persons_left_out += 1
        in_every = set.intersection(*(set(what) for what in lacking))
        self.persons_by_missing.update(in_every or {SPLIT_ACROSS_RECORDS})

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "records_left_out": self.records_left_out,
            "records_by_missing": dict(sorted(self.records_by_missing.items())),
            "persons": self.persons,
            "persons_left_out": self.persons_left_out,
            "persons_by_missing": dict(sorted(self.persons_by_missing.items())),
        }


@dataclass(frozen=True)
class Persons:
    """The persons that enter an estimate, as (stratum label, lists), and who did not."""

    included: list[tuple[str, frozenset[str]]]
    left_out: LeftOut

    def histories(self) -> CaptureHistories:
        lists = sorted({name for _, names in self.included for name in names})
        return histories_from_patterns(lists, (names for _, names in self.included))

    def labelled(self, lists: Sequence[str]) -> list[tuple[str, Pattern]]:
        return [
            (label, tuple(int(name in names) for name in lists)) for label, names in self.included
        ]
