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
    and_,
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
    unread: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    """Per field, the values not understood and how often (`marsad.ingest.unread`)."""


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


class PersonColumns:
    """A person as a list writes them: the name as written, its parts, sex and the age range.
    Declared once for every table of people — records of the dead, shelter registrations,
    missing reports — so that the name treatment, linkage and search read the same columns."""

    name: Mapped[str] = mapped_column(String(1000))
    name_first: Mapped[str | None] = mapped_column(String(200))
    name_father: Mapped[str | None] = mapped_column(String(200))
    name_grandfather: Mapped[str | None] = mapped_column(String(200))
    name_family: Mapped[str | None] = mapped_column(String(200))
    name_mother: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str | None] = mapped_column(String(10))
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)


class Record(PersonColumns, Base):
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
    unread: Mapped[dict[str, str] | None] = mapped_column(JsonDoc)
    """Field -> the source's value that could not be read, for the fields left unknown."""


class RecordNameKey(Base):
    """One cross-script key of one record's name parts (`marsad.names`), written at ingest, so
    that a search for "Mouhammad" finds "محمد" with an index lookup. On SQLite the table is its
    own index by key (WITHOUT ROWID); the second index, by record, answers "does this record
    also have a name beginning so?" for each record a search reads, which a range of keys
    cannot (a search for two common names read a quarter of the table per record: 30 s at a
    million records)."""

    __tablename__ = "record_name_keys"
    __table_args__ = (
        Index("ix_record_name_keys_record_id_key", "record_id", "key"),
        {"sqlite_with_rowid": False},
    )

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)


class QuarantineEntry(Base):
    """A raw row that could not become a record (or, `subject` "incident", an incident report):
    one entry per failing field, with the reason. A later import of the same source that brings
    the same id resolves it."""

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
    subject: Mapped[str] = mapped_column(String(20), default="record", server_default="record")
    resolved_by_incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))


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


class PersonSummary(Base):
    """What is known and decided of one person, recomputed by `marsad verify`.

    Resolved values (one per field, by the documented conflict rules) are what counts group by;
    `conflicts` keeps every disagreeing value with its records and sources. `verification` is
    reported / corroborated / verified, with the rule that fired (`verification_rule`), the
    records it rests on and its reasons; `documented` follows HRDAG's standard (full name,
    date and place of death) and `documented_missing` names what a person lacks for it.
    """

    __tablename__ = "person_summaries"
    __table_args__ = (
        Index("ix_person_summaries_verification", "verification"),
        Index("ix_person_summaries_governorate", "governorate"),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    verification: Mapped[str] = mapped_column(String(20))
    verification_rule: Mapped[str] = mapped_column(String(200))
    verification_records: Mapped[list[int]] = mapped_column(JsonDoc)
    verification_reasons: Mapped[list[str]] = mapped_column(JsonDoc)
    documented: Mapped[bool] = mapped_column(Boolean)
    documented_missing: Mapped[list[str]] = mapped_column(JsonDoc)
    records: Mapped[int] = mapped_column(Integer)
    sources: Mapped[int] = mapped_column(Integer)
    independent_sources: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(10))
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    age_group: Mapped[str] = mapped_column(String(10))
    date_of_death: Mapped[str | None] = mapped_column(String(10))
    week: Mapped[str | None] = mapped_column(String(10))
    month: Mapped[str | None] = mapped_column(String(7))
    governorate: Mapped[str | None] = mapped_column(String(20))
    district: Mapped[str | None] = mapped_column(String(500))
    civilian: Mapped[bool | None] = mapped_column(Boolean)
    cause: Mapped[str | None] = mapped_column(String(500))
    conflicting: Mapped[bool] = mapped_column(Boolean)
    conflicts: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    resolved_by: Mapped[dict[str, str]] = mapped_column(JsonDoc)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StatusDecision(Base):
    """A reviewer's word on a person's verification, with a reason: "confirmed" (counts in
    place of corroboration for *verified*) or a status set by hand (wins over the rules).

    It holds while in force; revoking keeps the row (who, when, why). `person_id` is not a
    foreign key: persons are rebuilt by linkage, and a decision on a person who no longer
    exists stays on record without being applied.
    """

    __tablename__ = "status_decisions"
    __table_args__ = (Index("ix_status_decisions_person", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoke_reason: Mapped[str | None] = mapped_column(Text)


class ValueChoice(Base):
    """A reviewer choosing which of a person's conflicting values is right, with a reason."""

    __tablename__ = "value_choices"
    __table_args__ = (Index("ix_value_choices_person", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(500))
    reason: Mapped[str] = mapped_column(Text)
    chosen_by: Mapped[str] = mapped_column(String(200))
    chosen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Incident(Base):
    """A report of deaths without names ("bodies found on the highway"), counted apart from
    persons with its reported range and a source-strength grade.

    `event_id` groups the reports of one event from several sources, so it is counted once; it
    is set only by a reviewer (`marsad incidents same`), and a report without one is its own
    event. `event_note` is the reviewer's reason for the grouping (or for taking the report
    out): free text, so it lives here and not in the audit log, which holds ids only.
    """

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("source_id", "incident_ref"),
        Index("ix_incidents_event_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id"), unique=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    incident_ref: Mapped[str] = mapped_column(String(200))
    date: Mapped[str | None] = mapped_column(String(10))
    governorate: Mapped[str | None] = mapped_column(String(20))
    place: Mapped[str | None] = mapped_column(String(500))
    killed_min: Mapped[int] = mapped_column(Integer)
    killed_max: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(Integer)
    event_note: Mapped[str | None] = mapped_column(Text)


class IncidentEventRejection(Base):
    """A reviewer's word that two incident reports are *not* one event, so that they are not
    proposed together again (`marsad incidents different`, or taking a report out of an event).
    A later grouping of the two by a reviewer removes it."""

    __tablename__ = "incident_event_rejections"
    __table_args__ = (UniqueConstraint("incident_a_id", "incident_b_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_a_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    incident_b_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Release(Base):
    """A frozen publication: hashes of every input, the settings, human decisions, the code
    version and the outputs, so that `release verify` can show the numbers come out the same."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    code_version: Mapped[str] = mapped_column(String(100))
    manifest: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    directory: Mapped[str] = mapped_column(String(1000))


class AuditEvent(Base):
    """Who did or saw what, and when: every change, every export with names, every view of a
    person's full record. Never holds a name, only ids."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


class StoreSetting(Base):
    """A setting the whole team shares, kept in the store so that every machine and every
    re-run uses it: e.g. the verification rules in force (YAML text)."""

    __tablename__ = "store_settings"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class StoreSecret(Base):
    """Random keys made by the store itself (e.g. for pseudonymous ids in exports): never in
    the repository, never in a file beside the code."""

    __tablename__ = "store_secrets"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class User(Base):
    """A member of the team. `role` is admin, reviewer, data_entry, analyst, viewer or
    protection;
    `password_hash` is Argon2; `language` is "ar" or "en"."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2), default="ar")
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ApiToken(Base):
    """A token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class LoginAttempt(Base):
    """Failed logins, kept so that rate limiting holds across several server workers; a
    success deletes the rows of its username and client, an admin's unlock those of its
    username (`marsad.services.users`)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client", "at"),
        Index("ix_login_attempts_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class WebSession(Base):
    """A signed-in browser: the cookie carries a random token, the store only its SHA-256.
    A session is valid until `expires_at`, while used within the idle timeout, and until
    revoked (logout, password change, role change, "log out everywhere", disabled account)."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    client: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class PasswordReset(Base):
    """A one-time link an admin made for a user to set a new password; only its SHA-256 is
    kept, and it works once, before `expires_at`."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class UploadJob(Base):
    """A file uploaded on the web page and ingested in a server worker's thread: its progress
    and outcome, in the store so that every worker shows every upload. `state` is running,
    done or failed ("interrupted" is decided on reading, `marsad.services.upload_jobs`); the
    outcome counts are empty until done; `error` is the ingest's message without the upload's
    temporary folder, never a record's content. `import_id` is the import the job made (or
    found already made), whose report the page shows."""

    __tablename__ = "upload_jobs"
    __table_args__ = (Index("ix_upload_jobs_started_at", "started_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(200))
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default="running")
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_recorded: Mapped[int | None] = mapped_column(Integer)
    rows_quarantined: Mapped[int | None] = mapped_column(Integer)
    rows_already_present: Mapped[int | None] = mapped_column(Integer)
    already_imported: Mapped[bool | None] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))


QUARANTINE_OPEN = and_(
    QuarantineEntry.resolved_by_record_id.is_(None),
    QuarantineEntry.resolved_by_incident_id.is_(None),
)
"""Quarantine entries still waiting for a corrected row (of a record or of an incident)."""
