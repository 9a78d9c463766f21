"""Testimony and witnesses on SQLite and PostgreSQL: identities sealed at rest, opened only by
the protection role and always logged first, the key rotated without rewriting witnesses,
consent withdrawal honoured everywhere but the custody log."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from marsad.evidence.errors import EvidenceError, WitnessKeyError
from marsad.evidence.witness import KeyEncryptionKey, new_key_text
from marsad.services.evidence_custody import custody_entries
from marsad.services.evidence_items import list_items, show_item
from marsad.services.evidence_package import package_incident
from marsad.services.testimony import (
    Statement,
    add_testimony,
    add_witness,
    list_testimonies,
    load_kek,
    reveal_witness,
    rotate_kek,
    show_testimony,
    withdraw_consent,
    write_new_key,
)
from marsad.services.users import add_user, disable_user
from marsad.store.evidence_tables import Witness, WitnessKey
from tests.integration.evidence_helpers import incident, kek, photo, settings
from tests.tsa import TimestampAuthority

NAME = "فاطمة حسن العلي"
CONTACT = "+963 944 555 123, Jableh"
STRONG = "correct horse battery staple 9"


def statement(report: int, scope: str = "accountability", witness: str = "W-1") -> Statement:
    return Statement(
        witness=witness, interviewer="Rami", taken_on="2025-03-09", language="ar",
        consent_scope=scope, consent_on="2025-03-09", consent_taken_by="Rami",
        source="Field team", place="Baniyas", statement_ar="رأيت ابني يسقط أمام البيت",
        statement_en="I saw my son fall in front of the house", incident_id=report,
    )  # fmt: skip


def test_identity_is_sealed_at_rest_and_opened_only_by_protection(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    key = kek()
    add_witness(engine, config, key, "W-1", NAME, CONTACT, "rami")
    with engine.connect() as conn:
        row = conn.execute(select(Witness.__table__)).one()
        dump = b"".join(
            str(v).encode() if not isinstance(v, bytes) else v for r in conn.execute(
                text("SELECT * FROM witnesses")
            ) for v in r
        )  # fmt: skip
    assert NAME.encode() not in row.identity and NAME.encode() not in dump
    assert CONTACT.encode() not in dump and b"+963" not in dump
    if engine.dialect.name == "sqlite":
        engine.dispose()
        stored = Path(engine.url.database or "").read_bytes()
        assert NAME.encode() not in stored and CONTACT.encode() not in stored

    for role in ("admin", "reviewer", "protection"):
        add_user(engine, f"{role}-user", STRONG, role)
    for username in ("admin-user", "reviewer-user", "nobody"):
        with pytest.raises(EvidenceError, match="protection role"):
            reveal_witness(engine, config, key, "W-1", username, "need")
    opened = reveal_witness(engine, config, key, "W-1", "protection-user", "relocation")
    assert (opened.identity, opened.contact) == (NAME, CONTACT)
    with pytest.raises(WitnessKeyError, match="not the one"):
        reveal_witness(engine, config, kek(), "W-1", "protection-user", "wrong key")
    disable_user(engine, "protection-user", "admin-user")
    with pytest.raises(EvidenceError, match="protection role"):
        reveal_witness(engine, config, key, "W-1", "protection-user", "again")
    with engine.connect() as conn:
        log = custody_entries(conn)
    decrypted = [e for e in log if e.action == "witness_decrypt"]
    assert [(e.actor, e.reason, e.detail) for e in decrypted] == [
        ("protection-user", "relocation", {"witness": "W-1"})
    ]
    assert all(NAME not in str(e.body()) and "+963" not in str(e.body()) for e in log)


def test_rotating_the_key_rewraps_data_keys_only(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    old, new = kek(), kek()
    add_witness(engine, config, old, "W-1", NAME, None, "rami")
    add_witness(engine, config, old, "W-2", "Omar", "omar@example.org", "rami")
    add_user(engine, "guard", STRONG, "protection")
    with engine.connect() as conn:
        before = conn.execute(select(Witness.identity, Witness.contact)).all()
    assert rotate_kek(engine, config, old, new, "admin") == 1
    with engine.connect() as conn:
        assert conn.execute(select(Witness.identity, Witness.contact)).all() == before
        assert conn.scalar(select(WitnessKey.kek_id)) == new.id
    assert reveal_witness(engine, config, new, "W-2", "guard", "check").contact == (
        "omar@example.org"
    )
    with pytest.raises(WitnessKeyError):
        reveal_witness(engine, config, old, "W-1", "guard", "old key")
    with pytest.raises(WitnessKeyError, match="is the old one"):
        rotate_kek(engine, config, new, new, "admin")


def test_testimony_with_recordings_and_consent_withdrawal(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    report = incident(engine)
    add_witness(engine, config, kek(), "W-1", NAME, CONTACT, "rami")
    recording = photo(tmp_path / f"{NAME}.jpg")  # a file name that names the witness
    testimony, added = add_testimony(engine, config, statement(report), [recording], "rami")
    [internal, _] = add_testimony(engine, config, statement(report, "internal"), [], "rami")
    assert [t.id for t in list_testimonies(engine, report)] == [testimony, internal]
    assert list_testimonies(engine)[0].recordings == [added[0].item_id]
    seen = show_testimony(engine, config, testimony, "omar", "case file")
    assert seen.witness == "W-1" and seen.statement_ar == "رأيت ابني يسقط أمام البيت"
    assert show_item(engine, config, added[0].item_id, "omar", "").provenances[0].file_name is None

    out = tmp_path / "pkg.zip"
    summary = package_incident(engine, config, report, out, "amina", "IIIM")
    assert (summary.items, summary.testimonies) == (1, 1)  # the internal one stays home
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(n) for n in archive.namelist())
    assert NAME.encode() not in everything and b"+963" not in everything
    assert "رأيت ابني".encode() in everything

    withdraw_consent(engine, config, testimony, "rami", "the witness asked")
    assert [t.id for t in list_testimonies(engine)] == [internal]
    assert list_items(engine) == []
    with pytest.raises(EvidenceError, match="withdrawn"):
        show_testimony(engine, config, testimony, "omar", "")
    with pytest.raises(EvidenceError, match="withheld"):
        show_item(engine, config, added[0].item_id, "omar", "")
    with pytest.raises(EvidenceError, match="no evidence to package"):
        package_incident(engine, config, report, tmp_path / "p2.zip", "amina", "IIIM")
    with pytest.raises(EvidenceError, match="already withdrawn"):
        withdraw_consent(engine, config, testimony, "rami", "")
    with engine.connect() as conn:
        kept = [e.action for e in custody_entries(conn) if e.testimony_id == testimony]
    assert kept == ["testimony", "add", "view", "export", "consent_withdrawn"]


def test_testimony_input_is_checked(
    engine: Engine, tsa: TimestampAuthority, tmp_path: Path
) -> None:
    config = settings(tsa, tmp_path / "evidence")
    report = incident(engine)
    add_witness(engine, config, kek(), "W-1", NAME, None, "rami")
    bad = [
        (statement(report, "everyone"), "unknown consent scope"),
        (statement(report, witness="W-9"), "no witness 'W-9'"),
        (statement(999), "no incident report 999"),
    ]
    for given_statement, message in bad:
        with pytest.raises(EvidenceError, match=message):
            add_testimony(engine, config, given_statement, [], "rami")
    with pytest.raises(EvidenceError, match="already called"):
        add_witness(engine, config, kek(), "W-1", "x", None, "rami")
    assert list_testimonies(engine) == []


def test_the_witness_key_comes_from_outside_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "witness.key"
    write_new_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(WitnessKeyError, match="never overwritten"):
        write_new_key(path)
    from_file = load_kek(str(path))
    monkeypatch.delenv("MARSAD_WITNESS_KEY_FILE", raising=False)
    monkeypatch.setenv("MARSAD_WITNESS_KEY", path.read_text())
    assert load_kek().id == from_file.id
    monkeypatch.delenv("MARSAD_WITNESS_KEY")
    with pytest.raises(WitnessKeyError, match="no witness key"):
        load_kek()
    assert KeyEncryptionKey.from_text(new_key_text(), "x").id != from_file.id
