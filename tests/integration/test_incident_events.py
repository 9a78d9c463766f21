"""Incident events on SQLite and PostgreSQL: an event several sources reported counts once,
only after a reviewer says so, and taking reports apart restores the counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.services.incident_events import (
    IncidentEventError,
    candidates,
    group_reports,
    keep_apart,
    take_apart,
)
from marsad.services.incidents import IncidentGradeCount, incident_counts, ingest_incidents
from marsad.store.db import make_engine
from marsad.store.models import AuditEvent, Incident, IncidentEventRejection
from tests.integration.helpers import write_csv

COLUMNS = ("incident_id", "date", "governorate", "place", "killed_min", "killed_max", "grade")

FIELD_TEAM = [
    {"incident_id": "A-1", "date": "2025-03-07", "governorate": "Lattakia", "place": "Jableh",
     "killed_min": "10", "killed_max": "12", "grade": "fair"},
    {"incident_id": "A-2", "date": "2025-03-20", "governorate": "Tartous", "place": "Banyas",
     "killed_min": "3", "killed_max": "", "grade": "weak"},
]  # fmt: skip
MONITORS = [
    {"incident_id": "B-1", "date": "8/3/2025", "governorate": "اللاذقية", "place": "جبلة",
     "killed_min": "9", "killed_max": "11", "grade": "confirmed"},
]  # fmt: skip
HOSPITAL = [
    {"incident_id": "C-1", "date": "2025-03-07", "governorate": "SY06", "place": "",
     "killed_min": "10", "killed_max": "", "grade": "confirmed"},
]  # fmt: skip


def load(engine: Engine, directory: Path) -> dict[str, int]:
    """Three sources' files, one event among them (A-1, B-1, C-1); report ref → id."""
    for source, rows in (
        ("Field team", FIELD_TEAM),
        ("Monitors", MONITORS),
        ("Hospital", HOSPITAL),
    ):
        path = write_csv(directory / f"{source}.csv", rows, COLUMNS)
        ingest_incidents(engine, path, source, "tester")
    with engine.connect() as conn:
        return dict(conn.execute(select(Incident.incident_ref, Incident.id)).tuples().all())


def by_grade(engine: Engine) -> dict[str, IncidentGradeCount]:
    with engine.connect() as conn:
        return {c.grade: c for c in incident_counts(conn) if c.incidents}


def test_an_event_counts_once_after_a_reviewer_groups_it(engine: Engine, tmp_path: Path) -> None:
    ids = load(engine, tmp_path)
    before = by_grade(engine)
    assert before == {
        "confirmed": IncidentGradeCount("confirmed", 2, 9 + 10, 11 + 10, 2),
        "fair": IncidentGradeCount("fair", 1, 10, 12, 1),
        "weak": IncidentGradeCount("weak", 1, 3, 3, 1),
    }

    with engine.connect() as conn:
        proposed = candidates(conn)
    assert [c.ids for c in proposed] == [tuple(sorted((ids["A-1"], ids["B-1"], ids["C-1"])))]
    assert by_grade(engine) == before, "a candidate alone changes no count"

    change = group_reports(engine, [ids["B-1"], ids["A-1"], ids["C-1"]], "one strike", "rev")
    assert change.event_id == min(ids["A-1"], ids["B-1"], ids["C-1"])
    after = by_grade(engine)
    # Confirmed is the strongest grade; its reports (9–11, 10–10) give max(9, 10)–max(11, 10).
    assert after == {
        "confirmed": IncidentGradeCount("confirmed", 1, 10, 11, 3),
        "weak": IncidentGradeCount("weak", 1, 3, 3, 1),
    }
    with engine.connect() as conn:
        assert candidates(conn) == []

    take_apart(engine, ids["B-1"], "rev", "a different strike")
    partly = by_grade(engine)
    assert partly["confirmed"] == IncidentGradeCount("confirmed", 2, 9 + 10, 11 + 10, 3)
    assert "fair" not in partly, "A-1 and C-1 stay one event, under C-1's confirmed grade"

    left = take_apart(engine, ids["A-1"], "rev")
    assert left.event_id is None and left.incidents == (ids["C-1"],)
    assert by_grade(engine) == before
    with engine.connect() as conn:
        assert candidates(conn) == [], "what a reviewer took apart is not proposed again"
    with engine.connect() as conn:
        assert set(conn.scalars(select(Incident.event_id))) == {None}
        audit = conn.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.target, AuditEvent.detail)
            .where(AuditEvent.action.like("incidents.%"))
            .order_by(AuditEvent.id)
        ).all()
    assert [(a.actor, a.action) for a in audit] == [
        ("rev", "incidents.same"),
        ("rev", "incidents.apart"),
        ("rev", "incidents.apart"),
    ]
    assert audit[0].detail["incidents"] == sorted((ids["A-1"], ids["B-1"], ids["C-1"]))
    assert "note" not in audit[0].detail  # free text stays out of the audit log
    assert audit[1].target == f"incident:{ids['B-1']}"


def test_grouping_two_events_merges_them(engine: Engine, tmp_path: Path) -> None:
    ids = load(engine, tmp_path)
    group_reports(engine, [ids["A-1"], ids["B-1"]], "same strike", "rev")
    change = group_reports(engine, [ids["C-1"], ids["B-1"]], "hospital too", "rev")
    assert set(change.incidents) == {ids["A-1"], ids["B-1"], ids["C-1"]}
    with engine.connect() as conn:
        notes = set(conn.scalars(select(Incident.event_note).where(Incident.event_id.is_not(None))))
    assert notes == {"hospital too"}
    with engine.connect() as conn:
        events = set(conn.scalars(select(Incident.event_id).where(Incident.incident_ref != "A-2")))
    assert events == {change.event_id}


def test_reviewer_mistakes_are_refused_and_change_nothing(engine: Engine, tmp_path: Path) -> None:
    ids = load(engine, tmp_path)
    with pytest.raises(IncidentEventError, match="no incident report 999"):
        group_reports(engine, [ids["A-1"], 999], "note", "rev")
    with pytest.raises(IncidentEventError, match="at least two"):
        group_reports(engine, [ids["A-1"], ids["A-1"]], "note", "rev")
    with pytest.raises(IncidentEventError, match="note is required"):
        group_reports(engine, [ids["A-1"], ids["B-1"]], "  ", "rev")
    with pytest.raises(IncidentEventError, match="not grouped"):
        take_apart(engine, ids["A-1"], "rev")
    group_reports(engine, [ids["A-1"], ids["B-1"]], "same strike", "rev")
    with pytest.raises(IncidentEventError, match="already one event"):
        group_reports(engine, [ids["B-1"], ids["A-1"]], "again", "rev")
    with engine.connect() as conn:
        audited = conn.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("incidents.%"))
        ).all()
    assert audited == ["incidents.same"]


def test_the_commands_end_to_end(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, [*args, "--db", db_url], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    for source, rows in (("Field team", FIELD_TEAM), ("Monitors", MONITORS)):
        path = write_csv(tmp_path / f"{source}.csv", rows, COLUMNS)
        run("incidents", "ingest", str(path), "--source", source)
    proposed = json.loads(run("incidents", "candidates", "--json"))
    assert len(proposed) == 1
    assert {r["source"] for r in proposed[0]["reports"]} == {"Field team", "Monitors"}
    assert "same governorate SY06" in proposed[0]["reason"]
    table = run("incidents", "candidates")
    assert "Monitors" in table and "1 day apart" in table

    def events() -> int:
        counts = json.loads(run("counts", "--json"))
        return sum(c["incidents"] for c in counts["incidents_without_names"])

    assert events() == 3
    first, second = (str(i) for i in proposed[0]["incidents"])
    output = run("incidents", "same", first, second, "--note", "one strike", "--user", "rev")
    assert f"event {first}" in output
    assert events() == 2
    assert "no candidate" in run("incidents", "candidates")
    refused = run("incidents", "apart", "999", "--user", "rev", code=1)
    assert "no incident report 999" in refused and "Traceback" not in refused
    run("incidents", "apart", second, "--user", "rev")
    assert events() == 3
    assert "no candidate" in run("incidents", "candidates")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        actions = conn.scalars(
            select(AuditEvent.action).where(AuditEvent.actor == "rev").order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    assert actions == ["incidents.same", "incidents.apart"]


def test_reports_said_not_one_event_are_not_proposed_until_grouped(
    engine: Engine, tmp_path: Path
) -> None:
    ids = load(engine, tmp_path)
    a, b, c = ids["A-1"], ids["B-1"], ids["C-1"]
    with pytest.raises(IncidentEventError, match="note is required"):
        keep_apart(engine, a, b, " ", "rev")
    keep_apart(engine, b, a, "another strike that day", "rev")
    keep_apart(engine, a, b, "said twice", "rev")  # a repeat changes nothing
    with engine.connect() as conn:
        proposed = [p.ids for p in candidates(conn)]
        rejections = conn.execute(
            select(IncidentEventRejection.incident_a_id, IncidentEventRejection.incident_b_id)
        ).all()
    assert rejections == [(min(a, b), max(a, b))]
    # A-1 and B-1 never together; each still with the hospital's report, which agrees with both.
    assert sorted(proposed) == sorted([tuple(sorted((a, c))), tuple(sorted((b, c)))])
    before = by_grade(engine)
    group_reports(engine, [a, b], "the same strike after all", "rev")
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(IncidentEventRejection)) == 0
    with pytest.raises(IncidentEventError, match="take one apart first"):
        keep_apart(engine, a, b, "no", "rev")
    assert by_grade(engine) != before
