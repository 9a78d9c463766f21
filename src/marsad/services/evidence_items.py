"""Looking at evidence items: their provenances and custody entries, withheld items (protected
witnesses), downloads and transfers (each a custody entry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from marsad.evidence import package as layout
from marsad.evidence.custody import (
    Entry,
)
from marsad.evidence.errors import EvidenceError
from marsad.evidence.hashing import stream_digests
from marsad.services.evidence_custody import custody, custody_entries
from marsad.services.evidence_settings import EvidenceSettings
from marsad.store.evidence_tables import EvidenceItem, EvidenceProvenance, Testimony
from marsad.store.models import Source


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
        row = item_row(log.conn, item_id)
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
        row = item_row(conn, item_id)
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
        item_row(log.conn, item_id)
        log.append(actor, "transfer", reason, item_id=item_id, detail={"to": to.strip()})


# Verification.


def item_row(conn: Connection, item_id: int) -> Any:
    row = conn.execute(select(EvidenceItem.__table__).where(EvidenceItem.id == item_id)).first()
    if row is None:
        raise EvidenceError(f"no evidence item {item_id}")
    return row
