"""Linkage quality and speed on a synthetic scenario: Marsad beside plain Splink.

    .venv/bin/python benchmarks/linkage.py --people 100000 --lists 5
    .venv/bin/python benchmarks/linkage.py --people 855000 --lists 5 --skip-baseline  # ~1M records
    .venv/bin/python benchmarks/linkage.py --people 20000 --skip-baseline --synth typos=0.5
    .venv/bin/python benchmarks/linkage.py --scenario issue-14-large --people 700000 \
        --skip-baseline        # issue 14's million records, of its five list shapes

`--synth OPTION=VALUE` passes an option of `marsad synth` (e.g. the multipliers on typos, name
variation, missing fields, partial dates, date shifts and recording errors) to the scenario.
`--scenario NAME` takes a scenario of benchmarks/scenarios.yaml instead (its seed, list shapes
and settings; `--people` still sets the size when given).

The scenario (marsad.synth) is written to a temp folder, ingested list by list into an empty
store and linked, as `marsad demo` does. Ingest + link run in a fresh child process, so its
peak RSS is theirs alone; the baseline (benchmarks/baseline_splink.py) runs in another fresh
child on the same stored records. Quality is pairwise, against the scenario's truth.
Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import splink

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.baseline_splink import baseline_records, link_baseline  # noqa: E402
from marsad.linkage.quality import PairwiseQuality, pairwise_quality  # noqa: E402
from marsad.services.demo import linked_persons, read_truth, scenario_lists  # noqa: E402
from marsad.services.ingest import ingest_file  # noqa: E402
from marsad.services.link import link  # noqa: E402
from marsad.store.db import open_store  # noqa: E402
from marsad.synth import generate, write_scenario  # noqa: E402
from marsad.synth.matrix import read_matrix  # noqa: E402

T = TypeVar("T")
PROGRESS_ROWS = 100_000
MATRIX = ROOT / "benchmarks" / "scenarios.yaml"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stopwatch:
    """Consecutive stages of one process: each `mark` ends the open stage and starts the next.

    Each stage is printed as it ends, with the process's peak RSS so far, so a long run shows
    where it is and where the time and memory went.
    """

    def __init__(self) -> None:
        self.stages: list[tuple[str, float, float]] = []
        self._label: str | None = None
        self._start = time.perf_counter()

    def mark(self, label: str | None) -> None:
        now = time.perf_counter()
        if self._label is not None:
            stage = (self._label, now - self._start, peak_mb())
            self.stages.append(stage)
            print(f"  {stage[0]:<60} {stage[1]:8.1f} s   peak RSS so far {stage[2]:8,.0f} MB")
        self._label, self._start = label, now

    def elapsed(self) -> float:
        """Seconds since the open stage started."""
        return time.perf_counter() - self._start

    @property
    def total(self) -> float:
        return sum(seconds for _, seconds, _ in self.stages)


def quiet() -> None:
    """Keep Splink's INFO chatter (stderr) and DuckDB's progress bar (written by C++ to fd 1)
    out of the figures: the child prints to a copy of stdout, and fd 1 goes to /dev/null."""
    handler = logging.StreamHandler()
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    figures = os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    sys.stdout = open(figures, "w", buffering=1, encoding="utf-8")  # noqa: SIM115


def in_child(function: Callable[..., T], *args: Any) -> T:
    """Run `function` in a fresh interpreter, so that its peak RSS is its own."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=quiet) as pool:
        return pool.submit(function, *args).result()


def ingest_and_link(db_url: str, list_dir: Path) -> dict[str, Any]:
    """The measured work: every list ingested, then `link`, timed stage by stage."""
    engine = open_store(db_url)
    watch = Stopwatch()
    imports = []
    for item in scenario_lists(list_dir):
        label = f"ingest {item['file']}"

        def rows(count: int, label: str = label) -> None:
            if count % PROGRESS_ROWS == 0:
                print(f"    {label}: {count:,} rows, {watch.elapsed():.0f} s")

        watch.mark(label)
        summary = ingest_file(
            engine,
            list_dir / item["file"],
            item["source"],
            kind=item["kind"],
            copies=item.get("copies"),
            user="benchmark",
            progress=rows,
        )
        imports.append((summary.file, summary.rows_recorded, summary.rows_quarantined))
    watch.mark(None)
    result = link(engine, progress=lambda stage: watch.mark(f"link: {stage}"))
    watch.mark(None)
    ingest_seconds = sum(s for label, s, _ in watch.stages if label.startswith("ingest"))
    return {
        "imports": imports,
        "ingest_seconds": ingest_seconds,
        "link_seconds": watch.total - ingest_seconds,
        "seconds": watch.total,
        "peak_mb": peak_mb(),
        "rule_links": result.rule_links,
        "model_matches": result.model_matches,
        "review_pairs": result.review_pairs,
        "refused_links": result.clusters.refused_links,
    }


def baseline(db_url: str, truth_path: Path, oracle: bool, generic: bool) -> dict[str, Any]:
    """Plain Splink on the stored records, timed, and scored here (its clusters stay in the
    child). With `oracle`, it is given the true share of matching pairs instead of estimating
    it: a figure it cannot have in real use, which shows where the raw name alone tops out.
    With `generic`, names are transliterated letter for letter first."""
    watch = Stopwatch()
    prefix = "baseline" + (", transliterated" if generic else "")
    prefix += " (true prior)" if oracle else ""
    watch.mark(f"{prefix}: reading records")
    frame = baseline_records(open_store(db_url))
    keys = list(zip(frame["source"], frame["record_id"], strict=True))
    truth = read_truth(truth_path)
    prior = None
    if oracle:
        true_pairs = pairwise_quality(truth, {key: truth.get(key) for key in keys}).true_pairs
        prior = true_pairs / (len(keys) * (len(keys) - 1) / 2)
    clusters, pairs = link_baseline(
        frame, lambda stage: watch.mark(f"{prefix}: {stage}"), prior, generic
    )
    watch.mark(None)
    predicted = dict(zip(keys, clusters.reindex(frame["unique_id"]).tolist(), strict=True))
    quality = pairwise_quality(truth, predicted)
    return {
        "seconds": watch.total,
        "peak_mb": peak_mb(),
        "pairs": pairs,
        "prior": prior,
        "persons": len(set(predicted.values())),
        "quality": (quality.true_pairs, quality.predicted_pairs, quality.correct_pairs),
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, {memory:.1f} GiB; {platform.system()} "
        f"{platform.release()}; python {platform.python_version()}, splink {splink.__version__}, "
        f"duckdb {duckdb.__version__}"
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def quality_row(name: str, quality: PairwiseQuality, persons: int) -> str:
    return (
        f"  {name:<18} {quality.precision:9.4f} {quality.recall:9.4f} {quality.f1:9.4f}"
        f" {quality.predicted_pairs:>14,} {quality.correct_pairs:>14,} {persons:>12,}"
    )


def synth_options(pairs: list[str]) -> dict[str, int | float]:
    """`typos=0.5` → {"typos": 0.5}; the scenario's own Settings rejects unknown names."""
    options: dict[str, int | float] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise SystemExit(f"--synth {pair!r}: expected OPTION=VALUE")
        value = value.strip()
        options[name.strip()] = int(value) if value.isdigit() else float(value)
    return options


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int)
    parser.add_argument("--lists", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--db", help="an empty store's URL (default: a temp SQLite file)")
    parser.add_argument(
        "--synth",
        action="append",
        default=[],
        metavar="OPTION=VALUE",
        help="a marsad synth option (a field of marsad.synth.settings.Settings), repeatable",
    )
    parser.add_argument("--scenario", help="a scenario of benchmarks/scenarios.yaml, by name")
    args = parser.parse_args()
    options = synth_options(args.synth)
    if args.scenario:
        specs = {spec.name: spec for spec in read_matrix(MATRIX)}
        if args.scenario not in specs:
            raise SystemExit(f"--scenario: not in {MATRIX.name}; known: {sorted(specs)}")
        spec = specs[args.scenario]
        if args.people:
            spec = dataclasses.replace(spec, people=args.people)
        args.seed, args.people = spec.seed, spec.people
        args.lists, shapes = spec.lists, spec.shapes
        options = spec.settings | options
    else:
        args.people, shapes = args.people or 100_000, None
    print(machine())
    print(f"at start: {load()}")
    with tempfile.TemporaryDirectory(prefix="marsad-bench-") as tmp:
        directory = Path(tmp)
        list_dir = directory / "lists"
        db_url = args.db or f"sqlite:///{directory / 'bench.db'}"
        start = time.perf_counter()
        scenario_data = generate(args.seed, args.people, args.lists, shapes=shapes, **options)
        write_scenario(scenario_data, list_dir)
        synth_seconds = time.perf_counter() - start
        scenario = json.loads((list_dir / "scenario.json").read_text(encoding="utf-8"))
        records = sum(item["records"] for item in scenario["lists"])
        print(
            f"scenario: seed {args.seed}, {args.people:,} people, {args.lists} lists, "
            f"{records:,} records, {scenario['documented_people']:,} documented people; "
            f"synth {synth_seconds:.1f} s"
        )
        if args.scenario:
            print(f"  scenario {args.scenario} of {MATRIX.name}")
        if options:
            print(f"  synth options: {options}")
        for item in scenario["lists"]:
            copies = f" (copies {item['copies']})" if item["copies"] else ""
            print(f"  {item['file']:<40} {item['records']:>10,} records{copies}")
        print(f"ingest + link, in a child process ({db_url.split(':', 1)[0]}):")
        start = time.perf_counter()
        run = in_child(ingest_and_link, db_url, list_dir)
        wall = time.perf_counter() - start
        print(f"  {'ingest total':<60} {run['ingest_seconds']:8.1f} s")
        print(f"  {'link total':<60} {run['link_seconds']:8.1f} s")
        print(
            f"  {'ingest + link':<60} {run['seconds']:8.1f} s   peak RSS {run['peak_mb']:,.0f} MB"
        )
        print(f"  {'ingest + link, wall clock with child start-up':<60} {wall:8.1f} s")
        recorded = sum(r for _, r, _ in run["imports"])
        quarantined = sum(q for _, _, q in run["imports"])
        print(
            f"records: {recorded:,} stored, {quarantined:,} quarantined; "
            f"{run['rule_links']:,} rule links, {run['model_matches']:,} model matches, "
            f"{run['review_pairs']:,} pairs for review, {run['refused_links']:,} links refused"
        )
        truth = read_truth(list_dir / "truth.csv")
        persons = linked_persons(open_store(db_url))
        quality = pairwise_quality(truth, persons)
        documented = len({truth[key] for key in persons if key in truth})
        found = len({pid for pid in persons.values() if pid is not None})
        rows = [quality_row("marsad", quality, found)]
        if not args.skip_baseline:
            variants = (
                (False, False, "plain splink"),
                (True, False, "plain, true prior"),
                (False, True, "transliterated"),
            )
            for oracle, generic, name in variants:
                print(f"baseline: {name}, in a child process:")
                plain = in_child(baseline, db_url, list_dir / "truth.csv", oracle, generic)
                prior = f"; prior {plain['prior']:.3g}" if oracle else ""
                print(
                    f"  {'baseline total':<60} {plain['seconds']:8.1f} s   "
                    f"peak RSS {plain['peak_mb']:,.0f} MB; {plain['pairs']:,} pairs >= "
                    f"threshold{prior}"
                )
                quality_b = PairwiseQuality(*plain["quality"])
                rows.append(quality_row(name, quality_b, plain["persons"]))
        print(
            f"quality (pairwise, {len(persons):,} stored records, {quality.true_pairs:,} true "
            f"pairs, {documented:,} true documented persons among them):"
        )
        print(
            f"  {'':<18} {'precision':>9} {'recall':>9} {'F1':>9} {'linked pairs':>14}"
            f" {'correct pairs':>14} {'persons':>12}"
        )
        for row in rows:
            print(row)
    print(f"at end: {load()}; parent peak RSS {peak_mb():,.0f} MB (synth, scoring)")


if __name__ == "__main__":
    main()
