"""The tables of tracing the missing (issue 18; docs/data-model.md): relatives' reports,
the cases they form, each case's history of acts, and its latest candidates.

A report is read from a raw row like a record, but it is not a record: it never enters
linkage, counts or estimates. The reporter's name and contact are sealed (AES-GCM under a
witness data key, `marsad.evidence.witness`), readable only with the key kept outside the
store and only by the tracing role.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from marsad.store.models import Base, JsonDoc, PersonColumns, utcnow


class TracingCase(Base):
    """The reports that seek one person (`marsad.tracing.cases`), and where the workflow
    stands (`marsad.tracing.workflow.STATES`)."""

    __tablename__ = "tracing_cases"
    __table_args__ = (Index("ix_tracing_cases_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(30), default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class MissingReport(PersonColumns, Base):
    """A relative's report of a sought person, read from one raw row, with the consent the
    reporter gave. `withdrawn_at`: the reporter withdrew consent; the report leaves every
    read but the audit log."""

    __tablename__ = "missing_reports"
    __table_args__ = (
        UniqueConstraint("source_id", "report_ref"),
        Index("ix_missing_reports_case_id", "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("tracing_cases.id"))
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id"), unique=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    report_ref: Mapped[str] = mapped_column(String(200))
    content_sha256: Mapped[str] = mapped_column(String(64))
    reported_on: Mapped[str | None] = mapped_column(String(10))
    reporter_key_id: Mapped[int | None] = mapped_column(ForeignKey("witness_keys.id"))
    reporter_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    reporter_contact: Mapped[bytes | None] = mapped_column(LargeBinary)
    reporter_relationship: Mapped[str | None] = mapped_column(String(200))
    consent_scope: Mapped[str] = mapped_column(String(20))
    birth_year_min: Mapped[int | None] = mapped_column(Integer)
    birth_year_max: Mapped[int | None] = mapped_column(Integer)
    last_seen_date: Mapped[str | None] = mapped_column(String(10))
    last_seen_place: Mapped[str | None] = mapped_column(String(500))
    governorate: Mapped[str | None] = mapped_column(String(200))
    pcode: Mapped[str | None] = mapped_column(String(20))
    pcode_adm1: Mapped[str | None] = mapped_column(String(4))
    circumstances: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))


class TracingStep(Base):
    """One act in a case's history (`marsad.tracing.workflow.Step`): append-only."""

    __tablename__ = "tracing_steps"
    __table_args__ = (Index("ix_tracing_steps_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("tracing_cases.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    act: Mapped[str] = mapped_column(String(30))
    state_from: Mapped[str] = mapped_column(String(30))
    state_to: Mapped[str] = mapped_column(String(30))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


class TracingCandidate(Base):
    """One candidate of a case's latest match: a person (or a pool's member) who may be the
    sought one. `person_id` is not a foreign key: persons are rebuilt by linkage."""

    __tablename__ = "tracing_candidates"
    __table_args__ = (Index("ix_tracing_candidates_case_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("tracing_cases.id"))
    rank: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int] = mapped_column(Integer)
    pool: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    probability: Mapped[float] = mapped_column(Float)
    records: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc)
    why: Mapped[list[str]] = mapped_column(JsonDoc)
    matched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
