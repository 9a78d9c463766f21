"""Evidence packages for accountability mechanisms (`marsad evidence package`): an incident's
originals with their hashes, timestamp tokens and the TSA's certificates, the testimonies whose
witnesses consented to accountability use, the custody excerpt and a README, in one zip that
`sha256sum` and `openssl ts -verify` check without Marsad (layout: `marsad.evidence.package`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from marsad.evidence import package as layout
from marsad.evidence.custody import Entry, canonical
from marsad.evidence.errors import EvidenceError
from marsad.evidence.hashing import file_digests, stream_digests
from marsad.services.audit import record_event
from marsad.services.evidence_custody import custody, custody_entries, read_head
from marsad.services.evidence_items import Provenance, provenances_of, withheld_items
from marsad.services.evidence_settings import EvidenceSettings
from marsad.services.evidence_timestamps import try_timestamp
from marsad.store.evidence_tables import EvidenceItem, EvidenceProvenance, Testimony, Witness
from marsad.store.models import Incident, utcnow

ACCOUNTABLE_SCOPES = ("accountability", "public")
"""Consent scopes under which a testimony may go to an accountability mechanism."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PackageSummary:
    path: Path
    sha256: str
    items: int
    testimonies: int
    timestamped: int


def _package_testimonies(conn: Connection, incident_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(Testimony.__table__, Witness.pseudonym)
            .join(Witness, Witness.id == Testimony.witness_id)
            .where(
                Testimony.incident_id == incident_id,
                Testimony.withdrawn_at.is_(None),
                Testimony.consent_scope.in_(ACCOUNTABLE_SCOPES),
            )
            .order_by(Testimony.id)
        ).all()
    )


def package_incident(
    engine: Engine,
    settings: EvidenceSettings,
    incident_id: int,
    out: Path,
    actor: str,
    reason: str,
) -> PackageSummary:
    """Write the package of an incident (`marsad.evidence.package`): its originals with
    hashes, tokens and the TSA's certificates, the testimonies whose witnesses consented to
    accountability use, the custody excerpt and a README; written to a temporary file and
    renamed, so `out` is whole or absent. Each packaged item gets an "export" entry."""
    with engine.connect() as conn:
        if conn.scalar(select(Incident.id).where(Incident.id == incident_id)) is None:
            raise EvidenceError(f"no incident report {incident_id}")
        testimonies = _package_testimonies(conn, incident_id)
        testimony_ids = [t.id for t in testimonies]
        about = select(EvidenceProvenance.item_id).where(
            (EvidenceProvenance.incident_id == incident_id)
            | EvidenceProvenance.testimony_id.in_(testimony_ids)
        )
        hidden = withheld_items(conn)
        items = [
            i
            for i in conn.execute(
                select(EvidenceItem.__table__)
                .where(EvidenceItem.id.in_(about), EvidenceItem.derived_from_id.is_(None))
                .order_by(EvidenceItem.id)
            )
            if i.id not in hidden
        ]
        if not items and not testimonies:
            raise EvidenceError(f"incident {incident_id} has no evidence to package")
        provenances = provenances_of(conn, [i.id for i in items])
        entries = custody_entries(conn, [i.id for i in items], testimony_ids)
    stamped = [i for i in items if i.timestamp_token is not None]
    if stamped and settings.chain is None:
        raise EvidenceError("the package needs the TSA certificates: set MARSAD_TSA_CERTS")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, delete=False, prefix=".package-") as tmp:
        temporary = Path(tmp.name)
    try:
        _write_package(
            settings, temporary, incident_id, items, provenances, testimonies, entries, actor
        )
        digest = file_digests(temporary).sha256
        with custody(engine, settings) as log:
            for item in items:
                log.append(
                    actor,
                    "export",
                    reason,
                    item_id=item.id,
                    detail={"incident": incident_id, "package_sha256": digest},
                )
            for testimony_id in testimony_ids:
                log.append(
                    actor,
                    "export",
                    reason,
                    testimony_id=testimony_id,
                    detail={"incident": incident_id, "package_sha256": digest},
                )
            record_event(
                log.conn,
                actor,
                "evidence.package",
                f"incident:{incident_id}",
                {"items": len(items), "testimonies": len(testimonies), "sha256": digest},
            )
            os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return PackageSummary(out, digest, len(items), len(testimonies), len(stamped))


def _write_package(
    settings: EvidenceSettings,
    path: Path,
    incident_id: int,
    items: Sequence[Any],
    provenances: dict[int, list[Provenance]],
    testimonies: Sequence[Any],
    entries: Sequence[Entry],
    actor: str,
) -> None:
    sums: list[tuple[str, str]] = []
    manifest_items: list[dict[str, Any]] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def text(name: str, content: str) -> None:
            data = content.encode()
            archive.writestr(name, data)
            sums.append((name, sha256_of(data)))

        for item in items:
            name = layout.original_name(item.sha256, item.media_type)
            _copy_into(archive, settings, item.sha256, name)
            sums.append((name, item.sha256))
            entry: dict[str, Any] = {
                "id": item.id,
                "file": name,
                "sha256": item.sha256,
                "sha512": item.sha512,
                "size": item.size,
                "media_type": item.media_type,
                "capture": item.capture,
                "received": [
                    {
                        "source": p.source,
                        "file_name": p.file_name,
                        "collected_by": p.collected_by,
                        "collected_on": p.collected_on,
                        "description": p.description,
                        "person_id": p.person_id,
                        "incident_id": p.incident_id,
                        "testimony_id": p.testimony_id,
                        "added_by": p.added_by,
                        "added_at": p.added_at.isoformat(timespec="seconds") + "Z",
                    }
                    for p in provenances.get(item.id, [])
                ],
                "token": None,
            }
            if item.timestamp_token is not None:
                token = layout.token_name(item.sha256)
                archive.writestr(token, item.timestamp_token)
                sums.append((token, sha256_of(item.timestamp_token)))
                entry["token"] = token
                entry["timestamp"] = item.timestamped_at.isoformat() + "Z"
                entry["tsa"] = item.timestamp_tsa
            manifest_items.append(entry)
        if settings.chain is not None:
            text(layout.ROOTS, settings.chain.pem(settings.chain.roots).decode())
            text(
                layout.TSA_CERTS,
                settings.chain.pem(settings.chain.tsa + settings.chain.intermediates).decode(),
            )
        text(
            "custody.jsonl",
            "".join(
                json.dumps(
                    {
                        "seq": e.seq,
                        "prev_hash": e.prev_hash,
                        "entry_hash": e.entry_hash,
                        "body": _canonical_text(e),
                    },
                    ensure_ascii=False,
                )
                + "\n"
                for e in entries
            ),
        )
        text("testimonies.json", layout.dumps([_testimony(t) for t in testimonies]))
        head = read_head(settings)
        text(
            "manifest.json",
            layout.dumps(
                {
                    "format": "marsad-evidence-package",
                    "version": layout.FORMAT_VERSION,
                    "incident": incident_id,
                    "made_by": actor,
                    "made_at": utcnow().isoformat(timespec="seconds") + "Z",
                    "items": manifest_items,
                    "testimonies": [t.id for t in testimonies],
                    "custody_head": None
                    if head is None
                    else {"seq": head.seq, "entry_hash": head.entry_hash},
                }
            ),
        )
        stamped_sums = False
        sums_text = layout.sha256sums(sums)
        if settings.tsa is not None:
            sums_token, _ = try_timestamp(settings, sha256_of(sums_text.encode()))
            if sums_token is not None:
                archive.writestr(layout.SUMS_TOKEN, sums_token.der)
                stamped_sums = True
        archive.writestr("README.txt", layout.readme(incident_id, manifest_items, stamped_sums))
        archive.writestr(layout.SUMS, sums_text)


def _canonical_text(entry: Entry) -> str:
    return canonical(entry.body()).decode()


def _testimony(testimony: Any) -> dict[str, Any]:
    return {
        "id": testimony.id,
        "witness": testimony.pseudonym,
        "interviewer": testimony.interviewer,
        "taken_on": testimony.taken_on,
        "place": testimony.place,
        "language": testimony.language,
        "statement_ar": testimony.statement_ar,
        "statement_en": testimony.statement_en,
        "person_id": testimony.person_id,
        "incident_id": testimony.incident_id,
        "consent": {"scope": testimony.consent_scope, "given_on": testimony.consent_on},
    }


def _copy_into(
    archive: zipfile.ZipFile, settings: EvidenceSettings, sha256: str, name: str
) -> None:
    """Stream a stored original into the package (stored, not compressed: media are), checking
    that what goes in still has its hash."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    try:
        with (
            settings.object_path(sha256).open("rb") as source,
            archive.open(info, "w", force_zip64=True) as sink,
        ):
            copied = stream_digests(source, sink)
    except FileNotFoundError:
        raise EvidenceError(
            f"the stored file {sha256} is missing: run marsad evidence verify"
        ) from None
    if copied.sha256 != sha256:
        raise EvidenceError(f"the stored file {sha256} was altered: run marsad evidence verify")
