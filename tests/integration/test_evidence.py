"""Evidence end to end on SQLite and PostgreSQL, with a real OpenSSL time-stamping authority:
files stored once, read-only and timestamped; custody of every act; verification that names
every tampering; packages; derived copies."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError

from marsad.evidence.errors import EvidenceError
from marsad.services.evidence import Receipt, add_evidence, derive_item
from marsad.services.evidence_custody import custody_entries
from marsad.services.evidence_items import download_item, list_items, show_item, transfer_item
from marsad.services.evidence_package import package_incident
from marsad.services.evidence_timestamps import timestamp_pending
from marsad.services.evidence_verify import verify_evidence
from marsad.store.evidence_tables import CustodyEvent, EvidenceItem, EvidenceProvenance
from tests.integration.evidence_helpers import as_insider, incident, photo, settings, video
from tests.tsa import TimestampAuthority


def writable(path: Path) -> None:
    os.chmod(path, 0o644)


def test_files_are_stored_once_read_only_hashed_and_timestamped(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    report = incident(engine)
    picture = photo(tmp_path / "statement.txt")  # a photo, whatever its name says
    clip = video(tmp_path / "clip.mp4", dt.datetime(2025, 3, 7, 8, 15, tzinfo=dt.UTC))
    receipt = Receipt("Field team", incident_id=report, collected_on="2025-03-08")
    added = add_evidence(engine, config, [picture, clip], receipt, "amina")
    assert [a.media_type for a in added] == ["image/jpeg", "video/mp4"]
    assert all(a.timestamped and not a.duplicate for a in added)
    again = add_evidence(engine, config, [picture], Receipt("Relative", person_id=42), "omar")
    assert again[0].item_id == added[0].item_id and again[0].duplicate

    for a, original in zip(added, (picture, clip), strict=True):
        stored = config.object_path(a.sha256)
        assert stored.read_bytes() == original.read_bytes()
        assert stat.S_IMODE(stored.stat().st_mode) == 0o444
    assert not list((config.directory / "tmp").iterdir())

    items = {i.id: i for i in list_items(engine)}
    assert len(items) == 2
    photo_item = items[added[0].item_id]
    assert photo_item.capture["taken_at"] == "2025-03-07T10:30:15"
    assert items[added[1].item_id].capture["created_at"] == "2025-03-07T08:15:00Z"
    assert {p.source for p in photo_item.provenances} == {"Field team", "Relative"}
    assert [i.id for i in list_items(engine, incident_id=report)] == [a.item_id for a in added][
        ::-1
    ]
    assert [i.id for i in list_items(engine, person_id=42)] == [added[0].item_id]

    with engine.connect() as conn:
        actions = [(e.action, e.item_id, e.actor) for e in custody_entries(conn)]
    first, second = added[0].item_id, added[1].item_id
    assert actions == [
        ("add", first, "amina"),
        ("timestamp", first, "amina"),
        ("add", second, "amina"),
        ("timestamp", second, "amina"),
        ("add", first, "omar"),
    ]
    result = verify_evidence(engine, config, "auditor")
    assert result.problems == [] and result.items == result.tokens == 2
    assert result.entries == 5


def test_bad_input_is_refused_before_anything_is_stored(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    picture = photo(tmp_path / "p.jpg")
    cases = [
        ([tmp_path / "missing.jpg"], Receipt("Field team"), "no such file"),
        ([picture], Receipt("Field team", incident_id=999), "no incident report 999"),
        ([picture], Receipt("Field team", collected_on="7/3/2025"), "not a date"),
        ([picture], Receipt("  "), "needs a source"),
    ]
    for files, receipt, message in cases:
        with pytest.raises(EvidenceError, match=message):
            add_evidence(engine, config, files, receipt, "amina")
    assert list_items(engine) == []
    assert not (config.directory / "objects").exists()


def test_items_wait_for_a_tsa_that_is_down_and_are_timestamped_later(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    tsa.refusing = True
    try:
        [added] = add_evidence(engine, config, [photo(tmp_path / "p.jpg")], Receipt("X"), "amina")
        assert not added.timestamped and "503" in (added.timestamp_error or "")
        done, failed = timestamp_pending(engine, config, "amina")
        assert done == [] and failed[0].startswith(f"item {added.item_id}:")
    finally:
        tsa.refusing = False
    waiting = verify_evidence(engine, config, "amina")
    assert waiting.problems == [] and waiting.not_timestamped == [added.item_id]
    done, failed = timestamp_pending(engine, config, "amina")
    assert done == [added.item_id] and failed == []
    assert verify_evidence(engine, config, "amina").problems == []


def test_verify_names_every_tampered_item_and_entry(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    files = [photo(tmp_path / f"p{n}.jpg", colour) for n, colour in enumerate(("red", "blue"))]
    files.append(photo(tmp_path / "p2.jpg", "green"))
    a, b, c = add_evidence(engine, config, files, Receipt("Field team"), "amina")
    show_item(engine, config, a.item_id, "omar", "check")
    assert verify_evidence(engine, config, "auditor").problems == []

    stored = config.object_path(a.sha256)
    writable(stored)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    config.object_path(c.sha256).unlink()
    with engine.begin() as conn:
        as_insider(conn)
        tokens = dict(conn.execute(select(EvidenceItem.id, EvidenceItem.timestamp_token)).all())
        for mine, theirs in ((b.item_id, c.item_id), (c.item_id, b.item_id)):
            conn.execute(
                update(EvidenceItem)
                .where(EvidenceItem.id == mine)
                .values(timestamp_token=tokens[theirs])
            )
        conn.execute(update(CustodyEvent).where(CustodyEvent.seq == 7).values(reason="nothing"))
        conn.execute(delete(CustodyEvent).where(CustodyEvent.seq == 3))
    problems = verify_evidence(engine, config, "auditor").problems
    assert f"item {a.item_id}: its stored file was altered (the hashes differ) (" in problems[0]
    mismatch = "its timestamp token does not verify (Mismatch between messages)"
    assert problems[1] == f"item {b.item_id}: {mismatch}"
    assert problems[2].startswith(f"item {c.item_id}: its stored file is missing")
    assert problems[3] == f"item {c.item_id}: {mismatch}"
    assert problems[4:8] == [
        "custody entries 3 are missing (entry 4 follows entry 2)",
        "custody entry 4 does not follow the entry before it (an entry was deleted, inserted "
        "or moved before it)",
        "custody entry 7 was changed after it was written",
        f"item {b.item_id}: no custody entry records its receipt",  # entry 3 was its receipt
    ]
    assert problems[8:] == [
        f"item {b.item_id}: its timestamp token is not the one the custody log recorded",
        f"item {c.item_id}: its timestamp token is not the one the custody log recorded",
    ]


def test_the_newest_entries_cannot_be_deleted_unseen(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    [a] = add_evidence(engine, config, [photo(tmp_path / "p.jpg")], Receipt("X"), "amina")
    transfer_item(engine, config, a.item_id, "IIIM", "amina", "handed a copy on a USB drive")
    with engine.begin() as conn:
        as_insider(conn)
        newest = conn.scalar(select(func.max(CustodyEvent.seq)))
        conn.execute(delete(CustodyEvent).where(CustodyEvent.seq == newest))
    problems = verify_evidence(engine, config, "auditor").problems
    assert problems == [
        f"custody entries {newest} are missing: the log ends at entry {newest - 1}, but entry "
        f"{newest} was written"
    ]


def test_views_downloads_and_derived_copies_are_in_the_custody_log(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    [original] = add_evidence(engine, config, [photo(tmp_path / "p.jpg")], Receipt("X"), "amina")
    view = show_item(engine, config, original.item_id, "omar", "reviewing")
    assert view.custody[-1].action == "view" and view.custody[-1].reason == "reviewing"
    out = tmp_path / "out"
    out.mkdir()
    written = download_item(engine, config, original.item_id, out, "omar", "for the report")
    assert written.read_bytes() == (tmp_path / "p.jpg").read_bytes()
    assert written.name == f"{original.sha256}.jpg"
    redacted = derive_item(
        engine, config, original.item_id, photo(tmp_path / "r.jpg", "black"), "redacted",
        "amina", "faces blurred",
    )  # fmt: skip
    items = {i.id: i for i in list_items(engine)}
    assert items[redacted.item_id].derived_from == original.item_id
    assert items[redacted.item_id].derivation == "redacted"
    with engine.connect() as conn:
        log = [(e.action, e.item_id, e.reason) for e in custody_entries(conn)]
    assert ("download", original.item_id, "for the report") in log
    assert ("redaction", redacted.item_id, "faces blurred") in log
    with pytest.raises(EvidenceError, match="unknown derivation"):
        derive_item(engine, config, original.item_id, tmp_path / "r.jpg", "cropped", "a", "b")
    with pytest.raises(EvidenceError, match="no evidence item 999"):
        show_item(engine, config, 999, "omar", "")

    stored = config.object_path(original.sha256)
    writable(stored)
    stored.write_bytes(b"not the photo")
    with pytest.raises(EvidenceError, match="was altered"):
        download_item(engine, config, original.item_id, tmp_path / "x.jpg", "omar", "")
    assert not (tmp_path / "x.jpg").exists()


def test_a_package_holds_originals_tokens_certificates_and_custody(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    report = incident(engine)
    other = incident(engine)
    files = [photo(tmp_path / "p.jpg"), photo(tmp_path / "q.jpg", "blue")]
    mine = add_evidence(engine, config, files, Receipt("Field team", incident_id=report), "amina")
    add_evidence(
        engine, config, [photo(tmp_path / "z.jpg", "white")], Receipt("X", incident_id=other), "a"
    )
    out = tmp_path / "pkg.zip"
    summary = package_incident(engine, config, report, out, "amina", "request of the IIIM")
    assert summary.items == 2 and summary.timestamped == 2
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        sums = archive.read("SHA256SUMS").decode()
        custody = [json.loads(line) for line in archive.read("custody.jsonl").splitlines()]
        readme = archive.read("README.txt").decode()
    assert {f"originals/{a.sha256}.jpg" for a in mine} <= names
    assert {f"tokens/{a.sha256}.tsr" for a in mine} <= names
    assert {"tsa/root.pem", "tsa/tsa.pem", "SHA256SUMS.tsr", "testimonies.json"} <= names
    assert [i["sha256"] for i in manifest["items"]] == [a.sha256 for a in mine]
    assert manifest["items"][0]["received"][0]["file_name"] == "p.jpg"
    assert all(f"{a.sha256}  originals/{a.sha256}.jpg" in sums for a in mine)
    assert {e["body"] and json.loads(e["body"])["item"] for e in custody} == {
        a.item_id for a in mine
    }
    assert "openssl ts -verify" in readme and "sha256sum -c SHA256SUMS" in readme
    with engine.connect() as conn:
        exported = [e for e in custody_entries(conn) if e.action == "export"]
    assert {e.item_id for e in exported} == {a.item_id for a in mine}
    assert all(e.detail["package_sha256"] == summary.sha256 for e in exported)
    with pytest.raises(EvidenceError, match="no evidence to package"):
        package_incident(engine, config, incident(engine), tmp_path / "e.zip", "amina", "")
    assert not (tmp_path / "e.zip").exists()


def test_the_evidence_directory_defaults_beside_a_sqlite_store(tmp_path: Path) -> None:
    from marsad.services.evidence_settings import evidence_settings
    from marsad.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    assert evidence_settings(engine).directory == tmp_path / "m.db.evidence"
    assert evidence_settings(engine, str(tmp_path / "e")).directory == tmp_path / "e"
    with pytest.raises(EvidenceError, match="without its certificates"):
        evidence_settings(engine, tsa_url="http://127.0.0.1:9/")
    engine.dispose()
    postgres = make_engine("postgresql://nobody@127.0.0.1:9/none")
    with pytest.raises(EvidenceError, match="MARSAD_EVIDENCE_DIR"):
        evidence_settings(postgres)


def test_provenance_rows_are_kept_per_receipt(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    picture = photo(tmp_path / "p.jpg")
    for source in ("A", "B", "C"):
        add_evidence(engine, config, [picture], Receipt(source, collected_by="Rami"), "amina")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(EvidenceItem)) == 1
        assert conn.scalar(select(func.count()).select_from(EvidenceProvenance)) == 3


def test_the_store_refuses_to_change_the_custody_log_or_an_items_hashes(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    [a] = add_evidence(engine, config, [photo(tmp_path / "p.jpg")], Receipt("X"), "amina")
    attempts = (
        update(CustodyEvent).where(CustodyEvent.seq == 1).values(reason="nothing"),
        delete(CustodyEvent).where(CustodyEvent.seq == 1),
        update(EvidenceItem).where(EvidenceItem.id == a.item_id).values(sha256="0" * 64),
        update(EvidenceItem).where(EvidenceItem.id == a.item_id).values(size=1),
        delete(EvidenceItem).where(EvidenceItem.id == a.item_id),
    )
    for attempt in attempts:
        refused = "append-only|never change"
        with pytest.raises(DBAPIError, match=refused), engine.begin() as conn:
            conn.execute(attempt)
    assert verify_evidence(engine, config, "auditor").problems == []


def test_a_log_whose_newest_entry_was_moved_is_reported_not_extended(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    [a] = add_evidence(engine, config, [photo(tmp_path / "p.jpg")], Receipt("X"), "amina")
    with engine.begin() as conn:
        as_insider(conn)
        newest = int(conn.scalar(select(func.max(CustodyEvent.seq))) or 0)
        for old, new in ((newest, -1), (1, newest), (-1, 1)):
            conn.execute(update(CustodyEvent).where(CustodyEvent.seq == old).values(seq=new))
    problems = verify_evidence(engine, config, "auditor").problems
    assert "custody entry 1 was changed after it was written" in problems
    assert problems[-1] == (
        f"this verification was not logged: the custody log cannot be extended: its newest "
        f"entry ({newest}) is already followed by another, so entries were moved; run "
        "`marsad evidence verify`"
    )
    with pytest.raises(EvidenceError, match="cannot be extended"):
        transfer_item(engine, config, a.item_id, "IIIM", "amina", "copy")
