"""Every preset list shape goes through the whole job, on SQLite and PostgreSQL.

Lists in the wild carry fewer fields than Marsad's own generator writes: no stage may assume a
field is present. Each preset is ingested alone (each row stored or quarantined with its
reason); then lists of every shape, mixed as a documentation team receives them, and lists of
names and dates alone, are linked, verified, estimated and reported without an error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from marsad.services.demo import ingest_scenario
from marsad.services.estimate import estimate_store
from marsad.services.link import link
from marsad.services.report import write_report
from marsad.services.verify import verify
from marsad.store.models import Person, Record
from marsad.synth import generate, write_scenario
from marsad.synth.shapes import builtin_presets

PRESETS = sorted(builtin_presets())
MIXES = {
    "arabic-and-latin": [
        "arabic-monitor",
        "latin-un",
        "latin-french-two-part",
        "arabic-register",
        "arabic-community",
    ],
    "latin-and-mixed": [
        "latin-rule-english",
        "latin-german-family-first",
        "latin-french-two-part",
        "mixed-script",
        "palette",
    ],
    "names-and-dates-only": ["names-dates"] * 4,
}
"""Every preset appears in a mix; a copying list (position 3) folds into the list it copies."""


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_shape_ingests(engine: Engine, tmp_path: Path, preset: str) -> None:
    shape = builtin_presets()[preset]
    scenario = generate(12, 300, 3, shapes=[shape] * 3)
    write_scenario(scenario, tmp_path)
    summaries = ingest_scenario(engine, tmp_path, user="test")
    written = sum(len(source.rows) for source in scenario.lists)
    assert sum(s.rows_recorded + s.rows_quarantined for s in summaries) == written
    with engine.connect() as conn:
        stored = conn.scalar(select(func.count()).select_from(Record))
    assert stored == sum(s.rows_recorded for s in summaries) > 0


def test_every_preset_is_in_a_mix() -> None:
    assert {p for mix in MIXES.values() for p in mix} == set(PRESETS)


@pytest.mark.parametrize("mix", sorted(MIXES))
def test_every_shape_links_verifies_estimates_and_reports(
    engine: Engine, tmp_path: Path, mix: str
) -> None:
    shapes = [builtin_presets()[name] for name in MIXES[mix]]
    write_scenario(generate(7, 600, len(shapes), shapes=shapes), tmp_path / "lists")
    ingest_scenario(engine, tmp_path / "lists", user="test")
    linked = link(engine)
    with engine.connect() as conn:
        records = conn.scalar(select(func.count()).select_from(Record))
        persons = conn.scalar(select(func.count()).select_from(Person))
    assert linked.model != "none" and persons is not None and records is not None
    assert persons < records, f"{mix}: nothing was linked"
    verify(engine)
    estimated = estimate_store(engine, preset="fast", linkage_draws=2)
    assert estimated.total.estimate >= estimated.total.observed > 0
    report = write_report(engine, tmp_path / "report.html", estimated=estimated)
    assert report is not None and (tmp_path / "report.html").stat().st_size > 0
