"""Issue 21: encoded linkage between organisations against plaintext `marsad link`, same lists.

    .venv/bin/python benchmarks/overlap.py --people 20000 --lists 5 --seed 1
    .venv/bin/python benchmarks/overlap.py --people 100000 --lists 5 --seed 1
    .venv/bin/python benchmarks/overlap.py --scenario mixed-script
    .venv/bin/python benchmarks/overlap.py --people 20000 --seed 2101    # calibration seed

The lists (`marsad synth`'s generator, Arabic-script and Latin lists, as
benchmarks/linkage.py; or a scenario of benchmarks/scenarios.yaml) are synthesised once into
--work. Plaintext: every list ingested into a fresh SQLite store (`ingest_file`), linked by
`marsad.services.link.link`; persons per record read back from the store. Encoded: every list
encoded by `marsad.services.overlap.encode_file` with one secret, then linked from the encoded
files alone (`link_files`). Both sides are reduced to the same figures:
- persons on both lists, for every pair of lists, over all records (plaintext persons vs
  encoded persons) and the relative difference;
- pairwise precision and recall of each against the scenario's truth.csv;
- LCMCR: `estimate_store(engine, linkage_draws=0)` on the plaintext store (stored persons, the
  identifiability rule, copying lists folded) against `estimate_histories` on the encoded
  histories file (records marked identifiable and of the status estimated by each party,
  copying lists folded by `link_files(copies=…)`, as `marsad overlap link --copies`), both
  with the default preset and seed.
The plaintext store and its figures are kept in --work, so a second run re-does only the
encoded side. Prints one JSON object; docs/benchmarks.md has the results and the load.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.linkage import load, peak_mb  # noqa: E402
from marsad.linkage.quality import pairwise_quality  # noqa: E402
from marsad.overlap.compare import Combined, score_pairs  # noqa: E402
from marsad.overlap.persons import cluster  # noqa: E402
from marsad.overlap.schema import load_schema  # noqa: E402
from marsad.services.demo import ingest_scenario, linked_persons, read_truth  # noqa: E402
from marsad.services.estimate import (  # noqa: E402
    estimate_histories,
    estimate_store,
    histories_file,
)
from marsad.services.link import link  # noqa: E402
from marsad.services.overlap import (  # noqa: E402
    encode_file,
    link_files,
    make_secret,
    read_encoded,
)
from marsad.store.db import open_store  # noqa: E402
from marsad.synth import generate, write_scenario  # noqa: E402
from marsad.synth.matrix import read_matrix  # noqa: E402

MATRIX = ROOT / "benchmarks" / "scenarios.yaml"


def list_overlaps(persons: dict[tuple[str, str], Any], lists: list[str]) -> dict[str, int]:
    """Persons holding records of both lists, for every pair of lists."""
    sources_of: dict[Any, set[str]] = {}
    for (source, _record), person in persons.items():
        sources_of.setdefault(person, set()).add(source)
    return {
        f"{a} & {b}": sum(1 for s in sources_of.values() if a in s and b in s)
        for i, a in enumerate(lists)
        for b in lists[i + 1 :]
    }


def interval(estimate: Any) -> dict[str, float]:
    low, high = estimate.interval
    return {"estimate": round(estimate.estimate), "low": round(low), "high": round(high)}


def plaintext(work: Path, lists: list[str]) -> dict[str, Any]:
    cached = work / "plain.json"
    if cached.exists():
        result: dict[str, Any] = json.loads(cached.read_text())
        return result
    db = work / "plain.db"
    db.unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{db}")
    started = time.perf_counter()
    ingest_scenario(engine, work / "lists", user="benchmark")
    ingested = time.perf_counter()
    link(engine)
    linked = time.perf_counter()
    persons = {k: (v if v is not None else k) for k, v in linked_persons(engine).items()}
    truth = read_truth(work / "lists" / "truth.csv")
    quality = pairwise_quality(truth, persons)
    fitted = estimate_store(engine, linkage_draws=0, save=False)
    result = {
        "ingest_seconds": round(ingested - started, 1),
        "link_seconds": round(linked - ingested, 1),
        "records": len(persons),
        "persons": len(set(persons.values())),
        "precision": round(quality.precision, 4),
        "recall": round(quality.recall, 4),
        "overlaps": list_overlaps(persons, lists),
        "lcmcr": interval(fitted.total),
        "lcmcr_lists": fitted.lists,
    }
    cached.write_text(json.dumps(result, indent=1))
    engine.dispose()
    return result


def encoded(work: Path, manifest: list[dict[str, Any]], lists: list[str]) -> dict[str, Any]:
    folder = work / "encoded"
    folder.mkdir(exist_ok=True)
    secret = folder / "secret.key"
    if not secret.exists():
        make_secret(secret)
    started = time.perf_counter()
    maps: dict[str, Path] = {}
    for item in manifest:
        maps[item["source"]] = folder / f"{item['source']}.map.csv"
        encode_file(
            work / "lists" / item["file"],
            secret,
            folder / f"{item['source']}.csv",
            label=item["source"],
            map_out=maps[item["source"]],
        )
    encoded_at = time.perf_counter()
    paths = [folder / f"{source}.csv" for source in lists]
    copies = {item["source"]: item["copies"] for item in manifest if item.get("copies")}
    summary = link_files(paths, folder / "histories.csv", pairs_out=folder / "units", copies=copies)
    linked_at = time.perf_counter()
    # The same linkage again, below the service, to read each record's person.
    schema = load_schema()
    lists_read = [read_encoded(p, schema) for p in paths]
    combined = Combined.of(lists_read, schema.blocking_rules)
    found = cluster(combined, score_pairs(combined))
    record_of = {}
    for source in lists:
        with maps[source].open(encoding="utf-8") as handle:
            next(handle)
            for line in handle:
                row_id, record_id = line.rstrip("\n").split(",", 1)
                record_of[(source, row_id)] = record_id
    persons = {}
    index = 0
    for listed in lists_read:
        for row_id in listed.row_ids:
            persons[(listed.label, record_of[(listed.label, row_id)])] = int(found.person_of[index])
            index += 1
    truth = read_truth(work / "lists" / "truth.csv")
    quality = pairwise_quality(truth, persons)
    table, provenance = histories_file(folder / "histories.csv")
    fitted = estimate_histories(table, method="lcmcr", encoded=provenance)
    return {
        "encode_seconds": round(encoded_at - started, 1),
        "link_seconds": round(linked_at - encoded_at, 1),
        "pairs_compared": summary.pairs_compared,
        "records": len(persons),
        "persons": summary.persons,
        "precision": round(quality.precision, 4),
        "recall": round(quality.recall, 4),
        "overlaps": list_overlaps(persons, lists),
        "lcmcr": interval(fitted.total),
        "lcmcr_lists": fitted.lists,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", help="A scenario of benchmarks/scenarios.yaml.")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--lists", type=int, default=5)
    parser.add_argument("--seed", type=int, help="The generator's (or scenario's) seed.")
    parser.add_argument("--work", type=Path, help="Folder kept between runs.")
    args = parser.parse_args()
    if args.scenario:
        spec = next(s for s in read_matrix(MATRIX) if s.name == args.scenario)
        if args.seed is not None:
            spec = dataclasses.replace(spec, seed=args.seed)
        name, seed, people = spec.name, spec.seed, spec.people
        make = spec.generate
    else:
        name, seed, people = f"synth-{args.lists}", args.seed or 1, args.people

        def make() -> Any:
            return generate(seed=seed, people=people, lists=args.lists)

    work = args.work or Path(f"/tmp/marsad-overlap-{name}-{people}-{seed}")
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "lists" / "scenario.json").exists():
        write_scenario(make(), work / "lists")
    manifest = json.loads((work / "lists" / "scenario.json").read_text())["lists"]
    lists = [item["source"] for item in manifest]
    plain = plaintext(work, lists)
    coded = encoded(work, manifest, lists)
    difference = {
        pair: round((coded["overlaps"][pair] - count) / count, 4) if count else None
        for pair, count in plain["overlaps"].items()
    }
    low, high = plain["lcmcr"]["low"], plain["lcmcr"]["high"]
    report = {
        "scenario": name,
        "seed": seed,
        "people": people,
        "plaintext": plain,
        "encoded": coded,
        "overlap_relative_difference": difference,
        "largest_overlap_difference": max(abs(d) for d in difference.values() if d is not None),
        "encoded_lcmcr_inside_plaintext_interval": low <= coded["lcmcr"]["estimate"] <= high,
        "peak_mb": round(peak_mb()),
        "load": load(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
