"""Value parsers: sex, age, date, status, civilian, and the "unknown" markers they share."""

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.ingest.incidents import parse_count, parse_grade
from marsad.ingest.values import (
    MAX_AGE,
    fold,
    is_unknown,
    parse_age,
    parse_civilian,
    parse_date,
    parse_sex,
    parse_status,
)

UNKNOWN = ["", "  ", "-", "?", "unknown", "Unknown", "N/A", "n/a", "غير معروف", "مجهول", "null"]


def test_fold_normalises_digits_alef_ta_marbuta_and_case() -> None:
    assert fold("٣٤") == "34"
    assert fold("۳۴") == "34"
    assert fold("أنثى") == fold("انثي") == fold("إنثى")
    assert fold("مدنية") == fold("مدنيه")
    assert fold("  Female \t") == "female"
    assert fold("شَهِيد") == fold("شهيد")  # harakat dropped
    assert fold("شهـــيد") == fold("شهيد")  # tatweel dropped


@pytest.mark.parametrize("value", UNKNOWN)
def test_unknown_markers_are_none_everywhere(value: str) -> None:
    assert is_unknown(value)
    assert parse_sex(value) is None
    assert parse_age(value) is None
    assert parse_date(value) is None
    assert parse_status(value) is None
    assert parse_civilian(value) is None


def test_real_values_are_not_unknown() -> None:
    assert not is_unknown("Jablah")
    assert not is_unknown("0")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("m", "male"),
        ("M", "male"),
        ("Male", "male"),
        ("man", "male"),
        ("boy", "male"),
        ("ذكر", "male"),
        ("رجل", "male"),
        ("طفل", "male"),
        (" f ", "female"),
        ("FEMALE", "female"),
        ("woman", "female"),
        ("girl", "female"),
        ("أنثى", "female"),
        ("انثى", "female"),
        ("انثي", "female"),
        ("إنثى", "female"),
        ("امرأة", "female"),
        ("طفلة", "female"),
        ("H", "male"),
        ("h", "male"),
        (" H ", "male"),
        ("Homme", "male"),
        ("HOMME", "male"),
        ("masculin", "male"),
        ("Femme", "female"),
        ("Féminin", "female"),
        ("feminin", "female"),
        ("ذ", "male"),
        ("أ", "female"),
        ("ذكور", "male"),
        ("إناث", "female"),
        ("اناث", "female"),
        ("مذكر", "male"),
        ("مؤنث", "female"),
        ("ﺫﻛﺮ", "male"),  # presentation forms, as copied from a PDF
        ("أنـــثى", "female"),  # tatweel
    ],
)
def test_parse_sex(value: str, expected: str) -> None:
    assert parse_sex(value) == expected


@pytest.mark.parametrize("value", ["x", "other", "1", "ذكر وأنثى", "Homme?", "мужской", "男"])
def test_parse_sex_rejects_unreadable(value: str) -> None:
    with pytest.raises(ValueError, match="sex"):
        parse_sex(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("34", (34, 34)),
        ("34 years", (34, 34)),
        ("34 yrs", (34, 34)),
        ("٣٤", (34, 34)),
        ("۳۴", (34, 34)),
        ("٣٤ سنة", (34, 34)),
        ("34 عاما", (34, 34)),
        ("0", (0, 0)),
        ("120", (120, 120)),
        ("30-40", (30, 40)),
        ("30 - 40", (30, 40)),
        ("30 to 40", (30, 40)),
        ("٣٠-٤٠", (30, 40)),
        ("child", (0, 17)),
        ("طفل", (0, 17)),
        ("adult", (18, None)),
        ("بالغ", (18, None)),
        ("elderly", (60, None)),
        ("infant", (0, 1)),
        ("رضيع", (0, 1)),
        ("6 months", (0, 0)),
        ("٦ أشهر", (0, 0)),
        ("18 months", (1, 1)),
        ("3 days", (0, 0)),
        ("40+", (40, None)),
        ("30s", (30, 39)),
        ("30's", (30, 39)),
        ("in his 30s", (30, 39)),
        ("in her early 30s", (30, 39)),
        ("mid-40s", (40, 49)),
        ("thirties", (30, 39)),
        ("الثلاثينات", (30, 39)),
        ("في الأربعينيات", (40, 49)),
        ("trentaine", (30, 39)),
        ("la trentaine", (30, 39)),
        ("٣٠", (30, 30)),
        ("30-39", (30, 39)),
        ("between 30 and 40", (30, 40)),
        ("entre 30 et 40 ans", (30, 40)),
        ("بين ٣٠ و ٤٠", (30, 40)),
        ("about 30", (30, 30)),
        ("~30", (30, 30)),
        ("approx. 30", (30, 30)),
        ("30?", (30, 30)),
        ("حوالي ٣٠ سنة", (30, 30)),
        ("٣٠ سنة تقريباً", (30, 30)),
        ("30 ans", (30, 30)),
        ("âgé de 30 ans", (30, 30)),
        ("6 mois", (0, 0)),
        ("۳۰", (30, 30)),
        ("٣٠ سنة", (30, 30)),
        ("child", (0, 17)),
        ("enfant", (0, 17)),
        ("طفلة", (0, 17)),
        ("teenager", (13, 19)),
        ("adulte", (18, None)),
        ("بالغة", (18, None)),
        ("bébé", (0, 1)),
    ],
)
def test_parse_age(value: str, expected: tuple[int, int | None]) -> None:
    assert parse_age(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("121", "above 120"),
        ("200 years", "above 120"),
        ("-5", "negative"),
        ("40-30", "backwards"),
        ("thirty", "not a recognised age"),
        ("30-150", "above 120"),
        ("about", "not a recognised age"),
        ("~", "not a recognised age"),
        ("about 200", "above 120"),
        ("in his 130s", "above 120"),
        ("тридцать", "not a recognised age"),
    ],
)
def test_parse_age_rejects(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_age(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025", "2025"),
        ("2025-03", "2025-03"),
        ("2025-03-07", "2025-03-07"),
        ("07/03/2025", "2025-03-07"),
        ("7/3/2025", "2025-03-07"),
        ("13/03/2025", "2025-03-13"),
        ("03/13/2025", "2025-03-13"),
        ("7.3.2025", "2025-03-07"),
        ("07-03-2025", "2025-03-07"),
        ("2025/03/07", "2025-03-07"),
        ("2025/3/7", "2025-03-07"),
        ("03/2025", "2025-03"),
        ("March 2025", "2025-03"),
        ("mar 2025", "2025-03"),
        ("7 March 2025", "2025-03-07"),
        ("7th March 2025", "2025-03-07"),
        ("March 7, 2025", "2025-03-07"),
        ("آذار 2025", "2025-03"),
        ("مارس ٢٠٢٥", "2025-03"),
        ("٧ آذار ٢٠٢٥", "2025-03-07"),
        ("7 اذار 2025", "2025-03-07"),
        ("كانون الثاني 2024", "2024-01"),
        ("15 كانون الأول 2024", "2024-12-15"),
        ("تشرين الثاني 2024", "2024-11"),
        ("٢٠٢٥-٠٣-٠٧", "2025-03-07"),
        ("2025-03-07 00:00:00", "2025-03-07"),
        ("2025-03-07T14:30:00", "2025-03-07"),
        ("2025م", "2025"),
        ("45723", "2025-03-07"),  # Excel serial
        ("2024-02-29", "2024-02-29"),
        ("3 آذار 2025", "2025-03-03"),
        ("3 شباط 2025", "2025-02-03"),
        ("3 نيسان 2025", "2025-04-03"),
        ("3 أيار 2025", "2025-05-03"),
        ("3 حزيران 2025", "2025-06-03"),
        ("3 تموز 2025", "2025-07-03"),
        ("3 آب 2025", "2025-08-03"),
        ("3 أيلول 2025", "2025-09-03"),
        ("3 تشرين الأول 2025", "2025-10-03"),
        ("3 تشرين الثاني 2025", "2025-11-03"),
        ("3 كانون الأول 2025", "2025-12-03"),
        ("3 كانون الثاني 2025", "2025-01-03"),
        ("3 يناير 2025", "2025-01-03"),
        ("3 فبراير 2025", "2025-02-03"),
        ("3 مارس 2025", "2025-03-03"),
        ("3 أبريل 2025", "2025-04-03"),
        ("3 مايو 2025", "2025-05-03"),
        ("3 يونيو 2025", "2025-06-03"),
        ("3 يوليو 2025", "2025-07-03"),
        ("3 أغسطس 2025", "2025-08-03"),
        ("3 سبتمبر 2025", "2025-09-03"),
        ("3 أكتوبر 2025", "2025-10-03"),
        ("3 نوفمبر 2025", "2025-11-03"),
        ("3 ديسمبر 2025", "2025-12-03"),
        ("جانفي 2025", "2025-01"),
        ("3 أوت 2025", "2025-08-03"),
        ("mars 2025", "2025-03"),
        ("3 mars 2025", "2025-03-03"),
        ("1er mars 2025", "2025-03-01"),
        ("15 janvier 2025", "2025-01-15"),
        ("15 février 2025", "2025-02-15"),
        ("15 fevrier 2025", "2025-02-15"),
        ("15 FÉVRIER 2025", "2025-02-15"),
        ("15 avril 2025", "2025-04-15"),
        ("15 mai 2025", "2025-05-15"),
        ("15 juin 2025", "2025-06-15"),
        ("15 juillet 2025", "2025-07-15"),
        ("15 août 2025", "2025-08-15"),
        ("15 aout 2025", "2025-08-15"),
        ("15 septembre 2025", "2025-09-15"),
        ("15 octobre 2025", "2025-10-15"),
        ("15 novembre 2025", "2025-11-15"),
        ("15 décembre 2025", "2025-12-15"),
        ("15 déc. 2025", "2025-12-15"),
        ("Sept 15, 2025", "2025-09-15"),
        ("15-Sep-2025", "2025-09-15"),
        ("December 2024", "2024-12"),
        ("٣/٤/٢٠٢٥", "2025-04-03"),
        ("۳/۴/۲۰۲۵", "2025-04-03"),
        ("٣.٤.٢٠٢٥", "2025-04-03"),
        ("٢٠٢٥/٠٤/٠٣", "2025-04-03"),
        ("٣؍٤؍٢٠٢٥", "2025-04-03"),  # the Arabic date separator
        ("\u200f3/4/2025\u200f", "2025-04-03"),  # right-to-left marks
    ],
)
def test_parse_date(value: str, expected: str) -> None:
    assert parse_date(value) == expected


def test_parse_date_month_first_only_for_ambiguous_dates() -> None:
    assert parse_date("07/03/2025", day_first=False) == "2025-07-03"
    assert parse_date("07/03/2025", day_first=True) == "2025-03-07"
    assert parse_date("13/03/2025", day_first=False) == "2025-03-13"
    assert parse_date("03/13/2025", day_first=True) == "2025-03-13"


def test_partial_dates_stay_partial() -> None:
    assert parse_date("March 2025") == "2025-03"
    assert parse_date("2025") == "2025"
    assert parse_date("2025/03") == "2025-03"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2025-02-30", "no day 30"),
        ("2023-02-29", "no day 29"),
        ("31/04/2025", "no day 31"),
        ("2025-13", "no month 13"),
        ("1850", "outside 1900-2100"),
        ("2101-01-01", "outside 1900-2100"),
        ("7/3/25", "two-digit year"),
        ("yesterday", "not a recognised date"),
        ("2025-03-07-09", "not a recognised date"),
        ("hier", "not a recognised date"),
        ("30 février 2025", "no day 30"),
        ("٣١ نيسان ٢٠٢٥", "no day 31"),
        ("3 марта 2025", "not a recognised date"),
    ],
)
def test_parse_date_rejects(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("killed", "killed"),
        ("Killed", "killed"),
        ("dead", "killed"),
        ("قتيل", "killed"),
        ("شهيد", "killed"),
        ("شهيدة", "killed"),
        ("مقتول", "killed"),
        ("missing", "missing"),
        ("مفقود", "missing"),
        ("injured", "injured"),
        ("wounded", "injured"),
        ("جريح", "injured"),
        ("مصاب", "injured"),
        ("detained", "detained"),
        ("معتقل", "detained"),
        ("محتجز", "detained"),
        ("tué", "killed"),
        ("Tuée", "killed"),
        ("décédé", "killed"),
        ("martyr", "killed"),
        ("disparu", "missing"),
        ("blessée", "injured"),
        ("détenu", "detained"),
    ],
)
def test_parse_status(value: str, expected: str) -> None:
    assert parse_status(value) == expected


def test_parse_status_rejects_unreadable() -> None:
    with pytest.raises(ValueError, match="status"):
        parse_status("alive and well")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("Y", True),
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("civilian", True),
        ("مدني", True),
        ("مدنية", True),
        ("نعم", True),
        ("no", False),
        ("N", False),
        ("false", False),
        ("0", False),
        ("combatant", False),
        ("عسكري", False),
        ("مقاتل", False),
        ("لا", False),
        ("oui", True),
        ("civile", True),
        ("non", False),
        ("militaire", False),
    ],
)
def test_parse_civilian(value: str, expected: bool) -> None:
    assert parse_civilian(value) is expected


def test_parse_civilian_rejects_unreadable() -> None:
    with pytest.raises(ValueError, match="civilian"):
        parse_civilian("maybe")


TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["٣٠", "30s", "3 آذار 2025", "H", "=1+1", "1e400", "99999", "٠" * 30])
"""Any text (of every script, with marks, digits of other systems and controls), and a few
values near the parsers' edges."""

PARSERS = {
    "sex": parse_sex,
    "age": parse_age,
    "date": parse_date,
    "date month first": lambda value: parse_date(value, day_first=False),
    "status": parse_status,
    "civilian": parse_civilian,
    "count": parse_count,
    "grade": parse_grade,
}


@pytest.mark.parametrize("kind", PARSERS)
@settings(max_examples=400, deadline=None)
@given(value=TEXT)
def test_no_text_makes_a_parser_raise_anything_but_value_error(kind: str, value: str) -> None:
    with contextlib.suppress(ValueError):
        PARSERS[kind](value)


@given(value=TEXT)
@settings(max_examples=400, deadline=None)
def test_fold_is_idempotent(value: str) -> None:
    assert fold(fold(value)) == fold(value)


@given(value=TEXT)
@settings(max_examples=400, deadline=None)
def test_an_age_read_is_an_ordered_range_within_the_limit(value: str) -> None:
    try:
        age = parse_age(value)
    except ValueError:
        return
    if age is not None:
        low, high = age
        assert 0 <= low <= MAX_AGE
        assert high is None or low <= high <= MAX_AGE


@given(value=TEXT)
@settings(max_examples=400, deadline=None)
def test_a_date_read_is_a_valid_iso_date(value: str) -> None:
    try:
        found = parse_date(value)
    except ValueError:
        return
    if found is not None:
        parts = [int(p) for p in found.split("-")]
        date(*parts, *[1] * (3 - len(parts)))  # raises for an impossible date
        assert len(found) in (4, 7, 10)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
MONTH_NAMES = [
    ("January", "janvier", "كانون الثاني", "يناير"),
    ("February", "février", "شباط", "فبراير"),
    ("March", "mars", "آذار", "مارس"),
    ("April", "avril", "نيسان", "أبريل"),
    ("May", "mai", "أيار", "مايو"),
    ("June", "juin", "حزيران", "يونيو"),
    ("July", "juillet", "تموز", "يوليو"),
    ("August", "août", "آب", "أغسطس"),
    ("September", "septembre", "أيلول", "سبتمبر"),
    ("October", "octobre", "تشرين الأول", "أكتوبر"),
    ("November", "novembre", "تشرين الثاني", "نوفمبر"),
    ("December", "décembre", "كانون الأول", "ديسمبر"),
]


@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_every_way_of_writing_a_date_reads_as_that_date(day: date) -> None:
    iso = day.isoformat()
    d, m, y = day.day, day.month, day.year
    written = [
        f"{d:02d}/{m:02d}/{y}",
        f"{d}.{m}.{y}",
        f"{y}/{m:02d}/{d:02d}",
        f"{d}-{m}-{y}",
        *(f"{d} {name} {y}" for name in MONTH_NAMES[m - 1]),
        f"{MONTH_NAMES[m - 1][0]} {d}, {y}",
    ]
    for text in written:
        for digits in (None, ARABIC_INDIC, PERSIAN):
            value = text.translate(digits) if digits else text
            if d > 12 or d == m:
                assert parse_date(value, day_first=False) == iso, value
            assert parse_date(value) == iso, value
    assert parse_date(f"{MONTH_NAMES[m - 1][1]} {y}") == iso[:7]


@given(age=st.integers(min_value=0, max_value=MAX_AGE))
def test_every_way_of_writing_an_age_reads_as_that_age(age: int) -> None:
    for text in (f"{age}", f"{age} ans", f"{age} years", f"حوالي {age} سنة", f"~{age}"):
        for digits in (None, ARABIC_INDIC, PERSIAN):
            value = text.translate(digits) if digits else text
            assert parse_age(value) == (age, age), value
