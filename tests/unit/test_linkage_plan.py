"""The model plan follows the fields the records carry: no field is assumed present."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pandas as pd
import pytest

from marsad.linkage.comparisons import BY_NAME
from marsad.linkage.features import features_frame
from marsad.linkage.model import summarise
from marsad.linkage.plan import (
    MIN_TRAINING_PAIRS,
    RULE_PAIRS_FLOOR,
    RULE_PAIRS_PER_RECORD,
    block_pairs,
    plan_model,
)
from tests.unit.linkage_records import record

FIRSTS = ["محمد", "أحمد", "علي", "حسن", "فاطمة", "زينب", "سامر", "ريم", "خالد", "هدى"]
LATIN_FIRSTS = ["Mohammad", "Ahmad", "Ali", "Hassan", "Fatima", "Zeinab", "Samer", "Reem"]
FAMILIES = ["ديب", "سلوم", "خضور", "العلي", "شاهين", "حداد", "نصر", "عيسى"]


def invented(rng: random.Random) -> str:
    """A name of two syllables (many distinct names, as real lists have)."""
    return "".join(rng.choice("bdfklmnrst") + rng.choice("aiou") for _ in range(2)).title() + "m"


def names_and_dates(n: int) -> pd.DataFrame:
    """Two lists of three-part names and full dates over a year, nothing else."""
    rng = random.Random(3)
    rows = []
    for i in range(n):
        name = f"{rng.choice(LATIN_FIRSTS)} {invented(rng)} {invented(rng)}"
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
        rows.append(record(i, name, "A" if i % 2 else "B", date_of_death=day.isoformat()))
    return features_frame(rows)


def test_a_field_no_record_carries_is_left_out_with_the_reason() -> None:
    plan = plan_model(names_and_dates(2_000), train=True)
    assert plan.comparisons == ("first_key", "father_key", "family_key", "dod", "lists")
    reasons = dict(plan.left_out)
    assert reasons["mother_key"] == "no record has it"
    assert reasons["place"] == "no record has it"
    assert reasons["status"] == "every record has the same value"
    line = plan.describe()
    assert "left out" in line and "mother's name (no record has it)" in line


def test_blocking_rules_lose_the_columns_no_record_carries() -> None:
    plan = plan_model(names_and_dates(2_000), train=True)
    for rule in plan.blocking_rules:
        assert "adm1" not in rule
    assert ("first_key", "dod") in plan.blocking_rules
    assert ("father_key", "family_key") in plan.blocking_rules


def test_every_comparison_is_trained_by_a_session_that_does_not_block_on_it() -> None:
    plan = plan_model(names_and_dates(3_000), train=True)
    assert plan.untrained == ()
    for comparison in plan.comparisons:
        reads = set(BY_NAME[comparison].reads)
        assert any(not reads & set(rule) for rule in plan.training_rules), comparison
    # No district on these lists: the date session is not blocked on one.
    assert all("adm2" not in rule for rule in plan.training_rules)


def test_a_session_with_too_few_pairs_is_not_run() -> None:
    frame = names_and_dates(60)
    plan = plan_model(frame, train=True)
    for rule in plan.training_rules:
        assert block_pairs(frame, rule, 40) >= MIN_TRAINING_PAIRS
    assert plan.untrained, "sixty records cannot train every comparison"


def test_names_alone_are_compared_and_the_plan_says_so() -> None:
    rows = [
        record(i, f"{first} {family}", "A" if i % 3 else "B")
        for i, (first, family) in enumerate(itertools.product(FIRSTS, FAMILIES))
    ]
    plan = plan_model(features_frame(rows), train=False)
    assert set(plan.comparisons) == {"first_key", "family_key", "lists"}
    assert plan.names_only
    assert "names alone" in plan.describe()
    assert plan.blocking_rules, "names alone still find candidate pairs"


def test_a_rule_that_would_compare_too_many_pairs_is_tightened() -> None:
    size = 3_000
    names = itertools.cycle(itertools.product(FIRSTS, FAMILIES))
    rows = [
        record(
            i,
            "محمد علي" if i % 30 else " ".join(next(names)),
            date_of_death=f"{2000 + i % 25}-01-01",
            pcode_adm1=f"SY{1 + i % 14:02d}",
        )
        for i in range(size)
    ]
    frame = features_frame(rows)
    budget = RULE_PAIRS_FLOOR + RULE_PAIRS_PER_RECORD * size
    assert block_pairs(frame, ("first_key", "family_key")) > budget
    plan = plan_model(frame, train=False)
    assert ("first_key", "family_key") not in plan.blocking_rules
    assert ("first_key", "family_key", "dod_year") in plan.blocking_rules
    assert all(block_pairs(frame, rule) <= budget for rule in plan.blocking_rules)


def test_tiny_lists_still_compare_what_every_record_has() -> None:
    rows = [record(1, "سامر ديب"), record(2, "SAMER DIB", "B"), record(3, "ريم سلوم", "B")]
    plan = plan_model(features_frame(rows), train=False)
    assert "first_key" in plan.comparisons and "family_key" in plan.comparisons


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        (
            [
                "WARNING:\nLevel same year on comparison dod not observed in dataset, unable",
                "WARNING:\nLevel typo on comparison first_key not observed in dataset, unable",
                "WARNING:\nLevel exact on comparison dod not observed in dataset, unable",
            ],
            (
                "3 comparison levels were not seen in training (dod ×2, first_key ×1); they "
                "keep the default model's values",
            ),
        ),
        (["Something odd\nmore detail", "Something odd"], ("Something odd (×2)",)),
        (["", "WARNING:\n"], ()),
    ],
)
def test_splink_warnings_are_summarised(messages: list[str], expected: tuple[str, ...]) -> None:
    assert summarise(messages) == expected
