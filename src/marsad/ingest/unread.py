"""The values of one import that could not be read, per field, for the import's report.

A value not understood leaves its field unknown (or, for a status, sends the row to
quarantine); the report says which values, how often, most frequent first, so that someone can
add them to the source's mapping profile (`values:`). It also names the columns that are empty
in every row, or of which no value could be read, since that is usually a whole column mapped
wrongly or written in a vocabulary nobody here knows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from marsad.domain.records import OPTIONAL_READ, STANDARD_COLUMNS, ParsedRow
from marsad.ingest.values import is_unknown

REPORT_VALUES = 20
"""Values kept per field in the report, most frequent first; the rest are counted as `other`."""
TRACKED_VALUES = 10_000
"""Distinct values counted per field: a column of free text in a coded field would otherwise
keep every one of its values in memory. Values first seen after that count only as `other`."""
SHOWN_CHARS = 100
"""A value in the report is cut to this many characters."""


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_CHARS else value[: SHOWN_CHARS - 1] + "…"


class UnreadTally:
    """Counts, over the rows of one file, the values not understood and which columns gave
    nothing: empty (or "unknown") in every row, or never read."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        """`headers`: each canonical field the file has a column for -> that column's header."""
        self.headers = dict(headers)
        self.counts: dict[str, Counter[str]] = {}
        self.totals: Counter[str] = Counter()
        self.filled: set[str] = set()
        self.unsettled = dict(headers)
        """The fields no row has yet given a readable value for; usually empty after a few rows."""

    def add(self, cells: Mapping[str, str], parsed: ParsedRow) -> None:
        """Count one row's values not understood, and what its cells say of their columns."""
        for error in parsed.unread:
            counts = self.counts.setdefault(error.field, Counter())
            value = error.value or ""
            if value in counts or len(counts) < TRACKED_VALUES:
                counts[value] += 1
            self.totals[error.field] += 1
        settled = []
        for field, header in self.unsettled.items():
            cell = cells.get(header)
            if not cell or is_unknown(cell):
                continue
            self.filled.add(field)
            if not any(e.field == field for e in (*parsed.unread, *parsed.errors)):
                settled.append(field)
        for field in settled:
            del self.unsettled[field]

    def report(self) -> dict[str, dict[str, Any]]:
        """Per field (in the standard order): `count` of cells not understood, `values` as
        [value, count] pairs, most frequent first, and `other`, the cells of values not listed.
        """
        report: dict[str, dict[str, Any]] = {}
        for field in sorted(self.counts, key=STANDARD_COLUMNS.index):
            ranked = sorted(self.counts[field].items(), key=lambda item: (-item[1], item[0]))
            shown = ranked[:REPORT_VALUES]
            total = self.totals[field]
            report[field] = {
                "count": total,
                "values": [[_shown(value), count] for value, count in shown],
                "other": total - sum(count for _, count in shown),
            }
        return report

    def warnings(self, source: str, file: str) -> list[str]:
        """One line per column that gave nothing, naming the list (source and file) and the
        field."""
        lines = []
        for field in sorted(self.unsettled, key=STANDARD_COLUMNS.index):
            where = f"list {source!r} ({file}): field {field} (column {self.headers[field]!r})"
            if field not in self.filled:
                lines.append(f"{where} is empty in every row")
            elif field in OPTIONAL_READ:
                lines.append(f"{where}: no value could be read; the field is left unknown")
            else:
                lines.append(f"{where}: no value could be read; those rows are in quarantine")
        return lines
