"""Tables written out of the store as CSV, JSON, Parquet or HXL, for `marsad export`.

Rows are streamed: a million rows are never held at once, only one Parquet batch. A file is
written beside its final name and renamed into place, so a crash never leaves half a file that
someone could mistake for a complete export. Ids are pseudonymised with a keyed hash, so an
export can be shared without the store's ids and two exports made with one key still join.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell that spreadsheets will show as text, never run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_START) else value


PARQUET_BATCH_ROWS = 20_000

HXL_TAGS: dict[str, str] = {
    # Counts of people (#affected) and what happened to them.
    "killed": "#affected+killed",
    "killed_min": "#affected+killed+min",
    "killed_max": "#affected+killed+max",
    "injured": "#affected+injured",
    "missing": "#affected+missing",
    "abducted": "#affected+abducted",
    # Attributes that narrow a count: add them with `hxl_tag`.
    "female": "+f",
    "male": "+m",
    "infants": "+infants",
    "children": "+children",
    "adolescents": "+adolescents",
    "adults": "+adults",
    "elderly": "+elderly",
    # Places: OCHA p-codes under +code, names under +name.
    "country_code": "#country+code",
    "country_name": "#country+name",
    "governorate_code": "#adm1+code",
    "governorate_name": "#adm1+name",
    "district_code": "#adm2+code",
    "district_name": "#adm2+name",
    "subdistrict_code": "#adm3+code",
    "subdistrict_name": "#adm3+name",
    "place": "#loc+name",
    # Dates (ISO, possibly partial: 2025, 2025-03, 2025-03-07).
    "date": "#date",
    "date_of_death": "#date+occurred",
    "date_reported": "#date+reported",
    "period_start": "#date+start",
    "period_end": "#date+end",
    # Events, rows and their metadata.
    "incident_id": "#event+id",
    "cause": "#cause",
    "description": "#description",
    "row_id": "#meta+id",
    "source": "#meta+source",
    "grade": "#meta+certainty",
    "verification": "#status+verification",
    # Individual-level facts have no core hashtag; HXL reserves #x_ for such extensions.
    "sex": "#x_sex",
    "age_group": "#x_agegroup",
    "civilian": "#x_civilian",
}
"""HXL 1.1 hashtags and attributes (hxlstandard.org) used by Marsad's exports, named once.

+min, +max, +missing and +verification are not in the core dictionary; HXL allows any
attribute, and these read plainly to HXL tools that do not know them.
"""

PSEUDONYM_PREFIXES = {"person": "P", "record": "R", "incident": "I", "source": "S"}
PSEUDONYM_LENGTH = 12
MIN_KEY_BYTES = 16

Rows = Iterable[Mapping[str, object]]

_PARQUET_TYPES: dict[str, Any] = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
}


@dataclass(frozen=True)
class Column:
    """One column of an exported table.

    `hxl` is the hashtag with its attributes for the hxl format (None: left untagged). `kind`
    ("str", "int", "float" or "bool") fixes the Parquet type; when None it is read from the
    values of the first batch, and a column empty there is text.
    """

    name: str
    hxl: str | None = None
    kind: str | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in _PARQUET_TYPES:
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r}")
        if self.hxl is not None and not self.hxl.startswith("#"):
            raise ValueError(f"column {self.name!r}: an HXL tag starts with '#': {self.hxl!r}")


def hxl_tag(tag: str, *attributes: str) -> str:
    """A hashtag with more attributes: hxl_tag("#affected+killed", "+f") is "#affected+killed+f"."""
    return tag + "".join(a if a.startswith("+") else f"+{a}" for a in attributes)


def pseudonym(key: bytes, kind: str, ident: str | int) -> str:
    """A stable pseudonymous id: the same key, kind and id always give the same text.

    HMAC-SHA256 of "kind:id", cut to 12 base32 characters (60 bits: a clash among a million
    ids has odds below one in a million) behind the kind's letter, e.g. "P-K3J2Q7X4MZ5A".
    """
    prefix = PSEUDONYM_PREFIXES.get(kind)
    if prefix is None:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(PSEUDONYM_PREFIXES)}")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a pseudonym key needs at least {MIN_KEY_BYTES} bytes")
    digest = hmac.new(key, f"{kind}:{ident}".encode(), hashlib.sha256).digest()
    return f"{prefix}-{base64.b32encode(digest).decode('ascii')[:PSEUDONYM_LENGTH]}"


def write_table(
    rows: Rows,
    columns: Sequence[Column],
    fmt: str,
    out: Path | BinaryIO,
) -> int:
    """Write `rows` (values: str, int, float, bool or None) as `fmt`; returns the rows written.

    A row's missing keys are empty cells. Into a Path the file appears whole or not at all.
    """
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not columns:
        raise ValueError("a table needs at least one column")
    if isinstance(out, Path):
        with _atomic(out) as handle:
            return writer(rows, columns, handle)
    return writer(rows, columns, out)


@contextmanager
def _atomic(path: Path) -> Iterator[BinaryIO]:
    """A file beside `path` that replaces it only once written and synced."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@contextmanager
def _text(out: BinaryIO) -> Iterator[IO[str]]:
    """UTF-8 text over the caller's binary stream, which stays open afterwards."""
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()


def _csv_cell(value: object, safe: Callable[[str], str]) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return safe(value)
    return value


def _write_csv(rows: Rows, columns: Sequence[Column], out: BinaryIO, hxl: bool) -> int:
    """RFC 4180 with a UTF-8 byte order mark, without which Excel shows Arabic as mojibake."""
    count = 0
    names = [c.name for c in columns]
    with _text(out) as text:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([spreadsheet_safe(n) for n in names])
        if hxl:
            writer.writerow([c.hxl or "" for c in columns])
        for row in rows:
            writer.writerow([_csv_cell(row.get(n), spreadsheet_safe) for n in names])
            count += 1
    return count


def _write_plain_csv(rows: Rows, columns: Sequence[Column], out: BinaryIO) -> int:
    return _write_csv(rows, columns, out, hxl=False)


def _write_hxl(rows: Rows, columns: Sequence[Column], out: BinaryIO) -> int:
    """HXL: human headers, then the hashtag row, then the data (HXL tagging conventions)."""
    return _write_csv(rows, columns, out, hxl=True)


def _write_json(rows: Rows, columns: Sequence[Column], out: BinaryIO) -> int:
    """A JSON array of objects, one object per line, written as the rows come."""
    count = 0
    names = [c.name for c in columns]
    with _text(out) as text:
        text.write("[")
        for row in rows:
            text.write(",\n" if count else "\n")
            obj = {n: row.get(n) for n in names}
            text.write(json.dumps(obj, ensure_ascii=False, allow_nan=False))
            count += 1
        text.write("\n]\n" if count else "]\n")
    return count


def _parquet_type(column: Column, values: list[object]) -> Any:
    if column.kind is not None:
        return _PARQUET_TYPES[column.kind]
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int}:
        return pa.int64()
    if kinds and kinds <= {int, float}:
        return pa.float64()
    return pa.string()


def _write_parquet(rows: Rows, columns: Sequence[Column], out: BinaryIO) -> int:
    """Parquet in row groups of PARQUET_BATCH_ROWS; types from `Column.kind` or the first batch."""
    names = [c.name for c in columns]
    iterator = iter(rows)
    count = 0
    writer: Any = None
    try:
        while True:
            batch = list(islice(iterator, PARQUET_BATCH_ROWS))
            if not batch and writer is not None:
                break
            values = [[row.get(n) for row in batch] for n in names]
            if writer is None:
                schema = pa.schema(
                    [
                        pa.field(c.name, _parquet_type(c, v))
                        for c, v in zip(columns, values, strict=True)
                    ]
                )
                writer = pq.ParquetWriter(out, schema)
            arrays = []
            for field, column_values in zip(writer.schema, values, strict=True):
                try:
                    arrays.append(pa.array(column_values, type=field.type))
                except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                    reason = f"column {field.name!r} is not all {field.type}: {exc}"
                    raise ValueError(reason) from exc
            if batch:
                writer.write_table(pa.Table.from_arrays(arrays, schema=writer.schema))
            count += len(batch)
            if len(batch) < PARQUET_BATCH_ROWS:
                break
    finally:
        if writer is not None:
            writer.close()
    return count


Writer = Callable[[Rows, Sequence[Column], BinaryIO], int]
"""(rows, columns, binary file) → how many rows it wrote."""

WRITERS: dict[str, Writer] = {
    "csv": _write_plain_csv,
    "json": _write_json,
    "parquet": _write_parquet,
    "hxl": _write_hxl,
}
"""Every export format by name: a new format is registered here and is then offered by
`marsad export --format` and the exports of a release."""
FORMATS = tuple(WRITERS)
