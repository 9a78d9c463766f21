"""Source documents attached to records and persons: a scan of a list, a photograph of a
death certificate, a hospital register's page.

The files are kept by the evidence store's content-addressed storage
(`services.evidence.store_original`: by SHA-256, written whole or not at all, read-only), so a
document attached twice is stored once; the store keeps which record or person each is
attached to, by whom, when and why. Documents are not evidence items: they carry no custody
chain; a file that must stand as evidence goes to the evidence page.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, insert, or_, select

from marsad.errors import InputError, NotFound
from marsad.evidence.media import media_type
from marsad.services.audit import record_event
from marsad.services.evidence import store_original
from marsad.services.evidence_settings import evidence_settings
from marsad.store.models import Person, Record
from marsad.store.web_tables import AttachedDocument

SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class DocumentView:
    id: int
    sha256: str
    file_name: str
    media_type: str
    size: int
    record_id: int | None
    person_id: int | None
    note: str | None
    attached_by: str
    attached_at: dt.datetime


def attach_document(
    engine: Engine,
    path: Path,
    file_name: str,
    user: str,
    *,
    record_id: int | None = None,
    person_id: int | None = None,
    note: str = "",
) -> DocumentView:
    """Store the file by its hash and attach it to one record or one person (audited)."""
    if (record_id is None) == (person_id is None):
        raise InputError("a document is attached to one record or one person")
    with engine.connect() as conn:
        if (
            record_id is not None
            and conn.scalar(select(Record.id).where(Record.id == record_id)) is None
        ):
            raise NotFound(f"no record {record_id}")
        if (
            person_id is not None
            and conn.scalar(select(Person.id).where(Person.id == person_id)) is None
        ):
            raise NotFound(f"no person {person_id}")
    digests = store_original(evidence_settings(engine), path)
    with engine.begin() as conn:
        document_id = conn.execute(
            insert(AttachedDocument)
            .values(
                sha256=digests.sha256,
                file_name=file_name[:300],
                media_type=media_type(digests.head),
                size=digests.size,
                record_id=record_id,
                person_id=person_id,
                note=note.strip() or None,
                attached_by=user,
            )
            .returning(AttachedDocument.id)
        ).scalar_one()
        target = f"record:{record_id}" if record_id is not None else f"person:{person_id}"
        record_event(conn, user, "document.attach", target, {"sha256": digests.sha256})
    found = documents_of(engine, record_ids=[record_id] if record_id else [], person_id=person_id)
    return next(d for d in found if d.id == document_id)


def documents_of(
    engine: Engine, *, record_ids: list[int] | None = None, person_id: int | None = None
) -> list[DocumentView]:
    """The documents of a person and of its records, oldest first."""
    conditions: list[ColumnElement[bool]] = []
    if record_ids:
        conditions.append(AttachedDocument.record_id.in_(record_ids))
    if person_id is not None:
        conditions.append(AttachedDocument.person_id == person_id)
    if not conditions:
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(AttachedDocument.__table__).where(or_(*conditions)).order_by(AttachedDocument.id)
        ).all()
    return [DocumentView(**row._asdict()) for row in rows]


def document_file(engine: Engine, sha256: str, user: str) -> tuple[Path, DocumentView]:
    """The stored file of an attached document and what is known of it; reading it is
    audited ("document.read"). NotFound for a hash no document has."""
    if SHA256.fullmatch(sha256) is None:
        raise NotFound("no such document")
    with engine.begin() as conn:
        row = conn.execute(
            select(AttachedDocument.__table__).where(AttachedDocument.sha256 == sha256).limit(1)
        ).first()
        if row is None:
            raise NotFound("no such document")
        record_event(conn, user, "document.read", f"document:{row.id}", {"sha256": sha256})
    path = evidence_settings(engine).object_path(sha256)
    if not path.is_file():
        raise NotFound("the document's file is missing from the evidence directory")
    return path, DocumentView(**row._asdict())
