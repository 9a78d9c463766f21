"""Encoded lists: the shared schema, keyed Bloom filters of cross-script name keys, and the
comparisons the linkage unit makes of them."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from marsad.linkage.features import LinkageRecord, features_frame
from marsad.overlap.compare import (
    Combined,
    bit_counts,
    candidate_pairs,
    group_sizes,
    name_similarity,
)
from marsad.overlap.encoding import EncodedList, Encoder, age_band_tokens, qgrams
from marsad.overlap.schema import SchemaError, default_schema_text, load_schema, parse_schema
from tests.unit.linkage_records import record as linkage_record

SECRET = b"0123456789abcdef0123456789abcdef"


def record(index: int, name: str, **fields: Any) -> LinkageRecord:
    """A killed man of 30, on 7 March 2025 in Lattakia, unless `fields` say otherwise."""
    known: dict[str, Any] = {
        "sex": "m",
        "age_min": 30,
        "age_max": 30,
        "date_of_death": "2025-03-07",
        "pcode_adm1": "SY07",
    }
    return linkage_record(index, name, **(known | fields))


def encode(records: list[LinkageRecord], secret: bytes = SECRET, label: str = "A") -> EncodedList:
    encoder = Encoder(load_schema(), secret)
    flags = [True] * len(records)
    return encoder.encode(
        label, [str(r.id) for r in records], features_frame(records), flags, flags
    )


def dice(encoded: EncodedList, a: int, b: int) -> float:
    counts = bit_counts(encoded.names)
    pair = np.array([a]), np.array([b])
    return float(name_similarity(encoded.names, encoded.parts, counts, *pair)[0])


def test_default_schema_loads_and_its_fingerprint_ignores_layout() -> None:
    schema = load_schema()
    assert schema.label == "marsad-default/2"
    data = yaml.safe_load(default_schema_text())
    assert parse_schema(data).fingerprint == schema.fingerprint
    data["version"] += 1
    assert parse_schema(data).fingerprint != schema.fingerprint


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d["names"].update(filter_bits=1000), "filter_bits"),
        (lambda d: d["names"]["hashes"].update(nickname=3), "names.hashes"),
        (lambda d: d["names"]["hashes"].update(first=0), "first"),
        (lambda d: d["coarse"].update(fields=["year", "year"]), "coarse.fields"),
        (lambda d: d["blocking"]["rules"].append(["first", "shoe_size"]), "blocking rule 7"),
        (lambda d: d.pop("version"), "version"),
    ],
)
def test_a_bad_schema_names_the_key(change: Any, named: str, tmp_path: Path) -> None:
    data = yaml.safe_load(default_schema_text())
    change(data)
    path = tmp_path / "schema.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SchemaError, match=named) as raised:
        load_schema(path)
    assert str(path) in str(raised.value)


def test_qgrams_are_padded() -> None:
    assert qgrams("ali", 2) == ["_a", "al", "li", "i_"]
    assert qgrams("al", 3) == ["__a", "_al", "al_", "l__"]


def test_age_bands_hold_neighbours_and_leave_wide_ages_out() -> None:
    assert age_band_tokens(30, 30, 5) == ("5", "6", "7")
    assert age_band_tokens(2, 2, 5) == ("0", "1")
    assert age_band_tokens(18, 60, 5) == ()
    assert age_band_tokens(None, None, 5) == ()


def test_arabic_and_latin_spellings_of_one_name_encode_alike() -> None:
    encoded = encode(
        [
            record(0, "محمد أحمد الحسن"),
            record(1, "Mohammad Ahmad al-Hassan"),
            record(2, "Mouhamed Ahmed Hasan"),
            record(3, "خالد أحمد الحسن"),
        ]
    )
    assert dice(encoded, 0, 1) > 0.95
    assert dice(encoded, 0, 2) > 0.85
    assert dice(encoded, 0, 3) < dice(encoded, 0, 2)
    # Brothers: the first name sets the most bits, so their filters clearly disagree.
    assert dice(encoded, 0, 3) < 0.8


def test_without_the_secret_the_encodings_are_unrelated() -> None:
    names = [record(0, "محمد أحمد الحسن")]
    ours, theirs = encode(names), encode(names, secret=b"another secret of 32 bytes......")
    common = int(bit_counts(ours.names & theirs.names)[0])
    assert common < 0.3 * int(bit_counts(ours.names)[0])
    tokens = {t for t in ours.blocks[0].tolist() if t >= 0}
    assert tokens and not tokens & set(theirs.blocks[0].tolist())
    assert ours.row_ids != theirs.row_ids


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        Encoder(load_schema(), b"short")


def test_row_ids_are_opaque_stable_and_distinct_for_repeated_record_ids() -> None:
    encoder = Encoder(load_schema(), SECRET)
    ids = encoder.row_ids("A", ["SMN-1", "SMN-1", "SMN-2"])
    assert len(set(ids)) == 3
    assert ids == encoder.row_ids("A", ["SMN-1", "SMN-1", "SMN-2"])
    assert encoder.row_ids("B", ["SMN-1"])[0] != ids[0]
    assert all("SMN" not in row_id and len(row_id) == 16 for row_id in ids)


def test_unknown_fields_encode_as_nothing() -> None:
    encoded = encode([record(0, "Ali Hassan", sex=None, age_min=None, age_max=None)])
    columns = {field: j for j, field in enumerate(load_schema().coarse_fields)}
    assert encoded.coarse[0, columns["sex"]] == 0
    assert encoded.coarse[0, columns["age"]] == 0
    assert encoded.coarse[0, columns["year"]] != 0
    assert encoded.parts[0] == 0b1001  # first and family of NAME_PARTS


def test_candidate_pairs_are_every_pair_sharing_a_token_once() -> None:
    rng = np.random.default_rng(5)
    blocks = rng.integers(-1, 6, size=(60, 3))
    a, b = candidate_pairs(blocks)
    expected = {
        (i, j)
        for i, j in itertools.combinations(range(60), 2)
        if any(blocks[i, r] >= 0 and blocks[i, r] == blocks[j, r] for r in range(3))
    }
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == sorted(expected)


def test_name_similarity_is_dice_or_overlap_when_parts_differ() -> None:
    names = np.array([[0b1111, 0], [0b0111, 0], [0b0011, 1]], dtype=np.uint64)
    parts = np.array([0b1001, 0b1001, 0b1111], dtype=np.uint8)
    counts = bit_counts(names)
    a, b = np.array([0, 0, 1]), np.array([1, 2, 2])
    similarity = name_similarity(names, parts, counts, a, b)
    assert similarity.tolist() == pytest.approx([2 * 3 / 7, 2 / 3, 2 / 3])


def test_group_sizes_count_equal_keys() -> None:
    assert group_sizes(np.array([7, 3, 7, 7, 1])).tolist() == [3, 1, 3, 3, 1]


def test_combined_keeps_the_order_of_lists() -> None:
    first = encode([record(0, "Ali Hassan"), record(1, "Omar Hassan")], label="A")
    second = encode([record(0, "Ali Hassan")], label="B")
    combined = Combined.of([first, second], load_schema().blocking_rules)
    assert combined.lists == ("A", "B")
    assert combined.list_of.tolist() == [0, 0, 1]
    assert combined.first_rules == (True, True, True, False, True, False)
