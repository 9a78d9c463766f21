"""Value parsers: sex, age, date, status, civilian, and the "unknown" markers they share."""

import pytest

from marsad.ingest.values import (
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
        ("امرأة", "female"),
        ("طفلة", "female"),
    ],
)
def test_parse_sex(value: str, expected: str) -> None:
    assert parse_sex(value) == expected


@pytest.mark.parametrize("value", ["x", "other", "1", "ذكر وأنثى"])
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
    ],
)
def test_parse_civilian(value: str, expected: bool) -> None:
    assert parse_civilian(value) is expected


def test_parse_civilian_rejects_unreadable() -> None:
    with pytest.raises(ValueError, match="civilian"):
        parse_civilian("maybe")
