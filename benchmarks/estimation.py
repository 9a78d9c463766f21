"""Calibration of the estimators: bias, interval width and coverage against a known truth.

    .venv/bin/python benchmarks/estimation.py --scenarios 0                  # part (a), hard design
    .venv/bin/python benchmarks/estimation.py --scenarios 0 --design moderate --default-sample 20
    .venv/bin/python benchmarks/estimation.py --populations 0 --scenarios 6  # part (b)

Part (a): capture histories simulated directly with numpy (one seeded stream per population):
true N log-uniform in 500-20,000, 3-5 lists, 2-3 latent classes whose capture probabilities
differ (heterogeneity; `--design hard` has a class the lists mostly miss, `moderate` does not),
and in half the populations a dependence between the first two lists beyond the classes (list 2
is more likely to record someone list 1 recorded). Every population
is estimated by loglinear (BIC), dga and LCMCR with the `fast` preset; LCMCR's `default` preset
(chains stop once converged) and `fixed` preset (always 4 x 110,500 sweeps, the maximum of
`default`) run on the first `--default-sample` populations too (they cost up to ten times as
much).

Part (b): marsad synth scenarios written to a temp folder, ingested into a temp SQLite store,
linked, and estimated by the service (`estimate_store`) whole and by governorate, for the
persons with status killed. The truth is the number of persons whose true status is killed in
people.csv. The same methods also run on the true capture histories (the scenario's own
person ids, so no linkage error) to tell linkage error from estimation error.

Coverage is the share of runs whose interval holds the truth; its binomial standard error is
printed beside it. Two worker processes at most. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.domain.estimates import CaptureHistories, Estimate  # noqa: E402
from marsad.estimate.histories import histories_from_patterns  # noqa: E402
from marsad.estimate.methods import MethodOptions, fit  # noqa: E402
from marsad.services.demo import ingest_scenario  # noqa: E402
from marsad.services.estimate import EstimateResult, estimate_store  # noqa: E402
from marsad.services.link import link  # noqa: E402
from marsad.store.db import open_store  # noqa: E402
from marsad.synth import generate, write_scenario  # noqa: E402

WORKERS = 2
RUNS = (
    ("lcmcr", "fast"),
    ("lcmcr", "default"),
    ("lcmcr", "fixed"),
    ("loglinear", "default"),
    ("dga", "default"),
)
SCENARIO_PEOPLE = (5_000, 8_000, 10_000, 12_000, 15_000, 20_000, 6_000, 18_000)
LIST_NAMES = "ABCDE"


@dataclass(frozen=True)
class Outcome:
    """One estimate beside the truth it should have found."""

    run: str
    truth: int
    observed: int
    estimate: float | None
    low: float | None
    high: float | None
    seconds: float
    lists: int = 0
    classes: int = 0
    dependent: bool = False
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.estimate is not None

    @property
    def relative_bias(self) -> float:
        assert self.estimate is not None
        return (self.estimate - self.truth) / self.truth

    @property
    def relative_width(self) -> float:
        assert self.low is not None and self.high is not None
        return (self.high - self.low) / self.truth

    @property
    def covered(self) -> bool:
        assert self.low is not None and self.high is not None
        return self.low <= self.truth <= self.high


@dataclass
class ScenarioReport:
    """One synth scenario pushed through ingest, link and the estimation service."""

    seed: int
    people: int
    lists: int
    independent_lists: int
    true_killed: int
    true_documented_killed: int
    linked_killed: int
    link_seconds: float
    outcomes: list[Outcome] = field(default_factory=list)
    strata_covered: dict[str, tuple[int, int]] = field(default_factory=dict)


def run_label(method: str, preset: str) -> str:
    return f"lcmcr ({preset})" if method == "lcmcr" else method


def timed_fit(
    run: str, method: str, preset: str, histories: CaptureHistories, truth: int, seed: int
) -> Outcome:
    started = time.perf_counter()
    try:
        fitted = fit(histories, MethodOptions(method=method, preset=preset, seed=seed))
    except ValueError as error:
        seconds = time.perf_counter() - started
        return Outcome(run, truth, histories.observed, None, None, None, seconds, error=str(error))
    return outcome(run, truth, fitted.estimate, time.perf_counter() - started, len(histories.lists))


def outcome(run: str, truth: int, estimate: Estimate, seconds: float, lists: int) -> Outcome:
    low, high = estimate.interval
    return Outcome(run, truth, estimate.observed, estimate.estimate, low, high, seconds, lists)


# --- part (a): simulated capture histories --------------------------------------------------


@dataclass(frozen=True)
class Population:
    """The design of one simulated population, kept with its histories for the tables."""

    index: int
    size: int
    lists: int
    classes: int
    dependent: bool
    histories: CaptureHistories


DESIGNS = {"hard": (0.08, 0.25, 0.5), "moderate": (0.2, 0.35, 0.5)}
"""Centres of the classes' capture probabilities: "hard" has a hard-to-reach class that the
lists mostly miss, "moderate" has classes that differ less."""


def simulate(seed: int, index: int, design: str = "hard") -> Population:
    """One population with heterogeneous capture: latent classes plus list 1 → 2 dependence."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))
    size = round(math.exp(rng.uniform(math.log(500), math.log(20_000))))
    lists = int(rng.integers(3, 6))
    classes = int(rng.integers(2, 4))
    weights = rng.dirichlet(np.full(classes, 2.0))
    weights = np.sort(weights)[::-1]
    centres = np.array(DESIGNS[design])[:classes]
    logit = np.log(centres / (1 - centres))[:, None] + rng.normal(0.0, 0.5, (classes, lists))
    probability = 1.0 / (1.0 + np.exp(-logit))
    cls = rng.choice(classes, size=size, p=weights)
    captured = rng.random((size, lists)) < probability[cls]
    dependent = bool(rng.random() < 0.5)
    if dependent:
        odds_ratio = rng.uniform(2.0, 4.0)
        p = probability[cls, 1]
        boosted = odds_ratio * p / (1.0 - p + odds_ratio * p)
        captured[:, 1] = np.where(captured[:, 0], rng.random(size) < boosted, captured[:, 1])
    seen = captured[captured.any(axis=1)].astype(int)
    histories = histories_from_patterns(LIST_NAMES[:lists], (tuple(row) for row in seen.tolist()))
    return Population(index, size, lists, classes, dependent, histories)


def estimate_population(seed: int, index: int, with_default: bool, design: str) -> list[Outcome]:
    population = simulate(seed, index, design)
    outcomes = []
    for method, preset in RUNS:
        if preset in ("default", "fixed") and method == "lcmcr" and not with_default:
            continue
        outcomes.append(
            timed_fit(
                run_label(method, preset),
                method,
                preset,
                population.histories,
                population.size,
                seed + index,
            )
        )
    return [
        replace(o, classes=population.classes, dependent=population.dependent) for o in outcomes
    ]


# --- part (b): synth scenarios through linkage ----------------------------------------------


def quiet() -> None:
    """Keep Splink's chatter and DuckDB's progress bar (written by C++ to fd 1) out of the
    figures: a scenario worker only returns its results, the parent prints them."""
    logging.getLogger().setLevel(logging.WARNING)
    sink = os.open(os.devnull, os.O_WRONLY)
    os.dup2(sink, 1)
    os.dup2(sink, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def true_histories(list_dir: Path) -> tuple[CaptureHistories, dict[str, int], int]:
    """Capture histories of truly killed persons from the scenario's own person ids.

    A list that copies another is folded into it, as the service does with `copies`.
    """
    manifest = json.loads((list_dir / "scenario.json").read_text(encoding="utf-8"))
    independent = {item["source"]: item["copies"] or item["source"] for item in manifest["lists"]}
    status: dict[str, str] = {}
    governorate: Counter[str] = Counter()
    with (list_dir / "people.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            status[row["person_id"]] = row["status"]
            if row["status"] == "killed":
                governorate[row["governorate_pcode"]] += 1
    on_lists: dict[str, set[str]] = {}
    with (list_dir / "truth.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if status[row["person_id"]] == "killed":
                on_lists.setdefault(row["person_id"], set()).add(independent[row["source"]])
    lists = sorted(set(independent.values()))
    killed = sum(1 for s in status.values() if s == "killed")
    return histories_from_patterns(lists, on_lists.values()), dict(governorate), killed


def run_scenario(seed: int, people: int, lists: int) -> ScenarioReport:
    """Synthesise, ingest, link and estimate one scenario: each method, whole and by governorate."""
    with tempfile.TemporaryDirectory(prefix="marsad-calibration-") as tmp:
        folder = Path(tmp)
        list_dir = folder / "lists"
        write_scenario(generate(seed=seed, people=people, lists=lists), list_dir)
        truth_histories, by_governorate, killed = true_histories(list_dir)
        engine = open_store(f"sqlite:///{folder / 'marsad.db'}")
        started = time.perf_counter()
        ingest_scenario(engine, list_dir, user="benchmark")
        link(engine)
        link_seconds = time.perf_counter() - started
        report = ScenarioReport(
            seed=seed,
            people=people,
            lists=lists,
            independent_lists=len(truth_histories.lists),
            true_killed=killed,
            true_documented_killed=truth_histories.observed,
            linked_killed=0,
            link_seconds=link_seconds,
        )
        for method, preset in RUNS:
            if method == "lcmcr" and preset in ("fast", "fixed"):
                continue
            label = run_label(method, preset)
            report.outcomes.append(
                timed_fit(f"{label}|true links", method, preset, truth_histories, killed, seed)
            )
            for by in ((), ("governorate",)):
                clock = time.perf_counter()
                result = estimate_store(
                    engine, by=by, method=method, preset=preset, seed=seed, save=False
                )
                run = f"{label}|{'by governorate' if by else 'whole'}"
                seconds = time.perf_counter() - clock
                report.outcomes.append(outcome(run, killed, result.total, seconds, 0))
                report.linked_killed = result.total.observed
                if by:
                    report.strata_covered[label] = strata_coverage(result, by_governorate)
        engine.dispose()
    return report


def strata_coverage(result: EstimateResult, truth: dict[str, int]) -> tuple[int, int]:
    """How many estimated governorate strata's intervals hold that governorate's true count."""
    covered = total = 0
    for stratum in result.strata:
        pcode = stratum.label.split(" ", 1)[0]
        if stratum.estimate is None or pcode not in truth:
            continue
        total += 1
        low, high = stratum.estimate.interval
        covered += int(low <= truth[pcode] <= high)
    return covered, total


# --- tables ----------------------------------------------------------------------------------


def summary_row(name: str, outcomes: Sequence[Outcome]) -> str:
    done = [o for o in outcomes if o.ok]
    failed = len(outcomes) - len(done)
    if not done:
        return f"  {name:<34} {len(outcomes):>4} {failed:>5}   (no estimate)"
    bias = [o.relative_bias for o in done]
    width = [o.relative_width for o in done]
    coverage = sum(o.covered for o in done) / len(done)
    se = math.sqrt(coverage * (1 - coverage) / len(done))
    seconds = statistics.median(o.seconds for o in done)
    return (
        f"  {name:<34} {len(outcomes):>4} {failed:>5} {statistics.median(bias):>+9.3f}"
        f" {statistics.fmean(bias):>+9.3f} {statistics.median(abs(b) for b in bias):>9.3f}"
        f" {statistics.median(width):>9.3f} {coverage:>9.3f} {se:>6.3f} {seconds:>8.2f}"
    )


HEADER = (
    f"  {'run':<34} {'n':>4} {'fail':>5} {'med bias':>9} {'mean bias':>9} {'med |b|':>9}"
    f" {'med width':>9} {'coverage':>9} {'± se':>6} {'med s':>8}"
)


def table(title: str, groups: Iterable[tuple[str, Sequence[Outcome]]]) -> None:
    print(title)
    print(HEADER)
    for name, outcomes in groups:
        print(summary_row(name, outcomes))
    print()


def split(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    """Group outcomes by the run label before the first '|'."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.run.split("|", 1)[0], []).append(o)
    return groups


def report_populations(outcomes: Sequence[Outcome], default_sample: int) -> None:
    by_run = split(outcomes)
    table(f"(a) simulated populations, all {len(by_run['dga'])}", by_run.items())
    if default_sample:
        default = by_run.get("lcmcr (default)", [])
        subset = [o for run in by_run.values() for o in run[:default_sample]]
        table(
            f"(a) the first {len(default)} populations (LCMCR default preset sample)",
            split(subset).items(),
        )
    for lists in (3, 4, 5):
        rows = [(n, [o for o in run if o.lists == lists]) for n, run in by_run.items()]
        table(f"(a) populations with {lists} lists", [(n, r) for n, r in rows if r])
    for classes in (2, 3):
        rows = [(n, [o for o in run if o.classes == classes]) for n, run in by_run.items()]
        table(f"(a) populations with {classes} latent classes", rows)
    for dependent, name in ((False, "no list dependence"), (True, "list 1 → 2 dependence")):
        rows = [(n, [o for o in run if o.dependent == dependent]) for n, run in by_run.items()]
        table(f"(a) populations with {name}", rows)
    for name, low, high in (("below 0.5", 0.0, 0.5), ("0.5 or more", 0.5, 2.0)):
        rows = [
            (n, [o for o in run if low <= o.observed / o.truth < high]) for n, run in by_run.items()
        ]
        table(f"(a) populations where the share observed is {name}", rows)
    failures = Counter(o.error for o in outcomes if not o.ok)
    for error, count in failures.most_common():
        print(f"  failure ×{count}: {error}")


def report_scenarios(reports: Sequence[ScenarioReport]) -> None:
    print("(b) synth scenarios through ingest + link (SQLite), estimated by the service")
    print(
        f"  {'seed':>4} {'people':>7} {'lists':>5} {'indep':>5} {'true killed':>11}"
        f" {'documented':>10} {'linked':>7} {'ingest+link s':>13}"
    )
    for r in reports:
        print(
            f"  {r.seed:>4} {r.people:>7,} {r.lists:>5} {r.independent_lists:>5}"
            f" {r.true_killed:>11,} {r.true_documented_killed:>10,} {r.linked_killed:>7,}"
            f" {r.link_seconds:>13.1f}"
        )
    print()
    print("  per scenario (estimate [interval], truth = true killed):")
    for r in reports:
        for o in r.outcomes:
            assert o.low is not None or not o.ok
            shown = (
                f"{o.estimate:>9,.0f} [{o.low:>9,.0f}, {o.high:>9,.0f}]"
                if o.ok and o.low is not None and o.high is not None and o.estimate is not None
                else f"failed: {o.error}"
            )
            print(f"  {r.seed:>4} {o.run:<34} obs {o.observed:>6,} {shown} truth {o.truth:,}")
    print()
    outcomes = [o for r in reports for o in r.outcomes]
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        method, where = o.run.split("|", 1)
        groups.setdefault(f"{method}, {where}", []).append(o)
    table("(b) summary over scenarios", sorted(groups.items()))
    print("  governorate strata whose interval holds the true killed count of that governorate")
    print("  (records with no governorate form their own stratum, so strata undercount):")
    methods = sorted({m for r in reports for m in r.strata_covered})
    for method in methods:
        covered = sum(r.strata_covered[method][0] for r in reports if method in r.strata_covered)
        total = sum(r.strata_covered[method][1] for r in reports if method in r.strata_covered)
        print(f"  {method:<20} {covered}/{total}")
    print()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def in_pool(
    tasks: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]],
    say: Callable[[int], None],
    initializer: Callable[[], None] | None = None,
) -> list[Any]:
    with ProcessPoolExecutor(WORKERS, initializer=initializer) as pool:
        futures = [pool.submit(function, *args) for function, args in tasks]
        results = []
        for done, future in enumerate(futures, start=1):
            results.append(future.result())
            say(done)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--populations", type=int, default=200)
    parser.add_argument("--default-sample", type=int, default=60)
    parser.add_argument("--scenarios", type=int, default=6)
    parser.add_argument("--seed", type=int, default=20_251)
    parser.add_argument("--design", choices=sorted(DESIGNS), default="hard")
    parser.add_argument(
        "--people", type=int, nargs="*", default=list(SCENARIO_PEOPLE), help="scenario sizes"
    )
    args = parser.parse_args()
    print(f"workers {WORKERS}, cores {os.cpu_count()}, {load()}")

    if args.populations:
        started = time.perf_counter()
        tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [
            (estimate_population, (args.seed, i, i < args.default_sample, args.design))
            for i in range(args.populations)
        ]

        def tick(done: int) -> None:
            if done % 20 == 0:
                print(
                    f"  {done} populations, {time.perf_counter() - started:.0f} s, {load()}",
                    flush=True,
                )

        outcomes = [o for batch in in_pool(tasks, tick) for o in batch]
        elapsed = time.perf_counter() - started
        design = f"design {args.design}"
        print(f"(a) {args.populations} populations, {design}, in {elapsed:.0f} s; {load()}")
        designs = [simulate(args.seed, i, args.design) for i in range(args.populations)]
        sizes = [d.size for d in designs]
        observed = [d.histories.observed / d.size for d in designs]
        print(
            f"  true N {min(sizes):,}-{max(sizes):,} (median {statistics.median(sizes):,.0f});"
            f" share observed {min(observed):.2f}-{max(observed):.2f}"
            f" (median {statistics.median(observed):.2f}); lists"
            f" {dict(sorted(Counter(d.lists for d in designs).items()))}; classes"
            f" {dict(sorted(Counter(d.classes for d in designs).items()))}; dependent"
            f" {sum(d.dependent for d in designs)}"
        )
        print()
        report_populations(outcomes, args.default_sample)

    if args.scenarios:
        started = time.perf_counter()
        tasks = [
            (run_scenario, (args.seed + k, args.people[k % len(args.people)], 5 + k % 2))
            for k in range(args.scenarios)
        ]
        reports = in_pool(
            tasks, lambda done: print(f"  {done} scenarios, {load()}", flush=True), quiet
        )
        print(f"(b) {args.scenarios} scenarios in {time.perf_counter() - started:.0f} s; {load()}")
        report_scenarios(reports)


if __name__ == "__main__":
    main()
