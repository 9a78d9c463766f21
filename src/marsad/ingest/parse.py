"""Turn one raw row into canonical record fields, or into the list of everything wrong with it.

A row either becomes a record or goes to quarantine with every field error at once, so that
the person fixing the source file sees all of a row's problems in one pass. A value of an
optional field that cannot be read (OPTIONAL_READ) does not stop the record: the field is left
unknown and the value is returned as unread, for the import's report. Each reason quotes the
offending value (shortened) so it can be found in the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from marsad.domain.records import (
    OPTIONAL_READ,
    STANDARD_COLUMNS,
    FieldError,
    ParsedRow,
    RecordFields,
)
from marsad.ingest.places import Gazetteer, Governorate, validate_pcode
from marsad.ingest.profile import MappingProfile
from marsad.ingest.values import (
    is_unknown,
    parse_age,
    parse_civilian,
    parse_date,
    parse_sex,
    parse_status,
)

_NAME_ORDER = ("name_first", "name_father", "name_grandfather", "name_family")
_LIMITS = dict.fromkeys(("name", *_NAME_ORDER, "name_mother"), 200) | {"notes": 10_000}
_DEFAULT_LIMIT = 500
_UNKNOWN_AS_EMPTY = frozenset(
    {"governorate", "district", "subdistrict", "locality", "pcode", "cause", "incident_id"}
)
_SHOWN = 60


def shown(value: str) -> str:
    """The value quoted in an error reason, cut to 60 characters."""
    return f"'{value if len(value) <= _SHOWN else value[: _SHOWN - 1] + '…'}'"


_PLAIN_NUMBER = re.compile(r"[\d\s.,/-]*")
"""What may follow a leading + or - and still be a value: digits and the marks of numbers,
dates and phone numbers ("+963 933 000 000", "- 5")."""


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run the text: "=…", "@" before anything but a space, or "+"
    or "-" before anything but a plain number ("-2+3+cmd|' /C calc'!A0", "+1+1 Ahmad").

    Such cells are refused rather than stored, because exports of the record would carry them
    back into someone's spreadsheet (CSV injection), and the API hands them out as they are.
    """
    first = text[0]
    if first == "=":
        return True
    if len(text) < 2:
        return False
    if first == "@":
        return not text[1].isspace()
    return first in "+-" and _PLAIN_NUMBER.fullmatch(text, 1) is None


def _read(
    field: str,
    value: str,
    parser: Callable[[str], Any],
    unread: list[FieldError],
) -> Any:
    """Parse one value; one that cannot be read is None, and kept in `unread` with the reason."""
    if not value:
        return None
    try:
        return parser(value)
    except ValueError as exc:
        unread.append(FieldError(field, f"{exc}: {shown(value)}", value))
        return None


def checked_cell(field: str, raw: str, limit: int) -> str | FieldError:
    """A cell with its whitespace collapsed, or why it cannot be a value: a spreadsheet
    formula (exports would carry it to the next spreadsheet) or more than `limit` characters."""
    value = " ".join(raw.split()) if raw else ""
    if value and value[0] in "=+-@" and is_formula(value):
        return FieldError(field, f"spreadsheet formula, not a value: {shown(value)}")
    if len(value) > limit:
        return FieldError(
            field, f"too long: {len(value)} characters (at most {limit}): {shown(value)}"
        )
    return value


def read_cells(
    cells: dict[str, str],
    profile: MappingProfile,
    fields: tuple[str, ...],
    limits: dict[str, int],
    unknown_as_empty: frozenset[str] = frozenset(),
) -> tuple[dict[str, str], list[FieldError]]:
    """Each field's cell through the profile: checked (`checked_cell`, at most `limits[field]`
    or 500 characters), translated by the profile's vocabulary, "unknown" read as empty for
    `unknown_as_empty`, the profile's default when empty; and the cells that failed."""
    headers = profile.header_map(cells)
    errors: list[FieldError] = []
    text: dict[str, str] = {}
    for field in fields:
        header = headers.get(field)
        raw = cells.get(header, "") if header is not None else ""
        value = checked_cell(field, raw, limits.get(field, _DEFAULT_LIMIT))
        if isinstance(value, FieldError):
            errors.append(value)
            continue
        if value:
            if field in profile.values:
                value = profile.translate(field, value)
            if field in unknown_as_empty and is_unknown(value):
                value = ""
        text[field] = value or profile.defaults.get(field, "")
    return text, errors


def parse_row(cells: dict[str, str], profile: MappingProfile, gazetteer: Gazetteer) -> ParsedRow:
    """Read one raw row through a mapping profile into a record, collecting every field error."""
    text, errors = read_cells(cells, profile, STANDARD_COLUMNS, _LIMITS, _UNKNOWN_AS_EMPTY)

    record_id = text.get("record_id", "")
    if not record_id and "record_id" not in {e.field for e in errors}:
        errors.append(FieldError("record_id", "required but empty"))
    name = text.get("name", "") or " ".join(text[f] for f in _NAME_ORDER if text.get(f))
    if not name and "name" not in {e.field for e in errors}:
        errors.append(FieldError("name", "required but empty"))

    unread: list[FieldError] = []
    sex = _read("sex", text.get("sex", ""), parse_sex, unread)
    age = _read("age", text.get("age", ""), parse_age, unread) or (None, None)
    day_first = profile.day_first
    date_of_death = _read(
        "date_of_death", text.get("date_of_death", ""), lambda v: parse_date(v, day_first), unread
    )
    status = _read("status", text.get("status", ""), parse_status, unread) or "killed"
    civilian = _read("civilian", text.get("civilian", ""), parse_civilian, unread)

    governorate: Governorate | None = None
    if name_gov := text.get("governorate", ""):
        governorate = gazetteer.governorate(name_gov)
        if governorate is None:
            reason = f"unknown governorate: {shown(name_gov)}"
            unread.append(FieldError("governorate", reason, name_gov))
    pcode: str | None = None
    if raw_pcode := text.get("pcode", ""):
        try:
            pcode = validate_pcode(raw_pcode)
        except ValueError as exc:
            unread.append(FieldError("pcode", f"{exc}: {shown(raw_pcode)}", raw_pcode))
        else:
            of_pcode = gazetteer.governorate_of_pcode(pcode)
            if of_pcode is not None and governorate is not None and of_pcode != governorate:
                errors.append(
                    FieldError(
                        "pcode",
                        f"p-code {pcode} is in {of_pcode.name_en} ({of_pcode.pcode}) but the "
                        f"governorate is {governorate.name_en} ({governorate.pcode})",
                    )
                )
            elif of_pcode is not None and governorate is None:
                governorate = of_pcode
    district = text.get("district", "")
    if district:
        known = gazetteer.district(district, governorate.pcode if governorate else None)
        if known is not None:
            district = known.name_en
            pcode = pcode or known.pcode
            governorate = governorate or gazetteer.governorate_of_pcode(known.adm1_pcode)

    if unread:
        errors.extend(e for e in unread if e.field not in OPTIONAL_READ)
    if errors:
        return ParsedRow(None, errors, unread)
    return ParsedRow(
        RecordFields(
            record_id=record_id,
            name=name,
            name_first=text.get("name_first") or None,
            name_father=text.get("name_father") or None,
            name_grandfather=text.get("name_grandfather") or None,
            name_family=text.get("name_family") or None,
            name_mother=text.get("name_mother") or None,
            sex=sex,
            age_min=age[0],
            age_max=age[1],
            date_of_death=date_of_death,
            governorate=governorate.name_en if governorate else None,
            district=district or None,
            subdistrict=text.get("subdistrict") or None,
            locality=text.get("locality") or None,
            pcode=pcode,
            pcode_adm1=governorate.pcode if governorate else None,
            status=status,
            civilian=civilian,
            cause=text.get("cause") or None,
            incident_id=text.get("incident_id") or None,
            notes=text.get("notes") or None,
        ),
        unread=unread,
    )
