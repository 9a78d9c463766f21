"""Property-based: whatever byte of a stored file is flipped, whichever custody entry is
deleted, edited or moved, whichever two tokens are swapped, `verify` reports it. Each example
works on a fresh copy of one store (SQLite file and evidence directory)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from marsad.services.evidence import Receipt, add_evidence
from marsad.services.evidence_items import show_item, transfer_item
from marsad.services.evidence_settings import EvidenceSettings
from marsad.services.evidence_verify import verify_evidence
from marsad.store.db import make_engine, migrate
from marsad.store.evidence_tables import CustodyEvent, EvidenceItem
from tests.integration.evidence_helpers import as_insider, photo
from tests.integration.evidence_helpers import settings as tsa_settings
from tests.tsa import TimestampAuthority


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, tsa: TimestampAuthority) -> Iterator[Path]:
    """A store with three timestamped items and a few views and transfers."""
    root = tmp_path_factory.mktemp("pristine")
    engine = make_engine(f"sqlite:///{root / 'marsad.db'}")
    migrate(engine)
    config = tsa_settings(tsa, root / "evidence")
    files = [photo(root / f"{c}.jpg", c) for c in ("red", "green", "blue")]
    added = add_evidence(engine, config, files, Receipt("Field team"), "amina")
    for a in added:
        show_item(engine, config, a.item_id, "omar", "review")
    transfer_item(engine, config, added[0].item_id, "IIIM", "amina", "copy sent")
    assert verify_evidence(engine, config, "auditor").problems == []
    engine.dispose()
    yield root


def copy(pristine: Path, where: Path, tsa: TimestampAuthority) -> tuple[str, EvidenceSettings]:
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(pristine, where)
    return f"sqlite:///{where / 'marsad.db'}", tsa_settings(tsa, where / "evidence")


SLOW = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SLOW
@given(st.data())
def test_any_flipped_byte_of_any_file_is_detected(
    pristine: Path, tsa: TimestampAuthority, tmp_path: Path, data: st.DataObject
) -> None:
    url, config = copy(pristine, tmp_path / "store", tsa)
    engine = make_engine(url)
    with engine.connect() as conn:
        items = conn.execute(select(EvidenceItem.id, EvidenceItem.sha256)).all()
    item = data.draw(st.sampled_from(items))
    stored = config.object_path(item.sha256)
    size = stored.stat().st_size
    offset = data.draw(st.integers(0, size - 1))
    bit = data.draw(st.integers(0, 7))
    os.chmod(stored, 0o644)
    content = bytearray(stored.read_bytes())
    content[offset] ^= 1 << bit
    stored.write_bytes(bytes(content))
    problems = verify_evidence(engine, config, "auditor").problems
    engine.dispose()
    assert problems == [
        f"item {item.id}: its stored file was altered (the hashes differ) ({stored})"
    ]


@SLOW
@given(st.data())
def test_any_deleted_edited_or_moved_entry_is_detected(
    pristine: Path, tsa: TimestampAuthority, tmp_path: Path, data: st.DataObject
) -> None:
    url, config = copy(pristine, tmp_path / "store", tsa)
    engine = make_engine(url)
    with engine.begin() as conn:
        as_insider(conn)
        newest = int(conn.scalar(select(func.max(CustodyEvent.seq))) or 0)
        seq = data.draw(st.integers(1, newest))
        change = data.draw(st.sampled_from(["delete", "edit", "move"]))
        entry = CustodyEvent.seq == seq
        if change == "delete":
            conn.execute(delete(CustodyEvent).where(entry))
        elif change == "edit":
            field = data.draw(st.sampled_from(["actor", "reason", "action", "at", "detail"]))
            row = conn.execute(select(CustodyEvent.__table__).where(entry)).one()
            value = {
                "actor": row.actor + "!",
                "reason": row.reason + "!",
                "action": "view" if row.action != "view" else "download",
                "at": row.at.replace(microsecond=(row.at.microsecond + 1) % 1_000_000),
                "detail": {**row.detail, "edited": True},
            }[field]
            conn.execute(update(CustodyEvent).where(entry).values({field: value}))
        else:
            other = data.draw(st.integers(1, newest).filter(lambda s: s != seq))
            conn.execute(update(CustodyEvent).where(entry).values(seq=-1))
            conn.execute(update(CustodyEvent).where(CustodyEvent.seq == other).values(seq=seq))
            conn.execute(update(CustodyEvent).where(CustodyEvent.seq == -1).values(seq=other))
    problems = verify_evidence(engine, config, "auditor").problems
    engine.dispose()
    assert problems
    assert any(f"entry {seq}" in p or f"entries {seq}" in p for p in problems), problems


@SLOW
@given(st.data())
def test_any_swapped_tokens_are_detected(
    pristine: Path, tsa: TimestampAuthority, tmp_path: Path, data: st.DataObject
) -> None:
    url, config = copy(pristine, tmp_path / "store", tsa)
    engine = make_engine(url)
    with engine.begin() as conn:
        tokens = dict(conn.execute(select(EvidenceItem.id, EvidenceItem.timestamp_token)).all())
        first = data.draw(st.sampled_from(sorted(tokens)))
        second = data.draw(st.sampled_from(sorted(tokens)).filter(lambda i: i != first))
        conn.execute(
            update(EvidenceItem)
            .where(EvidenceItem.id == first)
            .values(timestamp_token=tokens[second])
        )
    problems = verify_evidence(engine, config, "auditor").problems
    engine.dispose()
    assert f"item {first}: its timestamp token does not verify (Mismatch between messages)" in (
        problems
    )
    assert f"item {first}: its timestamp token is not the one the custody log recorded" in (
        problems
    )
