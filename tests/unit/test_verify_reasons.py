"""Verification reasons: stored in English, recognised by template and said again in Arabic."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from markupsafe import escape

from marsad.i18n import CATALOGUE
from marsad.verify.evidence import RecordEvidence
from marsad.verify.reasons import REASONS, english, pieces_in, reason_in
from marsad.verify.rules import load_rules, parse_rules, verify_person
from marsad.web.pages.persons import reason_item

LATIN = re.compile(r"[A-Za-z]")

SAMPLES: dict[str, Any] = {
    "records": 2,
    "sources": 2,
    "independent": 12,
    "needed": 3,
    "ids": (7, 19),
    "fields": ("name_first", "name_father", "name_family"),
    "options": (("name_first", "name_family"), ("name_first", "name_family", "age")),
    "precision": "day",
    "best_precision": "month",
    "level": "district",
    "best_level": "governorate",
    "status": "verified",
    "note": "certificate seen: 3 copies\nsecond line",
    "user": "reviewer-2",
    "reason": "family visit (2nd): confirmed",
    "rule": "verified: identified, dated",
}
"""One value of every field, as the rules pass it to `english`."""

SAID_IN_ARABIC = {
    "records": "سجلان",
    "sources": "مصدرين",
    "independent": "١٢ مصدراً مستقلاً",
    "needed": "٣ مصادر مستقلة",
    "ids": "السجلات 7, 19",
    "fields": "الاسم الأول واسم الأب واسم العائلة",
    "options": "الاسم الأول واسم العائلة؛ أو الاسم الأول واسم العائلة والعمر",
    "precision": "اليوم",
    "best_precision": "الشهر",
    "level": "المنطقة",
    "best_level": "المحافظة",
    "status": "متحقَّق منه",
    "note": SAMPLES["note"],
    "user": SAMPLES["user"],
    "reason": SAMPLES["reason"],
    "rule": SAMPLES["rule"],
}
"""The same values as an Arabic reader reads them (written by hand)."""

CARRIED = ("note", "user", "reason", "rule")
"""Fields carried over as they were; everything else in an Arabic sentence is Arabic."""


def fields_of(template: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", template)


@pytest.mark.parametrize("key", list(REASONS))
def test_every_template_round_trips_into_arabic(key: str) -> None:
    en_template, ar_template = REASONS[key]
    names = fields_of(en_template)
    assert sorted(names) == sorted(fields_of(ar_template)), "both say the same values"
    stored = english(key, **{name: SAMPLES[name] for name in names})
    arabic = reason_in(stored, "ar")
    assert arabic == ar_template.format(**{name: SAID_IN_ARABIC[name] for name in names})
    rest = arabic
    for name in names:
        if name in CARRIED:
            rest = rest.replace(SAMPLES[name], "")
    rest = re.sub(r"[\d, ]+", " ", rest.replace("السجلات", ""))
    assert not LATIN.search(rest), rest
    assert reason_in(stored, "en") == stored


@pytest.mark.parametrize(
    ("n", "arabic"),
    [
        (1, "سجل واحد"),
        (2, "سجلان"),
        (3, "٣ سجلات"),
        (10, "١٠ سجلات"),
        (11, "١١ سجلاً"),
        (99, "٩٩ سجلاً"),
        (100, "١٠٠ سجل"),
        (103, "١٠٣ سجلات"),
        (1000, "١٬٠٠٠ سجل"),
    ],
)
def test_counts_agree_with_their_noun_in_arabic(n: int, arabic: str) -> None:
    stored = english("reported", records=n, sources=1, ids=(4,))
    assert reason_in(stored, "ar").startswith(f"مُبلَّغ عنه: {arabic} من مصدر واحد")


def test_one_record_is_singular_in_both_languages() -> None:
    stored = english("corroborated", independent=1, ids=(5,))
    assert stored == "corroborated: 1 independent source (record 5)"
    assert reason_in(stored, "ar") == "معزَّز: مصدر مستقل واحد (السجل 5)"


def test_status_words_are_the_person_pages_own() -> None:
    for status in ("reported", "corroborated", "verified"):
        stored = english("rules_alone", status=status, rule="r")
        assert CATALOGUE[f"verification.{status}"][1] in reason_in(stored, "ar")


def test_carried_values_are_marked_as_pieces_and_kept_whole() -> None:
    stored = english("set_by_reviewer", user="reviewer-1", reason="seen it: twice\n(2)")
    pieces = pieces_in(stored, "ar")
    assert pieces is not None
    assert "".join(p.text for p in pieces) == reason_in(stored, "ar")
    assert [p.text for p in pieces if p.free] == ["reviewer-1", "seen it: twice\n(2)"]
    ids = pieces_in(english("dated", precision="year", ids=(3, 8)), "ar")
    assert ids is not None
    assert [p.text for p in ids if p.free] == ["3, 8"]


@pytest.mark.parametrize(
    "sentence",
    [
        "",
        "an explanation from an older version",
        "date of death to the week (record 1)",
        "identified: middle name present (record 1)",
        "not identified: needs first name; or a photograph",
        "corroborated: two independent sources (records 1, 2)",
        "reported: 2 records from 1 source (records one, two)",
    ],
)
def test_unknown_sentences_pass_through(sentence: str) -> None:
    assert reason_in(sentence, "ar") == sentence
    assert reason_in(sentence, "en") == sentence
    assert pieces_in(sentence, "ar") is None


def rec(record_id: int, lst: str, **fields: Any) -> RecordEvidence:
    fields.setdefault("independent_list", lst)
    return RecordEvidence(record_id=record_id, source=lst, **fields)


NAMES = {"name_first": "a", "name_father": "b", "name_family": "c"}
FULL = {**NAMES, "date_of_death": "2025-03-07", "pcode": "SY0103"}


def test_every_reason_verify_person_gives_is_recognised() -> None:
    defaults = load_rules()
    data = yaml.safe_load(defaults.text)
    data["verified"]["reviewer_confirmation"] = False
    data["place_level"] = "district"
    strict = parse_rules(yaml.safe_dump(data))
    cases: list[tuple[list[RecordEvidence], dict[str, Any]]] = [
        ([rec(1, "A", **FULL)], {}),
        ([rec(1, "A", **FULL), rec(2, "B", **FULL)], {}),
        ([rec(1, "A", date_of_death="2025-03"), rec(2, "B", name_first="x")], {}),
        ([rec(1, "A", **FULL), rec(3, "A-copy", independent_list="A")], {}),
        ([rec(1, "A", **NAMES, governorate="SY01"), rec(2, "B")], {}),
        ([rec(1, "A", **FULL)], {"confirmed_note": "death certificate: seen"}),
        ([rec(1, "A", **FULL)], {"override": ("verified", "family visit", "reviewer-1")}),
    ]
    seen = 0
    for records, options in cases:
        for rules in (defaults, strict):
            for reason in verify_person(records, rules, **options).reasons:
                assert reason_in(reason, "ar") != reason, reason
                pieces = pieces_in(reason, "ar")
                assert pieces is not None
                assert not any(LATIN.search(p.text) for p in pieces if not p.free), reason
                seen += 1
    assert seen >= 30


def test_the_person_page_item_is_arabic_or_the_stored_english() -> None:
    stored = english("confirmed", note="<b>seen</b>")
    assert str(reason_item(stored, "en")) == f'<li><bdi lang="en">{escape(stored)}</bdi></li>'
    arabic = str(reason_item(stored, "ar"))
    assert arabic.startswith('<li lang="ar">') and "<bdi>&lt;b&gt;seen&lt;/b&gt;</bdi>" in arabic
    assert 'lang="en"' not in arabic
    assert str(reason_item("an older sentence", "ar")) == (
        '<li><bdi lang="en">an older sentence</bdi></li>'
    )
