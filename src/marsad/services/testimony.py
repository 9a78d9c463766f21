"""Testimony and witnesses: statements with their informed consent, and witnesses whose
identity and contact are sealed (`marsad.evidence.witness`).

The key-encryption key (KEK) comes from a key file (`--key-file`, `MARSAD_WITNESS_KEY_FILE`)
or from `MARSAD_WITNESS_KEY`, never from the store. Sealing needs the KEK (to unwrap the data
key); opening needs it too, and an enabled account with the `protection` role, and is a
custody entry committed before the plaintext is returned. Lists and exports name witnesses by
pseudonym only; a withdrawn testimony leaves every list, view and export but the custody log.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from marsad.evidence import witness as sealing
from marsad.evidence.custody import Entry
from marsad.evidence.errors import EvidenceError, WitnessKeyError
from marsad.services.evidence import Added, Receipt, add_evidence, check_date
from marsad.services.evidence_custody import custody, custody_entries
from marsad.services.evidence_settings import EvidenceSettings
from marsad.services.users import can, find_user
from marsad.store.evidence_tables import EvidenceProvenance, Testimony, Witness, WitnessKey
from marsad.store.models import Incident, User, utcnow

CONSENT_SCOPES = ("internal", "accountability", "public")
"""Internal: the team only. Accountability: also UN commissions, the IIIM, courts. Public:
also publication (still by pseudonym)."""
WITNESS_PERMISSION = "view_witnesses"


def load_kek(key_file: str | None = None) -> sealing.KeyEncryptionKey:
    """The KEK from `key_file`, else `MARSAD_WITNESS_KEY_FILE`, else `MARSAD_WITNESS_KEY`."""
    path = key_file or os.environ.get("MARSAD_WITNESS_KEY_FILE")
    if path:
        try:
            text = Path(path).expanduser().read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise WitnessKeyError(f"{path}: cannot read the witness key ({error})") from None
        return sealing.KeyEncryptionKey.from_text(text, path)
    variable = os.environ.get("MARSAD_WITNESS_KEY")
    if variable:
        return sealing.KeyEncryptionKey.from_text(variable, "MARSAD_WITNESS_KEY")
    raise WitnessKeyError(
        "no witness key: give --key-file, or set MARSAD_WITNESS_KEY_FILE or MARSAD_WITNESS_KEY "
        "(make one with `marsad evidence witness new-key`)"
    )


def write_new_key(path: Path) -> None:
    """A new random KEK in a file only its owner can read; an existing file is never
    overwritten (losing a KEK loses every witness sealed under it)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WitnessKeyError(f"{path} exists: a witness key is never overwritten") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(sealing.new_key_text() + "\n")


def data_key(conn: Connection, kek: sealing.KeyEncryptionKey) -> tuple[int, bytes]:
    """The newest data key, unwrapped; the first is made on first use. Witnesses' identities
    and missing-person reporters' contacts (`marsad.services.tracing_ingest`) are sealed so."""
    row = conn.execute(select(WitnessKey.__table__).order_by(WitnessKey.id.desc()).limit(1)).first()
    if row is None:
        key = sealing.new_data_key()
        key_id = conn.execute(
            insert(WitnessKey)
            .values(wrapped=sealing.wrap(kek, key), kek_id=kek.id)
            .returning(WitnessKey.id)
        ).scalar_one()
        return int(key_id), key
    return int(row.id), _unwrap(row, kek)


def open_data_key(conn: Connection, kek: sealing.KeyEncryptionKey, key_id: int) -> bytes:
    """The data key `key_id` (a foreign key of the sealed row), unwrapped."""
    row = conn.execute(select(WitnessKey.__table__).where(WitnessKey.id == key_id)).first()
    assert row is not None  # a foreign key
    return _unwrap(row, kek)


def _unwrap(row: Any, kek: sealing.KeyEncryptionKey) -> bytes:
    if row.kek_id != kek.id:
        raise WitnessKeyError(
            f"this witness key (fingerprint {kek.id}) is not the one the store's data keys "
            f"are wrapped with (fingerprint {row.kek_id})"
        )
    return sealing.unwrap(kek, row.wrapped)


def _check_text(value: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise EvidenceError(f"{what} is empty")
    if len(value) > limit:
        raise EvidenceError(f"{what} is longer than {limit} characters")
    return value


def add_witness(
    engine: Engine,
    settings: EvidenceSettings,
    kek: sealing.KeyEncryptionKey,
    pseudonym: str,
    identity: str,
    contact: str | None,
    actor: str,
) -> int:
    """Record a witness: the pseudonym in clear, identity and contact sealed."""
    pseudonym = _check_text(pseudonym, "the pseudonym", 100)
    identity = _check_text(identity, "the identity", 10_000)
    with custody(engine, settings) as log:
        if log.conn.scalar(select(Witness.id).where(Witness.pseudonym == pseudonym)):
            raise EvidenceError(f"a witness is already called {pseudonym!r}")
        key_id, key = data_key(log.conn, kek)
        witness_id = int(
            log.conn.execute(
                insert(Witness)
                .values(
                    pseudonym=pseudonym,
                    key_id=key_id,
                    identity=sealing.seal(key, pseudonym, "identity", identity),
                    contact=sealing.seal(key, pseudonym, "contact", contact.strip())
                    if contact and contact.strip()
                    else None,
                    created_by=actor,
                )
                .returning(Witness.id)
            ).scalar_one()
        )
        log.append(actor, "witness_added", "", detail={"witness": pseudonym})
    return witness_id


def witness_pseudonyms(engine: Engine) -> list[str]:
    """Every witness's pseudonym (never their identity), for choosing one in a form."""
    with engine.connect() as conn:
        return list(conn.scalars(select(Witness.pseudonym).order_by(Witness.pseudonym)))


@dataclass(frozen=True)
class WitnessIdentity:
    pseudonym: str
    identity: str
    contact: str | None


def _protection_user(conn: Connection, username: str) -> str:
    user = find_user(conn, User.username == username)
    if user is None or user.disabled or not can(user.role, WITNESS_PERMISSION):
        raise EvidenceError(
            f"{username!r} may not see witnesses' identities: only an enabled account with "
            "the protection role may"
        )
    return user.username


def reveal_witness(
    engine: Engine,
    settings: EvidenceSettings,
    kek: sealing.KeyEncryptionKey,
    pseudonym: str,
    username: str,
    reason: str,
) -> WitnessIdentity:
    """Open a witness's identity and contact for a protection officer. The decryption is a
    custody entry, committed before anything is returned."""
    reason = _check_text(reason, "the reason (--reason)", 2000)
    with custody(engine, settings) as log:
        actor = _protection_user(log.conn, username)
        row = log.conn.execute(
            select(Witness.__table__).where(Witness.pseudonym == pseudonym)
        ).first()
        if row is None:
            raise EvidenceError(f"no witness {pseudonym!r}")
        key = open_data_key(log.conn, kek, row.key_id)
        opened = WitnessIdentity(
            pseudonym,
            sealing.open_sealed(key, pseudonym, "identity", row.identity),
            None
            if row.contact is None
            else sealing.open_sealed(key, pseudonym, "contact", row.contact),
        )
        log.append(actor, "witness_decrypt", reason, detail={"witness": pseudonym})
    return opened


def rotate_kek(
    engine: Engine,
    settings: EvidenceSettings,
    old: sealing.KeyEncryptionKey,
    new: sealing.KeyEncryptionKey,
    actor: str,
) -> int:
    """Rewrap every data key under a new KEK; sealed fields are not touched. Returns how many
    data keys were rewrapped."""
    if old.id == new.id:
        raise WitnessKeyError("the new witness key is the old one")
    with custody(engine, settings) as log:
        rows = list(log.conn.execute(select(WitnessKey.__table__).order_by(WitnessKey.id)))
        for row in rows:
            key = _unwrap(row, old)
            log.conn.execute(
                update(WitnessKey)
                .where(WitnessKey.id == row.id)
                .values(wrapped=sealing.wrap(new, key), kek_id=new.id, rewrapped_at=utcnow())
            )
        log.append(
            actor,
            "key_rotation",
            "",
            detail={"from": old.id, "to": new.id, "data_keys": len(rows)},
        )
    return len(rows)


@dataclass(frozen=True)
class Statement:
    """What a testimony says and under which consent, as given to `add_testimony`."""

    witness: str
    interviewer: str
    taken_on: str
    language: str
    consent_scope: str
    consent_on: str
    consent_taken_by: str
    source: str
    place: str | None = None
    statement_ar: str | None = None
    statement_en: str | None = None
    person_id: int | None = None
    incident_id: int | None = None


def add_testimony(
    engine: Engine,
    settings: EvidenceSettings,
    statement: Statement,
    recordings: Sequence[Path],
    actor: str,
) -> tuple[int, list[Added]]:
    """Record a testimony and its consent, then store its recordings as evidence items of
    the same source that point to it."""
    if statement.consent_scope not in CONSENT_SCOPES:
        raise EvidenceError(
            f"unknown consent scope {statement.consent_scope!r}; use one of "
            f"{', '.join(CONSENT_SCOPES)}"
        )
    if not (statement.statement_ar or "").strip() and not (statement.statement_en or "").strip():
        raise EvidenceError("a testimony needs its statement, in Arabic or English or both")
    taken_on = check_date(statement.taken_on, "the testimony's date")
    consent_on = check_date(statement.consent_on, "the consent's date")
    for path in recordings:
        if not path.is_file():
            raise EvidenceError(f"{path}: no such file")
    with custody(engine, settings) as log:
        witness_id = log.conn.scalar(
            select(Witness.id).where(Witness.pseudonym == statement.witness)
        )
        if witness_id is None:
            raise EvidenceError(f"no witness {statement.witness!r}: add the witness first")
        if statement.incident_id is not None and (
            log.conn.scalar(select(Incident.id).where(Incident.id == statement.incident_id)) is None
        ):
            raise EvidenceError(f"no incident report {statement.incident_id}")
        testimony_id = int(
            log.conn.execute(
                insert(Testimony)
                .values(
                    witness_id=witness_id,
                    interviewer=_check_text(statement.interviewer, "the interviewer", 200),
                    taken_on=taken_on,
                    place=statement.place,
                    language=_check_text(statement.language, "the language", 20),
                    statement_ar=statement.statement_ar,
                    statement_en=statement.statement_en,
                    person_id=statement.person_id,
                    incident_id=statement.incident_id,
                    consent_scope=statement.consent_scope,
                    consent_on=consent_on,
                    consent_taken_by=_check_text(
                        statement.consent_taken_by, "who took the consent", 200
                    ),
                    created_by=actor,
                )
                .returning(Testimony.id)
            ).scalar_one()
        )
        log.append(
            actor,
            "testimony",
            "",
            testimony_id=testimony_id,
            detail={
                "witness": statement.witness,
                "consent": statement.consent_scope,
                "consent_on": consent_on,
            },
        )
    added = (
        add_evidence(
            engine,
            settings,
            recordings,
            Receipt(
                source=statement.source,
                person_id=statement.person_id,
                incident_id=statement.incident_id,
                testimony_id=testimony_id,
                collected_by=statement.interviewer,
                collected_on=taken_on,
            ),
            actor,
        )
        if recordings
        else []
    )
    return testimony_id, added


def withdraw_consent(
    engine: Engine, settings: EvidenceSettings, testimony_id: int, actor: str, reason: str
) -> None:
    """The witness withdrew consent: the testimony leaves every list, view and export."""
    with custody(engine, settings) as log:
        row = log.conn.execute(
            select(Testimony.id, Testimony.withdrawn_at).where(Testimony.id == testimony_id)
        ).first()
        if row is None:
            raise EvidenceError(f"no testimony {testimony_id}")
        if row.withdrawn_at is not None:
            raise EvidenceError(f"testimony {testimony_id} was already withdrawn")
        log.conn.execute(
            update(Testimony)
            .where(Testimony.id == testimony_id)
            .values(withdrawn_at=utcnow(), withdrawn_by=actor)
        )
        log.append(actor, "consent_withdrawn", reason, testimony_id=testimony_id)


@dataclass(frozen=True)
class TestimonyView:
    id: int
    witness: str
    interviewer: str
    taken_on: str
    place: str | None
    language: str
    statement_ar: str | None
    statement_en: str | None
    person_id: int | None
    incident_id: int | None
    consent_scope: str
    consent_on: str
    consent_taken_by: str
    recordings: list[int]
    created_at: dt.datetime
    custody: list[Entry] = field(default_factory=list)
    """Filled by `show_testimony` only: the custody entries about this testimony."""


def _testimony_views(conn: Connection, *where: object) -> list[TestimonyView]:
    rows = conn.execute(
        select(Testimony.__table__, Witness.pseudonym)
        .join(Witness, Witness.id == Testimony.witness_id)
        .where(Testimony.withdrawn_at.is_(None), *where)  # type: ignore[arg-type]
        .order_by(Testimony.id)
    ).all()
    recordings: dict[int, list[int]] = {}
    for testimony_id, item_id in conn.execute(
        select(EvidenceProvenance.testimony_id, EvidenceProvenance.item_id)
        .where(EvidenceProvenance.testimony_id.in_([t.id for t in rows]))
        .order_by(EvidenceProvenance.id)
    ):
        recordings.setdefault(testimony_id, []).append(item_id)
    return [
        TestimonyView(
            t.id,
            t.pseudonym,
            t.interviewer,
            t.taken_on,
            t.place,
            t.language,
            t.statement_ar,
            t.statement_en,
            t.person_id,
            t.incident_id,
            t.consent_scope,
            t.consent_on,
            t.consent_taken_by,
            recordings.get(t.id, []),
            t.created_at,
        )
        for t in rows
    ]


def list_testimonies(engine: Engine, incident_id: int | None = None) -> list[TestimonyView]:
    """Testimonies not withdrawn, with witnesses by pseudonym."""
    with engine.connect() as conn:
        if incident_id is None:
            return _testimony_views(conn)
        return _testimony_views(conn, Testimony.incident_id == incident_id)


def show_testimony(
    engine: Engine, settings: EvidenceSettings, testimony_id: int, actor: str, reason: str
) -> TestimonyView:
    """A testimony's statement; reading it is a custody entry."""
    with custody(engine, settings) as log:
        found = _testimony_views(log.conn, Testimony.id == testimony_id)
        if not found:
            raise EvidenceError(f"no testimony {testimony_id} (or its consent was withdrawn)")
        log.append(actor, "view", reason, testimony_id=testimony_id)
        entries = custody_entries(log.conn, [], [testimony_id])
    return replace(found[0], custody=entries)
