"""Resolving a person's disagreeing records: refinement, support, tie-breaks, reviewer choice."""

from __future__ import annotations

from typing import Any

import pytest

from marsad.verify.conflicts import FIELDS, resolve_person
from marsad.verify.evidence import RecordEvidence


def rec(record_id: int, lst: str, **fields: Any) -> RecordEvidence:
    """A record of source `lst` (its own independent list unless `independent_list` is given)."""
    fields.setdefault("independent_list", lst)
    return RecordEvidence(record_id=record_id, source=lst, **fields)


def test_agreeing_records_give_the_only_value_and_no_conflict() -> None:
    fields = {"sex": "male", "date_of_death": "2025-03-07", "pcode": "SY0103", "cause": "shelling"}
    result = resolve_person([rec(1, "A", **fields), rec(2, "B", **fields)])
    assert result.conflicting is False
    assert result.conflicts_json() == {}
    assert result.fields["sex"].rule == "only value"
    assert result.fields["sex"].values[0].records == (1, 2)
    assert result.fields["sex"].values[0].sources == ("A", "B")
    assert (result.sex, result.date_of_death, result.pcode, result.cause) == (
        "male",
        "2025-03-07",
        "SY0103",
        "shelling",
    )


def test_every_field_is_resolved_even_without_values() -> None:
    result = resolve_person([rec(1, "A")])
    assert set(result.fields) == set(FIELDS)
    assert result.fields["sex"].value is None
    assert result.fields["sex"].rule == "no value"
    assert result.resolved_by_json() == {"status": "only value"}
    assert result.status == "killed"


def test_a_missing_value_never_counts() -> None:
    result = resolve_person([rec(1, "A", sex="female"), rec(2, "B"), rec(3, "C")])
    assert result.sex == "female"
    assert result.fields["sex"].rule == "only value"
    assert result.conflicting is False


@pytest.mark.parametrize(
    ("field", "coarse", "fine"),
    [
        ("date_of_death", {"date_of_death": "2025-03"}, {"date_of_death": "2025-03-07"}),
        ("date_of_death", {"date_of_death": "2025"}, {"date_of_death": "2025-03"}),
        ("place", {"pcode": "SY01"}, {"pcode": "SY0103"}),
        ("place", {"governorate": "SY01"}, {"pcode": "SY010300"}),
        ("age", {"age_min": 30, "age_max": 39}, {"age_min": 34, "age_max": 34}),
        ("age", {"age_min": 18}, {"age_min": 60}),
    ],
)
def test_refinements_are_not_conflicts(
    field: str, coarse: dict[str, Any], fine: dict[str, Any]
) -> None:
    # The coarse value comes from more lists and the earlier record: specificity still wins.
    records = [rec(1, "A", **coarse), rec(2, "B", **coarse), rec(3, "C", **fine)]
    result = resolve_person(records)
    resolution = result.fields[field]
    assert resolution.rule == "most specific"
    assert resolution.conflicting is False
    assert result.conflicting is False
    assert resolution.values[1].records == (3,)
    assert resolution.value == resolution.values[1].value


def test_typed_values_follow_the_most_specific_age() -> None:
    result = resolve_person(
        [rec(1, "A", age_min=30, age_max=39), rec(2, "B", age_min=34, age_max=34)]
    )
    assert (result.age_min, result.age_max) == (34, 34)
    assert [v.value for v in result.fields["age"].values] == ["30-39", "34"]


def test_open_age_ranges_display_and_resolve() -> None:
    result = resolve_person([rec(1, "A", age_min=18), rec(2, "B", age_max=17)])
    assert [v.value for v in result.fields["age"].values] == ["18+", "0-17"]
    assert result.fields["age"].conflicting is True


def test_most_independent_lists_win_a_real_disagreement() -> None:
    records = [
        rec(1, "A", date_of_death="2025-03-07"),
        rec(2, "B", date_of_death="2025-03-09"),
        rec(3, "C", date_of_death="2025-03-09"),
    ]
    result = resolve_person(records)
    assert result.date_of_death == "2025-03-09"
    assert result.fields["date_of_death"].rule == "most independent sources"
    assert result.conflicting is True


def test_records_of_one_independent_list_support_a_value_once() -> None:
    records = [
        rec(1, "A", sex="male"),
        rec(2, "A", sex="male"),
        rec(3, "A-copy", independent_list="A", sex="male"),
        rec(4, "B", sex="female"),
        rec(5, "C", sex="female"),
    ]
    result = resolve_person(records)
    assert result.sex == "female"
    male = result.fields["sex"].values[0]
    assert male.records == (1, 2, 3)
    assert male.sources == ("A", "A-copy")


def test_a_coarser_value_supports_the_finer_values_it_contains() -> None:
    records = [
        rec(1, "A", pcode="SY0205"),
        rec(2, "B", pcode="SY01"),
        rec(3, "C", pcode="SY0103"),
    ]
    result = resolve_person(records)
    assert result.pcode == "SY0103"
    assert result.fields["place"].rule == "most independent sources"
    assert result.fields["place"].conflicting is True


def test_tie_goes_to_the_most_specific() -> None:
    result = resolve_person(
        [rec(1, "A", date_of_death="2025-04"), rec(2, "B", date_of_death="2025-03-02")]
    )
    assert result.date_of_death == "2025-03-02"
    assert result.fields["date_of_death"].rule == "tie: most specific"


def test_then_to_the_earliest_record_whatever_the_input_order() -> None:
    records = [rec(20, "A", sex="male"), rec(10, "B", sex="female")]
    result = resolve_person(records)
    assert result.sex == "female"
    assert result.fields["sex"].rule == "tie: earliest record"
    assert [v.value for v in result.fields["sex"].values] == ["female", "male"]
    assert resolve_person(list(reversed(records))) == result


def test_status_and_civilian_disagreements_are_conflicts() -> None:
    records = [
        rec(1, "A", status="missing", civilian=False),
        rec(2, "B", status="killed", civilian=True),
        rec(3, "C", status="killed", civilian=True),
    ]
    result = resolve_person(records)
    assert result.status == "killed"
    assert result.civilian is True
    conflicts = result.conflicts_json()
    assert set(conflicts) == {"status", "civilian"}
    assert conflicts["civilian"]["values"] == [
        {"value": "no", "records": [1], "sources": ["A"]},
        {"value": "yes", "records": [2, 3], "sources": ["B", "C"]},
    ]
    assert conflicts["status"]["resolved"] == "killed"
    assert conflicts["status"]["rule"] == "most independent sources"


def test_reviewer_choice_wins_but_the_disagreement_stays_visible() -> None:
    records = [
        rec(1, "A", cause="shelling"),
        rec(2, "B", cause="airstrike"),
        rec(3, "C", cause="airstrike"),
    ]
    result = resolve_person(records, {"cause": "shelling"})
    assert result.cause == "shelling"
    assert result.fields["cause"].rule == "reviewer choice"
    assert result.conflicting is True
    assert result.resolved_by_json()["cause"] == "reviewer choice"
    assert result.conflicts_json()["cause"]["resolved"] == "shelling"


def test_reviewer_may_choose_the_coarser_of_two_refining_values() -> None:
    records = [rec(1, "A", pcode="SY01", district="x"), rec(2, "B", pcode="SY0103")]
    result = resolve_person(records, {"place": "SY01"})
    assert result.pcode == "SY01"
    assert result.district == "x"
    assert result.conflicting is False


def test_reviewer_choice_must_be_one_of_the_values() -> None:
    with pytest.raises(ValueError, match="not one of the person's values"):
        resolve_person([rec(1, "A", sex="male")], {"sex": "female"})
    with pytest.raises(ValueError, match="unknown field"):
        resolve_person([rec(1, "A", sex="male")], {"gender": "male"})


def test_governorate_and_district_follow_the_resolved_place() -> None:
    records = [
        rec(1, "A", pcode="SY0205", governorate="SY02", district="Elsewhere"),
        rec(2, "B", pcode="SY0103", governorate="SY01"),
        rec(3, "C", pcode="SY0103", governorate="SY01", district="Here"),
    ]
    result = resolve_person(records)
    assert (result.pcode, result.governorate, result.district) == ("SY0103", "SY01", "Here")


def test_governorate_of_a_community_code_comes_from_its_record() -> None:
    records = [rec(1, "A", pcode="C4321", governorate="SY07"), rec(2, "B", governorate="SY07")]
    result = resolve_person(records)
    assert result.pcode == "C4321"
    assert result.governorate == "SY07"
    assert result.fields["place"].rule == "most specific"


def test_resolved_by_lists_only_fields_with_a_value() -> None:
    result = resolve_person(
        [rec(1, "A", sex="male", date_of_death="2025"), rec(2, "B", date_of_death="2025-01")]
    )
    assert result.resolved_by_json() == {
        "status": "only value",
        "sex": "only value",
        "date_of_death": "most specific",
    }


def test_a_person_without_records_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one record"):
        resolve_person([])


def test_a_cause_in_arabic_and_in_english_is_one_cause() -> None:
    resolved = resolve_person(
        [
            rec(1, "A", cause="إطلاق نار"),
            rec(2, "B", cause="Shooting"),
        ]
    )
    assert not resolved.conflicting
    assert resolved.cause == "shooting"
    disputed = resolve_person([rec(1, "A", cause="قصف"), rec(2, "B", cause="shooting")])
    assert disputed.fields["cause"].conflicting
    assert {v.value for v in disputed.fields["cause"].values} == {"shelling", "shooting"}
