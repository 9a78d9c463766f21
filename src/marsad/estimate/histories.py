"""Build and reshape capture histories: which lists recorded each person, counted by pattern.

The estimators only ever see a `CaptureHistories`; this module is where tables of patterns
come from (a CSV, or one pattern per linked person) and where lists are merged or dropped
before estimation.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from pathlib import Path

from marsad.domain.estimates import CaptureHistories, Pattern
from marsad.errors import InputError

COUNT_COLUMN = "count"


def read_histories_csv(path: str | Path) -> CaptureHistories:
    """Read a pattern table: one 0/1 column per list, in order, and a `count` column.

    Rows with the same pattern are added together, so a file with one row per person and
    count 1 reads the same as an aggregated table. Errors name the file, the line and the column.
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [cell.strip() for cell in next(reader, [])]
        if COUNT_COLUMN not in header:
            raise InputError(f"{path}: no '{COUNT_COLUMN}' column in the header {header}")
        count_at = header.index(COUNT_COLUMN)
        list_at = [i for i in range(len(header)) if i != count_at]
        lists = tuple(header[i] for i in list_at)
        if not lists:
            raise InputError(f"{path}: no list columns besides '{COUNT_COLUMN}'")
        if any(not name for name in lists) or len(set(lists)) != len(lists):
            raise InputError(f"{path}: list column names must be non-empty and distinct: {lists}")
        counts: Counter[Pattern] = Counter()
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError(
                    f"{path}, line {line}: {len(row)} cells where the header has {len(header)}"
                )
            pattern = tuple(_bit(path, line, header[i], row[i]) for i in list_at)
            count = _count(path, line, row[count_at])
            if not any(pattern):
                if count:
                    raise InputError(
                        f"{path}, line {line}: the all-zero pattern (no list recorded them) "
                        f"has count {count}; such persons cannot be in any list"
                    )
                continue
            counts[pattern] += count
    return CaptureHistories(lists=lists, counts=dict(sorted(counts.items())))


def _bit(path: Path, line: int, column: str, cell: str) -> int:
    text = cell.strip()
    if text not in ("0", "1"):
        raise InputError(f"{path}, line {line}, column '{column}': expected 0 or 1, got {cell!r}")
    return int(text)


def _count(path: Path, line: int, cell: str) -> int:
    """Accept integer counts, including spreadsheet exports such as '12.0'."""
    where = f"{path}, line {line}, column '{COUNT_COLUMN}'"
    try:
        value = float(cell.strip())
    except ValueError:
        raise InputError(f"{where}: expected a whole number, got {cell!r}") from None
    if not math.isfinite(value) or not value.is_integer():
        raise InputError(f"{where}: expected a whole number, got {cell!r}")
    if value < 0:
        raise InputError(f"{where}: negative count {cell!r}")
    return int(value)


def histories_from_patterns(
    lists: Sequence[str], patterns: Iterable[Sequence[int] | Set[str]]
) -> CaptureHistories:
    """Count per-person patterns, each a 0/1 sequence in list order or the set of list names.

    A person recorded by none of `lists` is an error rather than silently dropped: it usually
    means the caller restricted the lists without restricting the persons.
    """
    names = tuple(lists)
    if len(set(names)) != len(names):
        raise InputError(f"list names must be distinct: {names}")
    position = {name: i for i, name in enumerate(names)}
    counts: Counter[Pattern] = Counter()
    for index, raw in enumerate(patterns):
        if isinstance(raw, Set):
            unknown = sorted(set(raw) - set(names))
            if unknown:
                raise InputError(f"pattern #{index}: unknown lists {unknown}; lists are {names}")
            bits = [0] * len(names)
            for name in raw:
                bits[position[name]] = 1
            pattern: Pattern = tuple(bits)
        else:
            if isinstance(raw, str) or len(raw) != len(names):
                raise InputError(f"pattern #{index}: expected {len(names)} 0/1 values, got {raw!r}")
            if any(bit not in (0, 1) for bit in raw):
                raise InputError(f"pattern #{index}: values must be 0 or 1, got {raw!r}")
            pattern = tuple(int(bit) for bit in raw)
        if not any(pattern):
            raise InputError(
                f"pattern #{index}: no list recorded this person; "
                "drop persons outside the chosen lists before counting"
            )
        counts[pattern] += 1
    return CaptureHistories(lists=names, counts=dict(sorted(counts.items())))


def merge_lists(
    histories: CaptureHistories, groups: Mapping[str, Sequence[str]]
) -> CaptureHistories:
    """Replace each group of lists by one list that recorded a person if any member did.

    Used when a source declares that it copies another: the two are not independent, so
    they count as one list. The merged list takes the place of its first member; lists in
    no group keep their names and order.
    """
    owner: dict[str, str] = {}
    for new_name, members in groups.items():
        if not members:
            raise InputError(f"merged list '{new_name}' has no members")
        for member in members:
            if member not in histories.lists:
                raise InputError(
                    f"cannot merge unknown list '{member}'; lists are {histories.lists}"
                )
            if member in owner:
                raise InputError(f"list '{member}' is in two merge groups")
            owner[member] = new_name
    untouched = [name for name in histories.lists if name not in owner]
    clashes = sorted(set(groups) & set(untouched))
    if clashes:
        raise InputError(f"merged list names {clashes} clash with lists that are not merged")

    new_lists: list[str] = []
    for name in histories.lists:
        target = owner.get(name, name)
        if target not in new_lists:
            new_lists.append(target)
    column = {name: new_lists.index(owner.get(name, name)) for name in histories.lists}

    counts: Counter[Pattern] = Counter()
    for pattern, count in histories.counts.items():
        bits = [0] * len(new_lists)
        for name, bit in zip(histories.lists, pattern, strict=True):
            bits[column[name]] |= bit
        counts[tuple(bits)] += count
    return CaptureHistories(lists=tuple(new_lists), counts=dict(sorted(counts.items())))


def drop_empty_lists(histories: CaptureHistories) -> CaptureHistories:
    """Remove lists that recorded nobody: they carry no information and break the fit."""
    sizes = histories.list_sizes()
    keep = [i for i, name in enumerate(histories.lists) if sizes[name] > 0]
    counts: Counter[Pattern] = Counter()
    for pattern, count in histories.counts.items():
        if count == 0:
            continue
        counts[tuple(pattern[i] for i in keep)] += count
    return CaptureHistories(
        lists=tuple(histories.lists[i] for i in keep), counts=dict(sorted(counts.items()))
    )
