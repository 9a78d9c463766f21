from __future__ import annotations

import csv
from pathlib import Path

import pytest

from marsad.domain.estimates import CaptureHistories
from marsad.estimate.histories import (
    drop_empty_lists,
    histories_from_patterns,
    merge_lists,
    read_histories_csv,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "mse"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lists.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(p.stem for p in DATA.glob("*.csv")))
def test_reference_tables_read_as_written(name: str) -> None:
    path = DATA / f"{name}.csv"
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    histories = read_histories_csv(path)
    assert histories.lists == tuple(k for k in rows[0] if k != "count")
    assert histories.observed == sum(int(row["count"]) for row in rows)
    for row in rows:
        pattern = tuple(int(row[name]) for name in histories.lists)
        assert histories.counts.get(pattern, 0) == int(row["count"])


def test_count_column_can_sit_anywhere_and_duplicates_add_up(tmp_path: Path) -> None:
    path = _write(tmp_path, "count,A,B,C\n2,1,0,0\n3,1,0,0\n1.0,0,1,1\n0,0,0,0\n\n")
    histories = read_histories_csv(path)
    assert histories.lists == ("A", "B", "C")
    assert histories.counts == {(0, 1, 1): 1, (1, 0, 0): 5}


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("A,B,C,count\n1,0,2,4\n", ["line 2", "column 'C'", "0 or 1"]),
        ("A,B,C,count\n1,0,0,4\n0,1,0,-1\n", ["line 3", "column 'count'", "negative"]),
        ("A,B,C,count\n1,0,0,2.5\n", ["line 2", "column 'count'", "whole number"]),
        ("A,B,C,count\n1,0,0,many\n", ["line 2", "column 'count'", "whole number"]),
        ("A,B,C,count\n0,0,0,3\n", ["line 2", "all-zero pattern"]),
        ("A,B,C,n\n1,0,0,3\n", ["no 'count' column"]),
        ("A,B,C,count\n1,0,3\n", ["line 2", "3 cells"]),
        ("A,A,C,count\n1,0,0,3\n", ["distinct"]),
    ],
)
def test_bad_tables_are_refused_with_file_line_and_column(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ValueError) as error:
        read_histories_csv(path)
    message = str(error.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message


def test_patterns_from_bits_and_from_sets_agree() -> None:
    lists = ("UN", "NGO", "Hospital")
    bits = [(1, 0, 0), (1, 1, 0), (0, 0, 1), (1, 1, 0)]
    sets = [{"UN"}, {"UN", "NGO"}, {"Hospital"}, frozenset({"NGO", "UN"})]
    from_bits = histories_from_patterns(lists, bits)
    from_sets = histories_from_patterns(lists, sets)
    assert from_bits == from_sets
    assert from_bits.counts == {(0, 0, 1): 1, (1, 0, 0): 1, (1, 1, 0): 2}


@pytest.mark.parametrize(
    ("pattern", "fragment"),
    [((0, 0, 0), "no list recorded"), ((1, 0), "expected 3"), ((1, 2, 0), "0 or 1")],
)
def test_bad_patterns_are_refused(pattern: tuple[int, ...], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        histories_from_patterns(("A", "B", "C"), [(1, 0, 0), pattern])


def test_unknown_list_in_a_set_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown lists"):
        histories_from_patterns(("A", "B", "C"), [{"A", "Z"}])


def test_merge_lists_is_a_logical_or_in_place_of_the_first_member() -> None:
    histories = CaptureHistories(
        lists=("A", "B", "C", "D"),
        counts={
            (1, 0, 0, 0): 5,
            (0, 1, 0, 0): 4,
            (0, 1, 0, 1): 3,
            (0, 0, 1, 1): 2,
            (1, 0, 0, 1): 1,
        },
    )
    merged = merge_lists(histories, {"BD": ["B", "D"]})
    assert merged.lists == ("A", "BD", "C")
    # A person on B, on D or on both is on the merged list once.
    assert merged.counts == {(1, 0, 0): 5, (0, 1, 0): 7, (0, 1, 1): 2, (1, 1, 0): 1}
    assert merged.observed == histories.observed


def test_merge_may_keep_a_member_name() -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 1, 0): 2, (0, 0, 1): 1})
    merged = merge_lists(histories, {"A": ["A", "B"]})
    assert merged.lists == ("A", "C")
    assert merged.counts == {(1, 0): 2, (0, 1): 1}


@pytest.mark.parametrize(
    ("groups", "fragment"),
    [
        ({"X": ["A", "Z"]}, "unknown list"),
        ({"X": ["A", "B"], "Y": ["B", "C"]}, "two merge groups"),
        ({"C": ["A", "B"]}, "clash"),
        ({"X": []}, "no members"),
    ],
)
def test_bad_merges_are_refused(groups: dict[str, list[str]], fragment: str) -> None:
    histories = CaptureHistories(("A", "B", "C"), {(1, 0, 0): 1})
    with pytest.raises(ValueError, match=fragment):
        merge_lists(histories, groups)


def test_drop_empty_lists_removes_only_lists_that_recorded_nobody() -> None:
    histories = CaptureHistories(
        lists=("A", "Empty", "B", "C"),
        counts={(1, 0, 0, 0): 4, (0, 0, 1, 1): 2, (0, 1, 0, 0): 0, (1, 0, 1, 0): 3},
    )
    kept = drop_empty_lists(histories)
    assert kept.lists == ("A", "B", "C")
    assert kept.counts == {(1, 0, 0): 4, (0, 1, 1): 2, (1, 1, 0): 3}
    assert drop_empty_lists(kept) == kept
