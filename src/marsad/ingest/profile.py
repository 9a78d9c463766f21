"""Mapping profiles: how one source's files map onto the standard record fields.

Sources keep their own headers (Arabic or English, KoBo/ODK group paths) and their own codes
("1" for male, "شهيد" for killed). A profile, written once per source as YAML, says which
header holds which canonical field (see STANDARD_COLUMNS in marsad.domain.records), how that
source's codes translate, and what to assume when a cell is empty. Example:

    name: kobo-victims
    description: KoBo form "victims", version 3
    day_first: true            # 07/03/2025 is 7 March (default true)
    sheet: data                # XLSX only: the sheet to read (default: the first)
    encoding: utf-8            # CSV only: the text encoding (default: detected)
    columns:                   # canonical field: header, or list of candidate headers
      record_id: [_uuid, meta/instanceID]
      name_first: victim/name_first
      name_family: victim/name_family
      sex: victim/sex
      notes: []                # an empty list: never read this field
    values:                    # per field: the source's value -> the canonical value; the
      sex: {"1": male, "2": female}  # place for the values an import reports as not understood
      status: {شهيد: killed}
    defaults:                  # used when the cell is empty or the column is absent
      status: killed
      governorate: Lattakia

Header matching ignores case, spacing, underscores and Arabic letter variants. A field the
profile does not list is looked for under its canonical name and the common aliases of
`standard_profile()`. In these YAML files yes/no/on/off and dates stay text, as in a cell.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from marsad.domain.records import STANDARD_COLUMNS
from marsad.errors import InputError
from marsad.ingest import values as v

_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": (
        *("id", "record id", "record no", "numéro", "no.", "n°"),
        *("رقم السجل", "الرقم", "المعرف", "الرقم التسلسلي"),
    ),
    "name": (
        "full name",
        "victim name",
        "name of victim",
        "nom complet",
        "nom et prénom",
        "nom prénom",
        "nom de la victime",
        "الاسم",
        "الاسم الكامل",
        "الاسم الثلاثي",
        "الاسم الرباعي",
        "اسم الضحية",
    ),
    "name_first": ("first name", "given name", "prénom", "الاسم الأول"),
    "name_father": ("father name", "father's name", "nom du père", "اسم الأب"),
    "name_grandfather": ("grandfather name", "grandfather's name", "اسم الجد"),
    "name_family": (
        *("family name", "surname", "last name", "nom", "nom de famille"),
        *("اسم العائلة", "الكنية", "العائلة"),
    ),
    "name_mother": ("mother name", "mother's name", "nom de la mère", "اسم الأم"),
    "sex": ("gender", "sexe", "genre", "الجنس"),
    "age": ("age (years)", "العمر", "السن"),
    "date_of_death": (
        "date of death",
        "death date",
        "date",
        "date de décès",
        "date du décès",
        "date de la mort",
        "تاريخ الوفاة",
        "تاريخ الاستشهاد",
        "تاريخ القتل",
        "التاريخ",
    ),
    "governorate": ("province", "gouvernorat", "المحافظة", "محافظة"),
    "district": ("المنطقة", "منطقة"),
    "subdistrict": ("sub-district", "sub district", "الناحية", "ناحية"),
    "locality": (
        *("village", "town", "place", "place of death", "lieu", "lieu du décès", "localité"),
        *("القرية", "البلدة", "المكان"),
    ),
    "pcode": ("p-code", "p code", "admin pcode"),
    "status": ("statut", "الحالة", "الوضع"),
    "civilian": ("civilian status", "مدني", "مدني/عسكري", "الصفة"),
    "cause": ("cause of death", "cause du décès", "سبب الوفاة", "السبب", "طريقة القتل"),
    "incident_id": ("incident", "incident id", "رقم الحادثة"),
    "notes": ("note", "comments", "remarks", "remarques", "commentaires", "ملاحظات", "الملاحظات"),
}


class ProfileError(InputError):
    """A mapping profile that cannot be read or breaks the format; names file and key."""


_VALUE_PARSERS = {
    "sex": v.parse_sex,
    "status": v.parse_status,
    "civilian": v.parse_civilian,
    "age": v.parse_age,
    "date_of_death": v.parse_date,
}
_Fail = Callable[[str, str], ProfileError]


@dataclass(frozen=True)
class ProfileForm:
    """What kind of file a profile maps: its canonical fields, their common header aliases,
    and the parsers that check a profile's values and defaults. Lists of persons are one form;
    missing persons' reports (`marsad.tracing.reports`) another."""

    fields: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    parsers: Mapping[str, Callable[[str], Any]]


_TOP_KEYS = frozenset(
    {"name", "description", "day_first", "sheet", "encoding", "columns", "values", "defaults"}
)


def header_key(header: str) -> str:
    """A header reduced for matching: case, spacing, underscores and Arabic letter forms."""
    return " ".join(v.fold(header).replace("_", " ").split())


@dataclass(frozen=True)
class MappingProfile:
    """How one source's headers and codes map onto canonical record fields."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    """Every canonical field, with its candidate headers in order of preference."""
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per field, folded source value -> canonical value."""
    defaults: Mapping[str, str] = field(default_factory=dict)
    day_first: bool = True
    sheet: str | None = None
    encoding: str | None = None
    source: str = "<profile>"
    _header_maps: dict[tuple[str, ...], dict[str, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def header_map(self, headers: Iterable[str]) -> dict[str, str]:
        """Canonical field -> the header of the file that holds it, for the fields present."""
        key = tuple(headers)
        found = self._header_maps.get(key)
        if found is None:
            by_key: dict[str, str] = {}
            for header in key:
                by_key.setdefault(header_key(header), header)
            found = {}
            for canonical, candidates in self.columns.items():
                for candidate in candidates:
                    if (match := by_key.get(header_key(candidate))) is not None:
                        found[canonical] = match
                        break
            if len(self._header_maps) > 256:  # rows of ragged files vary; keep the cache small
                self._header_maps.clear()
            self._header_maps[key] = found
        return found

    def translate(self, canonical: str, value: str) -> str:
        """The source's value mapped through this profile's vocabulary for the field."""
        vocabulary = self.values.get(canonical)
        if vocabulary:
            return vocabulary.get(v.fold(value), value)
        return value

    @classmethod
    def load(cls, path: str | Path, form: ProfileForm | None = None) -> MappingProfile:
        """Read and check a YAML profile; ProfileError names the file and the offending key."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"{path}: cannot read profile: {exc}") from exc
        return cls.from_yaml(text, source=str(path), form=form)

    @classmethod
    def from_yaml(
        cls, text: str, source: str = "<profile>", form: ProfileForm | None = None
    ) -> MappingProfile:
        """Build and check a profile from its YAML text (e.g. the copy kept with an import)."""
        try:
            data = yaml.load(text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise ProfileError(f"{source}: cannot read profile: {exc}") from exc
        return cls.from_dict(data, source=source, form=form)

    @classmethod
    def from_dict(
        cls, data: Any, source: str = "<profile>", form: ProfileForm | None = None
    ) -> MappingProfile:
        """Build and check a profile from its parsed YAML form (a list of persons unless
        `form` says otherwise)."""
        form = form or RECORD_FORM

        def fail(key: str, reason: str) -> ProfileError:
            return ProfileError(f"{source}: {key}: {reason}")

        if not isinstance(data, dict):
            raise fail("(top level)", "a profile is a mapping of keys to settings")
        for key in data:
            if key not in _TOP_KEYS:
                expected = ", ".join(sorted(_TOP_KEYS))
                raise fail(str(key), f"unknown setting (expected one of {expected})")

        columns = {f: (f, *form.aliases.get(f, ())) for f in form.fields}
        for canonical, headers in _section(data, "columns", fail).items():
            key = f"columns.{canonical}"
            _check_field(form, canonical, key, fail)
            if isinstance(headers, list):
                columns[canonical] = tuple(_scalar(h, key, fail) for h in headers)
            else:
                columns[canonical] = (_scalar(headers, key, fail),)

        vocabularies: dict[str, dict[str, str]] = {}
        for canonical, mapping in _section(data, "values", fail).items():
            key = f"values.{canonical}"
            _check_field(form, canonical, key, fail)
            if not isinstance(mapping, dict):
                raise fail(key, "expected a mapping of source values to canonical values")
            vocabulary = {}
            for raw, target in mapping.items():
                text = _scalar(target, f"{key}.{raw}", fail)
                _check_value(form, canonical, text, f"{key}.{raw}", fail)
                vocabulary[v.fold(_scalar(raw, key, fail))] = text
            vocabularies[canonical] = vocabulary

        defaults: dict[str, str] = {}
        for canonical, value in _section(data, "defaults", fail).items():
            key = f"defaults.{canonical}"
            _check_field(form, canonical, key, fail)
            defaults[canonical] = _scalar(value, key, fail)
            _check_value(form, canonical, defaults[canonical], key, fail)

        encoding = _optional_text(data, "encoding", fail)
        if encoding is not None:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise fail("encoding", f"unknown encoding {encoding!r}") from None
        day_first = data.get("day_first", True)
        if isinstance(day_first, str):
            day_first = {"true": True, "yes": True, "false": False, "no": False}.get(
                day_first.lower(), day_first
            )
        if not isinstance(day_first, bool):
            raise fail("day_first", "expected true or false")
        return cls(
            name=_optional_text(data, "name", fail) or Path(source).stem,
            columns=columns,
            values=vocabularies,
            defaults=defaults,
            day_first=day_first,
            sheet=_optional_text(data, "sheet", fail),
            encoding=encoding,
            source=source,
        )


RECORD_FORM = ProfileForm(STANDARD_COLUMNS, _ALIASES, _VALUE_PARSERS)
"""The form of a list of persons (the standard record CSV)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps yes/no/on/off and dates as text: they are values, as in a cell."""


_TEXT_TAGS = frozenset({"tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp"})
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _TEXT_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _section(data: dict[Any, Any], key: str, fail: _Fail) -> dict[Any, Any]:
    section = data.get(key) or {}
    if not isinstance(section, dict):
        raise fail(key, "expected a mapping keyed by canonical field")
    return section


def _check_field(form: ProfileForm, canonical: Any, key: str, fail: _Fail) -> None:
    if canonical not in form.fields:
        raise fail(key, f"unknown canonical field {canonical!r}")


def _check_value(form: ProfileForm, canonical: str, value: str, key: str, fail: _Fail) -> None:
    parser = form.parsers.get(canonical)
    if parser is None:
        return
    try:
        parsed = parser(value)
    except ValueError as exc:
        raise fail(key, f"{value!r} is not a valid {canonical}: {exc}") from None
    if parsed is None:
        raise fail(key, f"{value!r} is empty or unknown; leave it out instead")


def _scalar(value: Any, key: str, fail: _Fail) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise fail(key, f"expected text, got {type(value).__name__}")


def _optional_text(data: dict[Any, Any], key: str, fail: _Fail) -> str | None:
    value = data.get(key)
    return None if value is None else _scalar(value, key, fail)


@lru_cache(maxsize=1)
def standard_profile() -> MappingProfile:
    """The profile of the standard record CSV, which also accepts common header aliases."""
    return MappingProfile.from_dict({"name": "standard"}, source="<standard>")


def builtin_profile(name: str, form: ProfileForm | None = None) -> MappingProfile:
    """One of the example profiles shipped in marsad/ingest/profiles/ (e.g. "kobo-victims")."""
    resource = resources.files("marsad.ingest").joinpath(f"profiles/{name}.yaml")
    if not resource.is_file():
        raise ProfileError(f"no built-in profile {name!r}")
    text = resource.read_text(encoding="utf-8")
    return MappingProfile.from_yaml(text, f"<builtin {name}>", form=form)
