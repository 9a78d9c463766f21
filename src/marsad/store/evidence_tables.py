"""The tables of the evidence capability (docs/data-model.md): stored files, trusted
timestamps, the custody log, testimony and protected witnesses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from marsad.store.models import Base, JsonDoc, utcnow


class EvidenceItem(Base):
    """A stored file, content-addressed: the file itself lives read-only in the evidence
    directory under its SHA-256 (`marsad.services.evidence`); the store keeps what is known of
    it. One item per content, however often it is received (each receipt is a provenance). A
    working copy (redacted, transcoded) is an item of its own that points to its original.
    The timestamp token is the TSA's whole answer (DER), whose imprint is `sha256`."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    sha512: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    capture: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    derived_from_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_items.id"))
    derivation: Mapped[str | None] = mapped_column(String(20))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    timestamp_token: Mapped[bytes | None] = mapped_column(LargeBinary)
    timestamped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    timestamp_serial: Mapped[str | None] = mapped_column(String(100))
    timestamp_tsa: Mapped[str | None] = mapped_column(String(500))


class EvidenceProvenance(Base):
    """One receipt of an item: from which source, under which file name, collected by whom
    and when, about which person or incident (or as a recording of a testimony). `person_id`
    is not a foreign key: persons are rebuilt by linkage (as for status decisions)."""

    __tablename__ = "evidence_provenances"
    __table_args__ = (
        Index("ix_evidence_provenances_item_id", "item_id"),
        Index("ix_evidence_provenances_incident_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("evidence_items.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    file_name: Mapped[str | None] = mapped_column(String(500))
    collected_by: Mapped[str | None] = mapped_column(String(200))
    collected_on: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(Integer)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    testimony_id: Mapped[int | None] = mapped_column(ForeignKey("testimonies.id"))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CustodyEvent(Base):
    """One entry of the hash-chained custody log (`marsad.evidence.custody`): who did what to
    which item or testimony, when and why. Rows are only ever added; `prev_hash` is unique,
    so two writers can never both extend the same entry."""

    __tablename__ = "custody_events"
    __table_args__ = (Index("ix_custody_events_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(Integer)
    testimony_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class WitnessKey(Base):
    """A data key for witnesses' fields, kept only wrapped by the key-encryption key whose
    fingerprint is `kek_id` (`marsad.evidence.witness`)."""

    __tablename__ = "witness_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    kek_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    rewrapped_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Witness(Base):
    """A witness, known to the team by a pseudonym; identity and contact are sealed with
    AES-GCM under a data key and readable only with the key-encryption key."""

    __tablename__ = "witnesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(100), unique=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("witness_keys.id"))
    identity: Mapped[bytes] = mapped_column(LargeBinary)
    contact: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Testimony(Base):
    """A witness's statement (Arabic and/or English text), with the informed consent it was
    given under: `consent_scope` is internal, accountability or public. A withdrawn testimony
    (`withdrawn_at`) is left out of every list, page and export; the custody log keeps it."""

    __tablename__ = "testimonies"
    __table_args__ = (Index("ix_testimonies_incident_id", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    witness_id: Mapped[int] = mapped_column(ForeignKey("witnesses.id"))
    interviewer: Mapped[str] = mapped_column(String(200))
    taken_on: Mapped[str] = mapped_column(String(10))
    place: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(20))
    statement_ar: Mapped[str | None] = mapped_column(Text)
    statement_en: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(Integer)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    consent_scope: Mapped[str] = mapped_column(String(20))
    consent_on: Mapped[str] = mapped_column(String(10))
    consent_taken_by: Mapped[str] = mapped_column(String(200))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
