"""Estimates through the service on SQLite and PostgreSQL: the identifiability rule, clusterings
drawn from the stored link decisions, reviewers' decisions held fixed, and the rule-only case."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, delete, func, select, update

from marsad.services.estimate import estimate_store
from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.review import reject
from marsad.services.verify import set_rules
from marsad.store.models import EstimateRun, LinkDecision, Record
from marsad.synth import generate, write_scenario
from marsad.verify.identifiable import DATE
from tests.integration.helpers import person, write_csv
from tests.web.linked_store import SCENARIO_PEOPLE, SCENARIO_SEED, link_scenario

FAST = {"preset": "fast", "save": False}


def _linked(engine: Engine, directory: Path) -> None:
    """A small scenario of 4 lists (3 independent: one copies another), ingested and linked."""
    write_scenario(
        generate(seed=SCENARIO_SEED, people=SCENARIO_PEOPLE, lists=4), directory / "lists"
    )
    link_scenario(engine, directory)


def _uncertain_pair(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            select(LinkDecision.record_a_id, LinkDecision.record_b_id)
            .where(LinkDecision.kind == "model", LinkDecision.decision == "uncertain")
            .order_by(LinkDecision.id)
            .limit(1)
        ).one()
    return int(row.record_a_id), int(row.record_b_id)


def test_only_identifiable_records_enter_the_histories(engine: Engine, tmp_path: Path) -> None:
    _linked(engine, tmp_path)
    before = estimate_store(engine, linkage_draws=0, **FAST)
    assert before.identifiability is not None
    assert before.identifiability.rule.date_precision == "month"
    left = before.identifiability.left_out
    assert left.persons - left.persons_left_out == before.total.observed
    assert left.records_left_out <= left.records

    with engine.begin() as conn:
        dated = conn.scalars(
            select(Record.id)
            .where(func.length(Record.date_of_death) >= 7)
            .order_by(Record.id)
            .limit(40)
        ).all()
        conn.execute(
            update(Record)
            .where(Record.id.in_(dated))
            .values(date_of_death=func.substr(Record.date_of_death, 1, 4))
        )
    year_only = estimate_store(engine, linkage_draws=0, **FAST).identifiability
    assert year_only is not None
    assert year_only.left_out.records_by_missing[DATE] >= left.records_by_missing.get(DATE, 0) + 30
    assert year_only.left_out.persons_left_out >= left.persons_left_out

    rules = tmp_path / "rules.yaml"
    default = (Path(__file__).parents[2] / "src/marsad/verify/default_rules.yaml").read_text()
    rules.write_text(default.replace("min_name_parts: 2", "min_name_parts: 4"), encoding="utf-8")
    with engine.begin() as conn:
        set_rules(conn, rules, "test")
    strict = estimate_store(engine, linkage_draws=0, **FAST)
    assert strict.identifiability is not None
    assert strict.identifiability.rule.min_name_parts == 4
    assert strict.identifiability.left_out.persons_left_out > year_only.left_out.persons_left_out
    assert strict.total.observed < before.total.observed


def test_clusterings_drawn_from_the_link_probabilities(engine: Engine, tmp_path: Path) -> None:
    _linked(engine, tmp_path)
    drawn = estimate_store(engine, linkage_draws=4, seed=3, preset="fast")
    document = drawn.as_dict()
    linkage = document["linkage"]
    assert linkage["draws"] == 4 and linkage["pairs_drawn"] > 0
    assert 0.0 <= linkage["width_share"] <= 1.0
    assert len(document["diagnostics"]["clusterings"]) == 4
    low, high = drawn.total.interval
    assert drawn.total.observed <= low <= drawn.total.estimate <= high
    assert document["settings"]["linkage_draws"] == 4
    with engine.connect() as conn:
        saved = conn.scalars(select(EstimateRun.result).order_by(EstimateRun.id.desc())).first()
    assert saved is not None and saved["linkage"]["draws"] == 4 and "warnings" in saved

    again = estimate_store(engine, linkage_draws=4, seed=3, preset="fast", save=False)
    assert (again.total.estimate, again.total.interval) == (
        drawn.total.estimate,
        drawn.total.interval,
    )

    a, b = _uncertain_pair(engine)
    reject(engine, a, b, "reviewer")
    reviewed = estimate_store(engine, linkage_draws=4, seed=3, preset="fast", save=False)
    assert reviewed.linkage.pairs_drawn == linkage["pairs_drawn"] - 1
    assert reviewed.linkage.reviewer_non_matches == 1

    off = estimate_store(engine, linkage_draws=0, **FAST)
    assert off.linkage.draws == 0 and "turned off" in (off.linkage.note or "")
    assert "clusterings" not in off.total.diagnostics

    by_governorate = estimate_store(
        engine, by=("governorate",), linkage_draws=3, method="loglinear", save=False
    )
    assert by_governorate.strata
    assert sum(s.observed for s in by_governorate.strata) == by_governorate.total.observed
    for stratum in by_governorate.strata:
        assert stratum.estimate is not None or "documented only" in stratum.note


def test_without_model_decisions_there_is_nothing_to_draw(engine: Engine, tmp_path: Path) -> None:
    names = [
        ("Ahmad Ali Hasan", "2025-03-07", "Lattakia"),
        ("Fatima Omar Saleh", "2025-03-08", "Tartous"),
        ("Khaled Yusuf Haddad", "2025-03-09", "Homs"),
        ("Layla Karim Nasser", "2025-04-01", "Hama"),
        ("Omar Sami Darwish", "2025-04-02", "Idlib"),
        ("Huda Nabil Khoury", "2025-04-03", "Aleppo"),
        ("Rami Adel Mansour", "2025-05", "Daraa"),
        ("Salma Fadi Aziz", "2025", "Lattakia"),
    ]
    for index, source in enumerate(("A", "B", "C")):
        kept = [n for i, n in enumerate(names) if (i + index) % 4 != 0]
        rows = [person(f"{source}-{i}", *n) for i, n in enumerate(kept)]
        ingest_file(engine, write_csv(tmp_path / f"{source}.csv", rows), source)
    link(engine)
    with engine.begin() as conn:  # a store linked by the rule alone, as before issue 14
        conn.execute(delete(LinkDecision).where(LinkDecision.kind == "model"))
    result = estimate_store(engine, **FAST)
    assert result.linkage.draws == 0
    assert "no model link decisions" in (result.linkage.note or "")
    assert result.identifiability is not None
    assert result.identifiability.left_out.persons_by_missing == {DATE: 1}, (
        "her two records: one person"
    )
