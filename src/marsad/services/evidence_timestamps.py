"""Trusted timestamps: asking the TSA (RFC 3161) and keeping its checked token, at receipt or
later for items that waited (`marsad evidence timestamp`)."""

from __future__ import annotations

import urllib.error
import urllib.request

from sqlalchemy import Engine, select, update

from marsad.evidence.errors import EvidenceError, TimestampError
from marsad.evidence.timestamps import (
    CONTENT_TYPE_QUERY,
    CONTENT_TYPE_REPLY,
    Token,
    check_token,
    request_for,
)
from marsad.services.evidence_custody import CustodyLog, custody
from marsad.services.evidence_settings import EvidenceSettings, Tsa
from marsad.store.evidence_tables import EvidenceItem

TSA_TIMEOUT_SECONDS = 30
MAX_TOKEN_BYTES = 1 << 20


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


def store_token(log: CustodyLog, item_id: int, token: Token, tsa: Tsa, actor: str) -> None:
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
            store_token(log, row.id, token, settings.tsa, actor)
        done.append(row.id)
    return done, failed


# Looking at items.
