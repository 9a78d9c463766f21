"""Measured agreement of name_key with the hand-written variant table.

The table (tests/data/names/variant_pairs.csv) was written from public name knowledge before
the rules were tuned; the rules' author also wrote it, so the rates are an optimistic measure.
Failures are listed in docs/methodology-names.md.
"""

from __future__ import annotations

import csv
from pathlib import Path

from marsad.names import name_key

TABLE = Path(__file__).resolve().parents[1] / "data" / "names" / "variant_pairs.csv"


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _agreement(same: str) -> tuple[int, int]:
    rows = [r for r in _rows() if r["same"] == same]
    hits = sum((name_key(r["a"]) == name_key(r["b"])) == (same == "1") for r in rows)
    return hits, len(rows)


def test_table_shape() -> None:
    rows = _rows()
    assert len(rows) >= 300
    assert {r["same"] for r in rows} == {"0", "1"}
    assert all(r["a"] and r["b"] and r["note"] for r in rows)
    notes = " ".join(r["note"] for r in rows)
    for kind in ("cross-script", "latin", "arabic", "compound", "nonpair"):
        assert kind in notes


def test_variant_pairs_share_a_key() -> None:
    hits, total = _agreement("1")
    assert hits / total >= 0.95


def test_non_pairs_get_different_keys() -> None:
    hits, total = _agreement("0")
    assert hits / total >= 0.85
