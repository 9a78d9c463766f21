"""Evidence items: receiving files, trusted timestamps, the custody log, verification and
packages for accountability mechanisms.

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
import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from marsad.evidence import package as layout
from marsad.evidence.capture import capture_metadata
from marsad.evidence.custody import (
    ACTIONS,
    GENESIS,
    Entry,
    Head,
    canonical,
    chain_hash,
    check_chain,
    entry_body,
)
from marsad.evidence.errors import EvidenceError, TimestampError
from marsad.evidence.hashing import Digests, file_digests, stream_digests
from marsad.evidence.media import media_type
from marsad.evidence.timestamps import (
    CONTENT_TYPE_QUERY,
    CONTENT_TYPE_REPLY,
    Token,
    TrustChain,
    check_token,
    request_for,
)
from marsad.services.audit import record_event
from marsad.services.sources import get_or_create_source
from marsad.store.models import (
    CustodyEvent,
    EvidenceItem,
    EvidenceProvenance,
    Incident,
    Source,
    Testimony,
    Witness,
    utcnow,
)

DERIVATIONS = ("redacted", "transcoded")
TSA_TIMEOUT_SECONDS = 30
MAX_TOKEN_BYTES = 1 << 20
ACCOUNTABLE_SCOPES = ("accountability", "public")
"""Consent scopes under which a testimony may go to an accountability mechanism."""


@dataclass(frozen=True)
class Tsa:
    url: str
    chain: TrustChain


@dataclass(frozen=True)
class EvidenceSettings:
    """Where originals live, and the time-stamping authority (none: items wait for one)."""

    directory: Path
    tsa: Tsa | None = None
    chain: TrustChain | None = None
    """The certificates tokens are checked against (also without a TSA to ask)."""

    def object_path(self, sha256: str) -> Path:
        return self.directory / "objects" / sha256[:2] / sha256

    @property
    def head_path(self) -> Path:
        return self.directory / "custody.head"


def evidence_settings(
    engine: Engine,
    directory: str | None = None,
    tsa_url: str | None = None,
    tsa_certs: str | None = None,
) -> EvidenceSettings:
    """Settings from the options, else `MARSAD_EVIDENCE_DIR`, `MARSAD_TSA_URL` and
    `MARSAD_TSA_CERTS` (a PEM file with the TSA's certificate and its root)."""
    chosen = directory or os.environ.get("MARSAD_EVIDENCE_DIR")
    if chosen:
        where = Path(chosen).expanduser()
    elif engine.url.get_backend_name() == "sqlite" and engine.url.database:
        where = Path(engine.url.database + ".evidence")
    else:
        raise EvidenceError(
            "where should originals be kept? give --evidence-dir or set MARSAD_EVIDENCE_DIR"
        )
    url = tsa_url or os.environ.get("MARSAD_TSA_URL") or None
    certs = tsa_certs or os.environ.get("MARSAD_TSA_CERTS") or None
    chain = None
    if certs:
        try:
            pem = Path(certs).expanduser().read_bytes()
        except OSError as error:
            raise EvidenceError(f"{certs}: cannot read the TSA certificates ({error})") from None
        chain = TrustChain.from_pem(pem, certs)
    if url and chain is None:
        raise EvidenceError(
            f"the TSA {url} is configured without its certificates: set MARSAD_TSA_CERTS "
            "(or --tsa-certs) to a PEM file with the TSA's certificate and its root"
        )
    return EvidenceSettings(where, Tsa(url, chain) if url and chain else None, chain)


# The custody log.


class CustodyLog:
    """Appends entries within one transaction; remembers the newest for the head file."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.newest: Entry | None = None

    def append(
        self,
        actor: str,
        action: str,
        reason: str = "",
        item_id: int | None = None,
        testimony_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> Entry:
        if action not in ACTIONS:
            raise EvidenceError(f"unknown custody action {action!r}")
        if self.newest is None and self.conn.dialect.name == "postgresql":
            # One writer extends the chain at a time; the lock ends with the transaction.
            self.conn.exec_driver_sql("SELECT pg_advisory_xact_lock(20200)")
        last = self.conn.execute(
            select(CustodyEvent.seq, CustodyEvent.entry_hash)
            .order_by(CustodyEvent.seq.desc())
            .limit(1)
        ).first()
        seq = 1 if last is None else int(last.seq) + 1
        prev = GENESIS if last is None else str(last.entry_hash)
        at = utcnow()
        detail = detail or {}
        body = entry_body(seq, at, actor, action, item_id, testimony_id, reason, detail)
        entry = Entry(
            seq,
            at,
            actor,
            action,
            item_id,
            testimony_id,
            reason,
            detail,
            prev,
            chain_hash(prev, body),
        )
        self.conn.execute(
            insert(CustodyEvent).values(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                item_id=item_id,
                testimony_id=testimony_id,
                reason=reason,
                detail=detail,
                prev_hash=prev,
                entry_hash=entry.entry_hash,
            )
        )
        self.newest = entry
        return entry


@contextmanager
def custody(engine: Engine, settings: EvidenceSettings) -> Iterator[CustodyLog]:
    """A transaction with the custody log; after it commits, the head file is brought up."""
    with engine.begin() as conn:
        log = CustodyLog(conn)
        yield log
    if log.newest is not None:
        write_head(settings, log.newest)


def read_head(settings: EvidenceSettings) -> Head | None:
    try:
        data = json.loads(settings.head_path.read_text(encoding="utf-8"))
        return Head(int(data["seq"]), str(data["entry_hash"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        raise EvidenceError(f"{settings.head_path}: not a custody head file") from None


def write_head(settings: EvidenceSettings, entry: Entry) -> None:
    """Record the newest entry outside the store; never move the head back (a slower writer
    that committed earlier must not hide a newer entry)."""
    current = read_head(settings)
    if current is not None and current.seq >= entry.seq:
        return
    settings.directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"seq": entry.seq, "entry_hash": entry.entry_hash}) + "\n"
    _write_atomically(settings.head_path, text.encode())


def _write_atomically(path: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".tmp-") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(out.name, path)


def custody_entries(
    conn: Connection, item_ids: Sequence[int] | None = None, testimony_ids: Sequence[int] = ()
) -> list[Entry]:
    """The log in order; only the entries about the given items and testimonies if given."""
    query = select(CustodyEvent.__table__).order_by(CustodyEvent.seq)
    if item_ids is not None:
        query = query.where(
            CustodyEvent.item_id.in_(list(item_ids))
            | CustodyEvent.testimony_id.in_(list(testimony_ids))
        )
    return [
        Entry(
            r.seq,
            r.at,
            r.actor,
            r.action,
            r.item_id,
            r.testimony_id,
            r.reason,
            dict(r.detail),
            r.prev_hash,
            r.entry_hash,
        )
        for r in conn.execute(query)
    ]


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


def ask_tsa(tsa: Tsa, sha256: str) -> Token:
    """Ask the TSA to timestamp a digest (our own HTTP POST, RFC 3161 §3.4) and check its
    answer before keeping it."""
    request = request_for(sha256)
    http = urllib.request.Request(
        tsa.url,
        data=request.der,
        headers={"Content-Type": CONTENT_TYPE_QUERY, "Accept": CONTENT_TYPE_REPLY},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=TSA_TIMEOUT_SECONDS) as answer:
            der = answer.read(MAX_TOKEN_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise TimestampError(f"the TSA {tsa.url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise TimestampError(f"the TSA {tsa.url} could not be reached ({reason})") from None
    if len(der) > MAX_TOKEN_BYTES:
        raise TimestampError(f"the TSA {tsa.url} answered with more than 1 MiB")
    try:
        return check_token(der, sha256, tsa.chain, request.nonce)
    except TimestampError as error:
        raise TimestampError(f"the TSA {tsa.url} answered with a bad token: {error}") from None


def _timestamp(settings: EvidenceSettings, sha256: str) -> tuple[Token | None, str | None]:
    if settings.tsa is None:
        return None, "no time-stamping authority configured (MARSAD_TSA_URL)"
    try:
        return ask_tsa(settings.tsa, sha256), None
    except TimestampError as error:
        return None, str(error)


def _store_token(log: CustodyLog, item_id: int, token: Token, tsa: Tsa, actor: str) -> None:
    log.conn.execute(
        update(EvidenceItem)
        .where(EvidenceItem.id == item_id)
        .values(
            timestamp_token=token.der,
            timestamped_at=token.gen_time,
            timestamp_serial=token.serial,
            timestamp_tsa=tsa.url,
        )
    )
    log.append(
        actor,
        "timestamp",
        "trusted timestamp",
        item_id=item_id,
        detail={
            "token_sha256": token.sha256,
            "time": token.gen_time.isoformat(),
            "serial": token.serial,
            "tsa": tsa.url,
        },
    )


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
        token, error = _timestamp(settings, digests.sha256)
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
            _store_token(log, item_id, token, settings.tsa, actor)
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
        original = _item_row(conn, original_id)
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


def _item_row(conn: Connection, item_id: int) -> Any:
    row = conn.execute(select(EvidenceItem.__table__).where(EvidenceItem.id == item_id)).first()
    if row is None:
        raise EvidenceError(f"no evidence item {item_id}")
    return row


def timestamp_pending(
    engine: Engine, settings: EvidenceSettings, actor: str
) -> tuple[list[int], list[str]]:
    """Ask the TSA again for every item without a token: the items timestamped now, and a
    message for each that still has none."""
    if settings.tsa is None:
        raise EvidenceError("no time-stamping authority configured (MARSAD_TSA_URL)")
    with engine.connect() as conn:
        pending = conn.execute(
            select(EvidenceItem.id, EvidenceItem.sha256)
            .where(EvidenceItem.timestamp_token.is_(None))
            .order_by(EvidenceItem.id)
        ).all()
    done: list[int] = []
    failed: list[str] = []
    for row in pending:
        try:
            token = ask_tsa(settings.tsa, row.sha256)
        except TimestampError as error:
            failed.append(f"item {row.id}: {error}")
            continue
        with custody(engine, settings) as log:
            _store_token(log, row.id, token, settings.tsa, actor)
        done.append(row.id)
    return done, failed


# Looking at items.


@dataclass(frozen=True)
class Provenance:
    source: str
    file_name: str | None
    collected_by: str | None
    collected_on: str | None
    description: str | None
    person_id: int | None
    incident_id: int | None
    testimony_id: int | None
    added_by: str
    added_at: dt.datetime


@dataclass(frozen=True)
class ItemView:
    id: int
    sha256: str
    sha512: str
    size: int
    media_type: str
    capture: dict[str, Any]
    derived_from: int | None
    derivation: str | None
    added_by: str
    added_at: dt.datetime
    timestamped_at: dt.datetime | None
    timestamp_tsa: str | None
    provenances: list[Provenance] = field(default_factory=list)
    custody: list[Entry] = field(default_factory=list)


def withheld_items(conn: Connection) -> set[int]:
    """Items received only as recordings of testimonies whose consent was withdrawn: left out
    of every list and package (the custody log keeps them)."""
    rows = conn.execute(
        select(EvidenceProvenance.item_id, Testimony.withdrawn_at).outerjoin(
            Testimony, Testimony.id == EvidenceProvenance.testimony_id
        )
    ).all()
    withdrawn: set[int] = set()
    kept: set[int] = set()
    for row in rows:
        (withdrawn if row.withdrawn_at is not None else kept).add(int(row.item_id))
    return withdrawn - kept


def _provenances(conn: Connection, item_ids: Sequence[int]) -> dict[int, list[Provenance]]:
    found: dict[int, list[Provenance]] = {}
    rows = conn.execute(
        select(EvidenceProvenance.__table__, Source.name.label("source"))
        .join(Source, Source.id == EvidenceProvenance.source_id)
        .where(EvidenceProvenance.item_id.in_(list(item_ids)))
        .order_by(EvidenceProvenance.id)
    ).all()
    for p in rows:
        found.setdefault(p.item_id, []).append(
            Provenance(
                p.source,
                p.file_name,
                p.collected_by,
                p.collected_on,
                p.description,
                p.person_id,
                p.incident_id,
                p.testimony_id,
                p.added_by,
                p.added_at,
            )
        )
    return found


def _view(row: Any, provenances: list[Provenance], entries: list[Entry]) -> ItemView:
    return ItemView(
        row.id,
        row.sha256,
        row.sha512,
        row.size,
        row.media_type,
        dict(row.capture),
        row.derived_from_id,
        row.derivation,
        row.added_by,
        row.added_at,
        row.timestamped_at,
        row.timestamp_tsa,
        provenances,
        entries,
    )


def list_items(
    engine: Engine, incident_id: int | None = None, person_id: int | None = None
) -> list[ItemView]:
    """Items (newest first), optionally only those about an incident or a person; listing is
    not a custody event (no content is shown)."""
    with engine.connect() as conn:
        query = select(EvidenceItem.__table__).order_by(EvidenceItem.id.desc())
        if incident_id is not None or person_id is not None:
            about = select(EvidenceProvenance.item_id)
            if incident_id is not None:
                about = about.where(EvidenceProvenance.incident_id == incident_id)
            if person_id is not None:
                about = about.where(EvidenceProvenance.person_id == person_id)
            query = query.where(EvidenceItem.id.in_(about))
        rows = list(conn.execute(query))
        hidden = withheld_items(conn)
        rows = [r for r in rows if r.id not in hidden]
        provenances = _provenances(conn, [r.id for r in rows])
    return [_view(r, provenances.get(r.id, []), []) for r in rows]


def show_item(
    engine: Engine, settings: EvidenceSettings, item_id: int, actor: str, reason: str
) -> ItemView:
    """An item with its provenance and custody history; the viewing is itself logged."""
    with custody(engine, settings) as log:
        row = _item_row(log.conn, item_id)
        if row.id in withheld_items(log.conn):
            raise EvidenceError(f"evidence item {item_id} is withheld: consent was withdrawn")
        log.append(actor, "view", reason, item_id=item_id)
        provenances = _provenances(log.conn, [item_id])
        entries = custody_entries(log.conn, [item_id])
    return _view(row, provenances.get(item_id, []), entries)


def download_item(
    engine: Engine, settings: EvidenceSettings, item_id: int, out: Path, actor: str, reason: str
) -> Path:
    """Copy an original out of the store, checking its hash on the way; logged."""
    with engine.connect() as conn:
        row = _item_row(conn, item_id)
        if row.id in withheld_items(conn):
            raise EvidenceError(f"evidence item {item_id} is withheld: consent was withdrawn")
    name = Path(layout.original_name(row.sha256, row.media_type)).name
    target = out / name if out.is_dir() else out
    with custody(engine, settings) as log:
        _copy_checked(settings, row.sha256, target)
        log.append(actor, "download", reason, item_id=item_id, detail={"sha256": row.sha256})
    return target


def _copy_checked(settings: EvidenceSettings, sha256: str, target: Path) -> None:
    stored = settings.object_path(sha256)
    try:
        with stored.open("rb") as source, target.open("wb") as sink:
            copied = stream_digests(source, sink)
    except FileNotFoundError:
        raise EvidenceError(f"the stored file {sha256} is missing") from None
    if copied.sha256 != sha256:
        target.unlink()
        raise EvidenceError(f"the stored file {sha256} was altered: it no longer has its hash")


def transfer_item(
    engine: Engine, settings: EvidenceSettings, item_id: int, to: str, actor: str, reason: str
) -> None:
    """Record that an item (a copy, or the medium it came on) was handed to someone."""
    if not to.strip():
        raise EvidenceError("to whom? (--to)")
    with custody(engine, settings) as log:
        _item_row(log.conn, item_id)
        log.append(actor, "transfer", reason, item_id=item_id, detail={"to": to.strip()})


# Verification.


@dataclass(frozen=True)
class Verification:
    items: int
    tokens: int
    entries: int
    problems: list[str]
    not_timestamped: list[int]


def verify_evidence(engine: Engine, settings: EvidenceSettings, actor: str) -> Verification:
    """Re-hash every stored file, check every token against the TSA certificates and the
    custody chain (and the head outside the store), and cross-check items with the entries
    that recorded them. The run itself is logged with its outcome."""
    problems: list[str] = []
    tokens = 0
    not_timestamped: list[int] = []
    with engine.connect() as conn:
        items = list(conn.execute(select(EvidenceItem.__table__).order_by(EvidenceItem.id)))
        entries = custody_entries(conn)
    head = read_head(settings)
    for item in items:
        problems.extend(_check_file(settings, item))
        if item.timestamp_token is None:
            not_timestamped.append(item.id)
            continue
        tokens += 1
        if settings.chain is None:
            continue
        try:
            check_token(item.timestamp_token, item.sha256, settings.chain)
        except TimestampError as error:
            problems.append(f"item {item.id}: its timestamp token does not verify ({error})")
    if tokens and settings.chain is None:
        problems.append(
            "timestamp tokens cannot be checked: no TSA certificates (MARSAD_TSA_CERTS)"
        )
    problems.extend(check_chain(entries, head))
    problems.extend(_cross_check(items, entries))
    with custody(engine, settings) as log:
        log.append(
            actor,
            "verification",
            "marsad evidence verify",
            detail={"items": len(items), "entries": len(entries), "problems": len(problems)},
        )
    return Verification(len(items), tokens, len(entries), problems, not_timestamped)


def _check_file(settings: EvidenceSettings, item: Any) -> list[str]:
    path = settings.object_path(item.sha256)
    try:
        found = file_digests(path)
    except FileNotFoundError:
        return [f"item {item.id}: its stored file is missing ({path})"]
    except OSError as error:
        return [f"item {item.id}: its stored file cannot be read ({error.strerror})"]
    if (found.sha256, found.sha512, found.size) != (item.sha256, item.sha512, item.size):
        return [f"item {item.id}: its stored file was altered (the hashes differ) ({path})"]
    return []


def _cross_check(items: Sequence[Any], entries: Sequence[Entry]) -> list[str]:
    """Each item must match the hash its receipt recorded, and its token the one its last
    timestamp entry recorded: editing the store's rows alone shows."""
    received: dict[int, str] = {}
    token_recorded: dict[int, str] = {}
    for entry in entries:
        if entry.item_id is None:
            continue
        if entry.action in ("add", "derive", "redaction") and entry.item_id not in received:
            received[entry.item_id] = str(entry.detail.get("sha256"))
        elif entry.action == "timestamp":
            token_recorded[entry.item_id] = str(entry.detail.get("token_sha256"))
    problems = []
    known = {item.id for item in items}
    for item in items:
        if item.id not in received:
            problems.append(f"item {item.id}: no custody entry records its receipt")
        elif received[item.id] != item.sha256:
            problems.append(f"item {item.id}: its hash is not the one recorded at its receipt")
        recorded = token_recorded.get(item.id)
        if item.timestamp_token is None and recorded is not None:
            problems.append(f"item {item.id}: its timestamp token was removed")
        elif item.timestamp_token is not None and recorded != _sha256(item.timestamp_token):
            problems.append(
                f"item {item.id}: its timestamp token is not the one the custody log recorded"
            )
    for missing in sorted(set(received) - known):
        problems.append(f"item {missing}: recorded in the custody log but not in the store")
    return problems


# Packages for accountability mechanisms.


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
        provenances = _provenances(conn, [i.id for i in items])
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
            sums.append((name, _sha256(data)))

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
                sums.append((token, _sha256(item.timestamp_token)))
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
            sums_token, _ = _timestamp(settings, _sha256(sums_text.encode()))
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
