"""The trained linkage model on a synthetic scenario, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select

from marsad.linkage.explain import weight_to_probability
from marsad.linkage.model import (
    DRAW_FLOOR,
    FIRST_NAME_DISAGREES,
    MATCH_THRESHOLD,
    model_comparisons,
)
from marsad.linkage.quality import pairwise_quality
from marsad.services import verify as verify_service
from marsad.services.demo import ingest_scenario, linked_persons, read_truth
from marsad.services.exports import export_links
from marsad.services.link import LinkError, link, recluster, run_model
from marsad.services.review_queue import queue_size, review_queue
from marsad.services.verify import CHUNK_PERSONS, decide_status, verify_persons
from marsad.store.models import LinkDecision, LinkRun, PersonSummary
from marsad.synth import generate, write_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("scenario")
    write_scenario(generate(seed=21, people=1500, lists=4), directory)
    return directory


def ingest_lists(engine: Engine, directory: Path, only: int | None = None) -> None:
    ingest_scenario(engine, directory, only=only)


def persons_of(engine: Engine) -> dict[int, frozenset[tuple[str, str]]]:
    members: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for key, pid in linked_persons(engine).items():
        assert pid is not None
        members[pid].add(key)
    return {pid: frozenset(keys) for pid, keys in members.items()}


def test_trained_model_links_better_than_the_rule_alone(
    engine: Engine, scenario: Path, tmp_path: Path
) -> None:
    ingest_lists(engine, scenario)
    summary = link(engine)
    assert summary.model == "trained"
    truth = read_truth(scenario / "truth.csv")
    quality = pairwise_quality(truth, linked_persons(engine))
    assert quality.precision >= 0.9
    assert quality.recall >= 0.6
    assert quality.recall > 1.5 * (summary.rule_links / quality.true_pairs)

    model = run_model(engine, summary.run_id)
    assert model is not None
    assert {c["output_column_name"] for c in model["comparisons"]} >= {"first_key", "dod", "place"}
    lists = next(c for c in model["comparisons"] if c["output_column_name"] == "lists")
    same = next(lv for lv in lists["comparison_levels"] if lv["label_for_charts"] == "same list")
    assert same["m_probability"] < 0.5 * same["u_probability"], "a list rarely names one twice"
    with engine.connect() as conn:
        run_summary = conn.execute(select(LinkRun.summary)).scalar_one()
        uncertain = conn.execute(
            select(LinkDecision.score, LinkDecision.gammas).where(
                LinkDecision.decision == "uncertain"
            )
        ).all()
    assert run_summary["model_matches"] == summary.model_matches
    # The review band, or a pair scored a match that is held back because its first names
    # clearly disagree.
    assert uncertain and all(
        0.5 <= score < MATCH_THRESHOLD
        or gammas[model_comparisons(model).index("first_key")] == FIRST_NAME_DISAGREES
        for score, gammas in uncertain
    )
    assert all(len(gammas) == len(model["comparisons"]) for _, gammas in uncertain)

    for item in review_queue(engine, limit=20):
        assert item.explanation is not None and item.probability is not None
        rebuilt = weight_to_probability(item.explanation.total_weight)
        assert rebuilt == pytest.approx(item.probability, abs=2e-3), "reasons add up to the score"

    out = tmp_path / "links.csv"
    export_links(engine, out)
    with out.open(encoding="utf-8") as handle:
        exported = {
            (r["source"], r["record_id"]): int(r["person_id"]) for r in csv.DictReader(handle)
        }
    assert exported == linked_persons(engine), "the links file is exactly the clusters"


def test_relinking_with_the_same_model_is_identical_and_recluster_is_a_no_op(
    engine: Engine, scenario: Path
) -> None:
    ingest_lists(engine, scenario)
    first = link(engine)
    before = persons_of(engine)
    model = run_model(engine, first.run_id)
    second = link(engine, trained=model)
    assert persons_of(engine) == before
    assert second.clusters.persons_new == 0
    assert recluster(engine).persons == len(before)
    assert persons_of(engine) == before


def test_a_lower_review_threshold_widens_the_queue_and_links_the_same(
    engine: Engine, scenario: Path
) -> None:
    ingest_lists(engine, scenario)
    first = link(engine)
    before = persons_of(engine)
    waiting = queue_size(engine)
    wider = link(engine, trained=run_model(engine, first.run_id), review_threshold=0.2)
    assert persons_of(engine) == before, "the machine links the same pairs"
    assert wider.review_threshold == 0.2 and wider.model_matches == first.model_matches
    assert queue_size(engine) > waiting
    with engine.connect() as conn:
        settings = conn.execute(
            select(LinkRun.settings).where(LinkRun.id == wider.run_id)
        ).scalar_one()
        lowest = dict(
            conn.execute(
                select(LinkDecision.decision, func.min(LinkDecision.score))
                .where(LinkDecision.run_id == wider.run_id)
                .group_by(LinkDecision.decision)
            )
            .tuples()
            .all()
        )
    assert settings["review_threshold"] == 0.2
    assert 0.2 <= lowest["uncertain"] < 0.5, "the queue reaches down to the threshold"
    assert DRAW_FLOOR <= lowest["unlikely"] < 0.2, "pairs below it are kept for estimation"
    for bad in (0.0, MATCH_THRESHOLD, 1.5):
        with pytest.raises(LinkError, match="review threshold"):
            link(engine, review_threshold=bad)


def test_a_new_list_does_not_renumber_unaffected_persons(engine: Engine, scenario: Path) -> None:
    ingest_lists(engine, scenario, only=3)
    link(engine)
    before = persons_of(engine)
    ingest_lists(engine, scenario)
    link(engine)
    after = persons_of(engine)
    old_keys = {k for keys in before.values() for k in keys}
    unaffected = 0
    for pid, keys in after.items():
        old_part = keys & old_keys
        if old_part and old_part in before.values() and old_part == keys:
            unaffected += 1
            assert before.get(pid) == old_part, "an unaffected person kept its id"
    assert unaffected > 0.5 * len(before)


def test_model_file_round_trip_through_the_cli(
    engine: Engine, scenario: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from marsad.cli.app import app

    ingest_lists(engine, scenario)
    url = engine.url.render_as_string(hide_password=False)
    runner = CliRunner()
    model_file = tmp_path / "model.json"
    result = runner.invoke(app, ["link", "--db", url, "--model-out", str(model_file)])
    assert result.exit_code == 0, result.output
    saved = json.loads(model_file.read_text(encoding="utf-8"))
    before = persons_of(engine)
    result = runner.invoke(app, ["link", "--db", url, "--model", str(model_file)])
    assert result.exit_code == 0, result.output
    assert persons_of(engine) == before
    assert saved["probability_two_random_records_match"] > 0
    refused = runner.invoke(app, ["link", "--db", url, "--review-threshold", "0.9"])
    assert refused.exit_code == 1 and "review threshold must be" in refused.output
    assert persons_of(engine) == before


def summaries(conn: Connection) -> list[tuple[Any, ...]]:
    """Every person's summary but the time it was computed."""
    table = PersonSummary.__table__
    columns = [c for c in table.columns if c.name != "computed_at"]
    return [tuple(r) for r in conn.execute(select(*columns).order_by(table.c.person_id))]


def test_verification_shared_among_worker_processes_gives_the_same_summaries(
    engine: Engine, scenario: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This scenario is small enough to be verified in one process when linked; two worker
    processes, each taking chunks of persons, must give the same summaries, with a
    reviewer's status decision among them. Linking says how far verification got."""
    ingest_lists(engine, scenario)
    monkeypatch.setattr(verify_service, "PROGRESS_EVERY", 400)
    stages: list[str] = []
    link(engine, progress=stages.append)
    monkeypatch.undo()
    persons_linked = stages[-1].rsplit(" ", 1)[-1]
    assert stages[-4:] == [
        "clustering into persons",
        "verifying persons",
        f"verifying persons: 400 of {persons_linked}",
        f"verifying persons: 800 of {persons_linked}",
    ]
    with engine.connect() as conn:
        persons = list(conn.scalars(select(PersonSummary.person_id).order_by("person_id")))
        several = conn.scalar(
            select(func.min(PersonSummary.person_id)).where(PersonSummary.records >= 3)
        )
    assert len(persons) > CHUNK_PERSONS and several is not None
    assert persons_linked == f"{len(persons):,}"
    decide_status(engine, persons[-1], "verified", "death certificate seen", "reviewer")
    with engine.connect() as conn:
        before = summaries(conn)
        alone = verify_persons(conn, workers=1)
        assert summaries(conn) == before
        shared = verify_persons(conn, workers=2)
        assert summaries(conn) == before
        chosen = sorted({persons[0], several, persons[-1]})
        some = verify_persons(conn, chosen, workers=2)
        assert summaries(conn) == before
        conn.rollback()
    assert shared == alone and alone.persons == len(persons)
    assert some.persons == len(chosen) and some.by_status.get("verified", 0) >= 1
