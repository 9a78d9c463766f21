"""Issue 14's scenario matrix: linkage and every estimator on many list shapes, beside the truth.

    .venv/bin/python benchmarks/matrix.py                               # every scenario
    .venv/bin/python benchmarks/matrix.py --people-max 20000            # the 20,000-people ones
    .venv/bin/python benchmarks/matrix.py --only issue-14 --json-out matrix.json
    .venv/bin/python benchmarks/matrix.py --jobs 2 --matrix my-scenarios.yaml

The scenarios, their seeds and list shapes are fixed in benchmarks/scenarios.yaml. Each runs in
a fresh child process: synth -> every list ingested into a fresh SQLite store (ingest_file) ->
link -> pairwise precision and recall against truth.csv -> persons found against the truly
documented persons among the stored records -> the default estimate (estimate_store with no
options) and each method of marsad.estimate.methods.METHODS, through the service -> LCMCR on the
true capture histories (truth.csv's person ids, so no linkage error; copying lists folded into
the list they copy, as the service does) -> the true number killed (people.csv). Estimates
count persons with status killed, as the service does.

A stage that fails is recorded with its one-line error and the stages that need it are skipped;
a child that dies is recorded too; the runner goes on to the next scenario. Output: a markdown
table on stdout, the same rows as JSON with --json-out, and the issue's target summary.
Ingest and link seconds are the stages' own; peak RSS is the child's whole run. Results go to
docs/benchmarks.md by hand, with the load average printed beside them.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.estimation import quiet, true_histories  # noqa: E402
from benchmarks.linkage import load, machine, peak_mb  # noqa: E402
from marsad.domain.estimates import CaptureHistories, Estimate  # noqa: E402
from marsad.estimate.histories import histories_from_patterns  # noqa: E402
from marsad.estimate.methods import METHODS  # noqa: E402
from marsad.linkage.quality import pairwise_quality  # noqa: E402
from marsad.services.demo import ingest_scenario, linked_persons, read_truth  # noqa: E402
from marsad.services.estimate import estimate_histories, estimate_store  # noqa: E402
from marsad.services.link import link  # noqa: E402
from marsad.services.persons import estimation_records  # noqa: E402
from marsad.services.verify import rules_in_force  # noqa: E402
from marsad.store.db import open_store  # noqa: E402
from marsad.store.models import Record, Source  # noqa: E402
from marsad.synth import write_scenario  # noqa: E402
from marsad.synth.matrix import ScenarioSpec, read_matrix  # noqa: E402

T = TypeVar("T")
MATRIX = ROOT / "benchmarks" / "scenarios.yaml"
DEFAULT = "default"
ESTIMATORS = (DEFAULT, *METHODS)


def one_line(error: BaseException) -> str:
    """The error's type and first line, and of a long message (Splink puts its SQL between)
    the first later line that names an error, or else the last."""
    lines = [" ".join(line.split()) for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    later = [line for line in lines[1:] if "error" in line.lower()] or lines[-1:]
    text = lines[0][:160] + (f" … {later[0][:240]}" if later else "")
    return f"{type(error).__name__}: {text}"


class Run:
    """One scenario's record: figures by stage, and the stages that failed with why."""

    def __init__(self, spec: ScenarioSpec) -> None:
        self.row: dict[str, Any] = {
            "name": spec.name,
            "stands_for": spec.stands_for,
            "seed": spec.seed,
            "people": spec.people,
            "lists": spec.lists,
            "shapes": [s.name for s in spec.shapes],
            "estimates": {},
            "errors": {},
        }

    def stage(self, name: str, work: Callable[[], T]) -> T | None:
        try:
            return work()
        except Exception as error:  # a stage's failure is a figure of the matrix
            self.row["errors"][name] = one_line(error)
            return None


def summary(estimate: Estimate, seconds: float) -> dict[str, Any]:
    low, high = estimate.interval
    return {
        "estimate": estimate.estimate,
        "low": low,
        "high": high,
        "observed": estimate.observed,
        "seconds": round(seconds, 1),
    }


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def run_scenario(spec: ScenarioSpec) -> dict[str, Any]:
    """Synthesise, ingest, link and estimate one scenario (in a fresh child process)."""
    run = Run(spec)
    row = run.row
    with tempfile.TemporaryDirectory(prefix="marsad-matrix-") as tmp:
        folder = Path(tmp)
        list_dir = folder / "lists"
        made = run.stage("synth", lambda: timed(lambda: write_scenario(spec.generate(), list_dir)))
        if made is None:
            return row
        row["synth_seconds"] = round(made[1], 1)
        manifest = json.loads((list_dir / "scenario.json").read_text(encoding="utf-8"))
        row["records"] = sum(item["records"] for item in manifest["lists"])
        row["documented"] = manifest["documented_people"]
        truth = run.stage("truth", lambda: true_histories(list_dir))
        if truth is not None:
            histories, _, killed = truth
            row["truth"] = killed
            row["true_documented_killed"] = histories.observed
            fitted = run.stage(
                "true-history lcmcr",
                lambda: timed(lambda: estimate_histories(histories, method="lcmcr")),
            )
            if fitted is not None:
                row["true_history"] = summary(fitted[0].total, fitted[1])
        engine = open_store(f"sqlite:///{folder / 'marsad.db'}")
        ingested = run.stage("ingest", lambda: timed(lambda: ingest(engine, list_dir)))
        if ingested is None:
            return finish(row)
        (row["stored"], row["quarantined"]), row["ingest_seconds"] = ingested
        linked = run.stage("link", lambda: timed(lambda: link(engine)))
        if linked is None:
            return finish(row)
        row["link_seconds"] = round(linked[1], 1)
        run.stage("quality", lambda: row.update(quality(engine, list_dir)))
        identifiable = run.stage(
            "true identifiable histories",
            lambda: timed(
                lambda: estimate_histories(
                    true_identifiable_histories(engine, list_dir), method="lcmcr"
                )
            ),
        )
        if identifiable is not None:
            row["true_history_identifiable"] = summary(identifiable[0].total, identifiable[1])
        for name in ESTIMATORS:
            options = {} if name == DEFAULT else {"method": name}
            done = run.stage(
                f"estimate {name}",
                lambda options=options: timed(
                    lambda: estimate_store(engine, save=False, **options)
                ),
            )
            if done is not None:
                row["estimates"][name] = summary(done[0].total, done[1])
        engine.dispose()
    return finish(row)


def ingest(engine: Any, list_dir: Path) -> tuple[int, int]:
    """Every list of the scenario (ingest_file), each as its source; (stored, quarantined)."""
    summaries = ingest_scenario(engine, list_dir, user="benchmark")
    return sum(s.rows_recorded for s in summaries), sum(s.rows_quarantined for s in summaries)


def quality(engine: Any, list_dir: Path) -> dict[str, Any]:
    """Pairwise quality over the stored records; a record left without a person is alone."""
    truth = read_truth(list_dir / "truth.csv")
    persons = {k: (v if v is not None else k) for k, v in linked_persons(engine).items()}
    measured = pairwise_quality(truth, persons)
    return {
        "precision": measured.precision,
        "recall": measured.recall,
        "persons_found": len(set(persons.values())),
        "true_documented_stored": len({truth[k] for k in persons if k in truth}),
    }


def true_identifiable_histories(engine: Any, list_dir: Path) -> CaptureHistories:
    """Capture histories of the truly killed persons over their identifiable records only:
    what the default estimate would see with perfect linkage under the same identifiability
    rule (the rule in force, applied to the stored records exactly as the estimate applies it)."""
    truth = read_truth(list_dir / "truth.csv")
    with (list_dir / "people.csv").open(newline="", encoding="utf-8") as handle:
        status = {row["person_id"]: row["status"] for row in csv.DictReader(handle)}
    with engine.connect() as conn:
        records = estimation_records(conn, rules_in_force(conn).identifiable)
        keys = {
            rid: (source, record_id)
            for rid, source, record_id in conn.execute(
                select(Record.id, Source.name, Record.record_id).join(
                    Source, Source.id == Record.source_id
                )
            ).tuples()
        }
    on_lists: dict[str, set[str]] = {}
    for record in records:
        person = truth[keys[record.record_id]]
        if not record.missing and status[person] == "killed":
            on_lists.setdefault(person, set()).add(record.list)
    return histories_from_patterns(sorted({r.list for r in records}), on_lists.values())


def finish(row: dict[str, Any]) -> dict[str, Any]:
    """Add the comparisons the issue's targets are about, and the child's peak RSS.

    The target's reference is LCMCR on the true histories of the identifiable records (the
    same records the default estimate reads); the true histories of all records are kept
    beside it (`..._all_records`)."""
    row["peak_mb"] = round(peak_mb())
    default = row["estimates"].get(DEFAULT)
    for key, reference in (
        ("", row.get("true_history_identifiable")),
        ("_all_records", row.get("true_history")),
    ):
        if default is not None and reference is not None:
            median = reference["estimate"]
            row[f"holds_true_history_median{key}"] = default["low"] <= median <= default["high"]
            row[f"relative_error{key}"] = (default["estimate"] - median) / median
    return row


def in_child(spec: ScenarioSpec) -> dict[str, Any]:
    """One scenario in a fresh, silenced interpreter; a child that dies is a recorded failure."""
    context = get_context("spawn")
    try:
        with ProcessPoolExecutor(1, mp_context=context, initializer=quiet) as pool:
            return pool.submit(run_scenario, spec).result()
    except Exception as error:
        row = Run(spec).row
        row["errors"]["child"] = one_line(error)
        return row


# --- output ------------------------------------------------------------------------------------


def shown(item: dict[str, Any] | None) -> str:
    if item is None:
        return "failed"
    return f"{item['estimate']:,.0f} [{item['low']:,.0f}–{item['high']:,.0f}]"


def number(value: Any, spec: str = ",") -> str:
    return "–" if value is None else format(value, spec)


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | people | lists | records | stored / quarantined | precision | recall"
        " | persons found / true documented | ingest s | link s | peak MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        stored = f"{number(r.get('stored'))} / {number(r.get('quarantined'))}"
        persons = f"{number(r.get('persons_found'))} / {number(r.get('true_documented_stored'))}"
        lines.append(
            f"| {r['name']} | {r['people']:,} | {r['lists']} | {number(r.get('records'))}"
            f" | {stored} | {number(r.get('precision'), '.3f')} | {number(r.get('recall'), '.3f')}"
            f" | {persons} | {number(r.get('ingest_seconds'), '.0f')}"
            f" | {number(r.get('link_seconds'), '.0f')} | {number(r.get('peak_mb'))} |"
        )
    lines += [
        "",
        "| scenario | truth (killed) | LCMCR on true histories (all records) | LCMCR on true"
        " histories (identifiable records) | "
        + " | ".join(ESTIMATORS)
        + " | default holds true-history median | default vs true-history median |",
        "|---|---:|---:|---:|" + "---:|" * len(ESTIMATORS) + "---:|---:|",
    ]
    for r in rows:
        estimates = " | ".join(shown(r["estimates"].get(name)) for name in ESTIMATORS)
        holds = r.get("holds_true_history_median")
        error = r.get("relative_error")
        lines.append(
            f"| {r['name']} | {number(r.get('truth'))} | {shown(r.get('true_history'))}"
            f" | {shown(r.get('true_history_identifiable'))} | {estimates}"
            f" | {'–' if holds is None else 'yes' if holds else 'no'}"
            f" | {'–' if error is None else f'{error:+.1%}'} |"
        )
    failures = [(r["name"], stage, e) for r in rows for stage, e in r["errors"].items()]
    if failures:
        lines += ["", "Failed stages:", ""]
        lines += [f"- {name}, {stage}: {error}" for name, stage, error in failures]
    return "\n".join(lines)


def targets(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets over the scenarios run (12 in the full matrix)."""
    errors = [abs(r["relative_error"]) for r in rows if "relative_error" in r]
    precisions = [r["precision"] for r in rows if "precision" in r]
    return {
        "scenarios": len(rows),
        "intervals_holding_true_history_median": sum(
            bool(r.get("holds_true_history_median")) for r in rows
        ),
        "max_abs_relative_error": max(errors) if errors else None,
        "scenarios_with_default_estimate": len(errors),
        "min_precision": min(precisions) if precisions else None,
        "scenarios_with_precision": len(precisions),
    }


def target_lines(summary_: dict[str, Any]) -> str:
    n = summary_["scenarios"]
    error, precision = summary_["max_abs_relative_error"], summary_["min_precision"]
    return "\n".join(
        [
            "Targets of issue 14 (over the full matrix: >= 10 of 12, <= 10% in all, >= 0.97):",
            f"- default interval holds the true-history LCMCR median: "
            f"{summary_['intervals_holding_true_history_median']} of {n}",
            f"- max |relative error| of the default median vs the true-history median: "
            f"{'–' if error is None else f'{error:.1%}'} "
            f"({summary_['scenarios_with_default_estimate']} of {n} scenarios estimated)",
            f"- min pairwise precision: {'–' if precision is None else f'{precision:.3f}'} "
            f"({summary_['scenarios_with_precision']} of {n} scenarios linked)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matrix", type=Path, default=MATRIX, help="a scenario matrix file")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="repeatable")
    parser.add_argument("--people-max", type=int, help="skip scenarios with more people")
    parser.add_argument("--jobs", type=int, default=1, help="scenarios run at once")
    parser.add_argument("--json-out", type=Path, help="write the rows and targets as JSON")
    args = parser.parse_args()
    try:
        specs = read_matrix(args.matrix)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    unknown = sorted(set(args.only) - {s.name for s in specs})
    if unknown:
        raise SystemExit(f"--only: no scenario {', '.join(unknown)} in {args.matrix}")
    chosen = [
        s
        for s in specs
        if (not args.only or s.name in args.only)
        and (args.people_max is None or s.people <= args.people_max)
    ]
    if not chosen:
        raise SystemExit("no scenario left to run")
    started_load = load()
    print(machine(), file=sys.stderr)
    print(
        f"{len(chosen)} scenarios, {args.jobs} at a time; at start: {started_load}", file=sys.stderr
    )
    started = time.perf_counter()

    def one(spec: ScenarioSpec) -> dict[str, Any]:
        row = in_child(spec)
        failed = ", ".join(row["errors"]) or "none"
        print(
            f"  {spec.name}: {time.perf_counter() - started:.0f} s since start, "
            f"failed stages: {failed}; {load()}",
            file=sys.stderr,
            flush=True,
        )
        return row

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        rows = list(pool.map(one, chosen))
    result = targets(rows)
    ended_load = load()
    print(markdown(rows))
    print()
    print(target_lines(result))
    print(
        f"\n{machine()}\nat start: {started_load}; at end: {ended_load}; "
        f"{time.perf_counter() - started:.0f} s"
    )
    if args.json_out:
        document = {
            "matrix": str(args.matrix),
            "machine": machine(),
            "load": {"start": started_load, "end": ended_load},
            "scenarios": rows,
            "targets": result,
        }
        args.json_out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
