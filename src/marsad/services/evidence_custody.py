"""The custody log: entries appended in the transaction of each operation, and the newest
entry written to `custody.head` outside the store after commit, so that deleting the newest
entries from the store shows."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from marsad.evidence.custody import (
    ACTIONS,
    GENESIS,
    Entry,
    Head,
    chain_hash,
    entry_body,
)
from marsad.evidence.errors import EvidenceError
from marsad.services.evidence_settings import EvidenceSettings
from marsad.store.evidence_tables import CustodyEvent
from marsad.store.models import utcnow


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
