"""The canonical reading of one raw row, and the reasons a row can fail to become one."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("killed", "missing", "injured", "detained")
SEXES = ("male", "female")

STANDARD_COLUMNS = (
    "record_id",
    "name",
    "name_first",
    "name_father",
    "name_grandfather",
    "name_family",
    "name_mother",
    "sex",
    "age",
    "date_of_death",
    "governorate",
    "district",
    "subdistrict",
    "locality",
    "pcode",
    "status",
    "civilian",
    "cause",
    "incident_id",
    "notes",
)
"""The columns of the standard record CSV, in order (docs/formats.md)."""


@dataclass(frozen=True)
class FieldError:
    """Why one field of one row could not be read; the row goes to quarantine."""

    field: str
    reason: str


@dataclass
class RecordFields:
    """Canonical fields of one record.

    Partial dates stay partial: `date_of_death` is ISO `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Ages are a range (`age_min` == `age_max` when exact; `age_max` None for "adult").
    `pcode` is the most specific OCHA p-code known; `pcode_adm1` its governorate (SY01–SY14).
    """

    record_id: str
    name: str
    name_first: str | None = None
    name_father: str | None = None
    name_grandfather: str | None = None
    name_family: str | None = None
    name_mother: str | None = None
    sex: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    date_of_death: str | None = None
    governorate: str | None = None
    district: str | None = None
    subdistrict: str | None = None
    locality: str | None = None
    pcode: str | None = None
    pcode_adm1: str | None = None
    status: str = "killed"
    civilian: bool | None = None
    cause: str | None = None
    incident_id: str | None = None
    notes: str | None = None


@dataclass
class ParsedRow:
    """The outcome of reading one raw row: a record, or the field errors that quarantine it."""

    record: RecordFields | None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.errors
