"""An open tabular file and what bounds it: the raw row a reader yields (cells verbatim, keyed by
the file's headers), the table that yields them, and the limits a file from someone the server
does not trust may not pass.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from marsad.domain.records import FieldError
from marsad.errors import InputError

CHUNK = 1024 * 1024
"""How much of a file a pass that looks at the whole file reads at a time."""


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


class RowCounter:
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


def check_size(path: Path, limits: ReadLimits) -> None:
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


class Columns:
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
