"""Receiving evidence: files stored content-addressed, and working copies derived from them.
(The custody log, timestamps, reading, verification and packages have modules of their own.)

Originals live in the evidence directory (`--evidence-dir`, `MARSAD_EVIDENCE_DIR`, or beside a
SQLite store as `<store>.evidence/`), content-addressed as `objects/<aa>/<sha256>`, written to a
temporary file while hashed, synced, made read-only and renamed into place: a file is stored
whole or not at all, and the bytes stored are the bytes hashed. The store keeps what is known
of each file. Every operation on an item is a custody entry, written in the same transaction
as the operation; after it commits, the newest entry is written to `custody.head` in the
evidence directory, outside the store, so that deleting the newest entries shows.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from marsad.evidence.capture import capture_metadata
from marsad.evidence.errors import EvidenceError
from marsad.evidence.hashing import Digests, stream_digests
from marsad.evidence.media import media_type
from marsad.services.evidence_custody import custody
from marsad.services.evidence_items import item_row
from marsad.services.evidence_settings import EvidenceSettings
from marsad.services.evidence_timestamps import store_token, try_timestamp
from marsad.services.sources import get_or_create_source
from marsad.store.evidence_tables import EvidenceItem, EvidenceProvenance
from marsad.store.models import Incident, Source

DERIVATIONS = ("redacted", "transcoded")


# Receiving files.


@dataclass(frozen=True)
class Receipt:
    """Where a file came from: the source, and optionally whom and what it is about, who
    collected it and when."""

    source: str
    person_id: int | None = None
    incident_id: int | None = None
    testimony_id: int | None = None
    collected_by: str | None = None
    collected_on: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Added:
    item_id: int
    file: Path
    sha256: str
    size: int
    media_type: str
    duplicate: bool
    timestamped: bool
    timestamp_error: str | None


def check_date(value: str | None, what: str) -> str | None:
    """An ISO date (YYYY-MM-DD), or None."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise EvidenceError(f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def _check_files(files: Sequence[Path]) -> None:
    if not files:
        raise EvidenceError("no file given")
    for path in files:
        if not path.is_file():
            raise EvidenceError(f"{path}: no such file")


def _check_receipt(conn: Connection, receipt: Receipt) -> None:
    if not receipt.source.strip():
        raise EvidenceError("a file needs a source (--source)")
    if receipt.incident_id is not None and (
        conn.scalar(select(Incident.id).where(Incident.id == receipt.incident_id)) is None
    ):
        raise EvidenceError(f"no incident report {receipt.incident_id}")


def store_original(settings: EvidenceSettings, path: Path) -> Digests:
    """Copy `path` into the evidence directory under its SHA-256, hashing while copying."""
    temporary = settings.directory / "tmp"
    temporary.mkdir(parents=True, exist_ok=True)
    try:
        with (
            path.open("rb") as source,
            tempfile.NamedTemporaryFile(dir=temporary, delete=False, prefix="in-") as out,
        ):
            try:
                digests = stream_digests(source, out)
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                Path(out.name).unlink(missing_ok=True)
                raise
    except OSError as error:
        raise EvidenceError(f"{path}: cannot be read ({error.strerror or error})") from None
    target = settings.object_path(digests.sha256)
    if target.exists():
        Path(out.name).unlink()
        return digests
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(out.name, 0o444)
    os.replace(out.name, target)
    _sync_directory(target.parent)
    return digests


def _sync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def add_evidence(
    engine: Engine,
    settings: EvidenceSettings,
    files: Sequence[Path],
    receipt: Receipt,
    actor: str,
    derived_from: int | None = None,
    derivation: str | None = None,
) -> list[Added]:
    """Store each file (one item per content; a file already stored gets another provenance),
    timestamp new items, and log each receipt. Each file is its own transaction, so a batch
    stopped half-way keeps the files already done, whole."""
    _check_files(files)
    collected_on = check_date(receipt.collected_on, "--collected-on")
    receipt = Receipt(**{**receipt.__dict__, "collected_on": collected_on})
    with engine.connect() as conn:
        _check_receipt(conn, receipt)
    return [
        _add_one(engine, settings, path, receipt, actor, derived_from, derivation) for path in files
    ]


def _add_one(
    engine: Engine,
    settings: EvidenceSettings,
    path: Path,
    receipt: Receipt,
    actor: str,
    derived_from: int | None,
    derivation: str | None,
) -> Added:
    digests = store_original(settings, path)
    with engine.connect() as conn:
        existing = conn.execute(
            select(EvidenceItem.id, EvidenceItem.media_type, EvidenceItem.timestamp_token).where(
                EvidenceItem.sha256 == digests.sha256
            )
        ).first()
    kind = media_type(digests.head) if existing is None else str(existing.media_type)
    token, error = (None, None)
    if existing is None or existing.timestamp_token is None:
        token, error = try_timestamp(settings, digests.sha256)
    capture = capture_metadata(settings.object_path(digests.sha256), kind) if not existing else {}
    with custody(engine, settings) as log:
        source_id = get_or_create_source(log.conn, receipt.source)
        if existing is None:
            item_id = int(
                log.conn.execute(
                    insert(EvidenceItem)
                    .values(
                        sha256=digests.sha256,
                        sha512=digests.sha512,
                        size=digests.size,
                        media_type=kind,
                        capture=capture,
                        derived_from_id=derived_from,
                        derivation=derivation,
                        added_by=actor,
                    )
                    .returning(EvidenceItem.id)
                ).scalar_one()
            )
        else:
            item_id = int(existing.id)
        log.conn.execute(
            insert(EvidenceProvenance).values(
                item_id=item_id,
                source_id=source_id,
                file_name=None if receipt.testimony_id else path.name,
                collected_by=receipt.collected_by,
                collected_on=receipt.collected_on,
                description=receipt.description,
                person_id=receipt.person_id,
                incident_id=receipt.incident_id,
                testimony_id=receipt.testimony_id,
                added_by=actor,
            )
        )
        action = "add"
        if derivation is not None:
            action = "redaction" if derivation == "redacted" else "derive"
        detail: dict[str, Any] = {
            "sha256": digests.sha256,
            "size": digests.size,
            "source": receipt.source,
            "duplicate": existing is not None,
        }
        if derived_from is not None:
            detail["derived_from"] = derived_from
        log.append(actor, action, receipt.description or "", item_id, receipt.testimony_id, detail)
        if token is not None and settings.tsa is not None:
            store_token(log, item_id, token, settings.tsa, actor)
    return Added(
        item_id,
        path,
        digests.sha256,
        digests.size,
        kind,
        duplicate=existing is not None,
        timestamped=token is not None
        or (existing is not None and existing.timestamp_token is not None),
        timestamp_error=error,
    )


def derive_item(
    engine: Engine,
    settings: EvidenceSettings,
    original_id: int,
    path: Path,
    derivation: str,
    actor: str,
    reason: str,
) -> Added:
    """Store a working copy (redacted, transcoded) of an original as an item that points to
    it; the original is untouched."""
    if derivation not in DERIVATIONS:
        raise EvidenceError(f"unknown derivation {derivation!r}; use one of {DERIVATIONS}")
    with engine.connect() as conn:
        original = item_row(conn, original_id)
        source = conn.scalar(
            select(Source.name)
            .join(EvidenceProvenance, EvidenceProvenance.source_id == Source.id)
            .where(EvidenceProvenance.item_id == original.id)
            .order_by(EvidenceProvenance.id)
            .limit(1)
        )
    receipt = Receipt(source=source or "derived", description=reason)
    [added] = add_evidence(engine, settings, [path], receipt, actor, original_id, derivation)
    return added
