"""The tables of the store (docs/data-model.md).

Raw rows are the only copy of what a source sent and are never modified; every derived row
(record, quarantine entry, link decision) points back to one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonDoc = JSON().with_variant(JSONB(), "postgresql")

SOURCE_KINDS = ("monitoring_group", "un_office", "hospital", "media", "field_team", "relative")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Source(Base):
    """An organisation or channel that supplies reports; may copy another (not independent)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    copies_source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Import(Base):
    """One file from one source, identified by its SHA-256 so that re-importing is a no-op."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str] = mapped_column(String(200))
    file_format: Mapped[str] = mapped_column(String(20))
    encoding: Mapped[str | None] = mapped_column(String(40))
    profile: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    columns: Mapped[list[str]] = mapped_column(JsonDoc)
    warnings: Mapped[list[str]] = mapped_column(JsonDoc)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_recorded: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    rows_already_present: Mapped[int] = mapped_column(Integer, default=0)


class RawRow(Base):
    """One input row exactly as received, as a JSON object keyed by the file's headers."""

    __tablename__ = "raw_rows"
    __table_args__ = (UniqueConstraint("import_id", "row_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    row_number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


class Person(Base):
    """A cluster of records believed to describe one human being.

    `review_flag` says why a reviewer should look at it (e.g. more records than lists).
    """

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    review_flag: Mapped[str | None] = mapped_column(String(500))


class Record(Base):
    """The canonical reading of one raw row."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("source_id", "record_id"),
        Index("ix_records_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id"), unique=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    record_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(1000))
    name_first: Mapped[str | None] = mapped_column(String(200))
    name_father: Mapped[str | None] = mapped_column(String(200))
    name_grandfather: Mapped[str | None] = mapped_column(String(200))
    name_family: Mapped[str | None] = mapped_column(String(200))
    name_mother: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str | None] = mapped_column(String(10))
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    date_of_death: Mapped[str | None] = mapped_column(String(10))
    governorate: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(500))
    subdistrict: Mapped[str | None] = mapped_column(String(500))
    locality: Mapped[str | None] = mapped_column(String(500))
    pcode: Mapped[str | None] = mapped_column(String(20))
    pcode_adm1: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(20))
    civilian: Mapped[bool | None] = mapped_column(Boolean)
    cause: Mapped[str | None] = mapped_column(String(500))
    incident_id: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))


class QuarantineEntry(Base):
    """A raw row that could not become a record: one entry per failing field, with the reason."""

    __tablename__ = "quarantine"
    __table_args__ = (Index("ix_quarantine_source_record", "source_id", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id"))
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    record_id: Mapped[str | None] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_by_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))


class LinkRun(Base):
    """One `marsad link`: the engine, the trained model (Splink JSON), thresholds and counts.

    The model is kept so that every machine decision can be explained and reproduced.
    """

    __tablename__ = "link_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    engine: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    model: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    run_by: Mapped[str] = mapped_column(String(200))


class ReviewAction(Base):
    """One reviewer's act (accept, reject, split, merge) that can be undone as a whole."""

    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    person_ids: Mapped[list[int]] = mapped_column(JsonDoc)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by: Mapped[str | None] = mapped_column(String(200))


class LinkDecision(Base):
    """Why two records are (or are not) one person: a rule, a model score, or a reviewer.

    `kind` is "rule", "model" or "human". Machine decisions (rule, model) belong to a link run
    and are rebuilt by every run; a model decision is "match" above the threshold and
    "uncertain" in the review band, with the comparison levels (`gammas`) and each comparison's
    match weight as Splink computed it (`weights`, term frequencies included) that explain it.
    Human decisions ("match" / "non_match") belong to a review action, override the machine,
    survive every re-run, and are revoked (never deleted) when their action is undone.
    """

    __tablename__ = "link_decisions"
    __table_args__ = (
        Index("ix_link_decisions_pair", "record_a_id", "record_b_id"),
        Index("ix_link_decisions_kind", "kind", "decision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_a_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    record_b_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    kind: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    gammas: Mapped[list[int] | None] = mapped_column(JsonDoc)
    weights: Mapped[list[float] | None] = mapped_column(JsonDoc)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("link_runs.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("review_actions.id"))
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class EstimateRun(Base):
    """One estimation: numbers, method, settings and diagnostics, kept for reports."""

    __tablename__ = "estimates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(40))
    settings: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    result: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
