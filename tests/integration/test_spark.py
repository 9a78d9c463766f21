"""The linkage model on Apache Spark (local mode) decides as it does on DuckDB.

Both engines run the same Splink settings; a model trained on DuckDB and reused on Spark
must score the same pairs, reach the same decisions and so build the same persons.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from marsad.services.demo import ingest_scenario
from marsad.services.link import link, run_model
from marsad.store.db import make_engine, migrate
from marsad.store.models import LinkDecision, LinkRun, Record
from marsad.synth import generate, write_scenario


@pytest.fixture
def scenario_store(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite store holding a small synthetic scenario: enough records to train a model."""
    lists_dir = tmp_path / "lists"
    write_scenario(generate(seed=5, people=700, lists=4), lists_dir)
    engine = make_engine(f"sqlite:///{tmp_path / 'marsad.db'}")
    migrate(engine)
    ingest_scenario(engine, lists_dir)
    try:
        yield engine
    finally:
        engine.dispose()


def persons(engine: Engine) -> set[frozenset[int]]:
    """The partition of records into persons, whatever the persons' ids."""
    groups: defaultdict[int, set[int]] = defaultdict(set)
    with engine.connect() as conn:
        for record_id, person_id in conn.execute(select(Record.id, Record.person_id)):
            assert person_id is not None
            groups[person_id].add(record_id)
    return {frozenset(group) for group in groups.values()}


def model_decisions(engine: Engine, run_id: int) -> dict[tuple[int, int], dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                LinkDecision.record_a_id,
                LinkDecision.record_b_id,
                LinkDecision.decision,
                LinkDecision.score,
                LinkDecision.gammas,
                LinkDecision.weights,
            ).where(LinkDecision.run_id == run_id, LinkDecision.kind == "model")
        )
        return {
            tuple(sorted((r.record_a_id, r.record_b_id))): {
                "decision": r.decision,
                "score": r.score,
                "gammas": list(r.gammas),
                "weights": list(r.weights),
            }
            for r in rows
        }


def run_engine(engine: Engine, run_id: int) -> str:
    """The engine a link run records having run on."""
    with engine.connect() as conn:
        return str(conn.scalar(select(LinkRun.engine).where(LinkRun.id == run_id)))


def test_spark_reaches_the_decisions_and_persons_of_duckdb(scenario_store: Engine) -> None:
    on_duckdb = link(scenario_store)
    assert on_duckdb.model == "trained"
    duckdb_persons = persons(scenario_store)
    duckdb_decisions = model_decisions(scenario_store, on_duckdb.run_id)
    model = run_model(scenario_store, on_duckdb.run_id)
    assert model is not None
    assert any(d["decision"] == "match" for d in duckdb_decisions.values())
    assert len(duckdb_persons) < on_duckdb.clusters.records, "the model linked nothing"

    on_spark = link(scenario_store, linker="spark", trained=model)

    assert on_spark.engine == "spark"
    assert run_engine(scenario_store, on_spark.run_id) == "spark"
    spark_decisions = model_decisions(scenario_store, on_spark.run_id)
    assert spark_decisions.keys() == duckdb_decisions.keys()
    for pair, decision in duckdb_decisions.items():
        on_both = spark_decisions[pair]
        assert on_both["decision"] == decision["decision"], pair
        assert on_both["gammas"] == decision["gammas"], pair
        assert on_both["score"] == pytest.approx(decision["score"], abs=1e-6), pair
        # Weights are stored rounded to 3 decimals: allow one step of rounding either way.
        assert on_both["weights"] == pytest.approx(decision["weights"], abs=2e-3), pair
    assert persons(scenario_store) == duckdb_persons
    assert on_spark.clusters.persons == on_duckdb.clusters.persons
