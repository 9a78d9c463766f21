"""Read one row of a missing-person report: who seeks whom, with what consent.

A relative's report is not a record of a death: the sought person's name as the family says
it, the mother's name, a birth year or an age *at disappearance*, where and when they were last
seen. A row becomes a report whole or returns every field error at once, like a record row
(`marsad.ingest.parse`), and through the same cell checks, value parsers and mapping profiles.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from marsad.domain.records import NAME_COLUMNS, FieldError
from marsad.ingest import values as v
from marsad.ingest.parse import read_cells, shown
from marsad.ingest.places import Gazetteer, validate_pcode
from marsad.ingest.profile import MappingProfile, ProfileForm
from marsad.tracing.consent import CONSENT_SCOPES, parse_consent

REPORT_COLUMNS = (
    "report_id",
    "reported_on",
    "reporter_name",
    "reporter_relationship",
    "reporter_contact",
    "consent_scope",
    *NAME_COLUMNS,
    "sex",
    "age",
    "year_of_birth",
    "last_seen_date",
    "last_seen_place",
    "governorate",
    "pcode",
    "circumstances",
    "description",
    "notes",
)
"""The columns of the standard missing-report CSV, in order (docs/formats.md)."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "report_id": ("id", "report id", "رقم البلاغ", "الرقم"),
    "reported_on": ("date reported", "report date", "تاريخ البلاغ"),
    "reporter_name": ("reporter", "اسم المبلغ", "المبلغ"),
    "reporter_relationship": ("relationship", "صلة القرابة", "القرابة"),
    "reporter_contact": ("contact", "phone", "رقم التواصل", "الهاتف"),
    "consent_scope": ("consent", "الموافقة", "نطاق الموافقة"),
    "name": ("full name", "الاسم", "الاسم الكامل", "اسم المفقود"),
    "name_first": ("first name", "الاسم الأول"),
    "name_father": ("father name", "father's name", "اسم الأب"),
    "name_grandfather": ("grandfather name", "اسم الجد"),
    "name_family": ("family name", "surname", "اسم العائلة", "الكنية"),
    "name_mother": ("mother name", "mother's name", "اسم الأم"),
    "sex": ("gender", "الجنس"),
    "age": ("age at disappearance", "العمر"),
    "year_of_birth": ("birth year", "year born", "سنة الولادة", "تولد"),
    "last_seen_date": ("date last seen", "تاريخ آخر مشاهدة", "تاريخ الفقدان"),
    "last_seen_place": ("place last seen", "مكان آخر مشاهدة", "مكان الفقدان"),
    "governorate": ("province", "المحافظة"),
    "pcode": ("p-code", "p code"),
    "circumstances": ("الظروف", "ظروف الفقدان"),
    "description": ("physical description", "الأوصاف", "الوصف"),
    "notes": ("note", "comments", "ملاحظات"),
}

REPORT_FORM = ProfileForm(
    REPORT_COLUMNS,
    _ALIASES,
    {"sex": v.parse_sex, "age": v.parse_age, "consent_scope": parse_consent},
)
"""The form of a missing-report file, for mapping profiles (e.g. a KoBo export)."""

_LIMITS: dict[str, int] = dict.fromkeys(NAME_COLUMNS, 200) | {
    "circumstances": 10_000,
    "description": 10_000,
    "notes": 10_000,
}
_OLDEST = 110
"""Years: a sought person born longer ago than this before the report is a typo."""


@dataclass(frozen=True)
class ReportFields:
    """The canonical reading of one report. Dates are ISO and may be partial; `birth_year_min`
    and `birth_year_max` are what the year of birth, or the age at disappearance and the date
    it refers to, say of when the sought person was born (None when nothing does)."""

    report_id: str
    reported_on: str | None
    reporter_name: str | None
    reporter_relationship: str | None
    reporter_contact: str | None
    consent_scope: str
    name: str
    name_first: str | None
    name_father: str | None
    name_grandfather: str | None
    name_family: str | None
    name_mother: str | None
    sex: str | None
    age_min: int | None
    age_max: int | None
    birth_year_min: int | None
    birth_year_max: int | None
    last_seen_date: str | None
    last_seen_place: str | None
    governorate: str | None
    pcode: str | None
    pcode_adm1: str | None
    circumstances: str | None
    description: str | None
    notes: str | None


def birth_years(
    age_min: int | None, age_max: int | None, when: str | None
) -> tuple[int | None, int | None]:
    """The birth years an age at a (possibly partial) date says, as a relative reckons them:
    34 in 2025 is born in 1991 (the year before is as likely; the model's "within a year"
    level allows it), "30-39" spans 1986-1995, and an open-ended age ("60+") bounds only the
    latest year. The same reading serves a record's age at death and a report's age at
    disappearance, so that both sides compare birth years."""
    if age_min is None or not when:
        return None, None
    year = int(when[:4])
    return (None if age_max is None else year - age_max), year - age_min


def _year_of_birth(value: str, errors: list[FieldError], today: dt.date) -> int | None:
    if not value:
        return None
    digits = v.fold(value).strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) == 4):
        errors.append(FieldError("year_of_birth", f"not a year (e.g. 1990): {shown(value)}"))
        return None
    year = int(digits)
    if not today.year - _OLDEST <= year <= today.year:
        errors.append(
            FieldError("year_of_birth", f"{year} is not between {today.year - _OLDEST} and now")
        )
        return None
    return year


def _date(
    field: str, text: dict[str, str], day_first: bool, errors: list[FieldError]
) -> str | None:
    raw = text.get(field, "")
    if not raw:
        return None
    try:
        return v.parse_date(raw, day_first)
    except ValueError as exc:
        errors.append(FieldError(field, f"{exc}: {shown(raw)}"))
        return None


def parse_report(
    cells: dict[str, str],
    profile: MappingProfile,
    gazetteer: Gazetteer,
    today: dt.date | None = None,
) -> ReportFields | list[FieldError]:
    """One report from one raw row, or every reason it cannot be one."""
    today = today or dt.date.today()
    text, errors = read_cells(cells, profile, REPORT_COLUMNS, _LIMITS)

    report_id = text.get("report_id", "")
    if not report_id and "report_id" not in {e.field for e in errors}:
        errors.append(FieldError("report_id", "required but empty"))
    parts = ("name_first", "name_father", "name_grandfather", "name_family")
    name = text.get("name", "") or " ".join(text[f] for f in parts if text.get(f))
    if not name and "name" not in {e.field for e in errors}:
        errors.append(FieldError("name", "required but empty (the sought person's name)"))

    scope = ""
    if raw_scope := text.get("consent_scope", ""):
        try:
            scope = parse_consent(raw_scope)
        except ValueError as exc:
            errors.append(FieldError("consent_scope", f"{exc}: {shown(raw_scope)}"))
    elif "consent_scope" not in {e.field for e in errors}:
        errors.append(
            FieldError("consent_scope", f"required but empty ({' / '.join(CONSENT_SCOPES)})")
        )

    sex = None
    if raw_sex := text.get("sex", ""):
        try:
            sex = v.parse_sex(raw_sex)
        except ValueError as exc:
            errors.append(FieldError("sex", f"{exc}: {shown(raw_sex)}"))
    age: tuple[int, int | None] | None = None
    if raw_age := text.get("age", ""):
        try:
            age = v.parse_age(raw_age)
        except ValueError as exc:
            errors.append(FieldError("age", f"{exc}: {shown(raw_age)}"))
    day_first = profile.day_first
    reported_on = _date("reported_on", text, day_first, errors)
    last_seen = _date("last_seen_date", text, day_first, errors)
    born = _year_of_birth(text.get("year_of_birth", ""), errors, today)

    governorate = None
    if (raw_gov := text.get("governorate", "")) and not v.is_unknown(raw_gov):
        governorate = gazetteer.governorate(raw_gov)
        if governorate is None:
            errors.append(FieldError("governorate", f"unknown governorate: {shown(raw_gov)}"))
    pcode = None
    if raw_pcode := text.get("pcode", ""):
        try:
            pcode = validate_pcode(raw_pcode)
        except ValueError as exc:
            errors.append(FieldError("pcode", f"{exc}: {shown(raw_pcode)}"))
        else:
            governorate = governorate or gazetteer.governorate_of_pcode(pcode)

    if errors:
        return errors
    age_min, age_max = age if age is not None else (None, None)
    earliest: int | None
    latest: int | None
    if born is not None:
        earliest = latest = born
    else:
        earliest, latest = birth_years(age_min, age_max, last_seen or reported_on)
    return ReportFields(
        report_id=report_id,
        reported_on=reported_on,
        reporter_name=text.get("reporter_name") or None,
        reporter_relationship=text.get("reporter_relationship") or None,
        reporter_contact=text.get("reporter_contact") or None,
        consent_scope=scope,
        name=name,
        name_first=text.get("name_first") or None,
        name_father=text.get("name_father") or None,
        name_grandfather=text.get("name_grandfather") or None,
        name_family=text.get("name_family") or None,
        name_mother=text.get("name_mother") or None,
        sex=sex,
        age_min=age_min,
        age_max=age_max,
        birth_year_min=earliest,
        birth_year_max=latest,
        last_seen_date=last_seen,
        last_seen_place=text.get("last_seen_place") or None,
        governorate=governorate.name_en if governorate else None,
        pcode=pcode,
        pcode_adm1=governorate.pcode if governorate else None,
        circumstances=text.get("circumstances") or None,
        description=text.get("description") or None,
        notes=text.get("notes") or None,
    )


def report_profile(path: str | None) -> MappingProfile:
    """The mapping profile of a report file: `path`, else the standard columns and aliases."""
    if path:
        return MappingProfile.load(path, REPORT_FORM)
    return MappingProfile.from_dict({"name": "missing-reports"}, "<standard>", REPORT_FORM)
