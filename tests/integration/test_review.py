"""Reviewing linkage on the store, on SQLite and PostgreSQL: the queue, decisions, undo, CLI."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, update
from typer.testing import CliRunner

from marsad.cli.review import person_app, review_app
from marsad.services.ingest import ingest_file
from marsad.services.link import recluster
from marsad.services.review import accept, history, merge, reject, split, undo
from marsad.services.review_person import person_detail
from marsad.services.review_queue import (
    flagged_persons,
    governorate_pcode,
    queue_size,
    review_queue,
)
from marsad.store.models import AuditEvent, LinkDecision, LinkRun, Person, Record, ReviewAction
from tests.integration.helpers import person, write_csv

MG, UN = "Monitoring group", "UN office"


def level(label: str, m: float, u: float) -> dict[str, Any]:
    return {"sql_condition": "x", "label_for_charts": label, "m_probability": m, "u_probability": u}


NULL = {"sql_condition": "x IS NULL", "label_for_charts": "missing", "is_null_level": True}

MODEL: dict[str, Any] = {
    "probability_two_random_records_match": 0.001,
    "comparisons": [
        {
            "output_column_name": "first_name",
            "comparison_levels": [
                NULL,
                level("exact", 0.9, 0.01),
                level("similar", 0.07, 0.09),
                level("different", 0.03, 0.9),
            ],
        },
        {
            "output_column_name": "date_of_death",
            "comparison_levels": [
                NULL,
                level("same day", 0.8, 0.05),
                level("different", 0.2, 0.95),
            ],
        },
    ],
}


def build_store(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """Seven records in two lists, a run's machine decisions, and persons from them.

    Returns record id ("M-1"…) → primary key.
    """
    monitoring = [
        person("M-1", "محمد أحمد الأسعد", sex="male", age="34"),
        person("M-2", "علي أحمد الأسعد", sex="male"),
        person("M-3", "سمير يوسف حداد", date="2025-03-08", governorate="Tartous"),
        person("M-4", "محمد أحمد الأسعد", date="2025-03"),
    ]
    un = [
        person("U-1", "Mohammad Ahmad al-Asaad", sex="male", age="35"),
        person("U-2", "Samir Youssef Haddad", date="2025-03-08", governorate="Tartous"),
        person("U-3", "Ali Ahmad al-Asaad", governorate="Homs", sex="male"),
    ]
    ingest_file(engine, write_csv(tmp_path / "m.csv", monitoring), MG)
    ingest_file(engine, write_csv(tmp_path / "u.csv", un), UN, kind="un_office")
    with engine.connect() as conn:
        pk = {r.record_id: r.id for r in conn.execute(select(Record.id, Record.record_id))}

    def decision(a: str, b: str, kind: str, verdict: str, **extra: Any) -> dict[str, Any]:
        return {
            "record_a_id": pk[a],
            "record_b_id": pk[b],
            "kind": kind,
            "decision": verdict,
            "rule": None,
            "score": None,
            "gammas": None,
            "decided_by": "marsad link",
            **extra,
        }

    with engine.begin() as conn:
        run_id = conn.execute(
            insert(LinkRun)
            .values(engine="duckdb", settings={}, model=MODEL, summary={}, run_by="test")
            .returning(LinkRun.id)
        ).scalar_one()
        model = {"run_id": run_id}
        conn.execute(
            insert(LinkDecision),
            [
                decision("M-1", "U-1", "rule", "match", rule="same name, date, place", **model),
                decision("M-3", "U-2", "model", "match", score=0.97, gammas=[2, 1], **model),
                decision("M-2", "U-3", "model", "uncertain", score=0.55, gammas=[1, 1], **model),
                decision("U-1", "M-4", "model", "uncertain", score=0.30, gammas=[2, -1], **model),
                decision("M-1", "M-4", "model", "uncertain", score=0.80, gammas=[2, 0], **model),
            ],
        )
    recluster(engine)
    return pk


def person_of(engine: Engine, pk: int) -> int:
    with engine.connect() as conn:
        found = conn.scalar(select(Record.person_id).where(Record.id == pk))
    assert found is not None
    return int(found)


def partition(engine: Engine) -> set[frozenset[int]]:
    """Which records are together, whatever the persons' ids."""
    with engine.connect() as conn:
        rows = conn.execute(select(Record.id, Record.person_id)).all()
    groups: dict[int, set[int]] = {}
    for row in rows:
        groups.setdefault(row.person_id, set()).add(row.id)
    return {frozenset(g) for g in groups.values()}


def together(engine: Engine, *pks: int) -> bool:
    return len({person_of(engine, pk) for pk in pks}) == 1


def test_the_queue_puts_the_likeliest_first_and_held_back_pairs_last(
    engine: Engine, tmp_path: Path
) -> None:
    pk = build_store(engine, tmp_path)
    with engine.begin() as conn:
        run_id = conn.scalar(select(LinkRun.id))
        conn.execute(
            insert(LinkDecision).values(
                record_a_id=pk["M-3"],
                record_b_id=pk["U-3"],
                kind="model",
                decision="uncertain",
                score=0.75,
                gammas=[1, 0],
                run_id=run_id,
                decided_by="marsad link",
            )
        )
    scores = [item.probability for item in review_queue(engine)]
    assert scores == [0.75, 0.55, 0.30, 0.80], "0.80 is held back: scored a match, left to us"
    assert [i.held_back for i in review_queue(engine)] == [False, False, False, True]


def test_the_queue_shows_both_records_and_reasons(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    queue = review_queue(engine)
    pairs = [{item.record_a.record_id, item.record_b.record_id} for item in queue]
    assert pairs == [{"M-2", "U-3"}, {"U-1", "M-4"}, {"M-1", "M-4"}]
    assert [item.probability for item in queue] == [0.55, 0.30, 0.80]
    assert queue_size(engine) == 3
    assert len(review_queue(engine, limit=2)) == 2

    first = queue[0]
    assert (first.record_a.source, first.record_b.source) == (MG, UN)
    assert first.record_a.id == pk["M-2"] and first.record_b.id == pk["U-3"]
    assert first.record_b.governorate is not None
    assert first.record_a.sex == "male" and first.record_a.status == "killed"
    assert first.record_a.person_id == person_of(engine, pk["M-2"])
    assert first.record_a.date_of_death == "2025-03-07"

    explanation = queue[0].explanation
    assert explanation is not None
    assert [(c.comparison, c.level) for c in explanation.contributions] == [
        ("first_name", "similar"),
        ("date_of_death", "same day"),
    ]
    expected = math.log2(0.001 / 0.999) + math.log2(0.07 / 0.09) + math.log2(0.8 / 0.05)
    assert explanation.total_weight == pytest.approx(expected)
    assert explanation.probability == 0.55
    second = queue[1].explanation
    assert second is not None
    assert second.contributions[1].level == "missing"
    assert second.contributions[1].weight is None
    ages = {item.record_a.record_id: item.record_a.age for item in queue}
    assert ages["M-1"] == "34"


def test_a_reviewer_can_take_the_pairs_of_one_governorate(engine: Engine, tmp_path: Path) -> None:
    """M-2 is in Lattakia and U-3 in Homs: that pair is in both governorates' queues."""
    build_store(engine, tmp_path)
    homs = governorate_pcode("حمص")
    assert homs == governorate_pcode("Homs") == governorate_pcode(" sy04 ") == "SY04"
    in_homs = review_queue(engine, governorate=homs)
    assert [{i.record_a.record_id, i.record_b.record_id} for i in in_homs] == [{"M-2", "U-3"}]
    assert queue_size(engine, homs) == 1
    assert queue_size(engine, governorate_pcode("Latakia")) == 3
    assert review_queue(engine, governorate=governorate_pcode("Tartous")) == []
    assert queue_size(engine, "SY10") == 0
    for unknown in ("Narnia", "SY99", "SY0601", ""):
        with pytest.raises(ValueError, match="no governorate"):
            governorate_pcode(unknown)


def test_accept_joins_two_persons_and_leaves_the_queue(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    before = (person_of(engine, pk["M-2"]), person_of(engine, pk["U-3"]))
    assert before[0] != before[1]
    action_id = accept(engine, pk["M-2"], pk["U-3"], "reviewer", note="  same mother  ")
    assert together(engine, pk["M-2"], pk["U-3"])
    assert all(
        {i.record_a.id, i.record_b.id} != {pk["M-2"], pk["U-3"]} for i in review_queue(engine)
    )
    assert queue_size(engine) == 2
    with engine.connect() as conn:
        action = conn.execute(
            select(ReviewAction.__table__).where(ReviewAction.id == action_id)
        ).one()
        human = conn.execute(
            select(LinkDecision.__table__).where(LinkDecision.action_id == action_id)
        ).one()
    assert action.kind == "accept" and action.decided_by == "reviewer"
    assert action.note == "same mother"
    assert sorted(action.person_ids) == sorted(before)
    assert (human.kind, human.decision) == ("human", "match")
    assert {human.record_a_id, human.record_b_id} == {pk["M-2"], pk["U-3"]}


def test_reject_keeps_apart_what_the_rule_joined_and_survives_reclustering(
    engine: Engine, tmp_path: Path
) -> None:
    pk = build_store(engine, tmp_path)
    assert together(engine, pk["M-1"], pk["U-1"])
    reject(engine, pk["M-1"], pk["U-1"], "reviewer", "different mothers")
    assert not together(engine, pk["M-1"], pk["U-1"])
    recluster(engine)
    recluster(engine)
    assert not together(engine, pk["M-1"], pk["U-1"])
    with engine.connect() as conn:
        kinds = sorted(conn.scalars(select(LinkDecision.kind)))
    assert kinds.count("rule") == 1 and kinds.count("human") == 1


def test_a_later_decision_on_the_same_pair_wins(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    reject(engine, pk["M-1"], pk["U-1"], "first reviewer")
    accept(engine, pk["M-1"], pk["U-1"], "second reviewer")
    assert together(engine, pk["M-1"], pk["U-1"])


def test_decisions_refuse_unknown_records_and_anonymous_reviewers(
    engine: Engine, tmp_path: Path
) -> None:
    pk = build_store(engine, tmp_path)
    with pytest.raises(ValueError, match="no record with id 999"):
        accept(engine, pk["M-1"], 999, "reviewer")
    with pytest.raises(ValueError, match="itself"):
        reject(engine, pk["M-1"], pk["M-1"], "reviewer")
    with pytest.raises(ValueError, match="who is deciding"):
        accept(engine, pk["M-1"], pk["M-2"], "  ")
    with engine.connect() as conn:
        assert conn.scalar(select(ReviewAction.id)) is None


def test_split_parts_the_kept_records_from_the_rest(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    accept(engine, pk["U-1"], pk["M-4"], "reviewer")
    # M-4 and M-1 are both of list M: the machine's M-1–U-1 link no longer joins them (one
    # list names a person once), so a reviewer joins them by hand.
    assert not together(engine, pk["M-1"], pk["M-4"])
    accept(engine, pk["M-1"], pk["U-1"], "reviewer")
    joined = person_of(engine, pk["M-1"])
    assert together(engine, pk["M-1"], pk["U-1"], pk["M-4"])

    for keep, message in [
        ([], "at least one record"),
        ([pk["M-1"], pk["U-1"], pk["M-4"]], "nothing to split"),
        ([pk["M-1"], pk["M-2"]], f"person {joined} has no record {pk['M-2']}"),
    ]:
        with pytest.raises(ValueError, match=message):
            split(engine, joined, keep, "reviewer")
    with pytest.raises(ValueError, match="no person with id 9999"):
        split(engine, 9999, [pk["M-1"]], "reviewer")

    action_id = split(engine, joined, [pk["M-1"]], "reviewer", "two different men")
    assert not together(engine, pk["M-1"], pk["U-1"])
    assert not together(engine, pk["M-1"], pk["M-4"])
    assert together(engine, pk["U-1"], pk["M-4"]), "the reviewer's earlier match still holds"
    with engine.connect() as conn:
        decided = conn.execute(
            select(LinkDecision.record_a_id, LinkDecision.record_b_id, LinkDecision.decision).where(
                LinkDecision.action_id == action_id
            )
        ).all()
    assert {frozenset((a, b)) for a, b, _ in decided} == {
        frozenset((pk["M-1"], pk["U-1"])),
        frozenset((pk["M-1"], pk["M-4"])),
    }
    assert {d for _, _, d in decided} == {"non_match"}


def test_split_overrides_a_reviewers_match_across_the_cut(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    accept(engine, pk["M-1"], pk["M-4"], "reviewer")
    joined = person_of(engine, pk["M-1"])
    split(engine, joined, [pk["M-4"]], "reviewer")
    assert not together(engine, pk["M-1"], pk["M-4"])
    assert together(engine, pk["M-1"], pk["U-1"])


def test_merge_joins_two_persons(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    first, second = person_of(engine, pk["M-3"]), person_of(engine, pk["M-2"])
    with pytest.raises(ValueError, match="itself"):
        merge(engine, first, first, "reviewer")
    with pytest.raises(ValueError, match="no person with id 9999"):
        merge(engine, first, 9999, "reviewer")
    action_id = merge(engine, first, second, "reviewer", "same incident report")
    assert together(engine, pk["M-3"], pk["U-2"], pk["M-2"])
    with engine.connect() as conn:
        action = conn.execute(
            select(ReviewAction.__table__).where(ReviewAction.id == action_id)
        ).one()
    assert action.kind == "merge"
    assert sorted(action.person_ids) == sorted((first, second))


def test_undo_restores_the_previous_persons_once(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    start = partition(engine)
    accepted = accept(engine, pk["M-2"], pk["U-3"], "reviewer")
    after_accept = partition(engine)
    rejected = reject(engine, pk["M-1"], pk["U-1"], "reviewer")
    assert partition(engine) != after_accept

    undone = undo(engine, rejected, "lead")
    assert undone.undone_by == "lead" and undone.undone_at is not None
    assert partition(engine) == after_accept
    undo(engine, accepted, "lead")
    assert partition(engine) == start
    assert queue_size(engine) == 3, "an undone decision sends its pair back to the queue"

    with pytest.raises(ValueError, match="already undone by lead"):
        undo(engine, accepted, "lead")
    with pytest.raises(ValueError, match="no review action with id 999"):
        undo(engine, 999, "lead")
    with engine.connect() as conn:
        human = conn.execute(
            select(LinkDecision.revoked_at).where(LinkDecision.kind == "human")
        ).all()
    assert len(human) == 2 and all(row.revoked_at is not None for row in human)

    actions = history(engine)
    assert [a.id for a in actions] == [rejected, accepted]
    assert all(a.undone_at is not None for a in actions)
    assert actions[0].pairs == (
        (min(pk["M-1"], pk["U-1"]), max(pk["M-1"], pk["U-1"]), "non_match"),
    )
    about = history(engine, person_of(engine, pk["M-2"]))
    assert [a.id for a in about] == [accepted]


def test_person_detail_shows_records_decisions_and_actions(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    action_id = accept(engine, pk["M-1"], pk["M-4"], "reviewer", "same family report")
    pid = person_of(engine, pk["M-1"])
    detail = person_detail(engine, pid)
    assert detail.person_id == pid and detail.review_flag is None
    assert [(r.source, r.record_id) for r in detail.records] == [
        (MG, "M-1"),
        (MG, "M-4"),
        (UN, "U-1"),
    ]
    kinds = [(d.kind, d.decision) for d in detail.decisions]
    assert kinds == [
        ("human", "match"),
        ("rule", "match"),
        ("model", "uncertain"),
        ("model", "uncertain"),
    ]
    human = detail.decisions[0]
    assert (human.decided_by, human.note, human.action_id) == (
        "reviewer",
        "same family report",
        action_id,
    )
    assert detail.decisions[1].rule == "same name, date, place"
    assert detail.decisions[1].explanation is None
    model = detail.decisions[2]
    assert model.explanation is not None and model.probability is not None
    assert model.explanation.probability == model.probability
    assert [a.id for a in detail.actions] == [action_id]
    with pytest.raises(ValueError, match="no person with id 9999"):
        person_detail(engine, 9999)


def test_flagged_persons(engine: Engine, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    assert flagged_persons(engine) == []
    pid = person_of(engine, pk["M-1"])
    with engine.begin() as conn:
        conn.execute(update(Person).where(Person.id == pid).values(review_flag="too many"))
    flagged = flagged_persons(engine)
    assert [(f.person_id, f.review_flag, f.records) for f in flagged] == [(pid, "too many", 2)]


runner = CliRunner()


def invoke(app: Any, args: list[str], answers: str = "") -> str:
    result = runner.invoke(app, args, input=answers, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_review_command_accepts_rejects_and_quits(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    pk = build_store(engine, tmp_path)
    output = invoke(review_app, ["--user", "amal", "--db", db_url], "a\nnote\nx\nr\n\nq\n")
    assert "answer a, r, s or q" in output
    assert "first_name" in output and "probability" in output
    assert "still waiting" in output
    with engine.connect() as conn:
        actions = conn.execute(select(ReviewAction.__table__).order_by(ReviewAction.id)).all()
    assert [(a.kind, a.note, a.decided_by) for a in actions] == [
        ("accept", "note", "amal"),
        ("reject", None, "amal"),
    ]
    assert together(engine, pk["M-2"], pk["U-3"])
    assert queue_size(engine) == 1
    tally = {
        label: int(match.group(1))
        for label in ("accepted", "rejected", "skipped", "still waiting")
        if (match := re.search(rf"{label}\W+(\d+)", output))
    }
    assert tally == {"accepted": 1, "rejected": 1, "skipped": 0, "still waiting": 1}

    shown = " ".join(output.split())
    assert shown.count("first names clearly disagree") == 1, "only the pair scored 0.80"
    output = invoke(review_app, ["--db", db_url], "s\n")
    assert queue_size(engine) == 1, "skipping stores nothing"
    assert re.search(r"skipped\W+1", output)
    with pytest.raises(ValueError, match="at least 1"):
        review_queue(engine, limit=0)


def test_review_command_takes_one_governorate(engine: Engine, db_url: str, tmp_path: Path) -> None:
    pk = build_store(engine, tmp_path)
    output = invoke(review_app, ["--governorate", "Homs", "--db", db_url], "a\n\n")
    assert "pair 1 of 1" in output and "U-3" in output
    assert re.search(r"still waiting in SY04\W+0", output)
    assert together(engine, pk["M-2"], pk["U-3"])
    output = invoke(review_app, ["--governorate", "طرطوس", "--db", db_url])
    assert "no pairs are waiting for review in SY10" in output
    bad = runner.invoke(review_app, ["--governorate", "Narnia", "--db", db_url])
    assert bad.exit_code == 1 and "no governorate 'Narnia'" in bad.output
    assert queue_size(engine) == 2, "the other governorates' pairs still wait"


def test_review_subcommands_and_person_commands(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    pk = build_store(engine, tmp_path)
    pid = person_of(engine, pk["M-1"])
    with engine.begin() as conn:
        conn.execute(update(Person).where(Person.id == pid).values(review_flag="too many"))
    output = invoke(review_app, ["--db", db_url, "--limit", "1"], "q\n")
    assert "1 persons are flagged" in output and "marsad person show" in output

    output = invoke(person_app, ["show", str(pid), "--user", "amal", "--db", db_url])
    assert "flagged for review: too many" in output
    assert "same name, date, place" in output and "M-1" in output and "U-1" in output
    assert "verification" in output and "rule" in output and "reasons" in output
    with engine.connect() as conn:
        viewed = conn.execute(
            select(AuditEvent.actor, AuditEvent.target).where(AuditEvent.action == "person.view")
        ).all()
    assert [(v.actor, v.target) for v in viewed] == [("amal", f"person:{pid}")]

    other = person_of(engine, pk["M-4"])
    output = invoke(person_app, ["merge", str(pid), str(other), "--note", "n", "--db", db_url])
    assert together(engine, pk["M-1"], pk["M-4"], pk["U-1"])
    merged = person_of(engine, pk["M-1"])
    output = invoke(person_app, ["show", str(merged), "--db", db_url])
    assert "first_name" in output and "merge" in output, "model reasons and the action"
    output = invoke(
        person_app,
        ["split", str(merged), "--keep", f"{pk['M-4']}", "--user", "amal", "--db", db_url],
    )
    assert not together(engine, pk["M-1"], pk["M-4"])
    split_action = int(output.split("action #")[1].split()[0])

    output = invoke(review_app, ["history", "--db", db_url])
    assert "merge" in output and "split" in output and "2 actions" in output
    invoke(review_app, ["undo", str(split_action), "--db", db_url])
    assert together(engine, pk["M-1"], pk["M-4"])

    refused = runner.invoke(review_app, ["undo", str(split_action), "--db", db_url])
    assert refused.exit_code == 1
    assert "already undone" in refused.output
    bad = runner.invoke(person_app, ["split", str(merged), "--keep", "x", "--db", db_url])
    assert bad.exit_code == 1 and "--keep takes record numbers" in bad.output
    missing = runner.invoke(person_app, ["show", "9999", "--db", db_url])
    assert missing.exit_code == 1 and "no person with id 9999" in missing.output
