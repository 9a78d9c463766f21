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
import zipfile
import zlib
from collections.abc import Generator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TextIO

import openpyxl

from marsad.domain.records import FieldError
from marsad.ingest import table as tabular
from marsad.ingest.json_rows import open_json
from marsad.ingest.table import (
    NO_LIMITS,
    Columns,
    LimitExceeded,
    RawRow,
    ReadLimits,
    RowCounter,
    Table,
    TableError,
    check_size,
)

FIELD_SIZE_LIMIT = 32 * 1024 * 1024
"""Largest single CSV field read (bytes of text); the csv module's default is 128 KiB."""


_FALLBACK_ENCODING = "windows-1256"


_CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})


_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


_JSON_LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})


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
        return open_json(path, encoding or "utf-8-sig", lines=False, limits=limits)
    if suffix in _JSON_LINES_SUFFIXES:
        return open_json(path, encoding or "utf-8-sig", lines=True, limits=limits)
    if suffix == ".xls":
        raise TableError(f"{path}: old Excel .xls files are not read; save as .xlsx or CSV")
    raise TableError(f"{path}: unknown file type {suffix!r} (expected CSV, XLSX, JSON, JSONL)")


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
            while chunk := f.read(tabular.CHUNK):
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
    check_size(path, limits)
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
    RowCounter(path, limits).columns(len(headers))
    columns = Columns(headers, path, warnings)
    width = len(headers)

    def rows() -> Generator[RawRow, None, None]:
        records = _csv_records(path, encoding, delimiter)
        next(records)
        counter = RowCounter(path, limits)
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
                    while chunk := part.read(tabular.CHUNK):
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
        counter = RowCounter(path, limits)
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
    columns = Columns(headers, path, warnings)
    width = len(headers)

    def rows() -> Generator[RawRow, None, None]:
        counter = RowCounter(path, limits)
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
