"""Sources: who supplies reports, and which of them copy another."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from marsad.errors import InputError
from marsad.store.models import (
    QUARANTINE_OPEN,
    SOURCE_KINDS,
    Import,
    QuarantineEntry,
    Record,
    Source,
)


class SourceError(InputError):
    """A source was named or described in a way the store cannot accept."""


def get_or_create_source(
    conn: Connection, name: str, kind: str | None = None, copies: str | None = None
) -> int:
    """The id of source `name`, created on first use; a later kind or copies must agree."""
    name = name.strip()
    if not name:
        raise SourceError("a source needs a name")
    if kind is not None and kind not in SOURCE_KINDS:
        raise SourceError(f"unknown source kind {kind!r}; use one of {', '.join(SOURCE_KINDS)}")
    copies_id = None
    if copies:
        copies_id = conn.scalar(select(Source.id).where(Source.name == copies))
        if copies_id is None:
            raise SourceError(f"source {name!r} copies {copies!r}, which is not a known source")
    row = conn.execute(
        select(Source.id, Source.kind, Source.copies_source_id).where(Source.name == name)
    ).first()
    if row is None:
        return int(
            conn.execute(
                insert(Source)
                .values(name=name, kind=kind or "monitoring_group", copies_source_id=copies_id)
                .returning(Source.id)
            ).scalar_one()
        )
    if kind is not None and kind != row.kind:
        raise SourceError(f"source {name!r} is already recorded as {row.kind!r}, not {kind!r}")
    if copies_id is not None and copies_id != row.copies_source_id:
        raise SourceError(f"source {name!r} is already recorded with another 'copies' source")
    return int(row.id)


@dataclass(frozen=True)
class SourceSize:
    name: str
    kind: str
    copies: str | None
    imports: int
    records: int
    quarantined: int


def source_sizes(conn: Connection) -> list[SourceSize]:
    """Every source with its imports, records and unresolved quarantined rows."""
    copied = Source.__table__.alias("copied")
    imports = (
        select(Import.source_id, func.count().label("n")).group_by(Import.source_id).subquery()
    )
    records = (
        select(Record.source_id, func.count().label("n")).group_by(Record.source_id).subquery()
    )
    quarantined = (
        select(
            QuarantineEntry.source_id,
            func.count(func.distinct(QuarantineEntry.raw_row_id)).label("n"),
        )
        .where(QUARANTINE_OPEN)
        .group_by(QuarantineEntry.source_id)
        .subquery()
    )
    rows = conn.execute(
        select(
            Source.name,
            Source.kind,
            copied.c.name.label("copies"),
            func.coalesce(imports.c.n, 0),
            func.coalesce(records.c.n, 0),
            func.coalesce(quarantined.c.n, 0),
        )
        .outerjoin(copied, copied.c.id == Source.copies_source_id)
        .outerjoin(imports, imports.c.source_id == Source.id)
        .outerjoin(records, records.c.source_id == Source.id)
        .outerjoin(quarantined, quarantined.c.source_id == Source.id)
        .order_by(Source.name)
    ).all()
    return [SourceSize(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in rows]
