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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from marsad.evidence import package as layout
from marsad.evidence.capture import capture_metadata
from marsad.evidence.custody import (
    ACTIONS,
    GENESIS,
    Entry,
    Head,
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
from marsad.services.sources import get_or_create_source
from marsad.store.models import (
    CustodyEvent,
    EvidenceItem,
    EvidenceProvenance,
    Incident,
    Source,
    Testimony,
    utcnow,
)

DERIVATIONS = ("redacted", "transcoded")
TSA_TIMEOUT_SECONDS = 30
MAX_TOKEN_BYTES = 1 << 20


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
        try:
            with self.conn.begin_nested():
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
        except IntegrityError:
            raise EvidenceError(
                f"the custody log cannot be extended: its newest entry ({seq - 1}) is already "
                "followed by another, so entries were moved; run `marsad evidence verify`"
            ) from None
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


def try_timestamp(settings: EvidenceSettings, sha256: str) -> tuple[Token | None, str | None]:
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


def provenances_of(conn: Connection, item_ids: Sequence[int]) -> dict[int, list[Provenance]]:
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
        provenances = provenances_of(conn, [r.id for r in rows])
    return [_view(r, provenances.get(r.id, []), []) for r in rows]


def find_item(engine: Engine, item_id: int) -> ItemView | None:
    """An item's metadata without its custody history (not withheld; not a custody event:
    no content is shown)."""
    with engine.connect() as conn:
        row = conn.execute(select(EvidenceItem.__table__).where(EvidenceItem.id == item_id)).first()
        if row is None or row.id in withheld_items(conn):
            return None
        provenances = provenances_of(conn, [item_id])
    return _view(row, provenances.get(item_id, []), [])


def show_item(
    engine: Engine, settings: EvidenceSettings, item_id: int, actor: str, reason: str
) -> ItemView:
    """An item with its provenance and custody history; the viewing is itself logged."""
    with custody(engine, settings) as log:
        row = _item_row(log.conn, item_id)
        if row.id in withheld_items(log.conn):
            raise EvidenceError(f"evidence item {item_id} is withheld: consent was withdrawn")
        log.append(actor, "view", reason, item_id=item_id)
        provenances = provenances_of(log.conn, [item_id])
        entries = custody_entries(log.conn, [item_id])
    return _view(row, provenances.get(item_id, []), entries)


def download_item(
    engine: Engine,
    settings: EvidenceSettings,
    item_id: int,
    out: Path,
    actor: str,
    reason: str,
    action: str = "download",
) -> Path:
    """Copy an original out of the store, checking its hash on the way; logged as `action`
    ("view" when a page shows it, e.g. an image's preview)."""
    if action not in ("download", "view"):
        raise EvidenceError(f"a copy out of the store is a download or a view, not {action!r}")
    with engine.connect() as conn:
        row = _item_row(conn, item_id)
        if row.id in withheld_items(conn):
            raise EvidenceError(f"evidence item {item_id} is withheld: consent was withdrawn")
    name = Path(layout.original_name(row.sha256, row.media_type)).name
    target = out / name if out.is_dir() else out
    with custody(engine, settings) as log:
        _copy_checked(settings, row.sha256, target)
        log.append(actor, action, reason, item_id=item_id, detail={"sha256": row.sha256})
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
    try:
        with custody(engine, settings) as log:
            log.append(
                actor,
                "verification",
                "marsad evidence verify",
                detail={"items": len(items), "entries": len(entries), "problems": len(problems)},
            )
    except EvidenceError as error:
        problems.append(f"this verification was not logged: {error}")
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


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
