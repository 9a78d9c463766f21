"""Verifying the evidence store: every file re-hashed, every token checked, the custody chain
and its head, and items cross-checked with the entries that recorded them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from marsad.evidence.custody import (
    Entry,
    check_chain,
)
from marsad.evidence.errors import EvidenceError, TimestampError
from marsad.evidence.hashing import file_digests
from marsad.evidence.timestamps import (
    check_token,
)
from marsad.services.evidence_custody import custody, custody_entries, read_head
from marsad.services.evidence_settings import EvidenceSettings
from marsad.store.evidence_tables import EvidenceItem


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
