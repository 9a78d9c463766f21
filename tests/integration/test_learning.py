"""Reviewers' decisions teach the next link run, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, select

from marsad.linkage.explain import weight_to_probability
from marsad.linkage.learn import MIN_LABELS, REVIEWERS
from marsad.linkage.model import DRAW_FLOOR
from marsad.services.demo import ingest_scenario, read_truth
from marsad.services.link import link, run_correction, run_model
from marsad.services.review import accept, reject
from marsad.services.review_queue import review_queue
from marsad.store.models import LinkDecision, LinkRun
from marsad.synth import generate, write_scenario

WIDE = 0.2
"""A wider review band than the default, so that the queue holds both answers in number."""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("scenario")
    write_scenario(generate(seed=21, people=1500, lists=4), directory)
    return directory


def answer_from_truth(engine: Engine, scenario: Path, count: int) -> dict[frozenset[int], bool]:
    """A reviewer who knows the truth decides the first `count` pairs of the queue."""
    truth = read_truth(scenario / "truth.csv")
    answers = {}
    for item in review_queue(engine, limit=count):
        a, b = item.record_a, item.record_b
        same = truth[(a.source, a.record_id)] == truth[(b.source, b.record_id)]
        (accept if same else reject)(engine, a.id, b.id, "Rania")
        answers[frozenset((a.id, b.id))] = same
    return answers


def run_settings(engine: Engine, run_id: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(LinkRun.settings).where(LinkRun.id == run_id)).scalar_one())


def model_scores(engine: Engine) -> dict[frozenset[int], tuple[float, list[int]]]:
    with engine.connect() as conn:
        rows = conn.execute(select(LinkDecision.__table__).where(LinkDecision.kind == "model"))
        return {frozenset((r.record_a_id, r.record_b_id)): (r.score, r.gammas) for r in rows}


def same_scores(
    one: dict[frozenset[int], tuple[float, list[int]]],
    two: dict[frozenset[int], tuple[float, list[int]]],
) -> bool:
    return one.keys() == two.keys() and all(
        one[p][1] == two[p][1] and abs(one[p][0] - two[p][0]) < 1e-9 for p in one
    )


def test_reviewers_decisions_correct_the_next_run_in_their_direction(
    engine: Engine, scenario: Path
) -> None:
    ingest_scenario(engine, scenario)
    first = link(engine, review_threshold=WIDE)
    untaught = model_scores(engine)
    # Every later run reuses the first run's model: only what reviewers taught differs.
    model = run_model(engine, first.run_id)

    answer_from_truth(engine, scenario, 5)
    few = link(engine, review_threshold=WIDE, trained=model)
    assert "too few to learn from" in few.learned
    assert run_settings(engine, few.run_id)["reviewers_correction"] is None
    assert same_scores(model_scores(engine), untaught), "too few labels change nothing"

    answers = answer_from_truth(engine, scenario, 4 * MIN_LABELS)
    assert sum(answers.values()) >= 10 and sum(not a for a in answers.values()) >= 10
    taught = link(engine, review_threshold=WIDE, trained=model)
    assert taught.learned.startswith("learned from")
    settings = run_settings(engine, taught.run_id)
    correction = run_correction(settings)
    assert correction is not None and correction.labels >= len(answers)

    # In the labelled direction: the pairs reviewers accepted are corrected upward relative
    # to those they rejected, and the run's scores are the corrected ones.
    def mean_correction(same: bool) -> float:
        return float(
            np.mean(
                [
                    correction.weight(untaught[pair][1])
                    for pair, answer in answers.items()
                    if answer is same and pair in untaught
                ]
            )
        )

    assert mean_correction(True) > mean_correction(False)
    taught_scores = model_scores(engine)
    changed = [p for p in taught_scores.keys() & untaught.keys() if p not in answers]
    assert any(taught_scores[p][0] != pytest.approx(untaught[p][0], abs=1e-6) for p in changed)
    assert min(score for score, _ in taught_scores.values()) >= DRAW_FLOOR

    for item in review_queue(engine, limit=20):
        explanation = item.explanation
        assert explanation is not None and item.probability is not None
        learned = [c for c in explanation.contributions if c.comparison == REVIEWERS]
        if not item.held_back:  # held back: the model links it, so no correction applies
            gammas = taught_scores[frozenset((item.record_a.id, item.record_b.id))][1]
            assert learned == [explanation.contributions[-1]]
            assert learned[0].weight == pytest.approx(correction.weight(gammas))
        rebuilt = weight_to_probability(explanation.total_weight)
        assert rebuilt == pytest.approx(item.probability, abs=2e-3), "reasons add up to the score"

    off = link(engine, review_threshold=WIDE, trained=model, learning=False)
    assert off.learned == "learning from reviewers' decisions is off"
    assert same_scores(model_scores(engine), untaught)
