"""List shapes: which fields a list carries and how it writes names, dates, sex and ages.

A source's profile (lists.py) says whom it records; a shape says how its rows look on paper.
Real lists differ far more in shape than the palette does: two-part names, Latin script with
another school's spellings, no p-codes, no districts, no mother's name, dates as `07/03/2025`
or `7 آذار 2025`, sex as `H`/`F`, ages as `30s`, the same person entered twice. Named presets
live in shapes.yaml beside this module; a shapes file may define its own and give one shape per
list. Every key left out keeps the list's own way of writing, so the `palette` preset (no keys)
writes exactly what no shape writes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from marsad.domain.records import STANDARD_COLUMNS
from marsad.errors import InputError
from marsad.synth.lists import ListProfile
from marsad.synth.translit import CONVENTIONS

Mix = tuple[tuple[str, float], ...]
"""Shares of the choices of one option, in the order written, summing to 1."""

NAME_COLUMNS = ("name", "name_first", "name_father", "name_grandfather", "name_family")
FIELDS = tuple(c for c in STANDARD_COLUMNS if c not in ("record_id", *NAME_COLUMNS))
"""Columns a shape may carry or leave out; record_id and the name columns are always decided
by `name_columns`."""
TABLE_CONVENTIONS = ("table-english", "table-french", "table-any")
TRANSLITERATIONS = (*TABLE_CONVENTIONS, *CONVENTIONS)
DATE_PRECISIONS = ("day", "month", "year", "missing")
DATE_FORMATS = ("iso", "dmy", "dmy-dot", "ymd-slash", "month-name", "excel-serial")
AGE_STYLES = ("exact", "range", "decade", "class")
SEX_LABELS = ("en", "short", "ar", "fr")
NAME_PARTS = ("2", "3", "4", "5")

_CHOICES: dict[str, tuple[str, ...]] = {
    "name_columns": ("name", "parts", "both"),
    "absent": ("drop", "empty"),
    "hyphens": ("keep", "space", "join"),
    "sex_labels": SEX_LABELS,
}
_MIXES: dict[str, tuple[str, ...]] = {
    "name_parts": NAME_PARTS,
    "transliteration": TRANSLITERATIONS,
    "date_precision": DATE_PRECISIONS,
    "date_format": DATE_FORMATS,
    "age_style": AGE_STYLES,
}
_SHARES = (
    "latin_share",
    "family_first",
    "capitals",
    "arabic_digits",
    "duplicates",
    "duplicate_copies",
)


@dataclass(frozen=True)
class ListShape:
    """How one list is written. None (or 0) keeps the list's profile's own way."""

    name: str = "palette"
    description: str = ""
    fields: tuple[str, ...] | None = None
    """The non-name columns the list carries (of FIELDS); None carries them all."""
    absent: str = "drop"
    """A column not carried is left out of the file ("drop") or written empty ("empty")."""
    name_columns: str | None = None
    """"name": only the full name; "parts": only the part columns; "both": both on every row."""
    name_parts: Mix | None = None
    """How many name parts a row gives: 2 first+family, 3 +father, 4 +grandfather, 5 +great-
    grandfather (in the full name only: the standard columns have no place for it)."""
    family_first: float | None = None
    """Share of rows whose full name starts with the family name."""
    latin_share: float | None = None
    """Share of rows in Latin script (0 all Arabic, 1 all Latin)."""
    transliteration: Mix | None = None
    """Conventions of the Latin rows: the hand tables (table-english, table-french, table-any)
    or a rule convention applied to the Arabic form (translit.CONVENTIONS)."""
    capitals: float = 0.0
    """Share of Latin rows whose names and sex are written in capitals."""
    hyphens: str = "keep"
    """Hyphens in Latin names: kept (Al-Ali), spaces (Al Ali) or joined (Alali)."""
    date_precision: Mix | None = None
    date_format: Mix | None = None
    arabic_digits: float = 0.0
    """Share of Arabic-script rows whose dates and ages use Arabic-Indic digits."""
    sex_labels: str | None = None
    """en: male/female, short: m/f, ar: ذكر/أنثى, fr: H/F (homme/femme)."""
    age_style: Mix | None = None
    """exact 34, range 30-40, decade 30s, class child/adult."""
    duplicates: float | None = None
    """Share of the list's persons written twice."""
    duplicate_copies: float = 0.0
    """Share of those second rows that copy the first one's text (only the id differs)."""

    def columns(self) -> tuple[str, ...]:
        """The columns this list's file has, in the standard order."""
        names = {"both": NAME_COLUMNS, "name": ("name",), "parts": NAME_COLUMNS[1:]}
        kept = set(names[self.name_columns or "both"]) | {"record_id"}
        kept |= set(FIELDS if self.fields is None else self.fields)
        if self.absent == "empty":
            return STANDARD_COLUMNS
        return tuple(c for c in STANDARD_COLUMNS if c in kept)

    def carries(self, column: str) -> bool:
        """Whether the list writes values in `column` (an empty column carries nothing)."""
        names = {"both": NAME_COLUMNS, "name": ("name",), "parts": NAME_COLUMNS[1:]}
        if column in NAME_COLUMNS:
            return column in names[self.name_columns or "both"]
        return column == "record_id" or self.fields is None or column in self.fields

    def as_dict(self) -> dict[str, Any]:
        """The shape as its file form: only the keys that differ from the palette."""
        out: dict[str, Any] = {"name": self.name}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("name", "description") or value == f.default:
                continue
            if f.name in _MIXES:
                value = dict(value)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


PALETTE_SHAPE = ListShape()


class ShapeError(InputError):
    """A shapes file or shape name that cannot be used; the message names the file and key."""


def _fail(source: str, key: str, reason: str) -> ShapeError:
    return ShapeError(f"{source}: {key}: {reason}")


def _share(value: Any, source: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _fail(source, key, f"expected a share between 0 and 1, got {value!r}")
    return float(value)


def _mix(value: Any, choices: tuple[str, ...], source: str, key: str) -> Mix:
    """`french` or `{rule-french: 0.7, table-english: 0.3}`: shares normalised to sum 1."""
    items = value.items() if isinstance(value, dict) else [(value, 1.0)]
    out: list[tuple[str, float]] = []
    for choice, share in items:
        text = str(choice)
        if text not in choices:
            raise _fail(source, key, f"unknown value {text!r} (expected {', '.join(choices)})")
        out.append((text, _share(share, source, f"{key}.{text}")))
    total = sum(s for _, s in out)
    if total <= 0:
        raise _fail(source, key, "the shares add up to 0")
    return tuple((c, s / total) for c, s in out)


def _fields(value: Any, source: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _fail(source, key, "expected a list of columns")
    for column in value:
        if column not in FIELDS:
            raise _fail(source, key, f"unknown column {column!r} (expected {', '.join(FIELDS)})")
    return tuple(c for c in FIELDS if c in value)


def build_shape(
    data: Any, presets: dict[str, ListShape], source: str, key: str, name: str | None = None
) -> ListShape:
    """A shape from its file form: a preset's name, or a mapping of `preset` plus overrides."""
    if isinstance(data, str):
        return preset(data, presets, source, key)
    if not isinstance(data, dict):
        raise _fail(source, key, "expected a preset name or a mapping of settings")
    known = {f.name for f in fields(ListShape)} - {"name"} | {"preset"}
    for item in data:
        if item not in known:
            expected = ", ".join(sorted(known))
            raise _fail(source, f"{key}.{item}", f"unknown setting (expected one of {expected})")
    base = preset(data.get("preset", "palette"), presets, source, f"{key}.preset")
    values = {f.name: getattr(base, f.name) for f in fields(ListShape)}
    values["name"] = name or base.name
    for item, value in data.items():
        where = f"{key}.{item}"
        if item == "preset":
            continue
        if item == "description":
            values[item] = str(value)
        elif item == "fields":
            values[item] = _fields(value, source, where)
        elif item in _CHOICES:
            if value not in _CHOICES[item]:
                expected = ", ".join(_CHOICES[item])
                raise _fail(source, where, f"unknown value {value!r} (expected {expected})")
            values[item] = value
        elif item in _MIXES:
            values[item] = _mix(value, _MIXES[item], source, where)
        else:
            values[item] = _share(value, source, where)
    shape = ListShape(**values)
    if not shape.carries("name") and not shape.carries("name_first"):
        raise _fail(source, key, "a list must carry a name")
    return shape


def preset(name: Any, presets: dict[str, ListShape], source: str, key: str) -> ListShape:
    if name not in presets:
        raise _fail(source, key, f"unknown shape {name!r} (presets: {', '.join(presets)})")
    return presets[name]


def mapping(data: Any, source: str, key: str) -> dict[Any, Any]:
    if not isinstance(data, dict):
        raise _fail(source, key, "expected a mapping")
    return data


def read_presets(data: Any, source: str, base: dict[str, ListShape]) -> dict[str, ListShape]:
    """The `presets:` section of a shapes file, each built on `base` or an earlier preset."""
    out = dict(base)
    for name, body in mapping(data, source, "presets").items():
        out[str(name)] = build_shape(body or {}, out, source, f"presets.{name}", str(name))
    return out


def load_yaml(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ShapeError(f"{source}: cannot read shapes: {error}") from error


def builtin_presets() -> dict[str, ListShape]:
    """The named shapes shipped in marsad/synth/shapes.yaml."""
    text = resources.files("marsad.synth").joinpath("shapes.yaml").read_text(encoding="utf-8")
    data = mapping(load_yaml(text, "<shapes.yaml>"), "<shapes.yaml>", "(top level)")
    return read_presets(data.get("presets", {}), "<shapes.yaml>", {"palette": PALETTE_SHAPE})


def list_shapes(data: Any, source: str, presets: dict[str, ListShape]) -> tuple[ListShape, ...]:
    """A `lists:` section: one shape per list, in the order of the palette."""
    if not isinstance(data, list) or not data:
        raise _fail(source, "lists", "expected a list of shapes, one per list")
    return tuple(build_shape(item, presets, source, f"lists[{i}]") for i, item in enumerate(data))


def read_yaml_file(
    path: Path, keys: tuple[str, ...]
) -> tuple[dict[Any, Any], dict[str, ListShape]]:
    """A YAML file of shapes: its top-level mapping (only `keys` allowed) and its presets
    (the built-in ones and those of its own `presets:` section)."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ShapeError(f"{source}: cannot read shapes: {error}") from error
    data = mapping(load_yaml(text, source), source, "(top level)")
    for key in data:
        if key not in keys:
            raise _fail(source, str(key), f"unknown setting (expected {', '.join(keys)})")
    return data, read_presets(data.get("presets") or {}, source, builtin_presets())


def read_shapes_file(path: Path) -> tuple[ListShape, ...]:
    """A shapes file: optional `presets:` of its own, and `lists:` with one shape per list."""
    data, presets = read_yaml_file(path, ("presets", "lists"))
    return list_shapes(data.get("lists"), str(path), presets)


def resolve_shapes(spec: str, lists: int | None) -> tuple[ListShape, ...]:
    """`--shape NAME_OR_FILE`: a preset for every list, or a file's shapes (one per list)."""
    presets = builtin_presets()
    if spec in presets:
        return (presets[spec],) * (lists or 4)
    path = Path(spec)
    if not path.exists():
        raise ShapeError(f"--shape {spec!r}: neither a preset ({', '.join(presets)}) nor a file")
    shapes = read_shapes_file(path)
    if lists is not None and lists != len(shapes):
        raise ShapeError(f"{spec}: lists: gives {len(shapes)} shapes but --lists is {lists}")
    return shapes


def shaped_profile(profile: ListProfile, shape: ListShape) -> ListProfile:
    """The list's profile with the shape's overrides of the rates it already has."""
    changes: dict[str, Any] = {}
    if shape.latin_share is not None:
        changes["latin_share"] = shape.latin_share
    if shape.family_first is not None:
        changes["swap_rate"] = shape.family_first
    if shape.sex_labels is not None:
        changes["sex_style"] = shape.sex_labels
    if shape.duplicates is not None:
        changes["duplicate_rate"] = shape.duplicates
    if shape.name_columns in ("parts", "both"):
        changes["parts_rate"] = 1.0
    if shape.date_precision is not None:
        share = dict(shape.date_precision)
        changes["date_missing"] = share.get("missing", 0.0)
        changes["year_only"] = share.get("year", 0.0)
        changes["month_only"] = share.get("month", 0.0)
    return replace(profile, **changes) if changes else profile
