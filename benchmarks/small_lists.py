"""Small lists: the default model as shipped against EM drawn toward it, on samples of a scenario.

    .venv/bin/python benchmarks/small_lists.py --scenario issue-14
    .venv/bin/python benchmarks/small_lists.py --scenario palette --sizes 100 300 --repeats 5

A scenario of the matrix (benchmarks/scenarios.yaml) is written and ingested into a temporary
SQLite store; then, for each size, `--repeats` samples of whole true persons (all their records,
so the lists' overlap stays as it was) of about that many records are linked two ways: with the
default model's m (u and the prior estimated on the sample, as `marsad link` does when no
training session has enough pairs), and with `marsad link`'s training (EM drawn toward the
default model). Pairwise precision and recall are those of the pairs scored at or above the
match threshold, before clustering. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.matrix import MATRIX  # noqa: E402
from marsad.linkage import model as linkage_model  # noqa: E402
from marsad.linkage.features import LinkageRecord, features_frame  # noqa: E402
from marsad.linkage.plan import plan_model  # noqa: E402
from marsad.services.demo import ingest_scenario, read_truth  # noqa: E402
from marsad.services.link import linkage_records, splink_backend  # noqa: E402
from marsad.store.db import open_store  # noqa: E402
from marsad.store.models import Record, Source  # noqa: E402
from marsad.synth import write_scenario  # noqa: E402
from marsad.synth.matrix import read_matrix  # noqa: E402

Pair = frozenset[int]


def silent(_stage: str) -> None:
    """Stages are not shown: the benchmark prints one line per sample."""


def links(records: list[LinkageRecord], default_only: bool) -> set[Pair]:
    """Pairs scored at or above the match threshold, one way or the other."""
    frame = features_frame(records)
    with splink_backend("duckdb") as backend:
        trained = None
        if default_only:
            plan = plan_model(frame, train=False)
            start = linkage_model.default_model()
            trained = linkage_model.fit(frame, plan, backend, silent, start)
            trained["probability_two_random_records_match"] = linkage_model.estimate_prior(
                frame, trained, plan, backend
            ).value
        scored = linkage_model.score(frame, backend, silent, trained)
    pairs = scored.pairs[scored.pairs.match_probability >= linkage_model.MATCH_THRESHOLD]
    return {
        frozenset((int(a), int(b)))
        for a, b in zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)
    }


def quality(found: set[Pair], true: set[Pair]) -> str:
    good = len(found & true)
    precision = good / len(found) if found else 1.0
    recall = good / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="issue-14")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)
    [spec] = [s for s in read_matrix(MATRIX) if s.name == args.scenario]
    with tempfile.TemporaryDirectory(prefix="marsad-small-") as tmp:
        lists = Path(tmp) / "lists"
        write_scenario(spec.generate(), lists)
        engine = open_store(f"sqlite:///{Path(tmp) / 'marsad.db'}")
        ingest_scenario(engine, lists)
        with engine.connect() as conn:
            records = linkage_records(conn)
            keys = conn.execute(
                select(Record.id, Source.name, Record.record_id).join(
                    Source, Source.id == Record.source_id
                )
            ).tuples()
            truth = read_truth(lists / "truth.csv")
            person = {rid: truth[(source, record_id)] for rid, source, record_id in keys}
        engine.dispose()
    persons = sorted(set(person.values()))
    print("| scenario | records | true pairs | default model | EM toward it |")
    print("|---|---:|---:|---|---|")
    for size in args.sizes:
        rng = random.Random(size)
        for _ in range(args.repeats):
            chosen = set(rng.sample(persons, round(len(persons) * size / len(records))))
            sample = [r for r in records if person[r.id] in chosen]
            groups: dict[str, list[int]] = defaultdict(list)
            for r in sample:
                groups[person[r.id]].append(r.id)
            true = {frozenset(p) for g in groups.values() for p in itertools.combinations(g, 2)}
            default = quality(links(sample, default_only=True), true)
            trained = quality(links(sample, default_only=False), true)
            print(f"| {spec.name} | {len(sample):,} | {len(true):,} | {default} | {trained} |")


if __name__ == "__main__":
    main()
