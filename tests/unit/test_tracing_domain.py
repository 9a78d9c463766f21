"""Tracing's pure parts: reading a report row, consent scopes, grouping reports into cases, the
workflow's rules (two reviewers for a death), and the reasons given in plain words."""

from __future__ import annotations

import datetime as dt

import pytest

from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import ProfileError, builtin_profile
from marsad.linkage.model import default_model
from marsad.tracing import workflow
from marsad.tracing.cases import SoughtKeys, group_reports, same_sought
from marsad.tracing.compare import BIRTH_EPOCH, as_ages, level_labels, why
from marsad.tracing.consent import allows, narrowest, parse_consent, scopes_for
from marsad.tracing.reports import ReportFields, birth_years, parse_report, report_profile

TODAY = dt.date(2026, 1, 1)


def row(**cells: str) -> dict[str, str]:
    base = {"report_id": "R-1", "consent_scope": "partners", "name": "Mohammad Ahmad Al-Hasan"}
    return {**base, **cells}


def parse(**cells: str) -> ReportFields | list:  # type: ignore[type-arg]
    return parse_report(row(**cells), report_profile(None), default_gazetteer(), TODAY)


def test_a_good_row_reads_birth_years_from_the_age_at_disappearance() -> None:
    report = parse(age="34", last_seen_date="2025-03-06", governorate="اللاذقية", sex="ذكر")
    assert isinstance(report, ReportFields)
    assert (report.birth_year_min, report.birth_year_max) == (1991, 1991)
    assert report.governorate == "Lattakia" and report.pcode_adm1 == "SY06"
    assert report.sex == "male" and report.consent_scope == "partners"


def test_a_year_of_birth_wins_over_the_age() -> None:
    report = parse(age="34", year_of_birth="1989", last_seen_date="2025")
    assert isinstance(report, ReportFields)
    assert (report.birth_year_min, report.birth_year_max) == (1989, 1989)


def test_every_error_of_a_row_is_given_at_once() -> None:
    errors = parse(
        report_id="", consent_scope="everyone", year_of_birth="89", age="two hundred", name=""
    )
    assert isinstance(errors, list)
    fields = {e.field for e in errors}
    assert {"report_id", "consent_scope", "year_of_birth", "age", "name"} <= fields
    formula = parse(name_mother="=HYPERLINK(1)")
    assert isinstance(formula, list) and formula[0].field == "name_mother"


def test_consent_is_required() -> None:
    errors = parse(consent_scope="")
    assert isinstance(errors, list) and errors[0].field == "consent_scope"


def test_birth_years_of_ranges_and_open_ages() -> None:
    assert birth_years(30, 39, "2025-03") == (1986, 1995)
    assert birth_years(60, None, "2025") == (None, 1965)
    assert birth_years(None, None, "2025") == (None, None)
    assert birth_years(30, 30, None) == (None, None)
    assert as_ages(1991, 1991) == (BIRTH_EPOCH - 1991, BIRTH_EPOCH - 1991)
    assert as_ages(None, 1965) == (BIRTH_EPOCH - 1965, None)


@pytest.mark.parametrize(
    ("scope", "audience", "allowed"),
    [
        ("internal", "internal", True),
        ("internal", "partners", False),
        ("internal", "public", False),
        ("partners", "partners", True),
        ("partners", "public", False),
        ("public", "public", True),
        ("public", "internal", True),
        (None, "internal", False),
    ],
)
def test_a_scope_allows_its_audience_and_narrower_ones(
    scope: str | None, audience: str, allowed: bool
) -> None:
    assert allows(scope, audience) is allowed


def test_the_narrowest_consent_binds_a_case() -> None:
    assert narrowest(["public", "internal"]) == "internal"
    assert narrowest([]) is None
    assert scopes_for("partners") == ("partners", "public")
    assert parse_consent("الشركاء") == "partners"
    with pytest.raises(ValueError, match="consent scope"):
        parse_consent("everyone")


def keys(report: int, name: str, mother: str | None = None, born: int | None = None) -> SoughtKeys:
    return SoughtKeys.of(report, name, (None, None, None, None), mother, "male", (born, born))


def test_two_relatives_writing_one_name_in_two_scripts_open_one_case() -> None:
    a = keys(1, "Mohammad Ahmad Al-Hasan", "Fatima", 1991)
    b = keys(2, "محمد أحمد الحسن", "فاطمة", 1992)
    brother = keys(3, "Ali Ahmad Al-Hasan", "Fatima", 1995)
    namesake = keys(4, "Mohammad Ahmad Al-Hasan", "Zainab", 1991)
    assert same_sought(a, b)
    assert not same_sought(a, brother)
    assert not same_sought(a, namesake)
    assert group_reports([a, b, brother, namesake]) == [[1, 2], [3], [4]]
    cousin = keys(5, "Mohammad Ahmad Al-Ali", "Fatima", 1991)  # same father's name, other family
    assert not same_sought(a, cousin)
    parts_only = SoughtKeys.of(
        6, "", ("Mohammad", None, None, "Al-Hasan"), "Fatima", None, (None, None)
    )
    assert same_sought(a, parts_only)


def test_a_death_needs_two_distinct_reviewers_naming_one_person() -> None:
    detail = {"person_id": 7, "evidence": "hospital list"}
    first = workflow.apply("possible_match", [], "amal", "confirm_dead", detail)
    assert first.state_to == "possible_match"
    with pytest.raises(workflow.WorkflowError, match="second, different reviewer"):
        workflow.apply("possible_match", [first], "amal", "confirm_dead", detail)
    with pytest.raises(workflow.WorkflowError, match="same person"):
        workflow.apply(
            "possible_match", [first], "omar", "confirm_dead", {**detail, "person_id": 8}
        )
    second = workflow.apply("possible_match", [first], "omar", "confirm_dead", detail)
    assert second.state_to == "confirmed_dead" and second.detail["first_reviewer"] == "amal"


def test_the_workflow_refuses_steps_out_of_order_or_without_details() -> None:
    with pytest.raises(workflow.WorkflowError, match="needs where"):
        workflow.apply("open", [], "amal", "confirm_alive", {})
    with pytest.raises(workflow.WorkflowError, match="cannot be given notify"):
        workflow.apply("open", [], "amal", "notify", {"who": "a", "when": "b", "how": "c"})
    with pytest.raises(workflow.WorkflowError, match="cannot be given close"):
        workflow.apply("confirmed_alive", [], "amal", "close", {"reason": "x"})
    alive = workflow.apply("open", [], "amal", "confirm_alive", {"where": "a shelter in Homs"})
    told = workflow.apply(alive.state_to, [alive], "amal", "notify",
                          {"who": "mother", "when": "2025-04-01", "how": "visit"})  # fmt: skip
    assert workflow.apply(told.state_to, [alive, told], "amal", "close", {"reason": "reunited"})


def test_a_pending_death_lapses_when_the_case_moves_on() -> None:
    first = workflow.apply(
        "possible_match", [], "amal", "confirm_dead", {"person_id": 7, "evidence": "x"}
    )
    alive = workflow.apply("possible_match", [first], "omar", "confirm_alive", {"where": "home"})
    assert workflow.pending_death([first, alive]) is None


def test_reasons_in_plain_words_agreements_first() -> None:
    labels = level_labels(default_model())
    comparisons = ("first_key", "mother_key", "age")
    values = [
        labels["first_key"].index("Exact match on first_key"),
        labels["mother_key"].index("All other comparisons"),
        labels["age"].index("same age"),
    ]
    assert why(labels, comparisons, values, True) == [
        "tracing.why.same_first",
        "tracing.why.same_year",
        "tracing.why.scripts",
        "tracing.why.mother_differs",
    ]


def test_the_kobo_profile_reads_a_kobo_export() -> None:
    with pytest.raises(ProfileError):
        builtin_profile("kobo-missing")  # a report profile is not a list's
    from importlib import resources

    path = resources.files("marsad.ingest").joinpath("profiles/kobo-missing.yaml")
    profile = report_profile(str(path))
    cells = {"_uuid": "u-1", "reporter/consent": "2", "sought/full_name": "Omar Saleh",
             "sought/sex": "1", "sought/year_of_birth": "2000"}  # fmt: skip
    report = parse_report(cells, profile, default_gazetteer(), TODAY)
    assert isinstance(report, ReportFields)
    assert (report.report_id, report.consent_scope, report.sex) == ("u-1", "partners", "male")
