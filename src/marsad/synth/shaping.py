"""What a list's shape does to its rendered rows: formats, capitals, copies, columns.

render.py draws the rows as the source's profile writes them (with the shape's name parts and
spellings); this module then writes dates, ages and sex the shape's way, puts Latin names in
capitals or drops their hyphens, copies duplicate rows verbatim, and keeps only the columns the
list carries. Every choice is drawn for the whole list at once from the shape's own stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from marsad.domain.records import STANDARD_COLUMNS
from marsad.i18n import ARABIC_MONTHS
from marsad.synth.shapes import AGE_STYLES, DATE_FORMATS, ListShape, Mix

Strings = npt.NDArray[np.object_]
Mask = npt.NDArray[np.bool_]

_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_MONTHS_EN = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)
_AGES = range(121)
_AGE_TEXT = np.array(
    [
        [str(a) for a in _AGES],
        [f"{a // 10 * 10}-{a // 10 * 10 + 10}" for a in _AGES],
        [f"{a // 10 * 10}s" if a >= 10 else str(a) for a in _AGES],
        ["child" if a < 18 else "adult" for a in _AGES],
    ],
    dtype=object,
)
"""Each age in each style: exact, range, decade (a child under ten is given exactly, as
"0s" is not written), class."""
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_NAME_COLUMNS = ("name", "name_first", "name_father", "name_grandfather", "name_family")
_HYPHEN_JOIN = re.compile(r"-(\w)")


@dataclass(frozen=True)
class Shaping:
    """A list's shape with what rendering it needs beyond the profile: its own random stream
    and the great-grandfather of every person (for five-part names)."""

    shape: ListShape
    rng: np.random.Generator
    great_grandfather: npt.NDArray[np.int16]


def pick(
    rng: np.random.Generator, mix: Mix, choices: tuple[str, ...], n: int
) -> npt.NDArray[np.int64]:
    """For each of n rows, the index in `choices` of a value drawn with the mix's shares."""
    drawn = rng.choice(len(mix), size=n, p=[share for _, share in mix])
    lookup = np.array([choices.index(c) for c, _ in mix], dtype=np.int64)
    return np.asarray(lookup[drawn], dtype=np.int64)


def _format_date(iso: str, style: str, arabic: bool) -> str:
    """One ISO date (YYYY, YYYY-MM or YYYY-MM-DD) in a list's own format."""
    if not iso or style == "iso":
        return iso
    parts = iso.split("-")
    if style == "excel-serial":
        if len(parts) < 3:
            return iso
        return str(int((np.datetime64(iso, "D") - _EXCEL_EPOCH).astype(np.int64)))
    if style == "month-name" and len(parts) >= 2:
        month = (ARABIC_MONTHS if arabic else _MONTHS_EN)[int(parts[1]) - 1]
        day = [str(int(parts[2]))] if len(parts) == 3 else []
        return " ".join([*day, month, parts[0]])
    if style == "ymd-slash":
        return "/".join(parts)
    return ("." if style == "dmy-dot" else "/").join(reversed(parts))


def _dates(rng: np.random.Generator, values: Strings, shape: ListShape, arabic: Mask) -> Strings:
    n = len(values)
    if shape.date_format is not None:
        style = pick(rng, shape.date_format, DATE_FORMATS, n)
        values = np.array(
            [
                _format_date(v, DATE_FORMATS[k], a)
                for v, k, a in zip(values.tolist(), style.tolist(), arabic.tolist(), strict=True)
            ],
            dtype=object,
        )
    return values


def _ages(
    rng: np.random.Generator, values: Strings, shape: ListShape, age: npt.NDArray[np.int64]
) -> Strings:
    """Ages in the shape's styles (AGE_STYLES order), blank where the list gave none."""
    if shape.age_style is None:
        return values
    style = pick(rng, shape.age_style, AGE_STYLES, len(values))
    text = _AGE_TEXT[style, age]
    return np.asarray(np.where(values == "", "", text), dtype=object)


def _latin_names(text: str, shape: ListShape, capitals: bool) -> str:
    if shape.hyphens == "space":
        text = text.replace("-", " ")
    elif shape.hyphens == "join":
        text = _HYPHEN_JOIN.sub(lambda m: m[1].lower(), text)
    return text.upper() if capitals else text


def shape_columns(
    columns: dict[str, Strings | list[str]],
    shape: ListShape,
    rng: np.random.Generator,
    rows: npt.NDArray[np.int64],
    latin: Mask,
    age: npt.NDArray[np.int64],
) -> dict[str, list[str]]:
    """The list's columns written the shape's way, only those its file has."""
    n = len(rows)
    out = {c: np.asarray(columns[c], dtype=object) for c in STANDARD_COLUMNS}
    arabic = ~latin
    out["date_of_death"] = _dates(rng, out["date_of_death"], shape, arabic)
    out["age"] = _ages(rng, out["age"], shape, age)
    if shape.arabic_digits:
        digits = arabic & (rng.random(n) < shape.arabic_digits)
        for column in ("date_of_death", "age"):
            out[column][digits] = [v.translate(_ARABIC_DIGITS) for v in out[column][digits]]
    if shape.capitals or shape.hyphens != "keep":
        capitals = latin & (rng.random(n) < shape.capitals)
        where = np.flatnonzero(latin)
        for column in (*_NAME_COLUMNS, "name_mother"):
            values = out[column]
            pairs = zip(values[where], capitals[where], strict=True)
            values[where] = [_latin_names(v, shape, c) for v, c in pairs]
        out["sex"][capitals] = [v.upper() for v in out["sex"][capitals]]
    if shape.duplicate_copies:
        _, first_at, inverse = np.unique(rows, return_index=True, return_inverse=True)
        first = first_at[inverse]
        copied = (first != np.arange(n)) & (rng.random(n) < shape.duplicate_copies)
        for column in STANDARD_COLUMNS[1:]:
            out[column][copied] = out[column][first[copied]]
    empty = [""] * n
    return {c: out[c].tolist() if shape.carries(c) else list(empty) for c in shape.columns()}
