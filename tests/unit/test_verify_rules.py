"""Verification statuses by the YAML rules: each status, each condition, reviewers, errors."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from marsad.verify.evidence import RecordEvidence
from marsad.verify.rules import (
    RulesError,
    VerificationRules,
    load_rules,
    parse_rules,
    verify_person,
)

DEFAULTS = load_rules()
DEFAULT_TEXT = (
    resources.files("marsad.verify").joinpath("default_rules.yaml").read_text(encoding="utf-8")
)
NAMES = {"name_first": "Yamama", "name_father": "Qutaybah", "name_family": "Zahrawi"}


def rec(record_id: int, lst: str, **fields: Any) -> RecordEvidence:
    """A record of source `lst` (its own independent list unless `independent_list` is given)."""
    fields.setdefault("independent_list", lst)
    return RecordEvidence(record_id=record_id, source=lst, **fields)


def full(record_id: int, lst: str, **fields: Any) -> RecordEvidence:
    """A record with everything verified asks for: three names, a day, a governorate p-code."""
    base: dict[str, Any] = {**NAMES, "date_of_death": "2025-03-07", "pcode": "SY0103"}
    return rec(record_id, lst, **{**base, **fields})


def custom(tmp_path: Path, **changes: Any) -> VerificationRules:
    """The default rules with some keys replaced, written to a file and loaded from it."""
    data = yaml.safe_load(DEFAULT_TEXT)
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split("__")
        for parent in parents:
            target = target[parent]
        target[last] = value
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_rules(path)


# --- the packaged rules -------------------------------------------------------------------


def test_packaged_rules_keep_their_text_and_hash() -> None:
    assert DEFAULTS.text == DEFAULT_TEXT
    assert DEFAULTS.sha256 == hashlib.sha256(DEFAULT_TEXT.encode("utf-8")).hexdigest()
    assert "default_rules.yaml" in DEFAULTS.source


def test_packaged_rules_are_the_documented_defaults() -> None:
    assert DEFAULTS.identified == (
        ("name_first", "name_father", "name_family"),
        ("name_first", "name_family", "age"),
    )
    assert DEFAULTS.date_precision == "day"
    assert DEFAULTS.place_level == "governorate"
    assert DEFAULTS.min_independent_sources == 2
    assert DEFAULTS.verified_requires == ("identified", "dated", "placed", "corroborated")
    assert DEFAULTS.reviewer_confirmation is True


# --- reported and corroborated ------------------------------------------------------------


def test_one_record_is_reported_and_says_why_not_corroborated() -> None:
    result = verify_person([full(7, "A")], DEFAULTS)
    assert result.status == "reported"
    assert result.rule == "reported: at least one source"
    assert result.records == (7,)
    assert any("1 independent source" in r and "2 needed" in r for r in result.reasons)


def test_two_records_of_one_independent_list_count_once() -> None:
    copy = full(9, "A-copy", independent_list="A")
    result = verify_person([full(7, "A"), copy], DEFAULTS)
    assert result.status == "reported"
    assert result.records == (7, 9)
    assert any("2 records from 2 sources" in r for r in result.reasons)


def test_two_independent_lists_corroborate() -> None:
    records = [rec(30, "B"), rec(12, "A"), rec(14, "A")]
    result = verify_person(records, DEFAULTS)
    assert result.status == "corroborated"
    assert result.rule == "corroborated: at least 2 independent sources"
    assert result.records == (12, 30)  # the first record of each list
    assert "2 independent sources" in result.reasons[0]


def test_corroborated_says_every_reason_it_is_not_verified() -> None:
    records = [rec(1, "A", date_of_death="2025-03"), rec(2, "B", name_first="x")]
    reasons = verify_person(records, DEFAULTS).reasons
    assert any(r.startswith("not identified") for r in reasons)
    assert any("no date of death to the day" in r and "month" in r for r in reasons)
    assert "no place of death" in reasons


def test_custom_rules_requiring_three_sources(tmp_path: Path) -> None:
    rules = custom(tmp_path, corroborated__min_independent_sources=3)
    two = [full(1, "A"), full(2, "B")]
    assert verify_person(two, rules).status == "reported"
    assert any("3 needed" in r for r in verify_person(two, rules).reasons)
    three = [*two, rec(3, "C")]
    result = verify_person(three, rules)
    assert result.status == "verified"
    assert result.records == (1, 2, 3)


# --- verified -----------------------------------------------------------------------------


def test_verified_with_everything_in_every_record() -> None:
    result = verify_person([full(1, "A"), full(2, "B")], DEFAULTS)
    assert result.status == "verified"
    assert result.rule == "verified: identified, dated, placed, corroborated"
    assert result.records == (1, 2)
    assert result.reasons[0] == "identified: first, father and family name present (records 1, 2)"


def test_verified_from_parts_in_different_records() -> None:
    records = [
        rec(1, "A", name_first="x", name_family="z"),
        rec(2, "B", name_father="y", date_of_death="2025-03-07"),
        rec(3, "B", governorate="SY05"),
    ]
    result = verify_person(records, DEFAULTS)
    assert result.status == "verified"
    assert result.records == (1, 2, 3)
    assert "identified: first, father and family name present (records 1, 2)" in result.reasons
    assert "date of death to the day (record 2)" in result.reasons
    assert "place of death at governorate level or finer (record 3)" in result.reasons


def test_first_and_family_name_with_an_age_identify() -> None:
    records = [
        full(1, "A", name_father=None, age_min=34, age_max=34),
        full(2, "B", name_father=None),
    ]
    result = verify_person(records, DEFAULTS)
    assert result.status == "verified"
    assert any("first and family name and age" in r for r in result.reasons)


def test_open_age_range_does_not_identify() -> None:
    records = [full(1, "A", name_father=None, age_min=18), full(2, "B", name_father=None)]
    result = verify_person(records, DEFAULTS)
    assert result.status == "corroborated"
    assert any(r.startswith("not identified") for r in result.reasons)


def test_month_date_is_not_enough_by_default_but_is_when_configured(tmp_path: Path) -> None:
    records = [full(1, "A", date_of_death="2025-03"), full(2, "B", date_of_death="2025")]
    assert verify_person(records, DEFAULTS).status == "corroborated"
    monthly = custom(tmp_path, date_precision="month")
    result = verify_person(records, monthly)
    assert result.status == "verified"
    assert "date of death to the month (record 1)" in result.reasons


def test_no_place_blocks_verified() -> None:
    records = [full(1, "A", pcode=None), full(2, "B", pcode=None)]
    result = verify_person(records, DEFAULTS)
    assert result.status == "corroborated"
    assert "no place of death" in result.reasons


def test_place_level_district_needs_a_district_p_code(tmp_path: Path) -> None:
    rules = custom(tmp_path, place_level="district")
    coarse = [full(1, "A", pcode="SY01"), full(2, "B", pcode=None, governorate="SY01")]
    result = verify_person(coarse, rules)
    assert result.status == "corroborated"
    assert any("district level" in r and "most precise: governorate" in r for r in result.reasons)
    community = [full(1, "A", pcode="C1234"), full(2, "B", pcode="SY01")]
    assert verify_person(community, rules).status == "verified"


def test_reviewer_confirmation_counts_instead_of_corroboration() -> None:
    result = verify_person([full(5, "A")], DEFAULTS, confirmed_note="grave visited")
    assert result.status == "verified"
    assert result.rule == "verified: identified, dated, placed, confirmed by reviewer"
    assert "confirmed by a reviewer: grave visited" in result.reasons


def test_reviewer_confirmation_does_not_replace_the_other_conditions() -> None:
    result = verify_person([full(5, "A", date_of_death=None)], DEFAULTS, confirmed_note="seen")
    assert result.status == "reported"
    assert "no date of death" in result.reasons


def test_rules_may_refuse_reviewer_confirmation(tmp_path: Path) -> None:
    rules = custom(tmp_path, verified__reviewer_confirmation=False)
    result = verify_person([full(5, "A")], rules, confirmed_note="seen")
    assert result.status == "reported"
    assert any("do not accept a reviewer's confirmation" in r for r in result.reasons)


def test_verified_without_corroboration_when_rules_drop_it(tmp_path: Path) -> None:
    rules = custom(tmp_path, verified__requires=["identified", "dated", "placed"])
    result = verify_person([full(5, "A")], rules)
    assert result.status == "verified"
    assert result.rule == "verified: identified, dated, placed"


# --- reviewer override --------------------------------------------------------------------


def test_override_wins_and_says_what_the_rules_give() -> None:
    result = verify_person(
        [full(1, "A"), full(2, "B")], DEFAULTS, override=("reported", "duplicate suspected", "amal")
    )
    assert result.status == "reported"
    assert result.rule == "reviewer: set by amal"
    assert "set by reviewer amal: duplicate suspected" in result.reasons
    assert any("rules alone give verified" in r for r in result.reasons)


def test_override_with_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown status"):
        verify_person([full(1, "A")], DEFAULTS, override=("confirmed", "x", "amal"))


# --- documented ---------------------------------------------------------------------------


def test_documented_when_name_date_and_place_present() -> None:
    result = verify_person([full(1, "A")], DEFAULTS)
    assert result.documented is True
    assert result.documented_missing == ()


def test_documented_missing_names_every_part_lacking() -> None:
    result = verify_person([rec(1, "A", name_first="x", date_of_death="2025")], DEFAULTS)
    assert result.documented is False
    assert result.documented_missing == ("full name", "date of death", "place of death")


def test_triple_name_is_a_full_name() -> None:
    triple = full(1, "A", name_family=None, name_grandfather="w")
    result = verify_person([triple], DEFAULTS)
    assert result.documented is True
    assert result.status == "reported"


# --- no names in anything said ------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"confirmed_note": "checked"}, {"override": ("verified", "checked", "amal")}],
)
def test_names_never_appear_in_rule_or_reasons(kwargs: dict[str, Any]) -> None:
    people = [
        [full(1, "A", name_grandfather="Wadiha"), full(2, "B")],
        [full(1, "A", date_of_death=None, name_grandfather="Wadiha")],
        [rec(1, "A", name_first="Yamama", name_grandfather="Wadiha")],
    ]
    for records in people:
        result = verify_person(records, DEFAULTS, **kwargs)
        said = " ".join([result.rule, *result.reasons, *result.documented_missing])
        for name in [*NAMES.values(), "Wadiha"]:
            assert name not in said


def test_a_person_without_records_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one record"):
        verify_person([], DEFAULTS)


# --- rules file errors --------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org-rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


FULL_NAME_SETS = (
    "  full_name:\n"
    "    - [name_first, name_family]\n"
    "    - [name_first, name_father, name_grandfather]\n"
)


def edited(**replacements: str) -> str:
    text = DEFAULT_TEXT
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


RULE_ERRORS = [
    (DEFAULT_TEXT + "extra: 1\n", "extra"),
    (edited(**{"version: 1": "version: 2"}), "version"),
    (edited(**{"date_precision: day\n\n#": "date_precision: week\n\n#"}), "date_precision"),
    (
        edited(**{"place_level: governorate\n\ncorr": "place_level: village\n\ncorr"}),
        "place_level",
    ),
    (edited(min_independent_sources="min_sources"), "corroborated.min_sources"),
    (edited(**{"sources: 2": "sources: 0"}), "corroborated.min_independent_sources"),
    (edited(**{"sources: 2": "sources: two"}), "corroborated.min_independent_sources"),
    (edited(**{"sources: 2": "sources: true"}), "corroborated.min_independent_sources"),
    (edited(**{"placed, corroborated]": "placed, famous]"}), "verified.requires"),
    (edited(**{"placed, corroborated]": "placed, placed]"}), "verified.requires"),
    (edited(**{"confirmation: true": "confirmation: maybe"}), "verified.reviewer_confirmation"),
    (edited(**{"[name_first, name_family, age]": "[name_first, nickname]"}), "identified[1]"),
    (
        edited(**{FULL_NAME_SETS: "  full_name: []\n"}),
        "documented.full_name",
    ),
    (edited(**{"version: 1\n": ""}), "version"),
    ("- just\n- a list\n", "(top level)"),
]


@pytest.mark.parametrize(("text", "key"), RULE_ERRORS, ids=[key for _, key in RULE_ERRORS])
def test_rules_errors_name_the_file_and_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert str(path) in message
    assert f": {key}:" in message


def test_documented_full_name_keeps_a_valid_remaining_set(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, edited(**{"  - [name_first, name_family]\n": ""})))
    assert rules.documented_full_name == (("name_first", "name_father", "name_grandfather"),)


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, DEFAULT_TEXT + "date_precision: month\n")
    with pytest.raises(RulesError, match=r"date_precision.*given twice"):
        load_rules(path)


def test_invalid_yaml_and_missing_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match=r"org-rules\.yaml: not valid YAML"):
        load_rules(write(tmp_path, "identified: [unclosed\n"))
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(RulesError, match=r"nowhere\.yaml: cannot read rules"):
        load_rules(missing)


def test_parse_rules_names_the_given_source() -> None:
    with pytest.raises(RulesError, match=r"^<web upload>: extra:"):
        parse_rules(DEFAULT_TEXT + "extra: 1\n", "<web upload>")


def test_rules_hash_changes_with_the_text(tmp_path: Path) -> None:
    rules = custom(tmp_path, corroborated__min_independent_sources=3)
    assert rules.sha256 != DEFAULTS.sha256
    assert rules.sha256 == hashlib.sha256(rules.text.encode("utf-8")).hexdigest()
