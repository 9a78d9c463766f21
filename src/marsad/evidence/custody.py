"""The chain of custody: an append-only log in which every entry carries the hash of the one
before it, so that editing, deleting or reordering any entry breaks every hash after it.

An entry's hash is SHA-256 over the previous entry's hash (32 bytes) followed by the entry's
canonical JSON (keys sorted, no spaces, UTF-8). The first entry follows 64 zeros. Deleting
the newest entries leaves a shorter chain that is still whole, so the newest sequence number
and hash are also written outside the store (the head, `services.evidence`) and checked
against the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

ACTIONS = (
    "add",
    "derive",
    "view",
    "download",
    "export",
    "transfer",
    "redaction",
    "timestamp",
    "verification",
    "witness_added",
    "testimony",
    "consent_withdrawn",
    "witness_decrypt",
    "key_rotation",
)
"""What a custody entry records: receiving a file, deriving a working copy (redaction or
transcoding), viewing, downloading, exporting in a package, handing over, a trusted timestamp,
a verification run, a witness or a testimony recorded, consent withdrawn, a witness's identity
decrypted, the witness key rotated."""


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    item_id: int | None
    testimony_id: int | None
    reason: str
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str

    def body(self) -> dict[str, Any]:
        return entry_body(
            self.seq,
            self.at,
            self.actor,
            self.action,
            self.item_id,
            self.testimony_id,
            self.reason,
            self.detail,
        )


@dataclass(frozen=True)
class Head:
    """The newest entry as last written outside the store."""

    seq: int
    entry_hash: str


def entry_body(
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    item_id: int | None,
    testimony_id: int | None,
    reason: str,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "item": item_id,
        "testimony": testimony_id,
        "reason": reason,
        "detail": detail,
    }


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical(body)).hexdigest()


def check_chain(entries: Iterable[Entry], head: Head | None) -> list[str]:
    """Every break in the chain, each naming the entry where it shows; empty if whole.

    `entries` must come in the order of their sequence numbers."""
    problems: list[str] = []
    expected_seq = 1
    prev = GENESIS
    last: Entry | None = None
    at_head: str | None = None
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                problems.append(
                    f"custody entries {_span(expected_seq, entry.seq - 1)} are missing "
                    f"(entry {entry.seq} follows entry {expected_seq - 1})"
                )
            else:
                problems.append(f"custody entry {entry.seq} is out of order or repeated")
        if entry.prev_hash != prev:
            problems.append(
                f"custody entry {entry.seq} does not follow the entry before it "
                "(an entry was deleted, inserted or moved before it)"
            )
        if chain_hash(entry.prev_hash, entry.body()) != entry.entry_hash:
            problems.append(f"custody entry {entry.seq} was changed after it was written")
        if head is not None and entry.seq == head.seq:
            at_head = entry.entry_hash
        prev = entry.entry_hash
        expected_seq = max(expected_seq, entry.seq) + 1
        last = entry
    if head is not None:
        if last is None or last.seq < head.seq:
            newest = 0 if last is None else last.seq
            problems.append(
                f"custody entries {_span(newest + 1, head.seq)} are missing: the log ends at "
                f"entry {newest}, but entry {head.seq} was written"
            )
        elif at_head != head.entry_hash:
            problems.append(f"custody entry {head.seq} is not the entry that was written")
    return problems


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"
