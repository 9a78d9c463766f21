"""One member of a displaced household as a registration file writes it (docs/formats.md).

Names are kept as written, in either script, and read by the same code as casualty records'
(`marsad.names` for keys, `marsad.linkage.features` for the linker), so that a member can be
compared with another registration and with the records of the dead and the missing.
Headers go through a mapping profile (`marsad.ingest.profile`), as a KoBo or ODK export's do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from marsad.domain.records import NAME_COLUMNS, FieldError
from marsad.ingest.parse import shown
from marsad.ingest.profile import RECORD_FORM, MappingProfile, ProfileForm, builtin_profile
from marsad.ingest.values import parse_age, parse_sex
from marsad.shelter.cells import NOTE_LIMIT, full_date, pcode, read_cells, required
from marsad.shelter.vulnerabilities import parse_vulnerabilities

MEMBER_COLUMNS = (
    "registration_id",
    "household_id",
    "site_id",
    "registered_on",
    *NAME_COLUMNS,
    "sex",
    "age",
    "year_of_birth",
    "relationship_to_head",
    "origin_pcode",
    "origin_locality",
    "vulnerabilities",
    "notes",
)
"""The columns of the standard registration file, in order."""

RELATIONSHIPS = (
    "head",
    "spouse",
    "child",
    "parent",
    "sibling",
    "grandchild",
    "grandparent",
    "other_relative",
    "not_related",
)

MEMBER_FORM = ProfileForm(
    MEMBER_COLUMNS,
    {
        **{f: tuple(RECORD_FORM.aliases.get(f, ())) for f in (*NAME_COLUMNS, "sex", "age")},
        "registration_id": ("registration id", "رقم التسجيل"),
        "household_id": ("household id", "household", "رقم الأسرة"),
        "site_id": ("site id", "site", "رمز الموقع", "الموقع"),
        "registered_on": ("registration date", "date", "تاريخ التسجيل"),
        "year_of_birth": ("birth year", "سنة الولادة", "سنة الميلاد"),
        "relationship_to_head": ("relationship", "صلة القرابة"),
        "origin_pcode": ("origin p-code", "رمز منطقة المنشأ"),
        "origin_locality": ("origin", "place of origin", "مكان المنشأ"),
        "vulnerabilities": ("vulnerability", "نقاط الضعف", "الاحتياجات الخاصة"),
        "notes": ("note", "comments", "ملاحظات"),
    },
    {"sex": parse_sex, "age": parse_age},
)
"""The registration file's fields, the other headers they go by (English and Arabic), and the
parsers that check a profile's values and defaults."""

_LIMITS = {"notes": NOTE_LIMIT, "vulnerabilities": 1000, "name": 1000}
CHILD_BELOW = 18
"""A member younger than this is a child in occupancy's counts."""
KOBO_PROFILE = "kobo-shelter"
"""The built-in profile of the registration XLSForm's KoBo/ODK exports."""


@dataclass(frozen=True)
class MemberFields:
    """The canonical reading of one registration row. Ages are a range, as records' are."""

    registration_id: str
    household_id: str
    site_id: str
    registered_on: str
    name: str
    name_first: str | None
    name_father: str | None
    name_grandfather: str | None
    name_family: str | None
    name_mother: str | None
    sex: str | None
    age_min: int | None
    age_max: int | None
    year_of_birth: int | None
    relationship_to_head: str | None
    origin_pcode: str | None
    origin_locality: str | None
    vulnerabilities: tuple[str, ...]
    notes: str | None


def is_child(age_max: int | None, year_of_birth: int | None, registered_on: str | None) -> bool:
    """Whether a member was a child when registered: by the age given, else by the year of
    birth (a member without either is not counted as a child)."""
    if age_max is not None:
        return age_max < CHILD_BELOW
    if year_of_birth is not None and registered_on:
        return int(registered_on[:4]) - year_of_birth < CHILD_BELOW
    return False


@lru_cache(maxsize=1)
def standard_member_profile() -> MappingProfile:
    """The profile of the standard registration file (and its common header aliases)."""
    return MappingProfile.from_dict({"name": "shelter"}, "<standard>", form=MEMBER_FORM)


def kobo_member_profile() -> MappingProfile:
    """The profile that reads the registration form's KoBo/ODK submissions as they export."""
    return builtin_profile(KOBO_PROFILE, MEMBER_FORM)


def _translated(
    row: Mapping[str, str], profile: MappingProfile, errors: list[FieldError]
) -> dict[str, str]:
    text = read_cells(row, profile.header_map(row), MEMBER_COLUMNS, errors, _LIMITS)
    for field in MEMBER_COLUMNS:
        if field in text and field in profile.values:
            text[field] = profile.translate(field, text[field])
        if not text.get(field) and field in profile.defaults:
            text[field] = profile.defaults[field]
    return text


def parse_member(
    row: Mapping[str, str], profile: MappingProfile | None = None
) -> MemberFields | list[FieldError]:
    """One member from one registration row, or every reason it cannot be one."""
    profile = profile or standard_member_profile()
    errors: list[FieldError] = []
    text = _translated(row, profile, errors)
    registration_id = required(text, "registration_id", errors)
    household_id = required(text, "household_id", errors)
    site_id = required(text, "site_id", errors)
    registered_on = full_date(text, "registered_on", errors, needed=True) or ""
    parts = ("name_first", "name_father", "name_grandfather", "name_family")
    name = text.get("name", "") or " ".join(text[f] for f in parts if text.get(f))
    if not name and "name" not in {e.field for e in errors}:
        errors.append(FieldError("name", "required but empty"))

    sex = None
    if raw_sex := text.get("sex", ""):
        try:
            sex = parse_sex(raw_sex)
        except ValueError as exc:
            errors.append(FieldError("sex", f"{exc}: {shown(raw_sex)}"))
    age: tuple[int, int | None] | None = None
    if raw_age := text.get("age", ""):
        try:
            age = parse_age(raw_age)
        except ValueError as exc:
            errors.append(FieldError("age", f"{exc}: {shown(raw_age)}"))
    year_of_birth = None
    if raw_year := text.get("year_of_birth", ""):
        latest = int(registered_on[:4]) if registered_on else 2100
        if raw_year.isdigit() and 1900 <= int(raw_year) <= latest:
            year_of_birth = int(raw_year)
        else:
            errors.append(
                FieldError("year_of_birth", f"not a year from 1900 to {latest}: {shown(raw_year)}")
            )
    relationship = None
    if raw_relation := text.get("relationship_to_head", ""):
        relationship = raw_relation.strip().lower().replace(" ", "_")
        if relationship not in RELATIONSHIPS:
            errors.append(
                FieldError(
                    "relationship_to_head",
                    f"not one of {', '.join(RELATIONSHIPS)}: {shown(raw_relation)}",
                )
            )
    vulnerabilities: tuple[str, ...] = ()
    if raw_vulnerable := text.get("vulnerabilities", ""):
        try:
            vulnerabilities = parse_vulnerabilities(raw_vulnerable)
        except ValueError as exc:
            errors.append(FieldError("vulnerabilities", str(exc)))
    origin = pcode(text, "origin_pcode", errors)
    if errors:
        return errors
    return MemberFields(
        registration_id=registration_id,
        household_id=household_id,
        site_id=site_id,
        registered_on=registered_on,
        name=name,
        name_first=text.get("name_first") or None,
        name_father=text.get("name_father") or None,
        name_grandfather=text.get("name_grandfather") or None,
        name_family=text.get("name_family") or None,
        name_mother=text.get("name_mother") or None,
        sex=sex,
        age_min=age[0] if age else None,
        age_max=age[1] if age else None,
        year_of_birth=year_of_birth,
        relationship_to_head=relationship,
        origin_pcode=origin,
        origin_locality=text.get("origin_locality") or None,
        vulnerabilities=vulnerabilities,
        notes=text.get("notes") or None,
    )
