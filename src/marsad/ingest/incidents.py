"""Read one row of an incident file: deaths reported without names, with a range and a grade.

Such reports ("bodies found on the highway") cannot become persons, so they are counted apart,
keeping the reported minimum and maximum and a grade of how strong the sources are. The grade
follows Airwars' five levels. A row becomes an incident whole or returns every field error at
once, like a record row (marsad.ingest.parse).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from marsad.domain.records import FieldError
from marsad.ingest.parse import checked_cell, shown
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.ingest.profile import header_key
from marsad.ingest.values import alternation, fold, is_unknown, parse_date

GRADES = ("confirmed", "fair", "weak", "contested", "discounted")
"""Source strength, strongest first (Airwars): confirmed (the deaths are acknowledged or beyond
doubt), fair (two or more credible sources), weak (a single source), contested (credible sources
disagree on what happened), discounted (shown not to have happened as reported, kept but never
counted)."""

GRADE_WORDS_AR = {
    "confirmed": "مؤكد",
    "fair": "مقبول",
    "weak": "ضعيف",
    "contested": "متنازع عليه",
    "discounted": "مستبعد",
}

INCIDENT_COLUMNS = (
    "incident_id",
    "date",
    "governorate",
    "place",
    "killed_min",
    "killed_max",
    "grade",
    "description",
)
"""The columns of the standard incident file, in order (docs/formats.md)."""

_ALIASES: dict[str, tuple[str, ...]] = {
    "incident_id": (
        "incident id",
        "incident",
        "id",
        "رقم الحادثة",
        "معرف الحادثة",
        "رمز الحادثة",
        "الرقم",
    ),
    "date": ("incident date", "date of incident", "التاريخ", "تاريخ الحادثة"),
    "governorate": ("province", "adm1", "المحافظة", "محافظة"),
    "place": ("location", "locality", "village", "town", "المكان", "الموقع", "القرية", "البلدة"),
    "killed_min": (
        "killed min",
        "min killed",
        "minimum killed",
        "killed",
        "deaths",
        "الحد الأدنى",
        "الحد الأدنى للقتلى",
        "أدنى عدد",
        "عدد القتلى",
        "القتلى",
    ),
    "killed_max": (
        "killed max",
        "max killed",
        "maximum killed",
        "الحد الأعلى",
        "الحد الأعلى للقتلى",
        "أعلى عدد",
    ),
    "grade": ("grading", "source strength", "التقييم", "الدرجة", "درجة المصدر", "قوة المصدر"),
    "description": ("details", "summary", "notes", "الوصف", "التفاصيل", "ملاحظات"),
}

_GRADES = {
    fold(word): grade
    for grade, words in (
        ("confirmed", ("confirmed", "مؤكد", "مؤكدة", "مثبت", "مثبتة")),
        ("fair", ("fair", "مقبول", "مقبولة", "معقول", "معقولة")),
        ("weak", ("weak", "ضعيف", "ضعيفة")),
        (
            "contested",
            ("contested", "disputed", "متنازع عليه", "متنازع عليها", "متنازع", "مختلف عليه"),
        ),
        ("discounted", ("discounted", "مستبعد", "مستبعدة", "مستبعده")),
    )
    for word in words
}

MAX_KILLED = 100_000
_LIMITS = {"incident_id": 200, "place": 500, "description": 10_000}
_DEFAULT_LIMIT = 200


_N = r"(\d{1,9})"
_BETWEEN = alternation(("between", "from", "بين", "من"))
_TO = alternation(("-", "–", "—", "to", "and", "إلى", "الى", "حتى", "و"))
_AT_LEAST_BEFORE = alternation(
    ("at least", "no fewer than", "على الأقل", "ما لا يقل عن", "لا يقل عن")
)
_AT_LEAST_AFTER = alternation(("+", "or more", "at least", "على الأقل", "أو أكثر"))
_MORE_THAN = alternation(("more than", "over", "أكثر من"))
_COUNT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), shape)
    for pattern, shape in (
        (_N, "exact"),
        (rf"(?:(?:{_BETWEEN})\s*)?{_N}\s*(?:{_TO})\s*{_N}", "range"),
        (rf"(?:{_AT_LEAST_BEFORE})\s*{_N}", "at_least"),
        (rf"{_N}\s*(?:{_AT_LEAST_AFTER})", "at_least"),
        (rf"(?:{_MORE_THAN})\s*{_N}", "more_than"),
    )
)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


@dataclass(frozen=True)
class IncidentFields:
    """The canonical reading of one incident row.

    `date` is ISO and may be partial (YYYY, YYYY-MM); `governorate` is the admin-1 p-code
    (SY01–SY14). killed_min ≤ killed_max; they are equal when one number was reported.
    """

    incident_id: str
    date: str | None
    governorate: str | None
    place: str | None
    killed_min: int
    killed_max: int
    grade: str
    description: str | None


@lru_cache(maxsize=256)
def incident_header_map(headers: tuple[str, ...]) -> dict[str, str]:
    """Canonical column -> the file's header holding it; case, spacing and Arabic letter forms
    do not matter, and the first matching alias wins."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    found: dict[str, str] = {}
    for canonical in INCIDENT_COLUMNS:
        for candidate in (canonical, *_ALIASES.get(canonical, ())):
            if (match := by_key.get(header_key(candidate))) is not None:
                found[canonical] = match
                break
    return found


@lru_cache(maxsize=1024)
def parse_count(value: str) -> tuple[int, int | None] | None:
    """Read a reported number of dead as (low, high); high is None when open-ended.

    "12" → (12, 12); "5-7", "بين ٥ و ٧" → (5, 7); "at least 12", "12+", "١٢ على الأقل" →
    (12, None); "more than 12" → (13, None). Empty or "unknown" → None.
    """
    if is_unknown(value):
        return None
    key = _THOUSANDS.sub("", fold(value))
    for pattern, shape in _COUNT_PATTERNS:
        if m := pattern.fullmatch(key):
            numbers = [int(g) for g in m.groups()]
            if max(numbers) > MAX_KILLED:
                raise ValueError(f"more than {MAX_KILLED:,} dead in one incident; check the value")
            if shape == "exact":
                return numbers[0], numbers[0]
            if shape == "range":
                if numbers[0] > numbers[1]:
                    raise ValueError("range runs backwards")
                return numbers[0], numbers[1]
            if shape == "more_than":
                return numbers[0] + 1, None
            return numbers[0], None
    raise ValueError('not a number of dead (e.g. "12", "5-7", "at least 12")')


@lru_cache(maxsize=256)
def parse_grade(value: str) -> str:
    """Read a grade in English or Arabic as one of GRADES."""
    grade = _GRADES.get(fold(value))
    if grade is None:
        expected = " / ".join(GRADES)
        arabic = " / ".join(GRADE_WORDS_AR[g] for g in GRADES)
        raise ValueError(f"not a grade (expected {expected}; {arabic})")
    return grade


def _count(field: str, value: str, errors: list[FieldError]) -> tuple[int, int | None] | None:
    try:
        return parse_count(value)
    except ValueError as exc:
        errors.append(FieldError(field, f"{exc}: {shown(value)}"))
        return None


def parse_incident(
    row: Mapping[str, str], gazetteer: Gazetteer | None = None, day_first: bool = True
) -> IncidentFields | list[FieldError]:
    """One incident from one raw row, or every reason it cannot be one."""
    headers = incident_header_map(tuple(row))
    errors: list[FieldError] = []
    text: dict[str, str] = {}
    for field in INCIDENT_COLUMNS:
        header = headers.get(field)
        raw = row.get(header, "") if header is not None else ""
        value = checked_cell(field, raw, _LIMITS.get(field, _DEFAULT_LIMIT))
        if isinstance(value, FieldError):
            errors.append(value)
        elif value:
            text[field] = value

    incident_id = text.get("incident_id", "")
    if not incident_id and "incident_id" not in {e.field for e in errors}:
        errors.append(FieldError("incident_id", "required but empty"))

    date = None
    if raw_date := text.get("date", ""):
        try:
            date = parse_date(raw_date, day_first)
        except ValueError as exc:
            errors.append(FieldError("date", f"{exc}: {shown(raw_date)}"))

    governorate = None
    raw_gov = text.get("governorate", "")
    if raw_gov and not is_unknown(raw_gov):
        gazetteer = gazetteer or default_gazetteer()
        found = gazetteer.governorate(raw_gov)
        if found is None and raw_gov.upper().startswith("SY"):
            try:
                found = gazetteer.governorate_of_pcode(raw_gov)
            except ValueError as exc:
                errors.append(FieldError("governorate", f"{exc}: {shown(raw_gov)}"))
                found = None
            else:
                if found is None:
                    errors.append(FieldError("governorate", f"no such p-code: {shown(raw_gov)}"))
        elif found is None:
            errors.append(FieldError("governorate", f"unknown governorate: {shown(raw_gov)}"))
        governorate = found.pcode if found is not None else None

    low = _count("killed_min", text.get("killed_min", ""), errors)
    high = _count("killed_max", text.get("killed_max", ""), errors)
    reported = [pair for pair in (low, high) if pair is not None]
    killed_min = killed_max = 0
    if not reported:
        if not {"killed_min", "killed_max"} & {e.field for e in errors}:
            errors.append(FieldError("killed_min", "required: give killed_min, killed_max or both"))
    else:
        # The low end of the first number given, the high end of the last; an open-ended
        # count ("at least 12") reports no maximum, so the maximum is what was reported.
        killed_min = reported[0][0]
        killed_max = reported[-1][1] if reported[-1][1] is not None else reported[-1][0]
        if killed_min > killed_max:
            errors.append(
                FieldError(
                    "killed_max",
                    f"the minimum {killed_min} is above the maximum {killed_max}",
                )
            )

    grade = ""
    if raw_grade := text.get("grade", ""):
        try:
            grade = parse_grade(raw_grade)
        except ValueError as exc:
            errors.append(FieldError("grade", f"{exc}: {shown(raw_grade)}"))
    elif "grade" not in {e.field for e in errors}:
        errors.append(FieldError("grade", f"required but empty ({' / '.join(GRADES)})"))

    if errors:
        return errors
    return IncidentFields(
        incident_id=incident_id,
        date=date,
        governorate=governorate,
        place=None if is_unknown(text.get("place", "")) else text["place"],
        killed_min=killed_min,
        killed_max=killed_max,
        grade=grade,
        description=text.get("description") or None,
    )
