"""The registration form as an XLSForm (the sheets KoBoToolbox and ODK load): one submission
registers one member of a household, with English and Arabic labels.

Its field names are the standard registration file's columns inside two groups, `member/` and
`origin/`, so that a KoBo or ODK export ingests through the built-in profile `kobo-shelter`
(marsad/ingest/profiles/kobo-shelter.yaml) without editing. Pure: the sheets as rows;
services/shelter_form.py writes them and has pyxform convert them.
"""

from __future__ import annotations

from marsad.shelter.members import RELATIONSHIPS
from marsad.shelter.vulnerabilities import VULNERABILITIES

FORM_ID = "marsad_shelter_registration"
LANGUAGES = ("English (en)", "Arabic (ar)")

Sheet = list[list[str]]

_SURVEY: tuple[tuple[str, str, str, str, str], ...] = (
    # type, name, English label, Arabic label, required
    ("text", "household_id", "Household number", "رقم الأسرة", "yes"),
    ("text", "site_id", "Site code", "رمز الموقع", "yes"),
    ("date", "registered_on", "Date of registration", "تاريخ التسجيل", "yes"),
    ("begin_group", "member", "Member", "الفرد", ""),
    ("text", "name_first", "First name", "الاسم الأول", "yes"),
    ("text", "name_father", "Father's name", "اسم الأب", ""),
    ("text", "name_grandfather", "Grandfather's name", "اسم الجد", ""),
    ("text", "name_family", "Family name", "اسم العائلة", ""),
    ("text", "name_mother", "Mother's name", "اسم الأم", ""),
    ("select_one sex", "sex", "Sex", "الجنس", "yes"),
    ("integer", "age", "Age (years)", "العمر (بالسنوات)", ""),
    ("integer", "year_of_birth", "Year of birth", "سنة الولادة", ""),
    (
        "select_one relationship",
        "relationship_to_head",
        "Relationship to the head of household",
        "صلة القرابة برب الأسرة",
        "",
    ),
    ("select_multiple vulnerability", "vulnerabilities", "Vulnerabilities", "نقاط الضعف", ""),
    ("end_group", "", "", "", ""),
    ("begin_group", "origin", "Place of origin", "مكان المنشأ", ""),
    ("text", "origin_pcode", "P-code of the place of origin", "الرمز المكاني لمكان المنشأ", ""),
    ("text", "origin_locality", "Town or village of origin", "البلدة أو القرية", ""),
    ("end_group", "", "", "", ""),
    ("text", "notes", "Notes", "ملاحظات", ""),
)

_RELATIONSHIPS_AR = {
    "head": "رب الأسرة",
    "spouse": "زوج أو زوجة",
    "child": "ابن أو ابنة",
    "parent": "أب أو أم",
    "sibling": "أخ أو أخت",
    "grandchild": "حفيد أو حفيدة",
    "grandparent": "جد أو جدة",
    "other_relative": "قريب آخر",
    "not_related": "ليس قريباً",
}


def survey() -> Sheet:
    header = [
        "type",
        "name",
        f"label::{LANGUAGES[0]}",
        f"label::{LANGUAGES[1]}",
        "required",
        "constraint",
    ]
    rows = [header]
    for kind, name, english, arabic, required in _SURVEY:
        constraint = {
            "age": ". >= 0 and . <= 120",
            "year_of_birth": ". >= 1900 and . <= 2100",
            "origin_pcode": "regex(., '^(SY[0-9]{2}([0-9]{2}([0-9]{2})?)?|C[0-9]{4,})$')",
        }.get(name, "")
        rows.append([kind, name, english, arabic, required, constraint])
    return rows


def choices() -> Sheet:
    rows = [["list_name", "name", f"label::{LANGUAGES[0]}", f"label::{LANGUAGES[1]}"]]
    rows += [["sex", "male", "Male", "ذكر"], ["sex", "female", "Female", "أنثى"]]
    for code in RELATIONSHIPS:
        rows.append(
            ["relationship", code, code.replace("_", " ").capitalize(), _RELATIONSHIPS_AR[code]]
        )
    for code, arabic in VULNERABILITIES.items():
        rows.append(["vulnerability", code, code.replace("_", " ").capitalize(), arabic])
    return rows


def settings() -> Sheet:
    return [
        ["form_title", "form_id", "version", "default_language"],
        ["Shelter registration / تسجيل المقيمين في مراكز الإيواء", FORM_ID, "1", LANGUAGES[0]],
    ]


def workbook() -> dict[str, Sheet]:
    """The XLSForm's sheets, by name."""
    return {"survey": survey(), "choices": choices(), "settings": settings()}
