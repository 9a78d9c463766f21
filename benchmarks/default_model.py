"""Learn the default linkage model shipped in the package (src/marsad/linkage/default_model.json).

    .venv/bin/python benchmarks/default_model.py        # the matrix's 20,000-people scenarios
    .venv/bin/python benchmarks/default_model.py --only issue-14 --out /tmp/m.json

Small lists cannot train a model, a session of EM on lists without some field cannot train that
field's comparison, and EM on any lists is drawn toward this model's m (`marsad.linkage.em`).
It is learned on the shapes of the scenario matrix (benchmarks/scenarios.yaml), up to
`--people-max`, each drawn with ANOTHER seed (the matrix's seed + SEED_OFFSET), so no list the
matrix measures was learned on. Each scenario's lists are ingested into a fresh SQLite store and
EM without a prior (strength 0) trains every comparison its fields allow, from Splink's own
starting values, so the result does not depend on the previous default. Each level's m is the
median, over the scenarios whose EM trained that comparison, of the level's m (see `average`);
u likewise (u is re-estimated on the records of every run, so it only matters as a starting
value); the prior too (every run re-estimates it, `linkage.model.estimate_prior`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.matrix import MATRIX  # noqa: E402
from marsad.linkage import comparisons as comparison_library  # noqa: E402
from marsad.linkage import model as linkage_model  # noqa: E402
from marsad.linkage.features import features_frame  # noqa: E402
from marsad.linkage.plan import ModelPlan, plan_model  # noqa: E402
from marsad.services.demo import ingest_scenario  # noqa: E402
from marsad.services.link import linkage_records, splink_backend  # noqa: E402
from marsad.store.db import open_store  # noqa: E402
from marsad.synth import write_scenario  # noqa: E402
from marsad.synth.matrix import ScenarioSpec, read_matrix  # noqa: E402

OUT = ROOT / "src" / "marsad" / "linkage" / linkage_model.DEFAULT_MODEL
SEED_OFFSET = 10_000


def trained_model(scenario: ScenarioSpec, work: Path) -> tuple[dict[str, Any], tuple[str, ...]]:
    """EM on one scenario's records, from Splink's starting values; the model and the
    comparisons its sessions trained."""
    lists = work / scenario.name
    write_scenario(replace(scenario, seed=scenario.seed + SEED_OFFSET).generate(), lists)
    engine = open_store(f"sqlite:///{work / (scenario.name + '.db')}")
    ingest_scenario(engine, lists)
    with engine.connect() as conn:
        frame = features_frame(linkage_records(conn))
    engine.dispose()
    if len(frame) > linkage_model.TRAINING_RECORDS:
        frame = frame.sample(n=linkage_model.TRAINING_RECORDS, random_state=1)
    plan = plan_model(frame, train=True)
    print(f"{scenario.name}: {plan.describe()}", flush=True)
    bare = linkage_model.settings(plan).create_settings_dict("duckdb")
    with splink_backend("duckdb") as backend:
        model = linkage_model.fit(frame, plan, backend, lambda _stage: None, bare, strength=0)
    trained = tuple(c for c in plan.comparisons if c not in plan.untrained)
    return model, trained


def average(models: list[tuple[dict[str, Any], tuple[str, ...]]]) -> dict[str, Any]:
    """Each level's median m (and u) over the scenarios whose EM trained the comparison,
    rescaled so a comparison's m add up to one: the median, because EM without a prior settles
    on relatives rather than persons in some scenarios (the module docstring of
    marsad.linkage.em), and a mean would carry that into every run."""
    every = tuple(spec.name for spec in comparison_library.COMPARISONS)
    full = linkage_model.settings(
        ModelPlan(every, (), (("first_key",),), (), ())
    ).create_settings_dict("duckdb")
    for comparison in full["comparisons"]:
        name = comparison["output_column_name"]
        sources = [
            {c["output_column_name"]: c for c in model["comparisons"]}[name]
            for model, trained in models
            if name in trained
        ]
        if not sources:
            raise SystemExit(f"no scenario trained the {name!r} comparison")
        levels = comparison["comparison_levels"]
        for key in ("m_probability", "u_probability"):
            free = [
                i
                for i, level in enumerate(levels)
                if not level.get("is_null_level") and not level.get(f"fix_{key}")
            ]
            medians = {
                i: statistics.median(float(s["comparison_levels"][i][key]) for s in sources)
                for i in free
            }
            fixed = sum(float(lv[key]) for lv in levels if lv.get(f"fix_{key}") and key in lv)
            total = sum(medians.values())
            for i, value in medians.items():
                levels[i][key] = value * (1 - fixed) / total
    full["probability_two_random_records_match"] = statistics.median(
        m["probability_two_random_records_match"] for m, _ in models
    )
    return full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people-max", type=int, default=20_000)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    scenarios = [
        s
        for s in read_matrix(MATRIX)
        if s.people <= args.people_max and (not args.only or s.name in args.only)
    ]
    with tempfile.TemporaryDirectory(prefix="marsad-default-model-") as work:
        models = [trained_model(s, Path(work)) for s in scenarios]
    model = average(models)
    model["marsad_default_model"] = {
        "learned_on": [s.name for s in scenarios],
        "command": "benchmarks/default_model.py " + " ".join(sys.argv[1:]),
    }
    args.out.write_text(json.dumps(model, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
