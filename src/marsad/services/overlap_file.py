"""The encoded list's file: a preamble naming the format, schema and list, then one row per
record of opaque ids and keyed Bloom filters (docs/formats.md, "Encoded lists"). Written whole or
not at all; read back with every line and column checked, so a damaged or foreign file is named
with the line and the column, never half-read.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from marsad.errors import InputError
from marsad.overlap.encoding import EncodedList
from marsad.overlap.schema import COARSE_FIELDS, NAME_PARTS, Schema

FORMAT = "marsad-overlap-encoded-list"
FORMAT_VERSION = 1
ENCODED_COLUMNS = (
    "row_id",
    "parts",
    "identifiable",
    "of_status",
    "names",
    *COARSE_FIELDS,
    "blocks",
)


class OverlapError(InputError):
    """An encoding or a linkage cannot be done as asked; the message names the file and, where
    there is one, the line and the column."""


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV whole or not at all: to a temporary file first, renamed at the end."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise OverlapError(f"{path}: cannot write it ({error.strerror or error})") from None


def _preamble(encoded: EncodedList, schema: Schema) -> list[str]:
    return [
        FORMAT,
        f"format={FORMAT_VERSION}",
        f"schema={schema.label}",
        f"fingerprint={schema.fingerprint}",
        f"list={encoded.label}",
    ]


def write_encoded(encoded: EncodedList, schema: Schema, out: Path) -> None:
    """One preamble line (format, schema and its fingerprint, the list's label), the header,
    then one row per record: opaque id, parts mask, filters in hex, blocking tokens."""
    names = encoded.names.astype("<u8").view(np.uint8).reshape(len(encoded), -1)
    width = 16

    def word(value: int) -> str:
        return "" if value == 0 else f"{value:0{width}x}"

    def token(value: int) -> str:
        return "-" if value < 0 else f"{value:x}"

    rows = (
        (
            row_id,
            f"{int(mask):0{len(NAME_PARTS)}b}"[::-1],
            int(identifiable),
            int(of_status),
            names[i].tobytes().hex(),
            *(word(int(v)) for v in encoded.coarse[i]),
            " ".join(token(int(t)) for t in encoded.blocks[i]),
        )
        for i, (row_id, mask, identifiable, of_status) in enumerate(
            zip(
                encoded.row_ids,
                encoded.parts,
                encoded.identifiable,
                encoded.of_status,
                strict=True,
            )
        )
    )
    write_rows(out, _preamble(encoded, schema), itertools.chain([ENCODED_COLUMNS], rows))


def read_encoded(path: Path, schema: Schema) -> EncodedList:
    """Read an encoded file made under `schema`; every error names the file, line and column."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            meta = _read_preamble(path, next(reader, []), schema)
            header = next(reader, [])
            if tuple(header) != ENCODED_COLUMNS:
                raise OverlapError(
                    f"{path}, line 2: expected the columns {', '.join(ENCODED_COLUMNS)}"
                )
            rows = list(reader)
    except UnicodeDecodeError:
        raise OverlapError(f"{path}: not UTF-8 text; is it an encoded list?") from None
    except OSError as error:
        raise OverlapError(f"{path}: cannot read it ({error.strerror or error})") from None
    except csv.Error as error:
        raise OverlapError(f"{path}: not a readable CSV file ({error})") from None
    return _parse_rows(path, meta["list"], schema, rows)


def _read_preamble(path: Path, cells: list[str], schema: Schema) -> dict[str, str]:
    if not cells or cells[0] != FORMAT:
        raise OverlapError(f"{path}, line 1: not an encoded list (made by `marsad overlap encode`)")
    meta = dict(cell.split("=", 1) for cell in cells[1:] if "=" in cell)
    if meta.get("format") != str(FORMAT_VERSION):
        raise OverlapError(
            f"{path}, line 1: format {meta.get('format')!r}; this Marsad reads "
            f"format {FORMAT_VERSION}"
        )
    if meta.get("fingerprint") != schema.fingerprint:
        raise OverlapError(
            f"{path}, line 1: encoded under schema {meta.get('schema')!r} (fingerprint "
            f"{meta.get('fingerprint')}), not {schema.label} ({schema.fingerprint}); every "
            "party must encode with the same schema file"
        )
    if not meta.get("list"):
        raise OverlapError(f"{path}, line 1: no list label")
    return meta


def _hex_int(path: Path, line: int, column: str, text: str, limit: int) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise OverlapError(f"{path}, line {line}, column '{column}': not hexadecimal") from None
    if not 0 <= value < limit:
        raise OverlapError(f"{path}, line {line}, column '{column}': out of range")
    return value


def _parse_rows(path: Path, label: str, schema: Schema, rows: list[list[str]]) -> EncodedList:
    width = schema.name_bits // 4
    rules = len(schema.blocking_rules)
    parts = np.zeros(len(rows), dtype=np.uint8)
    coarse = np.zeros((len(rows), len(COARSE_FIELDS)), dtype=np.uint64)
    blocks = np.full((len(rows), rules), -1, dtype=np.int64)
    flags = np.zeros((len(rows), 2), dtype=bool)
    names_hex: list[str] = []
    row_ids: list[str] = []
    token_limit = 1 << schema.blocking_bits
    for i, row in enumerate(rows):
        line = i + 3
        if len(row) != len(ENCODED_COLUMNS):
            raise OverlapError(
                f"{path}, line {line}: {len(row)} cells where the header has {len(ENCODED_COLUMNS)}"
            )
        row_id, mask, identifiable, of_status, names, *coarse_cells, tokens = row
        if not row_id:
            raise OverlapError(f"{path}, line {line}, column 'row_id': empty")
        if len(mask) != len(NAME_PARTS) or set(mask) - {"0", "1"}:
            raise OverlapError(
                f"{path}, line {line}, column 'parts': expected {len(NAME_PARTS)} digits 0 or 1"
            )
        if len(names) != width or set(names) - set("0123456789abcdef"):
            raise OverlapError(
                f"{path}, line {line}, column 'names': expected {width} hexadecimal digits"
            )
        for j, (column, flag) in enumerate(
            (("identifiable", identifiable), ("of_status", of_status))
        ):
            if flag not in ("0", "1"):
                raise OverlapError(f"{path}, line {line}, column '{column}': expected 0 or 1")
            flags[i, j] = flag == "1"
        parts[i] = int(mask[::-1], 2)
        for j, cell in enumerate(coarse_cells):
            if cell:
                coarse[i, j] = _hex_int(path, line, COARSE_FIELDS[j], cell, 1 << 64)
        cells = tokens.split(" ")
        if len(cells) != rules:
            raise OverlapError(
                f"{path}, line {line}, column 'blocks': expected {rules} tokens "
                "(one per blocking rule of the schema)"
            )
        for j, cell in enumerate(cells):
            if cell != "-":
                blocks[i, j] = _hex_int(path, line, "blocks", cell, token_limit)
        names_hex.append(names)
        row_ids.append(row_id)
    if len(set(row_ids)) != len(row_ids):
        raise OverlapError(f"{path}: a row id appears twice; the file was altered")
    names_words = (
        np.frombuffer(bytes.fromhex("".join(names_hex)), dtype="<u8")
        .reshape(len(rows), schema.name_bits // 64)
        .astype(np.uint64)
    )
    return EncodedList(
        label,
        schema.fingerprint,
        row_ids,
        parts,
        names_words,
        coarse,
        blocks,
        flags[:, 0],
        flags[:, 1],
    )
