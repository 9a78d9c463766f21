"""The custody chain detects every change: an edited, deleted, inserted or reordered entry,
and entries cut from its end (against the head kept outside the store). Property-based."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from marsad.evidence.custody import GENESIS, Entry, Head, chain_hash, check_chain, entry_body

START = dt.datetime(2025, 3, 7, 10, 0, 0, 123456)


def chain(specs: list[tuple[str, str, int | None, str]]) -> list[Entry]:
    entries: list[Entry] = []
    prev = GENESIS
    for seq, (actor, action, item, reason) in enumerate(specs, start=1):
        at = START + dt.timedelta(seconds=seq)
        body = entry_body(seq, at, actor, action, item, None, reason, {"n": seq})
        entry = Entry(seq, at, actor, action, item, None, reason, {"n": seq}, prev, "")
        entry = dataclasses.replace(entry, entry_hash=chain_hash(prev, body))
        entries.append(entry)
        prev = entry.entry_hash
    return entries


def head(entries: list[Entry]) -> Head:
    return Head(entries[-1].seq, entries[-1].entry_hash)


specs = st.lists(
    st.tuples(
        st.sampled_from(["amina", "omar", "سارة"]),
        st.sampled_from(["add", "view", "download", "transfer", "export"]),
        st.one_of(st.none(), st.integers(1, 50)),
        st.text(max_size=20),
    ),
    min_size=2,
    max_size=12,
)


@given(specs)
def test_a_whole_chain_verifies(spec: list[tuple[str, str, int | None, str]]) -> None:
    entries = chain(spec)
    assert check_chain(entries, head(entries)) == []
    assert check_chain(entries, None) == []


@given(specs, st.data())
def test_any_edited_field_is_detected(
    spec: list[tuple[str, str, int | None, str]], data: st.DataObject
) -> None:
    entries = chain(spec)
    index = data.draw(st.integers(0, len(entries) - 1))
    original = entries[index]
    change = data.draw(
        st.sampled_from(["actor", "action", "item_id", "reason", "detail", "at", "testimony_id"])
    )
    edited = {
        "actor": original.actor + "x",
        "action": "view" if original.action != "view" else "add",
        "item_id": (original.item_id or 0) + 1,
        "reason": original.reason + " ",
        "detail": {"n": -1},
        "at": original.at + dt.timedelta(microseconds=1),
        "testimony_id": 7,
    }[change]
    entries[index] = dataclasses.replace(original, **{change: edited})
    problems = check_chain(entries, head(entries))
    assert f"custody entry {original.seq} was changed after it was written" in problems


@given(specs, st.data())
def test_any_deleted_entry_is_detected(
    spec: list[tuple[str, str, int | None, str]], data: st.DataObject
) -> None:
    entries = chain(spec)
    written = head(entries)
    index = data.draw(st.integers(0, len(entries) - 1))
    del entries[index]
    problems = check_chain(entries, written)
    assert problems
    assert any(f"{index + 1}" in p and "missing" in p for p in problems)


@given(specs, st.data())
def test_any_reordering_is_detected(
    spec: list[tuple[str, str, int | None, str]], data: st.DataObject
) -> None:
    entries = chain(spec)
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    entries[i], entries[j] = entries[j], entries[i]
    assert check_chain(entries, head(chain(spec)))


@given(specs, st.data())
def test_a_rewritten_chain_is_caught_by_the_head(
    spec: list[tuple[str, str, int | None, str]], data: st.DataObject
) -> None:
    """Whoever rewrites the store can recompute every hash; the head outside it still shows."""
    entries = chain(spec)
    written = head(entries)
    index = data.draw(st.integers(0, len(spec) - 1))
    actor, action, item, reason = spec[index]
    forged = chain([*spec[:index], (actor, action, item, reason + "!"), *spec[index + 1 :]])
    assert check_chain(forged, None) == []
    assert check_chain(forged, written) == [
        f"custody entry {written.seq} is not the entry that was written"
    ]


def test_entries_cut_from_the_end_are_detected_by_the_head() -> None:
    entries = chain([("amina", "add", 1, ""), ("amina", "view", 1, ""), ("omar", "view", 1, "")])
    written = head(entries)
    assert check_chain(entries[:1], written) == [
        "custody entries 2–3 are missing: the log ends at entry 1, but entry 3 was written"
    ]
    assert check_chain([], written)[0].startswith("custody entries 1–3 are missing")
