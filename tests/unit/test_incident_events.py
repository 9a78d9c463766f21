"""Candidate incident events and the counting rule: pure logic, no store."""

from __future__ import annotations

from dataclasses import replace

import pytest

from marsad.verify.incident_events import (
    IncidentReport,
    agree,
    event_count,
    explain,
    propose,
)


def report(id: int, source_id: int, **changes: object) -> IncidentReport:
    base = IncidentReport(
        id=id,
        source_id=source_id,
        source=f"source {source_id}",
        date="2025-03-07",
        governorate="SY06",
        place="Jableh",
        killed_min=10,
        killed_max=12,
        grade="fair",
    )
    return replace(base, **changes)


def test_two_sources_reporting_alike_are_one_candidate() -> None:
    found = propose([report(1, 1), report(2, 2)])
    assert [c.ids for c in found] == [(1, 2)]
    assert "same governorate SY06" in found[0].reason
    assert "overlap" in found[0].reason


def test_the_same_source_is_never_grouped() -> None:
    assert not agree(report(1, 1), report(2, 1))
    assert propose([report(1, 1), report(2, 1)]) == []
    found = propose([report(1, 1), report(2, 1), report(3, 2)])
    assert sorted(c.ids for c in found) == [(1, 3), (2, 3)]
    assert all(len({r.source_id for r in c.reports}) == len(c.reports) for c in found)


def test_arabic_and_latin_spellings_of_one_locality_are_grouped() -> None:
    found = propose([report(1, 1, place="جبلة"), report(2, 2, place="Jebleh")])
    assert [c.ids for c in found] == [(1, 2)]
    assert "same place" in found[0].reason


def test_different_places_are_not_grouped() -> None:
    assert propose([report(1, 1, place="بانياس"), report(2, 2, place="Jableh")]) == []


def test_a_place_given_by_one_report_only_does_not_keep_them_apart() -> None:
    found = propose([report(1, 1, place=None), report(2, 2)])
    assert [c.ids for c in found] == [(1, 2)]
    assert "1 of 2" in found[0].reason


def test_different_governorates_are_not_grouped() -> None:
    assert propose([report(1, 1), report(2, 2, governorate="SY10")]) == []
    assert propose([report(1, 1), report(2, 2, governorate=None)]) == []


@pytest.mark.parametrize(("date", "grouped"), [("2025-03-08", True), ("2025-03-12", False)])
def test_dates_one_day_apart_group_five_days_apart_do_not(date: str, grouped: bool) -> None:
    found = propose([report(1, 1), report(2, 2, date=date)])
    assert bool(found) is grouped
    if grouped:
        assert "1 day apart" in found[0].reason


def test_a_partial_date_cannot_be_placed_within_a_day() -> None:
    assert propose([report(1, 1, date="2025-03"), report(2, 2, date="2025-03")]) == []


def test_ranges_must_overlap_or_be_close() -> None:
    assert agree(report(1, 1), report(2, 2, killed_min=13, killed_max=14))
    assert not agree(report(1, 1), report(2, 2, killed_min=40, killed_max=50))
    close = explain([report(1, 1), report(2, 2, killed_min=14, killed_max=14)])
    assert "are close" in close


def test_three_sources_that_all_agree_are_one_candidate() -> None:
    found = propose([report(1, 1), report(2, 2), report(3, 3, date="2025-03-08")])
    assert [c.ids for c in found] == [(1, 2, 3)]


def test_a_chain_that_does_not_all_agree_is_offered_as_pairs() -> None:
    chain = [
        report(1, 1, date="2025-03-06"),
        report(2, 2, date="2025-03-07"),
        report(3, 3, date="2025-03-08"),
    ]
    found = propose(chain)
    assert [c.ids for c in found] == [(1, 2), (2, 3)]


def test_reports_already_in_one_event_are_not_proposed_again() -> None:
    grouped = [report(1, 1, event_id=1), report(2, 2, event_id=1)]
    assert propose(grouped) == []
    found = propose([*grouped, report(3, 3)])
    assert [c.ids for c in found] == [(1, 2, 3)]
    assert propose([*grouped, report(3, 2)]) == []


def test_an_event_counts_under_its_strongest_grade_and_that_grade_sets_the_range() -> None:
    reports = [("weak", 30, 40), ("fair", 8, 10), ("fair", 9, 12), ("contested", 1, 50)]
    assert event_count(reports) == ("fair", 9, 12)
    assert event_count([("confirmed", 5, 5), ("fair", 6, 9)]) == ("confirmed", 5, 5)


def test_an_event_is_discounted_only_when_every_report_is() -> None:
    assert event_count([("discounted", 4, 6), ("discounted", 3, 9)]) == ("discounted", 4, 9)
    assert event_count([("discounted", 4, 6), ("contested", 2, 3)]) == ("contested", 2, 3)


def test_an_event_without_reports_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one report"):
        event_count([])


def test_a_pair_a_reviewer_kept_apart_is_not_proposed() -> None:
    reports = [report(1, 1), report(2, 2), report(3, 3)]
    assert [c.ids for c in propose(reports)] == [(1, 2, 3)]
    found = sorted(c.ids for c in propose(reports, rejected={(1, 2)}))
    assert found == [(1, 3), (2, 3)]
    assert propose(reports[:2], rejected={(1, 2)}) == []
