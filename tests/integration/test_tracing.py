"""Tracing on SQLite and PostgreSQL: reports ingested into cases (bad rows quarantined, a crash
leaving the store as it was), reporters' contacts sealed and opened only by the tracing role,
the workflow's steps audited, consent withdrawal, matching against the persons of the store,
and the consent of every case honoured by every read, match and export (property-based)."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, select, text

from marsad.errors import InputError, NotFound, PermissionDenied
from marsad.evidence.errors import WitnessKeyError
from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.tracing_cases import (
    act_on_case,
    readable_cases,
    resolve_case,
    reveal_reporter,
    stored_candidates,
    withdraw_report,
)
from marsad.services.tracing_export import export_open_cases
from marsad.services.tracing_ingest import ingest_reports
from marsad.services.tracing_match import match_cases
from marsad.services.users import add_user
from marsad.store.models import AuditEvent, QuarantineEntry, Record
from marsad.store.tracing_tables import MissingReport, TracingCandidate, TracingCase, TracingStep
from marsad.tracing.consent import AUDIENCES, CONSENT_SCOPES, allows
from marsad.tracing.reports import REPORT_COLUMNS
from tests.integration.evidence_helpers import kek
from tests.integration.helpers import write_csv

CONTACT = "+963 944 000 111"
REPORTER = "فاطمة الحسن"
PASSWORD = "correct horse battery staple 9"


def report(report_id: str, name: str, scope: str = "partners", **extra: str) -> dict[str, str]:
    return {"report_id": report_id, "name": name, "consent_scope": scope, **extra}


REPORTS = [
    report("R-1", "Mohammad Ahmad Al-Hasan", reporter_name=REPORTER, reporter_contact=CONTACT,
           reporter_relationship="mother", name_mother="Fatima", sex="male", year_of_birth="1991",
           last_seen_date="2025-03-06", governorate="Lattakia"),
    report("R-2", "محمد أحمد الحسن", "internal", name_mother="فاطمة", sex="ذكر", age="33",
           last_seen_date="2025-03-06", reporter_relationship="brother"),
    report("R-3", "Omar Saleh Al-Ali", "public", name_mother="Huda", age="25",
           reported_on="2025-03-21", reporter_relationship="wife"),
    report("R-4", "Nobody", "everyone"),
]  # fmt: skip
LIST = [
    {"record_id": "1", "name": "محمد أحمد الحسن", "name_mother": "فاطمة", "sex": "male",
     "age": "34", "date_of_death": "2025-03-07", "governorate": "Lattakia", "status": "killed"},
    {"record_id": "2", "name": "علي حسين العلي", "name_mother": "زينب", "sex": "male",
     "age": "20", "date_of_death": "2025-03-08", "governorate": "Tartous", "status": "killed"},
    {"record_id": "3", "name": "Khaled Mahmoud Al-Sayed", "name_mother": "Maryam", "sex": "male",
     "age": "40", "date_of_death": "2025-03-08", "governorate": "Tartous", "status": "detained"},
]  # fmt: skip


def reports_file(path: Path, rows: list[dict[str, str]] = REPORTS) -> Path:
    return write_csv(path, rows, REPORT_COLUMNS)


@pytest.fixture
def tracers(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher

    from marsad.services import users

    monkeypatch.setattr(
        users, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    add_user(engine, "amal", PASSWORD, "tracing")
    add_user(engine, "omar", PASSWORD, "tracing")
    add_user(engine, "root", PASSWORD, "admin")
    add_user(engine, "rev", PASSWORD, "reviewer")


def test_reports_become_cases_bad_rows_go_to_quarantine(engine: Engine, tmp_path: Path) -> None:
    key = kek()
    summary = ingest_reports(engine, reports_file(tmp_path / "r.csv"), "Tracing desk", "t", kek=key)
    assert (summary.rows_recorded, summary.rows_quarantined) == (3, 1)
    assert (summary.cases_opened, summary.cases_joined) == (2, 0)
    with engine.connect() as conn:
        entry = conn.execute(select(QuarantineEntry.__table__)).one()
        assert (entry.record_id, entry.field, entry.subject) == (
            "R-4",
            "consent_scope",
            "missing_report",
        )
        views = readable_cases(conn, "internal")
        assert [[r.report_ref for r in v.reports] for v in views] == [["R-1", "R-2"], ["R-3"]]
        assert views[0].consent_scope == "internal"  # the brother's consent binds the case
        assert conn.scalar(select(func.count()).select_from(Record)) == 0  # never records
    again = ingest_reports(engine, reports_file(tmp_path / "r.csv"), "Tracing desk", "t", kek=key)
    assert again.already_imported
    later = reports_file(tmp_path / "later.csv", [report("R-9", "Mohamad Ahmed Al-Hassan",
                         "public", name_mother="Fatma", year_of_birth="1991")])  # fmt: skip
    joined = ingest_reports(engine, later, "Another desk", "t")
    assert (joined.cases_opened, joined.cases_joined) == (0, 1)


def test_a_file_with_contacts_needs_the_key_and_leaves_the_store_as_it_was(
    engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="row 2 gives a reporter's name or contact"):
        ingest_reports(engine, reports_file(tmp_path / "r.csv"), "Tracing desk", "t")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(MissingReport)) == 0
        assert conn.scalar(select(func.count()).select_from(TracingCase)) == 0


def test_the_contact_is_sealed_and_opened_only_by_the_tracing_role(
    engine: Engine, tmp_path: Path, tracers: None
) -> None:
    key = kek()
    ingest_reports(engine, reports_file(tmp_path / "r.csv"), "Tracing desk", "t", kek=key)
    with engine.connect() as conn:
        dump = b"".join(
            v if isinstance(v, bytes) else str(v).encode()
            for r in conn.execute(text("SELECT * FROM missing_reports")) for v in r
        )  # fmt: skip
    assert CONTACT.encode() not in dump and REPORTER.encode() not in dump
    for who in ("root", "rev", "nobody"):
        with pytest.raises(PermissionDenied):
            reveal_reporter(engine, key, "R-1", who, "call back")
    with pytest.raises(WitnessKeyError):
        reveal_reporter(engine, kek(), "R-1", "amal", "call back")
    opened = reveal_reporter(engine, key, "R-1", "amal", "call back")
    assert (opened.name, opened.contact, opened.relationship) == (REPORTER, CONTACT, "mother")
    with engine.connect() as conn:
        actions = list(conn.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("tracing.reporter_revealed") == 1


def test_matching_finds_the_dead_across_scripts_and_the_workflow_confirms_with_two_reviewers(
    engine: Engine, tmp_path: Path, tracers: None
) -> None:
    ingest_file(engine, write_csv(tmp_path / "list.csv", LIST), "Monitoring group")
    link(engine)
    ingest_reports(engine, reports_file(tmp_path / "r.csv"), "Tracing desk", "t", kek=kek())
    matches = match_cases(engine, "t")
    by_case = {m.case_id: m for m in matches}
    case = by_case[1]
    best = case.candidates[0]
    with engine.connect() as conn:
        person = conn.scalar(select(Record.person_id).where(Record.record_id == "1"))
        assert best.person_id == person and best.status == "killed" and best.probability > 0.9
        assert "tracing.why.same_mother" in best.why and "tracing.why.scripts" in best.why
        assert resolve_case(conn, "internal", "R-2").state == "possible_match"
        assert stored_candidates(conn, 1)[0].person_id == person
    assert not by_case[2].candidates or by_case[2].candidates[0].probability < 0.5
    evidence = {"person_id": person, "evidence": "hospital morgue list"}
    with pytest.raises(NotFound, match="no person"):
        act_on_case(engine, "R-1", "amal", "confirm_dead", {**evidence, "person_id": 99999})
    with pytest.raises(PermissionDenied):
        act_on_case(engine, "R-1", "rev", "confirm_dead", evidence)
    first = act_on_case(engine, "R-1", "amal", "confirm_dead", evidence)
    assert first.state_to == "possible_match"
    second = act_on_case(engine, "1", "omar", "confirm_dead", evidence)
    assert second.state_to == "confirmed_dead"
    act_on_case(
        engine, "1", "amal", "notify", {"who": "mother", "when": "2025-04-02", "how": "visit"}
    )
    act_on_case(engine, "1", "amal", "close", {"reason": "family informed"})
    with engine.connect() as conn:
        steps = list(conn.scalars(select(TracingStep.act).where(TracingStep.case_id == 1)))
        audited = list(conn.scalars(select(AuditEvent.action).where(AuditEvent.target == "case:1")))
    assert steps == [
        "reported",
        "possible_match",
        "confirm_dead",
        "confirm_dead",
        "notify",
        "close",
    ]
    assert audited == [f"tracing.{s}" for s in steps[1:]]


def test_withdrawal_hides_the_case_everywhere_but_the_audit_log(
    engine: Engine, tmp_path: Path, tracers: None
) -> None:
    ingest_reports(engine, reports_file(tmp_path / "r.csv"), "Tracing desk", "t", kek=kek())
    withdraw_report(engine, "R-3", "amal", "the wife asked")
    with engine.connect() as conn:
        assert [v.case_id for v in readable_cases(conn, "internal")] == [1]
        with pytest.raises(NotFound):
            resolve_case(conn, "internal", "2")
    out = export_open_cases(engine, "public", tmp_path / "public.csv", "t")
    assert out.cases == 0
    with engine.connect() as conn:
        assert (
            conn.scalar(
                select(func.count()).where(AuditEvent.action == "tracing.consent_withdrawn")
            )
            == 1
        )


def test_public_export_carries_name_relationship_and_photo_only(
    engine: Engine, tmp_path: Path
) -> None:
    ingest_reports(engine, reports_file(tmp_path / "r.csv"), "Tracing desk", "t", kek=kek())
    export_open_cases(engine, "public", tmp_path / "public.csv", "t")
    rows = list(csv.reader((tmp_path / "public.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["case_id", "name", "relationship", "photo"]
    assert rows[1][0].startswith("#case")
    assert rows[2] == ["2", "Omar Saleh Al-Ali", "wife", "no photo"]
    assert len(rows) == 3
    export_open_cases(engine, "partners", tmp_path / "partners.csv", "t")
    partners = list(csv.reader((tmp_path / "partners.csv").open(encoding="utf-8-sig")))
    assert [r[0] for r in partners[2:]] == ["2"] and "Huda" in partners[2]
    assert CONTACT not in (tmp_path / "partners.csv").read_text(encoding="utf-8-sig")


RUNS = itertools.count()
FIRST = ("Ahmad", "Khaled", "Omar", "Yasin", "Bilal", "Tarek")
FATHER = ("Saleh", "Mahmoud", "Hussein", "Jamil", "Karim", "Nabil")
FAMILY = ("Ali", "Sayed", "Hasan", "Masri", "Halabi", "Khatib")
CASES = st.lists(
    st.lists(st.tuples(st.sampled_from(CONSENT_SCOPES), st.booleans()), min_size=1, max_size=3),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases=CASES, audience=st.sampled_from(AUDIENCES))
def test_no_case_reaches_a_scope_its_consent_does_not_allow(
    engine: Engine, tmp_path: Path, cases: list[list[tuple[str, bool]]], audience: str
) -> None:
    """Cases of random reports (scope, withdrawn): every read, match and export for a random
    audience holds only the cases whose live reports all allow it."""
    with engine.begin() as conn:
        for table in (TracingCandidate, TracingStep, MissingReport, TracingCase):
            conn.execute(delete(table))
    run = next(RUNS)
    rows = [
        report(f"C{c}-{r}", f"{FIRST[c]} {FATHER[c]} Al-{FAMILY[c]}", scope, notes=str(run))
        for c, reports in enumerate(cases)
        for r, (scope, _) in enumerate(reports)
    ]
    ingest_reports(engine, reports_file(tmp_path / f"p{run}.csv", rows), "Desk", "t")
    withdrawn = {
        f"C{c}-{r}" for c, reports in enumerate(cases) for r, (_, w) in enumerate(reports) if w
    }
    with engine.begin() as conn:
        conn.execute(
            MissingReport.__table__.update()
            .where(MissingReport.report_ref.in_(withdrawn))
            .values(withdrawn_at=func.now())
        )
    expected = set()
    with engine.connect() as conn:
        case_of = dict(conn.execute(select(MissingReport.report_ref, MissingReport.case_id)).all())
    for c, reports in enumerate(cases):
        live = [scope for r, (scope, w) in enumerate(reports) if not w]
        if live and all(allows(s, audience) for s in live):
            expected.add(case_of[f"C{c}-0"])
    with engine.connect() as conn:
        assert {v.case_id for v in readable_cases(conn, audience)} == expected
    assert {m.case_id for m in match_cases(engine, "t", audience=audience)} == expected
    out = export_open_cases(engine, audience, tmp_path / "out.csv", "t")
    exported = list(csv.reader((tmp_path / "out.csv").open(encoding="utf-8-sig")))[2:]
    assert out.cases == len(expected) and {int(r[0]) for r in exported} == expected
