"""Deterministic linkage on the store: links across scripts, brothers apart, reviewers win."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import Engine, select

from marsad.services.ingest import ingest_file
from marsad.services.link import link, splink_backend
from marsad.store.models import LinkDecision, Record, Source
from tests.integration.helpers import person, write_csv


def persons_by_record(engine: Engine) -> dict[tuple[str, str], int | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Source.name, Record.record_id, Record.person_id).join(
                Source, Source.id == Record.source_id
            )
        )
        return {(r.name, r.record_id): r.person_id for r in rows}


def record_pk(engine: Engine, source: str, record_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(Record.id)
                .join(Source, Source.id == Record.source_id)
                .where(Source.name == source, Record.record_id == record_id)
            ).scalar_one()
        )


def two_lists(engine: Engine, tmp_path: Path) -> None:
    arabic = [
        person("M-1", "محمد أحمد الأسعد"),
        person("M-2", "علي أحمد الأسعد"),  # his brother: same father, family, date, place
        person("M-3", "سمير يوسف حداد", date="2025-03-08", governorate="Tartous"),
        person("M-4", "محمد أحمد الأسعد", date="2025-03"),  # partial date: not for the rule
    ]
    latin = [
        person("U-1", "Mohammad Ahmad al-Asaad"),
        person("U-2", "Samir Youssef Haddad", date="2025-03-08", governorate="طرطوس"),
        person("U-3", "Ali Ahmad al-Asaad", governorate="Homs"),  # another place
    ]
    ingest_file(engine, write_csv(tmp_path / "m.csv", arabic), "Monitoring group")
    ingest_file(engine, write_csv(tmp_path / "u.csv", latin), "UN office", kind="un_office")


def test_rule_links_across_scripts_and_keeps_brothers_apart(engine: Engine, tmp_path: Path) -> None:
    two_lists(engine, tmp_path)
    summary = link(engine)
    persons = persons_by_record(engine)
    assert None not in persons.values()
    mg, un = "Monitoring group", "UN office"
    assert persons[(mg, "M-1")] == persons[(un, "U-1")]
    assert persons[(mg, "M-3")] == persons[(un, "U-2")]
    assert persons[(mg, "M-1")] != persons[(mg, "M-2")]
    assert persons[(mg, "M-2")] != persons[(un, "U-3")]
    assert persons[(mg, "M-4")] != persons[(mg, "M-1")]
    assert summary.clusters.records == 7
    assert summary.clusters.persons == 5
    assert summary.rule_links == 2
    assert summary.model == "default", "seven records are too few to train a model"


def test_relinking_is_stable_and_keeps_ids(engine: Engine, tmp_path: Path) -> None:
    two_lists(engine, tmp_path)
    link(engine)
    first = persons_by_record(engine)
    again = link(engine)
    assert persons_by_record(engine) == first
    assert again.clusters.persons_new == 0
    extra = [person("H-1", "Rami Haddad", date="2025-04-01")]
    ingest_file(engine, write_csv(tmp_path / "h.csv", extra), "Hotline", kind="relative")
    link(engine)
    after = persons_by_record(engine)
    assert {k: v for k, v in after.items() if k in first} == first
    assert after[("Hotline", "H-1")] not in first.values()


def test_reviewer_decisions_override_the_rule_and_survive_reruns(
    engine: Engine, tmp_path: Path
) -> None:
    two_lists(engine, tmp_path)
    m1 = record_pk(engine, "Monitoring group", "M-1")
    u1 = record_pk(engine, "UN office", "U-1")
    m4 = record_pk(engine, "Monitoring group", "M-4")
    with engine.begin() as conn:
        conn.execute(
            LinkDecision.__table__.insert(),
            [
                {
                    "record_a_id": m1,
                    "record_b_id": u1,
                    "kind": "human",
                    "decision": "non_match",
                    "decided_by": "reviewer",
                    "note": "different mothers",
                },
                {
                    "record_a_id": m1,
                    "record_b_id": m4,
                    "kind": "human",
                    "decision": "match",
                    "decided_by": "reviewer",
                    "note": "same family report",
                },
            ],
        )
    summary = link(engine)
    link(engine)
    persons = persons_by_record(engine)
    assert persons[("Monitoring group", "M-1")] != persons[("UN office", "U-1")]
    assert persons[("Monitoring group", "M-1")] == persons[("Monitoring group", "M-4")]
    assert summary.clusters.refused_links == 1
    with engine.connect() as conn:
        kinds = conn.execute(select(LinkDecision.kind)).scalars().all()
    assert kinds.count("human") == 2


def test_duckdb_spills_into_a_private_folder_removed_after_the_run() -> None:
    """Not into ".tmp" in the working directory, DuckDB's default."""
    with splink_backend("duckdb") as backend:
        spill = Path(backend._con.execute("SELECT current_setting('temp_directory')").fetchone()[0])
        assert spill.is_dir() and spill.parent == Path(tempfile.gettempdir())
    assert not spill.exists()
