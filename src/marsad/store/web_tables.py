"""The tables of the web application's operations: jobs of every kind, records' edited
versions and source documents attached to records and persons (docs/data-model.md).

Kept apart from `store.models` so that the core tables stay one idea; `Base` is shared, so
migrations and `Base.metadata` see them once this module is imported (store/db.py does).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marsad.store.models import Base, JsonDoc, utcnow


class OperationJob(Base):
    """An operation (link, verify, estimate, report, export, release…) run in a thread of a
    server worker: what was asked, how far it is and what it gave. `state` is running, done or
    failed ("interrupted" is decided on reading, as for uploads); `file_name` is the file the
    job wrote (a report, an export), kept under the outputs directory by the job's id."""

    __tablename__ = "operation_jobs"
    __table_args__ = (Index("ix_operation_jobs_started_at", "started_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="running")
    stage: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    file_name: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)


class RecordVersion(Base):
    """One version of a record's reading: version 1 is what the raw row was read as, each
    later one an edit with who and why. The raw row never changes; the record row holds the
    newest version's fields."""

    __tablename__ = "record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    edited_by: Mapped[str] = mapped_column(String(200))
    edited_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)


class AttachedDocument(Base):
    """A source document (a scan, a photograph of a list, a certificate) attached to a record
    or a person. The file is kept in the evidence directory by its SHA-256
    (`services.evidence.store_original`); one file may be attached to many."""

    __tablename__ = "attached_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    attached_by: Mapped[str] = mapped_column(String(200))
    attached_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
