"""Reading the cells of one shelter file's row: every field checked the way record rows are
(`marsad.ingest.parse.checked_cell`: no spreadsheet formulas, bounded length), and the few
value shapes the shelter files share (a full date, a p-code, a count). A row becomes its
fields whole or returns every field error at once."""

from __future__ import annotations

from collections.abc import Mapping

from marsad.domain.records import FieldError
from marsad.ingest.parse import checked_cell, shown
from marsad.ingest.places import validate_pcode
from marsad.ingest.values import parse_date

DEFAULT_LIMIT = 200
NOTE_LIMIT = 10_000


def read_cells(
    row: Mapping[str, str],
    headers: Mapping[str, str],
    columns: tuple[str, ...],
    errors: list[FieldError],
    limits: Mapping[str, int] | None = None,
) -> dict[str, str]:
    """Canonical field → its cell, whitespace collapsed, for the fields with a value; the cells
    that cannot be values are in `errors`. `headers` maps canonical fields to the file's."""
    text: dict[str, str] = {}
    for field in columns:
        header = headers.get(field)
        raw = row.get(header, "") if header is not None else ""
        value = checked_cell(field, raw, (limits or {}).get(field, DEFAULT_LIMIT))
        if isinstance(value, FieldError):
            errors.append(value)
        elif value:
            text[field] = value
    return text


def required(text: Mapping[str, str], field: str, errors: list[FieldError]) -> str:
    """The field's value; an error when it is empty (and had no error of its own)."""
    value = text.get(field, "")
    if not value and field not in {e.field for e in errors}:
        errors.append(FieldError(field, "required but empty"))
    return value


def full_date(
    text: Mapping[str, str], field: str, errors: list[FieldError], *, needed: bool
) -> str | None:
    """An ISO day (YYYY-MM-DD): occupancy is by day, so a year or a month alone will not do."""
    value = required(text, field, errors) if needed else text.get(field, "")
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError as exc:
        errors.append(FieldError(field, f"{exc}: {shown(value)}"))
        return None
    if parsed is None or len(parsed) != 10:
        errors.append(FieldError(field, f"a full date is needed (YYYY-MM-DD): {shown(value)}"))
        return None
    return parsed


def pcode(text: Mapping[str, str], field: str, errors: list[FieldError]) -> str | None:
    value = text.get(field, "")
    if not value:
        return None
    try:
        return validate_pcode(value)
    except ValueError as exc:
        errors.append(FieldError(field, f"{exc}: {shown(value)}"))
        return None


def count(
    text: Mapping[str, str], field: str, errors: list[FieldError], *, needed: bool, most: int
) -> int | None:
    """A whole number from 0 (1 when `needed`) to `most`."""
    value = required(text, field, errors) if needed else text.get(field, "")
    if not value:
        return None
    least = 1 if needed else 0
    if not value.isdigit() or not least <= int(value) <= most:
        errors.append(
            FieldError(field, f"not a whole number from {least} to {most}: {shown(value)}")
        )
        return None
    return int(value)


def choice(
    text: Mapping[str, str], field: str, options: tuple[str, ...], errors: list[FieldError]
) -> str:
    """One of `options` (case and spacing ignored); required."""
    value = required(text, field, errors)
    if not value:
        return ""
    chosen = value.strip().lower().replace(" ", "_").replace("-", "_")
    if chosen not in options:
        errors.append(FieldError(field, f"not one of {', '.join(options)}: {shown(value)}"))
        return ""
    return chosen
