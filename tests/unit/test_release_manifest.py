"""Release manifests: canonical hashes and differences told in words."""

from __future__ import annotations

from marsad.publish.release import compare, differences, sha256_of


def manifest(reported: int, imports: list[dict[str, object]]) -> dict[str, object]:
    return {
        "inputs": {"imports": imports},
        "settings": {"verification_rules": {"sha256": "abc"}},
        "decisions": {"links": {"count": 2, "sha256": "d"}},
        "numbers": {"counts": {"totals": {"reported": reported}}},
        "created_at": "not compared",
    }


IMPORT_A = {"sha256": "a" * 64, "file_name": "a.csv", "rows_total": 10}
IMPORT_B = {"sha256": "b" * 64, "file_name": "b.csv", "rows_total": 3}


def test_hash_ignores_key_order_but_not_values() -> None:
    assert sha256_of({"x": 1, "y": [1, 2]}) == sha256_of({"y": [1, 2], "x": 1})
    assert sha256_of({"x": 1}) != sha256_of({"x": 2})
    assert sha256_of([1, 2]) != sha256_of([2, 1])


def test_identical_manifests_have_no_difference() -> None:
    assert compare(manifest(5, [IMPORT_A]), manifest(5, [IMPORT_A])) == []


def test_differences_name_the_import_and_the_number() -> None:
    then = manifest(5, [IMPORT_A])
    now = {**manifest(6, [IMPORT_A, IMPORT_B]), "created_at": "another day"}
    lines = compare(then, now)
    assert len(lines) == 2
    assert lines[0].startswith("inputs.imports[bbbbbbbbbbbb…]: added b.csv (3 rows")
    assert lines[1] == "numbers.counts.totals.reported: 5 → 6"


def test_a_removed_import_and_a_changed_setting() -> None:
    then = manifest(5, [IMPORT_A, IMPORT_B])
    now = manifest(5, [IMPORT_A])
    now["settings"] = {"verification_rules": {"sha256": "xyz"}}
    lines = compare(then, now)
    assert any("removed b.csv" in line for line in lines)
    assert 'settings.verification_rules.sha256: "abc" → "xyz"' in lines


def test_lists_without_keys_compare_whole() -> None:
    assert differences([1, 2], [1, 3], "x") == ["x: [1,2] → [1,3]"]
    assert differences({"a": 1}, {"b": 1}) == ["a: removed (was 1)", "b: added 1"]
