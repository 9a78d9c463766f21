"""Incident rows: counts as ranges, grades in two languages, every error of a row at once."""

from __future__ import annotations

import pytest

from marsad.domain.records import FieldError
from marsad.ingest.incidents import (
    GRADE_WORDS_AR,
    GRADES,
    IncidentFields,
    incident_header_map,
    parse_count,
    parse_grade,
    parse_incident,
)


def row(**cells: str) -> dict[str, str]:
    return {"incident_id": "I-1", "killed_min": "3", "grade": "fair", **cells}


def read(cells: dict[str, str]) -> IncidentFields:
    result = parse_incident(cells)
    assert isinstance(result, IncidentFields), result
    return result


def errors(cells: dict[str, str]) -> dict[str, str]:
    result = parse_incident(cells)
    assert isinstance(result, list), result
    return {e.field: e.reason for e in result}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", (12, 12)),
        ("١٢", (12, 12)),
        ("۱۲", (12, 12)),
        ("١٬٢٠٠", (1200, 1200)),
        ("بين ۵ و ۷", (5, 7)),
        ("5-7", (5, 7)),
        ("٥ - ٧", (5, 7)),
        ("5 to 7", (5, 7)),
        ("between 5 and 7", (5, 7)),
        ("بين ٥ و ٧", (5, 7)),
        ("من 5 إلى 7", (5, 7)),
        ("at least 12", (12, None)),
        ("At Least 12", (12, None)),
        ("12+", (12, None)),
        ("على الأقل ١٢", (12, None)),
        ("١٢ على الأقل", (12, None)),
        ("more than 12", (13, None)),
        ("أكثر من ١٢", (13, None)),
        ("1,200", (1200, 1200)),
        ("0", (0, 0)),
    ],
)
def test_counts(text: str, expected: tuple[int, int | None]) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["", "  ", "unknown", "غير معروف", "?"])
def test_unknown_counts_are_empty(text: str) -> None:
    assert parse_count(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("dozens", "not a number"),
        ("عشرات", "not a number"),
        ("7-5", "backwards"),
        ("-5", "not a number"),
        ("5.5", "not a number"),
        ("250000", "check the value"),
    ],
)
def test_bad_counts(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_count(text)


def test_every_grade_reads_in_english_and_arabic() -> None:
    for grade in GRADES:
        assert parse_grade(grade) == grade
        assert parse_grade(grade.upper()) == grade
        assert parse_grade(GRADE_WORDS_AR[grade]) == grade
    assert parse_grade("متنازع عليها") == "contested"
    assert parse_grade("مستبعدة") == "discounted"
    assert parse_grade("مؤكدة") == "confirmed"
    with pytest.raises(ValueError, match="confirmed"):
        parse_grade("probable")


def test_a_full_row() -> None:
    incident = read(
        {
            "incident_id": "CAR-7",
            "date": "07/03/2025",
            "governorate": "Lattakia",
            "place": "Jableh highway",
            "killed_min": "5",
            "killed_max": "7",
            "grade": "confirmed",
            "description": "Car attacked; bodies left on the road",
        }
    )
    assert incident == IncidentFields(
        incident_id="CAR-7",
        date="2025-03-07",
        governorate="SY06",
        place="Jableh highway",
        killed_min=5,
        killed_max=7,
        grade="confirmed",
        description="Car attacked; bodies left on the road",
    )


def test_arabic_headers_and_values() -> None:
    incident = read(
        {
            "رقم الحادثة": "ح-١",
            "التاريخ": "٧ آذار ٢٠٢٥",
            "المحافظة": "طرطوس",
            "المكان": "بانياس",
            "الحد الأدنى للقتلى": "على الأقل ١٢",
            "الحد الأعلى للقتلى": "٢٠",
            "التقييم": "مقبول",
            "الوصف": "جثث على الطريق",
        }
    )
    assert incident.incident_id == "ح-١"
    assert incident.date == "2025-03-07"
    assert incident.governorate == "SY10"
    assert (incident.killed_min, incident.killed_max) == (12, 20)
    assert incident.grade == "fair"
    assert incident.description == "جثث على الطريق"


def test_headers_ignore_case_and_spacing() -> None:
    headers = ("Incident ID", "KILLED_MIN", " Grade ", "Killed Max")
    found = incident_header_map(headers)
    assert found == {
        "incident_id": "Incident ID",
        "killed_min": "KILLED_MIN",
        "killed_max": "Killed Max",
        "grade": " Grade ",
    }


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"killed_min": "12"}, (12, 12)),
        ({"killed_min": "", "killed_max": "7"}, (7, 7)),
        ({"killed_min": "5-7"}, (5, 7)),
        ({"killed_min": "at least 12"}, (12, 12)),
        ({"killed_min": "at least 12", "killed_max": "20"}, (12, 20)),
        ({"killed_min": "5-7", "killed_max": "10"}, (5, 10)),
        ({"killed_min": "", "killed_max": "3-4"}, (3, 4)),
    ],
)
def test_minimum_and_maximum(cells: dict[str, str], expected: tuple[int, int]) -> None:
    incident = read(row(**cells))
    assert (incident.killed_min, incident.killed_max) == expected


def test_minimum_above_maximum_is_an_error() -> None:
    found = errors(row(killed_min="12", killed_max="5"))
    assert "12" in found["killed_max"] and "5" in found["killed_max"]


def test_a_count_is_required() -> None:
    assert "required" in errors(row(killed_min=""))["killed_min"]
    assert "required" in errors(row(killed_min="unknown"))["killed_min"]


def test_governorate_by_pcode_and_unknown() -> None:
    assert read(row(governorate="SY06")).governorate == "SY06"
    assert read(row(governorate="sy0602")).governorate == "SY06"
    assert read(row(governorate="غير معروف")).governorate is None
    assert "unknown governorate" in errors(row(governorate="Atlantis"))["governorate"]
    assert "GeoNames" in errors(row(governorate="SY.06"))["governorate"]


def test_optional_fields_may_be_absent() -> None:
    incident = read({"incident_id": "I-9", "killed_max": "4", "grade": "weak"})
    assert (incident.date, incident.governorate, incident.place, incident.description) == (
        None,
        None,
        None,
        None,
    )
    assert incident.killed_min == incident.killed_max == 4


def test_every_error_of_a_row_at_once() -> None:
    found = errors(
        {
            "incident_id": "",
            "date": "31/02/2025",
            "governorate": "Nowhere",
            "killed_min": "many",
            "grade": "probable",
        }
    )
    assert set(found) == {"incident_id", "date", "governorate", "killed_min", "grade"}
    assert "required" in found["incident_id"]
    assert "'many'" in found["killed_min"]
    assert "'probable'" in found["grade"]


def test_grade_is_required() -> None:
    assert "required" in errors(row(grade=""))["grade"]


def test_formula_cells_are_refused() -> None:
    found = errors(row(description="=HYPERLINK(1)", place="@SUM(A1)"))
    assert "formula" in found["description"] and "formula" in found["place"]


def test_too_long_values_are_refused() -> None:
    assert "too long" in errors(row(incident_id="x" * 201))["incident_id"]


def test_errors_are_field_errors() -> None:
    result = parse_incident({"killed_min": "3", "grade": "weak"})
    assert result == [FieldError("incident_id", "required but empty")]
