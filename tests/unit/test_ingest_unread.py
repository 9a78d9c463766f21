"""The import's report of values not understood, and rows of any content never crash parsing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsad.domain.records import OPTIONAL_READ, STANDARD_COLUMNS
from marsad.ingest import unread
from marsad.ingest.parse import parse_row
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import standard_profile
from marsad.ingest.unread import REPORT_VALUES, UnreadTally

HEADERS = {
    "record_id": "id",
    "name": "Nom complet",
    "sex": "Sexe",
    "age": "Âge",
    "locality": "Lieu",
}


def row(**cells: str) -> dict[str, str]:
    """A row of the file HEADERS describes, every column present."""
    return {header: cells.get(field, "") for field, header in HEADERS.items()}


def tally_of(rows: list[dict[str, str]]) -> UnreadTally:
    profile = standard_profile().header_map(HEADERS.values())
    assert profile == HEADERS, "the French headers are found by the standard profile"
    tally = UnreadTally(HEADERS)
    for cells in rows:
        tally.add(cells, parse_row(cells, standard_profile(), default_gazetteer()))
    return tally


def test_values_are_counted_per_field_most_frequent_first() -> None:
    rows = [
        *(row(record_id=f"h{i}", name="Ali", sex="H", age="30") for i in range(5)),
        *(row(record_id=f"q{i}", name="Ali", sex="Homme?", age="trente") for i in range(3)),
        row(record_id="x", name="Ali", sex="homme ?", age="30"),
        row(record_id="y", name="Ali", sex="Hommes?", age="30"),
        row(record_id="z", name="Ali", sex="Homme?"),
    ]
    report = tally_of(rows).report()
    assert list(report) == ["sex", "age"], "fields in the standard order"
    assert report["sex"] == {
        "count": 6,
        "values": [["Homme?", 4], ["Hommes?", 1], ["homme ?", 1]],
        "other": 0,
    }
    assert report["age"] == {"count": 3, "values": [["trente", 3]], "other": 0}


def test_the_report_keeps_the_most_frequent_values_and_counts_the_rest() -> None:
    rows = [
        row(record_id=str(i), name="Ali", sex=f"code {i % (REPORT_VALUES + 5)}") for i in range(200)
    ]
    found = tally_of(rows).report()["sex"]
    assert found["count"] == 200
    assert len(found["values"]) == REPORT_VALUES
    assert found["other"] == 200 - sum(count for _, count in found["values"])
    counts = [count for _, count in found["values"]]
    assert counts == sorted(counts, reverse=True)


def test_distinct_values_tracked_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(unread, "TRACKED_VALUES", 3)
    rows = [row(record_id=str(i), name="Ali", sex=f"v{i}") for i in range(10)]
    rows.append(row(record_id="again", name="Ali", sex="v0"))
    found = tally_of(rows).report()["sex"]
    assert found["count"] == 11
    assert found["values"] == [["v0", 2], ["v1", 1], ["v2", 1]]
    assert found["other"] == 7


def test_a_long_value_is_cut_in_the_report() -> None:
    found = tally_of([row(record_id="1", name="Ali", sex="x" * 300)]).report()["sex"]
    assert len(found["values"][0][0]) == unread.SHOWN_CHARS


def test_warnings_name_the_list_and_the_field_of_columns_that_gave_nothing() -> None:
    rows = [
        row(record_id="1", name="Ali", sex="Homme?", age="-", locality=""),
        row(record_id="2", name="Omar", sex="Femme?", age="unknown", locality=" "),
    ]
    warnings = tally_of(rows).warnings("Liste FR", "liste.csv")
    assert warnings == [
        "list 'Liste FR' (liste.csv): field sex (column 'Sexe'): no value could be read; "
        "the field is left unknown",
        "list 'Liste FR' (liste.csv): field age (column 'Âge') is empty in every row",
        "list 'Liste FR' (liste.csv): field locality (column 'Lieu') is empty in every row",
    ]


def test_a_status_column_never_read_says_its_rows_are_in_quarantine() -> None:
    tally = UnreadTally({"status": "Statut"})
    cells = {"record_id": "1", "name": "Ali", "Statut": "vivant"}
    parsed = parse_row(cells, standard_profile(), default_gazetteer())
    assert parsed.record is None and [e.field for e in parsed.errors] == ["status"]
    tally.add(cells, parsed)
    assert tally.report()["status"]["values"] == [["vivant", 1]]
    [warning] = tally.warnings("S", "f.csv")
    assert "field status (column 'Statut')" in warning and "quarantine" in warning


def test_one_readable_value_settles_a_column() -> None:
    rows = [row(record_id="1", name="Ali", sex="?!", age="30", locality="Jablah")]
    rows += [row(record_id=str(i), name="Ali", sex="H") for i in range(2, 5)]
    assert tally_of(rows).warnings("S", "f.csv") == []


CELL = st.text(max_size=30) | st.sampled_from(["", " ", "-", "H", "٣٠", "=1", "ﺫﻛﺮ", "SY06"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.dictionaries(st.sampled_from(STANDARD_COLUMNS), CELL))
def test_no_row_of_any_content_or_script_makes_parsing_raise(cells: dict[str, str]) -> None:
    parsed = parse_row(cells, standard_profile(), default_gazetteer())
    assert (parsed.record is None) == bool(parsed.errors)
    if parsed.record is not None:
        assert {e.field for e in parsed.unread} <= set(OPTIONAL_READ)
    tally = UnreadTally({field: field for field in cells})
    tally.add(cells, parsed)
    tally.report()
    tally.warnings("S", "f.csv")
