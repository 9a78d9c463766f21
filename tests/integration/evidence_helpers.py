"""Builders shared by the evidence tests: settings on the test TSA, an incident report, a
witness key, small files of each kind."""

from __future__ import annotations

import datetime as dt
import itertools
import struct
from pathlib import Path

from PIL import Image
from sqlalchemy import Connection, Engine, insert, text

from marsad.evidence.timestamps import TrustChain
from marsad.evidence.witness import KeyEncryptionKey, new_key_text
from marsad.services.evidence_settings import EvidenceSettings, Tsa
from marsad.services.sources import get_or_create_source
from marsad.store.models import Import, Incident, RawRow
from tests.tsa import TimestampAuthority

_refs = itertools.count(1)


def settings(tsa: TimestampAuthority, directory: Path) -> EvidenceSettings:
    chain = TrustChain.from_pem(tsa.chain.read_bytes(), str(tsa.chain))
    return EvidenceSettings(directory, Tsa(tsa.url, chain), chain)


def incident(engine: Engine) -> int:
    """An incident report, as `marsad incidents ingest` would have stored it."""
    ref = next(_refs)
    with engine.begin() as conn:
        source = get_or_create_source(conn, "Monitoring group")
        import_id = conn.execute(
            insert(Import)
            .values(
                source_id=source, file_name="incidents.csv", sha256=f"e{ref:063x}",
                imported_by="test", file_format="csv", profile={}, columns=[], warnings=[],
            )
            .returning(Import.id)
        ).scalar_one()  # fmt: skip
        raw = conn.execute(
            insert(RawRow)
            .values(import_id=import_id, row_number=1, data={"incident_id": f"I{ref}"})
            .returning(RawRow.id)
        ).scalar_one()
        return int(
            conn.execute(
                insert(Incident)
                .values(
                    raw_row_id=raw, import_id=import_id, source_id=source,
                    incident_ref=f"I{ref}", date="2025-03-07", governorate="SY07",
                    killed_min=3, killed_max=5, grade="fair",
                )
                .returning(Incident.id)
            ).scalar_one()
        )  # fmt: skip


def kek() -> KeyEncryptionKey:
    return KeyEncryptionKey.from_text(new_key_text(), "test")


def photo(path: Path, colour: str = "red") -> Path:
    exif = Image.Exif()
    exif[306] = "2025:03:07 10:30:15"
    Image.new("RGB", (32, 32), colour).save(path, format="JPEG", exif=exif)
    return path


def video(path: Path, created: dt.datetime) -> Path:
    """A minimal MP4 whose movie header says when it was made."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I4s", 8 + len(payload), kind) + payload

    seconds = int((created - dt.datetime(1904, 1, 1, tzinfo=dt.UTC)).total_seconds())
    header = bytes(4) + struct.pack(">IIII", seconds, seconds, 1000, 5000)
    header += struct.pack(">IH", 0x00010000, 0x0100) + bytes(70) + struct.pack(">I", 2)
    path.write_bytes(
        box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
        + box(b"moov", box(b"mvhd", header))
        + box(b"mdat", bytes(range(256)) * 64)
    )
    return path


def as_insider(conn: Connection) -> None:
    """Drop the triggers that refuse changes to the custody log and the items' hashes, as an
    insider with full SQL access could, so a test can then tamper with the rows."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP TRIGGER custody_events_append_only ON custody_events"))
        conn.execute(text("DROP TRIGGER evidence_items_immutable ON evidence_items"))
        return
    for trigger in (
        "custody_events_no_update",
        "custody_events_no_delete",
        "evidence_items_immutable",
        "evidence_items_no_delete",
    ):
        conn.execute(text(f"DROP TRIGGER {trigger}"))
