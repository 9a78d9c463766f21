"""The canonical reading of one raw row, and the reasons a row can fail to become one."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("killed", "missing", "injured", "detained")
SEXES = ("male", "female")

NAME_COLUMNS = (
    "name",
    "name_first",
    "name_father",
    "name_grandfather",
    "name_family",
    "name_mother",
)
"""A name as the standard files write it: whole, and in parts (any may be blank)."""

STANDARD_COLUMNS = (
    "record_id",
    *NAME_COLUMNS,
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


OPTIONAL_READ = (
    "sex",
    "age",
    "date_of_death",
    "civilian",
    "governorate",
    "pcode",
)
"""The fields read from a vocabulary or a format that a record may keep unknown when the
source's value cannot be read: the record is kept, the value is counted in its import's report
and kept with the record (`ParsedRow.unread`). A row's status, by contrast, must be read when
given, because it decides which count the record enters (docs/formats.md)."""


@dataclass(frozen=True)
class FieldError:
    """Why one field of one row could not be read: the row goes to quarantine, or for a field
    of OPTIONAL_READ the record keeps it unknown. `value` is the cell as read, when there was
    one to quote."""

    field: str
    reason: str
    value: str | None = None


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
    """The outcome of reading one raw row: a record, or the field errors that quarantine it;
    and the values not understood (`unread`), each with its field, reason and value."""

    record: RecordFields | None
    errors: list[FieldError] = field(default_factory=list)
    unread: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.errors


def age_text(age_min: int | None, age_max: int | None) -> str:
    """An age as recorded: "34", "30–39", "60+", or "" when unknown."""
    if age_min is None and age_max is None:
        return ""
    if age_min == age_max:
        return str(age_min)
    if age_max is None:
        return f"{age_min}+"
    return f"{age_min or 0}–{age_max}"


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A stored record as every service reads it: its canonical fields, its source (by name and
    id) and its person. The one projection of a record; `marsad.store.records` selects it."""

    id: int
    source_id: int
    source: str
    record_id: str
    name: str
    name_first: str | None
    name_father: str | None
    name_grandfather: str | None
    name_family: str | None
    name_mother: str | None
    sex: str | None
    age_min: int | None
    age_max: int | None
    date_of_death: str | None
    governorate: str | None
    district: str | None
    locality: str | None
    pcode: str | None
    pcode_adm1: str | None
    status: str
    civilian: bool | None
    cause: str | None
    person_id: int | None

    @property
    def age(self) -> str:
        return age_text(self.age_min, self.age_max)

    def display_fields(self) -> list[tuple[str, str]]:
        """(label, value) pairs in reading order, as a reviewer compares two records; a missing
        value is ""."""
        values: list[tuple[str, str | None]] = [
            ("source", self.source),
            ("record id", self.record_id),
            ("name", self.name),
            ("first name", self.name_first),
            ("father", self.name_father),
            ("grandfather", self.name_grandfather),
            ("family name", self.name_family),
            ("mother", self.name_mother),
            ("sex", self.sex),
            ("age", self.age),
            ("date of death", self.date_of_death),
            ("governorate", self.governorate),
            ("district", self.district),
            ("locality", self.locality),
            ("p-code", self.pcode),
            ("status", self.status),
        ]
        return [(label, value or "") for label, value in values]
