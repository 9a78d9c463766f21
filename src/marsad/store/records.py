"""The one projection of a stored record: which column of the store each field of `RecordRow`
is read from. Every service that reads records (linkage, verification, review, browsing, the
API) selects them here, all fields or some by name, so a field is named in one place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import ColumnElement, Select, select

from marsad.domain.records import RecordRow
from marsad.store.models import Record, Source

FIELDS = tuple(f.name for f in fields(RecordRow))


def _column(name: str) -> ColumnElement[Any]:
    if name == "source":
        return Source.name.label("source")
    column: ColumnElement[Any] = getattr(Record, name)
    return column


COLUMNS: dict[str, ColumnElement[Any]] = {name: _column(name) for name in FIELDS}
"""Each field of RecordRow → the column it is read from, labelled with the field's name."""


def select_records(names: Sequence[str] = FIELDS) -> Select[Any]:
    """Records' fields `names` (all of RecordRow's by default), labelled by name; joined to
    their source only when its name is wanted."""
    query = select(*(COLUMNS[name] for name in names))
    return query.join(Source, Source.id == Record.source_id) if "source" in names else query


def record_rows(rows: Any) -> list[RecordRow]:
    """The rows of `select_records()` (every field) as RecordRows."""
    return [RecordRow(*row) for row in rows]
