"""Streaming readers for CSV, XLSX and JSON files: one raw row at a time, values verbatim.

A reader never changes a value: what it yields is what the file holds, as text, keyed by the
file's own headers, so the raw row can be stored as evidence. What is wrong with a row's shape
(ragged rows, an unclosed quote, duplicate columns that disagree) travels with the row as a
problem; what is wrong with the whole file raises TableError. Memory stays flat in the size of
the file: rows are read as they are consumed, and the passes that look at the whole file first
(UTF-8 check, JSON column union) read it in chunks.

`ReadLimits` bound what a file may unpack to (bytes, rows, columns, cells, JSON nesting), for
files from people the server does not trust (web uploads): each is checked as the file is
read, and an XLSX's compressed parts are measured before openpyxl opens the workbook, so a
small file that unpacks to gigabytes is refused before it costs any memory.
"""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

import openpyxl

from marsad.domain.records import FieldError
from marsad.errors import InputError

FIELD_SIZE_LIMIT = 32 * 1024 * 1024
"""Largest single CSV field read (bytes of text); the csv module's default is 128 KiB."""
_CHUNK = 1024 * 1024
_FALLBACK_ENCODING = "windows-1256"
_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})


class TableError(InputError):
    """The file cannot be read as a table at all; the message names the file."""


@dataclass(frozen=True)
class ReadLimits:
    """The most a file may unpack to; None leaves that unbounded."""

    max_bytes: int | None = None
    """Uncompressed bytes: the file itself for CSV and JSON, its unpacked parts for XLSX."""
    max_rows: int | None = None
    max_columns: int | None = None
    max_cells: int | None = None
    max_depth: int | None = None
    """Nesting of JSON objects and lists."""

    def with_bytes(self, max_bytes: int) -> ReadLimits:
        return replace(self, max_bytes=max_bytes)


NO_LIMITS = ReadLimits()
UPLOAD_LIMITS = ReadLimits(
    max_bytes=64 * 1024 * 1024,
    max_rows=500_000,
    max_columns=500,
    max_cells=10_000_000,
    max_depth=20,
)
"""For web uploads: about 500,000 rows of a list; larger lists go through `marsad ingest`."""


class LimitExceeded(TableError):
    """The file unpacks to more than a limit allows; `limit` names which (bytes, rows…)."""

    def __init__(self, path: Path, limit: str, allowed: int) -> None:
        shown = f"{allowed // (1024 * 1024)} MB" if limit == "bytes" else f"{allowed:,} {limit}"
        what = "nesting levels" if limit == "depth" else limit
        if limit == "bytes":
            what = "unpacked size"
        super().__init__(
            f"{path}: refused: more than {shown} (limit on {what}); "
            "split the file, or ingest it with `marsad ingest` on the server"
        )
        self.limit = limit
        self.allowed = allowed


class _Counter:
    """Counts rows and cells of one pass over a file against its limits."""

    def __init__(self, path: Path, limits: ReadLimits) -> None:
        self.path = path
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def columns(self, width: int) -> None:
        allowed = self.limits.max_columns
        if allowed is not None and width > allowed:
            raise LimitExceeded(self.path, "columns", allowed)

    def row(self, width: int) -> None:
        self.rows += 1
        self.cells += width
        self.columns(width)
        if self.limits.max_rows is not None and self.rows > self.limits.max_rows:
            raise LimitExceeded(self.path, "rows", self.limits.max_rows)
        if self.limits.max_cells is not None and self.cells > self.limits.max_cells:
            raise LimitExceeded(self.path, "cells", self.limits.max_cells)


def _check_size(path: Path, limits: ReadLimits) -> None:
    if limits.max_bytes is not None and path.stat().st_size > limits.max_bytes:
        raise LimitExceeded(path, "bytes", limits.max_bytes)


@dataclass(slots=True)
class RawRow:
    """One data row as the file holds it.

    `row_number` is where a person finds the row: the line it starts on (CSV, JSON Lines),
    the sheet row (XLSX) or the position in the list (JSON).
    """

    row_number: int
    cells: dict[str, str]
    problems: list[FieldError] = field(default_factory=list)


class Table:
    """An open tabular file; use as a context manager and iterate `rows()`."""

    def __init__(
        self,
        path: Path,
        columns: list[str],
        encoding: str | None,
        warnings: list[str],
        rows: Callable[[], Generator[RawRow, None, None]],
        close: Callable[[], None] = lambda: None,
    ) -> None:
        self.path = path
        self.columns = columns
        self.encoding = encoding
        self.warnings = warnings
        self._rows = rows
        self._close = close
        self._iterators: list[Generator[RawRow, None, None]] = []

    def rows(self) -> Iterator[RawRow]:
        """The data rows, in file order, read as they are consumed."""
        iterator = self._rows()
        self._iterators.append(iterator)
        return iterator

    def close(self) -> None:
        for iterator in self._iterators:
            iterator.close()
        self._iterators.clear()
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_table(
    path: str | Path,
    encoding: str | None = None,
    sheet: str | None = None,
    limits: ReadLimits = NO_LIMITS,
) -> Table:
    """Open a CSV/TSV, XLSX, JSON or JSON Lines file by its suffix.

    `encoding` applies to text files (detected when None); `sheet` to XLSX (first when None).
    Past one of `limits`, opening or reading raises LimitExceeded.
    """
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return _open_csv(path, encoding, limits)
    if suffix in _XLSX_SUFFIXES:
        return _open_xlsx(path, sheet, limits)
    if suffix == ".json":
        return _open_json(path, encoding or "utf-8-sig", lines=False, limits=limits)
    if suffix in _JSON_LINES_SUFFIXES:
        return _open_json(path, encoding or "utf-8-sig", lines=True, limits=limits)
    if suffix == ".xls":
        raise TableError(f"{path}: old Excel .xls files are not read; save as .xlsx or CSV")
    raise TableError(f"{path}: unknown file type {suffix!r} (expected CSV, XLSX, JSON, JSONL)")


class _Columns:
    """The keys under which a file's columns appear in `RawRow.cells`.

    Keys are the headers verbatim, except that an empty header becomes "(column N)" and a
    repeated header "name (2)", "name (3)"..., so that no cell is lost.
    """

    def __init__(self, headers: list[str], path: Path, warnings: list[str]) -> None:
        self.keys: list[str] = []
        self.duplicates: list[tuple[str, list[str]]] = []
        taken = set(headers)
        seen: dict[str, list[str]] = {}
        for i, header in enumerate(headers, start=1):
            if not header.strip():
                key = f"(column {i})"
                warnings.append(f"{path}: column {i} has no header; its cells are under {key!r}")
            elif header in seen:
                n = len(seen[header]) + 1
                while (key := f"{header} ({n})") in taken:
                    n += 1
                seen[header].append(key)
                warnings.append(f"{path}: header {header!r} repeats; column {i} is {key!r}")
            else:
                key = header
                seen[header] = [key]
            taken.add(key)
            self.keys.append(key)
        self.duplicates = [(h, keys) for h, keys in seen.items() if len(keys) > 1]

    def row(self, number: int, values: list[str], problems: list[FieldError]) -> RawRow:
        cells = dict(zip(self.keys, values, strict=False))
        for i in range(len(self.keys), len(values)):
            cells[f"(column {i + 1})"] = values[i]
        for header, keys in self.duplicates:
            filled = [(k, cells[k].strip()) for k in keys if cells.get(k, "").strip()]
            for key, text in filled[1:]:
                if text != filled[0][1]:
                    reason = f"duplicate columns {filled[0][0]!r} and {key!r} hold different values"
                    problems.append(FieldError(header, reason))
                    break
        return RawRow(number, cells, problems)


# CSV


def _detect_encoding(path: Path, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM) when the whole file decodes, otherwise windows-1256."""
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            warnings.append(
                f"{path}: not valid UTF-8; read as {_FALLBACK_ENCODING} (Arabic Windows/Excel)"
            )
            return _FALLBACK_ENCODING
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


class _QuoteCounter:
    """Passes lines to csv.reader while counting quote characters, to spot an unclosed quote."""

    def __init__(self, lines: TextIO) -> None:
        self.lines = lines
        self.quotes = 0

    def __iter__(self) -> _QuoteCounter:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.quotes += line.count('"')
        return line


def _csv_records(
    path: Path, encoding: str, delimiter: str
) -> Generator[tuple[int, int, bool, list[str]], None, None]:
    """(first line, last line, quotes balanced, values) of each non-empty CSV record."""
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    last = 0
    try:
        with path.open(encoding=encoding, newline="") as f:
            counter = _QuoteCounter(f)
            reader = csv.reader(counter, delimiter=delimiter)
            for values in reader:
                first, last = last + 1, reader.line_num
                balanced = counter.quotes % 2 == 0
                counter.quotes = 0
                if any(v.strip() for v in values):
                    yield first, last, balanced, values
    except UnicodeDecodeError as exc:
        raise TableError(f"{path}: not valid {encoding} after line {last}: {exc.reason}") from exc
    except csv.Error as exc:
        raise TableError(f"{path}: line {last + 1}: {exc}") from exc


def _sniff_delimiter(header_line: str) -> str:
    """The most frequent of , ; TAB in the header line (comma on a tie)."""
    return max((",", ";", "\t"), key=header_line.count)


def _open_csv(path: Path, encoding: str | None, limits: ReadLimits) -> Table:
    _check_size(path, limits)
    warnings: list[str] = []
    if encoding is None:
        encoding = _detect_encoding(path, warnings)
    elif encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # same decoding, and a BOM does not end up in the first header
    try:
        with path.open(encoding=encoding, newline="") as f:
            header_line = next((line for line in f if line.strip()), "")
    except (UnicodeDecodeError, LookupError) as exc:
        raise TableError(f"{path}: cannot be read as {encoding}: {exc}") from exc
    if not header_line:
        raise TableError(f"{path}: empty file, no header row")
    delimiter = _sniff_delimiter(header_line)
    records = _csv_records(path, encoding, delimiter)
    header = next(records, None)
    records.close()
    if header is None:
        raise TableError(f"{path}: no header row (only blank lines or delimiters)")
    headers = header[3]
    _Counter(path, limits).columns(len(headers))
    columns = _Columns(headers, path, warnings)
    width = len(headers)

    def rows() -> Generator[RawRow, None, None]:
        records = _csv_records(path, encoding, delimiter)
        next(records)
        counter = _Counter(path, limits)
        for first, last, balanced, values in records:
            counter.row(len(values))
            problems = []
            if last > first and (not balanced or len(values) != width):
                problems.append(
                    FieldError(
                        "_row",
                        f"lines {first}-{last} read as one row: an unclosed quote? "
                        f"({len(values)} cells, header has {width})",
                    )
                )
            elif len(values) != width:
                problems.append(
                    FieldError("_row", f"row has {len(values)} cells, header has {width}")
                )
            yield columns.row(first, values, problems)

    return Table(path, headers, encoding, warnings, rows)


# XLSX


def _cell_text(value: Any) -> str:
    """A spreadsheet value as text: dates ISO, whole numbers without ".0", formulas as written."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _check_unpacked(path: Path, limits: ReadLimits) -> None:
    """Refuse a workbook whose parts unpack to more than `limits.max_bytes`: first by the sizes
    its zip directory declares, then by decompressing each part in chunks (nothing kept) and
    stopping as soon as the total passes the limit, so a part that lies about its size is
    caught too."""
    allowed = limits.max_bytes
    if allowed is None:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > allowed:
                raise LimitExceeded(path, "bytes", allowed)
            total = 0
            for member in members:
                with archive.open(member) as part:
                    while chunk := part.read(_CHUNK):
                        total += len(chunk)
                        if total > allowed:
                            raise LimitExceeded(path, "bytes", allowed)
    except TableError:
        raise
    except _DAMAGED_ZIP as exc:
        raise _unreadable(path, exc) from exc


_DAMAGED_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    zlib.error,
)
"""What zipfile and zlib raise on a damaged or unsupported archive."""


def _unreadable(path: Path, exc: Exception) -> TableError:
    return TableError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})")


def _open_xlsx(path: Path, sheet: str | None, limits: ReadLimits) -> Table:
    """openpyxl parses the parts of a workbook someone sent: on a damaged or hostile one it
    may raise nearly anything (XML, zip, type and index errors), so whatever it raises while
    opening or reading becomes a TableError naming the file."""
    _check_unpacked(path, limits)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:
        raise _unreadable(path, exc) from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise TableError(f"{path}: no sheet {sheet!r} (sheets: {names})")
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        worksheet.reset_dimensions()
        header_row, headers = 0, []
        counter = _Counter(path, limits)
        for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), 1):
            texts = [_cell_text(v) for v in values]
            counter.row(_used_width(texts))
            if any(t.strip() for t in texts):
                while texts and not texts[-1].strip():
                    texts.pop()
                header_row, headers = number, texts
                break
        if not headers:
            raise TableError(f"{path}: sheet {worksheet.title!r} is empty, no header row")
    except TableError:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise _unreadable(path, exc) from exc
    warnings: list[str] = []
    columns = _Columns(headers, path, warnings)
    width = len(headers)

    def rows() -> Generator[RawRow, None, None]:
        counter = _Counter(path, limits)
        data = worksheet.iter_rows(min_row=header_row + 1, values_only=True)
        number = header_row
        while True:
            try:
                values = next(data, None)
            except Exception as exc:
                raise _unreadable(path, exc) from exc
            if values is None:
                return
            number += 1
            texts = [_cell_text(v) for v in values]
            counter.row(_used_width(texts))
            while len(texts) > width and not texts[-1].strip():
                texts.pop()
            if not any(t.strip() for t in texts):
                continue
            problems = []
            if len(texts) > width:
                reason = f"row has {len(texts)} cells, header has {width}"
                problems.append(FieldError("_row", reason))
            yield columns.row(number, texts, problems)

    return Table(path, headers, None, warnings, rows, workbook.close)


def _used_width(texts: list[str]) -> int:
    """A sheet row's width up to its last value: cells that only carry formatting further
    right do not count against the limits."""
    width = len(texts)
    while width and not texts[width - 1].strip():
        width -= 1
    return width


# JSON


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flatten(obj: dict[str, Any], out: dict[str, str], prefix: str = "") -> dict[str, str]:
    """Nested objects become "group/field" keys, as in KoBo exports; lists of scalars "a; b"."""
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, out, f"{name}/")
        elif isinstance(value, list):
            if any(isinstance(item, dict | list) for item in value):
                out[name] = json.dumps(value, ensure_ascii=False)
            else:
                out[name] = "; ".join(_json_text(item) for item in value)
        else:
            out[name] = _json_text(value)
    return out


# Numbers stay as the file wrote them ("34", "1.50"), like every other cell.
_DECODER = json.JSONDecoder(parse_float=str, parse_int=str)
_MAX_VALUE = 64 * 1024 * 1024
_WHITESPACE = " \t\r\n"


class _JsonStream:
    """Reads one JSON document value by value, holding at most one list element in memory."""

    def __init__(self, f: TextIO, path: Path) -> None:
        self.f = f
        self.path = path
        self.buf = ""
        self.pos = 0
        self.eof = False

    def _fill(self) -> bool:
        chunk = self.f.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def error(self, reason: str) -> TableError:
        return TableError(f"{self.path}: not readable JSON: {reason}")

    def peek(self) -> str:
        """The next non-blank character, without consuming it; "" at the end."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf) or not self._fill():
                return self.buf[self.pos : self.pos + 1]

    def take(self, expected: str) -> None:
        found = self.peek()
        if found not in expected or not found:
            raise self.error(f"expected {' or '.join(expected)}, found {found or 'end of file'!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or len(self.buf) - self.pos > _MAX_VALUE:
                    raise self.error(exc.msg) from exc
                self._fill()
                continue
            if end == len(self.buf) and not self.eof and self._fill():
                continue  # a number at the end of the buffer may go on in the next chunk
            self.pos = end
            return value

    def items(self) -> Iterator[Any]:
        """The elements of the array that starts here."""
        self.take("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            self.take(",]")
            if self.buf[self.pos - 1] == "]":
                return


def _json_objects(stream: _JsonStream) -> Iterator[tuple[int, dict[str, Any]]]:
    """The record objects of a top-level array, or of the one list of objects in an object."""
    if stream.peek() == "[":
        for number, item in enumerate(stream.items(), 1):
            if not isinstance(item, dict):
                raise stream.error(f"item {number} of the list is not an object")
            yield number, item
    elif stream.peek() == "{":
        stream.take("{")
        found = ""
        while stream.peek() != "}":
            key = stream.value()
            stream.take(":")
            if stream.peek() != "[":
                stream.value()
            else:
                items = enumerate(stream.items(), 1)
                for number, item in items:
                    if not isinstance(item, dict):
                        for _ in items:  # a list of plain values: not the records
                            pass
                        break
                    if found and found != key:
                        raise stream.error(f"two lists of objects ({found!r} and {key!r})")
                    found = key
                    yield number, item
            if stream.peek() == ",":
                stream.take(",")
        stream.take("}")
        if not found:
            raise stream.error("no list of objects found")
    else:
        raise stream.error("expected a list of objects or an object holding one")
    if stream.peek():
        raise stream.error("unexpected data after the end of the document")


def _json_lines(f: TextIO, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(f, 1):
        if not line.strip():
            continue
        try:
            item = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            raise TableError(f"{path}: line {number}: not readable JSON: {exc.msg}") from exc
        if not isinstance(item, dict):
            raise TableError(f"{path}: line {number}: not a JSON object")
        yield number, item


def _depth(value: Any) -> int:
    """How deeply objects and lists nest in `value` (an object of plain values is 1)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in children)
    return deepest


def _json_records(
    path: Path, encoding: str, lines: bool, limits: ReadLimits
) -> Iterator[tuple[int, dict[str, str]]]:
    counter = _Counter(path, limits)
    try:
        with path.open(encoding=encoding, newline="" if lines else None) as f:
            objects = _json_lines(f, path) if lines else _json_objects(_JsonStream(f, path))
            for number, obj in objects:
                if limits.max_depth is not None and _depth(obj) > limits.max_depth:
                    raise LimitExceeded(path, "depth", limits.max_depth)
                cells = _flatten(obj, {})
                counter.row(len(cells))
                yield number, cells
    except (UnicodeDecodeError, LookupError) as exc:
        raise TableError(f"{path}: cannot be read as {encoding}: {exc}") from exc
    except RecursionError as exc:
        raise TableError(f"{path}: not readable JSON: objects nested too deeply") from exc


def _open_json(path: Path, encoding: str, lines: bool, limits: ReadLimits) -> Table:
    _check_size(path, limits)
    union: dict[str, None] = {}
    counter = _Counter(path, limits)
    for _, cells in _json_records(path, encoding, lines, limits):
        union.update(dict.fromkeys(cells))
        counter.columns(len(union))
    if not union:
        raise TableError(f"{path}: no records with fields")

    def rows() -> Generator[RawRow, None, None]:
        for number, cells in _json_records(path, encoding, lines, limits):
            yield RawRow(number, cells)

    return Table(path, list(union), encoding, [], rows)
