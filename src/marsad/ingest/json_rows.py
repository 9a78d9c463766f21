"""JSON and JSON Lines, streamed: one object at a time, nested objects flattened to dotted keys,
numbers kept as written, the columns the union of every object's keys.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, TextIO

from marsad.ingest import table as tabular


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
        chunk = self.f.read(tabular.CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def error(self, reason: str) -> tabular.TableError:
        return tabular.TableError(f"{self.path}: not readable JSON: {reason}")

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
            raise tabular.TableError(
                f"{path}: line {number}: not readable JSON: {exc.msg}"
            ) from exc
        if not isinstance(item, dict):
            raise tabular.TableError(f"{path}: line {number}: not a JSON object")
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
    path: Path, encoding: str, lines: bool, limits: tabular.ReadLimits
) -> Iterator[tuple[int, dict[str, str]]]:
    counter = tabular.RowCounter(path, limits)
    try:
        with path.open(encoding=encoding, newline="" if lines else None) as f:
            objects = _json_lines(f, path) if lines else _json_objects(_JsonStream(f, path))
            for number, obj in objects:
                if limits.max_depth is not None and _depth(obj) > limits.max_depth:
                    raise tabular.LimitExceeded(path, "depth", limits.max_depth)
                cells = _flatten(obj, {})
                counter.row(len(cells))
                yield number, cells
    except (UnicodeDecodeError, LookupError) as exc:
        raise tabular.TableError(f"{path}: cannot be read as {encoding}: {exc}") from exc
    except RecursionError as exc:
        raise tabular.TableError(f"{path}: not readable JSON: objects nested too deeply") from exc


def open_json(path: Path, encoding: str, lines: bool, limits: tabular.ReadLimits) -> tabular.Table:
    tabular.check_size(path, limits)
    union: dict[str, None] = {}
    counter = tabular.RowCounter(path, limits)
    for _, cells in _json_records(path, encoding, lines, limits):
        union.update(dict.fromkeys(cells))
        counter.columns(len(union))
    if not union:
        raise tabular.TableError(f"{path}: no records with fields")

    def rows() -> Generator[tabular.RawRow, None, None]:
        for number, cells in _json_records(path, encoding, lines, limits):
            yield tabular.RawRow(number, cells)

    return tabular.Table(path, list(union), encoding, [], rows)
