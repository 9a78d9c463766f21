"""Which comparisons, blocking rules and training sessions a run uses, from what the records carry.

Lists written by different organisations carry different fields: one has district codes and
mothers' names, another only a first and a family name and a date. No field may be assumed: a
comparison whose field too few records carry is left out of the model, a blocking rule is
loosened or dropped when its fields are missing, and EM training sessions are chosen so that
every comparison is trained by at least one session that does not block on it. The plan is pure:
a data frame of features in, a plan out; `marsad.linkage.model` turns it into Splink settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from marsad.linkage.comparisons import BY_NAME, COMPARISONS

MIN_CARRIED = 10
"""A field carried by fewer records than this (or half the records, when there are fewer than
twenty) is left out: too few pairs could compare it."""
MIN_CARRIED_SHARE = 0.01
"""... and so is a field carried by less than this share of the records."""
BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("first_key", "family_key"),
    ("first_key", "father_key"),
    ("first_key", "second_key"),
    ("father_key", "family_key", "adm1"),
    ("first_key", "dod", "adm1"),
    ("family_key", "dod"),
)
"""Chosen for recall: each rule catches links that the others miss. A typo in the first name is
caught by father + family; in the family name by first + father; partial or shifted dates by the
name rules; a missing father by first + family. A rule loses the columns no record carries (a
place, a date) when what is left still holds a name and one more column."""
NAME_COLUMNS = frozenset({"first_key", "father_key", "family_key", "second_key"})
NAME_COMPARISONS = frozenset(
    {"first_key", "father_key", "grandfather_key", "family_key", "mother_key", "lists"}
)
RULE_PAIRS_PER_RECORD = 200
"""A blocking rule that would compare more pairs than this many per record (plus RULE_PAIRS_FLOOR)
is tightened by the year of death, then the governorate, then sex, or else left out: on names
alone, "Mohammad" + "Ali" would compare every Mohammad Ali with every other."""
RULE_PAIRS_FLOOR = 2_000_000
TIGHTENERS = ("dod_year", "adm1", "sex")
TRAINING_RULES: tuple[tuple[str, ...], ...] = (
    ("first_key", "family_key"),
    ("dod", "adm2", "sex"),
    ("dod", "adm1", "sex"),
    ("dod", "adm1"),
    ("dod", "sex"),
    ("father_key", "family_key"),
    ("first_key", "father_key"),
    ("dod",),
)
"""Candidate EM sessions, in order of preference. Each trains every comparison that reads none of
its columns; the first two train every comparison on lists with names, dates and districts."""
TRAINING_BLOCK_RECORDS = 40
"""EM reads only the blocks of at most this many sample records. Namesake pairs grow with the
square of a block and matches only with its size, so the few blocks of the commonest names
("Mohammad" + "Ali", or everyone who died on the worst day in one district) hold most pairs and
almost no matches. On a million records EM on whole blocks settled on another split than the
persons (agreeing on the father's name worth 0.5 bits instead of 4); capped, it learns the same
weights as on 100,000 records. The cap leaves out pairs, not comparisons: every level is still
seen in the smaller blocks."""
MIN_TRAINING_PAIRS = 500
"""An EM session on fewer pairs than this is not run: its estimates would be noise."""


@dataclass(frozen=True)
class FieldProfile:
    """How many records carry each feature column, and how many distinct values it takes."""

    records: int
    carried: dict[str, int]
    distinct: dict[str, int]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> FieldProfile:
        columns = [c for c in frame.columns if c != "unique_id"]
        return cls(
            records=len(frame),
            carried={c: int(frame[c].notna().sum()) for c in columns},
            distinct={c: int(frame[c].nunique(dropna=True)) for c in columns},
        )

    def usable(self, column: str) -> bool:
        """Whether enough records carry the column, with more than one value, to compare it."""
        carried = self.carried.get(column, 0)
        least = max(2, min(MIN_CARRIED, self.records // 2), MIN_CARRIED_SHARE * self.records)
        return carried >= least and self.distinct.get(column, 0) >= 2

    def why_not(self, column: str) -> str:
        carried = self.carried.get(column, 0)
        if carried == 0:
            return "no record has it"
        if self.distinct.get(column, 0) < 2:
            return "every record has the same value"
        return f"only {carried:,} of {self.records:,} records have it"


@dataclass(frozen=True)
class ModelPlan:
    """What a run compares, how it finds candidate pairs, and how it trains."""

    comparisons: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...]
    """(comparison, why) for each comparison the records cannot feed."""
    blocking_rules: tuple[tuple[str, ...], ...]
    training_rules: tuple[tuple[str, ...], ...]
    untrained: tuple[str, ...]
    """Comparisons no EM session could train: they keep the shipped default model's m."""

    @property
    def names_only(self) -> bool:
        """Whether nothing but names (and which list a record is on) is compared."""
        return bool(self.comparisons) and set(self.comparisons) <= NAME_COMPARISONS

    def describe(self) -> str:
        """One line: what the run compares and what it left out."""
        used = ", ".join(BY_NAME[c].label for c in self.comparisons)
        line = f"comparing {used}"
        if self.left_out:
            gone = "; ".join(f"{BY_NAME[c].label} ({why})" for c, why in self.left_out)
            line += f"; left out: {gone}"
        if self.names_only:
            line += (
                ". Linking on names alone: namesakes cannot be told apart, so expect more "
                "pairs to review and fewer links"
            )
        return line


def plan_model(frame: pd.DataFrame, *, train: bool) -> ModelPlan:
    """The plan for linking the records of `frame` (the columns of `features.FEATURE_COLUMNS`).

    `train` False plans no EM session (the model's parameters come from elsewhere).
    """
    profile = FieldProfile.of(frame)
    comparisons = tuple(spec.name for spec in COMPARISONS if profile.usable(spec.needs))
    left_out = tuple(
        (spec.name, profile.why_not(spec.needs))
        for spec in COMPARISONS
        if spec.name not in comparisons
    )
    usable = {c for c in profile.carried if profile.usable(c)}
    blocking = _blocking_rules(frame, usable)
    training: tuple[tuple[str, ...], ...] = ()
    untrained = comparisons
    if train:
        training, untrained = _training_rules(frame, usable, comparisons)
    return ModelPlan(comparisons, left_out, blocking, training, untrained)


def block_pairs(frame: pd.DataFrame, columns: Sequence[str], cap: int | None = None) -> int:
    """Pairs a rule blocking on `columns` compares (only blocks of at most `cap` records)."""
    keyed = frame[list(columns)].dropna()
    if keyed.empty:
        return 0
    sizes = keyed.groupby(list(columns), sort=False).size()
    if cap is not None:
        sizes = sizes[sizes <= cap]
    return int((sizes * (sizes - 1) // 2).sum())


def _blocking_rules(frame: pd.DataFrame, usable: set[str]) -> tuple[tuple[str, ...], ...]:
    budget = RULE_PAIRS_FLOOR + RULE_PAIRS_PER_RECORD * len(frame)
    rules: list[tuple[str, ...]] = []
    for rule in BLOCKING_RULES:
        kept = tuple(c for c in rule if c in usable)
        if not (NAME_COLUMNS & set(kept)) or len(kept) < 2:
            continue
        for extra in (None, *TIGHTENERS):
            if extra is not None:
                if extra not in usable or extra in kept:
                    continue
                kept = (*kept, extra)
            if block_pairs(frame, kept) <= budget:
                if kept not in rules:
                    rules.append(kept)
                break
    if not rules:
        rules.append(("first_key",))
    return tuple(rules)


def trained_by(rule: Sequence[str], comparisons: Sequence[str]) -> tuple[str, ...]:
    """The comparisons an EM session blocked on `rule` can train: those reading none of its
    columns (Splink's rule, too: a comparison blocked on always agrees)."""
    return tuple(c for c in comparisons if not set(BY_NAME[c].reads) & set(rule))


def _training_rules(
    frame: pd.DataFrame, usable: set[str], comparisons: tuple[str, ...]
) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """EM sessions chosen greedily until every comparison is trained, and the ones left."""
    untrained = list(comparisons)
    chosen: list[tuple[str, ...]] = []
    for rule in TRAINING_RULES:
        if not untrained:
            break
        if not set(rule) <= usable:
            continue
        trains = trained_by(rule, tuple(untrained))
        if not trains or block_pairs(frame, rule, TRAINING_BLOCK_RECORDS) < MIN_TRAINING_PAIRS:
            continue
        chosen.append(rule)
        untrained = [c for c in untrained if c not in trains]
    return tuple(chosen), tuple(untrained)
