"""Every preset list shape goes through the real ingest service, on SQLite and PostgreSQL.

Linkage on these shapes is being fixed elsewhere (issue 14); here only ingest is held to them:
each written row is stored or quarantined with its reason, nothing raises.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from marsad.services.demo import ingest_scenario
from marsad.store.models import Record
from marsad.synth import generate, write_scenario
from marsad.synth.shapes import builtin_presets

PRESETS = sorted(builtin_presets())


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
