"""Verification in the store: statuses from the rules, conflicts kept with their sources,
reviewers' decisions audited and undone, counts that follow — on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Row, select

from marsad.services.audit import recent_events
from marsad.services.counts import count_persons, documented_missing, totals
from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.review import merge
from marsad.services.verify import (
    VerifyError,
    choose_value,
    decide_status,
    revoke_status,
    verify,
)
from marsad.store.models import PersonSummary, Record
from tests.integration.helpers import person, write_csv

NAME = "محمد أحمد علي"


def summary_of(engine: Engine, record_id: str) -> Row[Any]:
    with engine.connect() as conn:
        person_id = conn.scalar(select(Record.person_id).where(Record.record_id == record_id))
        row = conn.execute(
            select(PersonSummary.__table__).where(PersonSummary.person_id == person_id)
        ).one()
        conn.rollback()
    return row


@pytest.fixture
def linked(engine: Engine, tmp_path: Path) -> Engine:
    """Three sources, one copying another; one person reported with two different dates."""
    a = write_csv(
        tmp_path / "a.csv",
        [
            person("a1", NAME, "2025-03-07", sex="male", age="34"),
            person("a2", "سعيد", "2025-03", sex="male"),
        ],
    )
    b = write_csv(tmp_path / "b.csv", [person("b1", NAME, "2025-03-08", sex="male")])
    c = write_csv(tmp_path / "c.csv", [person("c1", NAME, "2025-03-07", sex="male", age="34")])
    ingest_file(engine, a, "Group A", kind="monitoring_group")
    ingest_file(engine, b, "Hospital B", kind="hospital")
    ingest_file(engine, c, "Media C", kind="media", copies="Group A")
    link(engine)
    with engine.connect() as conn:
        persons = dict(conn.execute(select(Record.record_id, Record.person_id)).tuples().all())
    merge(engine, persons["a1"], persons["b1"], "reviewer", "same person, date differs by a day")
    return engine


def test_statuses_follow_the_rules_and_copies_count_once(linked: Engine) -> None:
    one = summary_of(linked, "a1")
    assert one.records == 3 and one.sources == 3 and one.independent_sources == 2
    assert one.verification == "verified"
    with linked.connect() as conn:
        own = set(conn.scalars(select(Record.id).where(Record.person_id == one.person_id)))
    assert one.verification_records and set(one.verification_records) <= own
    assert one.documented and one.documented_missing == []
    other = summary_of(linked, "a2")
    assert other.verification == "reported" and other.independent_sources == 1
    assert not other.documented
    assert "date of death" in " ".join(other.documented_missing)
    assert "full name" in " ".join(other.documented_missing)
    with linked.connect() as conn:
        headline = totals(conn)
        lacking = documented_missing(conn)
    assert (headline.reported, headline.documented, headline.verified) == (2, 1, 1)
    assert sum(lacking.values()) >= 2


def test_conflicting_values_are_kept_with_their_sources(linked: Engine) -> None:
    one = summary_of(linked, "a1")
    assert one.conflicting
    conflict = one.conflicts["date_of_death"]
    values = {v["value"]: v for v in conflict["values"]}
    assert set(values) == {"2025-03-07", "2025-03-08"}
    assert set(values["2025-03-07"]["sources"]) == {"Group A", "Media C"}
    assert values["2025-03-08"]["sources"] == ["Hospital B"]
    assert one.date_of_death == conflict["resolved"]

    with pytest.raises(VerifyError):
        choose_value(linked, one.person_id, "date_of_death", "2025-01-01", "typo", "rev")
    choose_value(linked, one.person_id, "date_of_death", "2025-03-08", "death cert.", "rev")
    chosen = summary_of(linked, "a1")
    assert chosen.date_of_death == "2025-03-08"
    assert chosen.resolved_by["date_of_death"] == "reviewer choice"
    with linked.connect() as conn:
        weeks = {r.keys["week"]: r.reported for r in count_persons(conn, ("week",))}
    assert weeks.get("2025-03-03") == 1  # 8 March 2025 is in the week from Monday 3 March


def test_a_reviewer_sets_and_revokes_a_status_audited(linked: Engine) -> None:
    other = summary_of(linked, "a2")
    with pytest.raises(VerifyError):
        decide_status(linked, other.person_id, "verified", " ", "rev")
    decision = decide_status(linked, other.person_id, "verified", "family visit, ID seen", "rev")
    now = summary_of(linked, "a2")
    assert now.verification == "verified"
    assert "rev" in now.verification_rule
    assert any("family visit" in reason for reason in now.verification_reasons)
    revoke_status(linked, decision, "ID was of a cousin", "lead")
    assert summary_of(linked, "a2").verification == "reported"
    with pytest.raises(VerifyError):
        revoke_status(linked, decision, "again", "lead")
    with linked.connect() as conn:
        events = recent_events(conn)
    actions = [(e["actor"], e["action"]) for e in events]
    assert ("rev", "verify.status") in actions and ("lead", "verify.revoke") in actions
    assert all(NAME not in str(e) for e in events)


def test_stricter_rules_put_in_force_change_every_status(linked: Engine, tmp_path: Path) -> None:
    from marsad.verify.rules import load_rules

    text = load_rules().text.replace("min_independent_sources: 2", "min_independent_sources: 3")
    strict = tmp_path / "strict.yaml"
    strict.write_text(text, encoding="utf-8")
    summary = verify(linked, strict, "lead")
    assert summary.by_status.get("verified", 0) == 0
    assert summary_of(linked, "a1").verification == "reported"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text + "\nunknown_key: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown_key"):
        verify(linked, bad, "lead")
    assert summary_of(linked, "a1").verification == "reported"  # nothing changed


def test_counting_by_a_dimension_named_twice_counts_once(linked: Engine) -> None:
    with linked.connect() as conn:
        once = count_persons(conn, ("sex",))
        twice = count_persons(conn, ("sex", "sex"))
    assert [r.as_dict() for r in once] == [r.as_dict() for r in twice]
    assert sum(r.reported for r in once) == 2


def test_the_dashboard_is_reused_until_the_store_changes(linked: Engine) -> None:
    from marsad.services.browse import dashboard

    first = dashboard(linked)
    assert dashboard(linked) is first
    other = summary_of(linked, "a2")
    decide_status(linked, other.person_id, "verified", "seen the death certificate", "rev")
    after = dashboard(linked)
    assert after is not first
    assert after.totals.verified == first.totals.verified + 1


UNGUARDED_SCRIPT = """
import sys
from marsad.services.verify import verify_persons
from marsad.store.db import make_engine

with make_engine(sys.argv[1]).begin() as conn:
    print(verify_persons(conn, workers=2).persons)
"""


def test_worker_processes_work_from_a_script_without_a_main_guard(
    linked: Engine, db_url: str, tmp_path: Path
) -> None:
    """Spawned worker processes would run such a script again while starting (and, on
    PostgreSQL, wait forever for the caller's locks); forked ones do not."""
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT, encoding="utf-8")
    before = summary_of(linked, "a1")
    done = subprocess.run(
        [sys.executable, str(script), db_url], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2"]
    after = dict(summary_of(linked, "a1")._mapping)
    assert after.pop("computed_at") != before.computed_at
    assert after == {k: v for k, v in before._mapping.items() if k != "computed_at"}
