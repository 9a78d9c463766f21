"""How long a stratified estimate takes: 14 governorates × 12 months, as the service runs it.

    .venv/bin/python benchmarks/estimation_strata_speed.py                  # fast, then default
    .venv/bin/python benchmarks/estimation_strata_speed.py --presets default fixed --every 7

Capture histories of `--persons` persons (default 50,000) over 5 lists are simulated with numpy:
persons spread over the 14 governorates as marsad.synth spreads deaths (most on the coast) and
over 12 months with a spike in March; each list's capture probability depends on the
governorate, on the month and on one of two latent classes, and two lists work in only some
governorates. The strata are labelled as `estimate_store(by=("governorate", "period"))` labels
them and estimated by `estimate_by_strata` with the service's fitter (LCMCR, one preset), one
stratum after another, as the service does. Each stratum's fit is timed, and for LCMCR the
sweeps each chain ran and why it stopped (the `default` preset stops chains once they converge;
`fixed` always runs 4 x 110,500 sweeps) are counted.

`--every K` estimates only every K-th stratum (a systematic sample) and scales the time up:
LCMCR's cost per stratum hardly depends on its size (the sweep works on the table of patterns),
so the sample's mean per stratum times the number of estimable strata is the full run's time.
Wall clock and process CPU time (all threads) are both printed: the machine may be shared.
Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.domain.estimates import CaptureHistories, Pattern  # noqa: E402
from marsad.estimate.methods import Fit, MethodOptions, fit  # noqa: E402
from marsad.estimate.strata import (  # noqa: E402
    MIN_LISTS,
    MIN_PERSONS,
    estimate_by_strata,
    histories_by_stratum,
)
from marsad.synth.places_data import GOVERNORATE_WEIGHTS  # noqa: E402

LISTS = ("monitoring", "un", "field", "hotline", "hospital")
COVERAGE = (0.45, 0.1, 0.2, 0.15, 0.12)
LIMITED = {1: ("SY06", "SY10", "SY05", "SY04", "SY01"), 4: ("SY06", "SY10", "SY04")}
"""Lists that work only in some governorates (list index → governorates)."""
MONTHS = 12
MARCH_SHARE = 0.4


def simulate(persons: int, seed: int) -> dict[str, CaptureHistories]:
    """Capture histories per 'governorate, month' stratum, persons no list recorded left out."""
    rng = np.random.default_rng(seed)
    pcodes = sorted(GOVERNORATE_WEIGHTS)
    weights = np.array([GOVERNORATE_WEIGHTS[p] for p in pcodes])
    governorate = rng.choice(len(pcodes), size=persons, p=weights / weights.sum())
    month_weights = np.full(MONTHS, (1 - MARCH_SHARE) / (MONTHS - 1))
    month_weights[2] = MARCH_SHARE
    month = rng.choice(MONTHS, size=persons, p=month_weights)
    latent = rng.random(persons) < 0.3
    base = np.log(np.array(COVERAGE) / (1 - np.array(COVERAGE)))
    gov_effect = rng.normal(0.0, 0.5, (len(pcodes), len(LISTS)))
    month_effect = rng.normal(0.0, 0.3, (MONTHS, len(LISTS)))
    logit = (
        base + gov_effect[governorate] + month_effect[month] + np.where(latent, 1.2, -0.3)[:, None]
    )
    captured = rng.random((persons, len(LISTS))) < 1.0 / (1.0 + np.exp(-logit))
    for index, works_in in LIMITED.items():
        allowed = np.isin(np.array(pcodes)[governorate], works_in)
        captured[:, index] &= allowed
    seen = captured.any(axis=1)
    labels = [
        f"{pcodes[g]}, 2025-{m + 1:02d}"
        for g, m in zip(governorate[seen].tolist(), month[seen].tolist(), strict=True)
    ]
    patterns: list[Pattern] = [tuple(row) for row in captured[seen].astype(int).tolist()]
    return histories_by_stratum(LISTS, zip(labels, patterns, strict=True))


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def estimable(histories: CaptureHistories) -> bool:
    lists = sum(1 for size in histories.list_sizes().values() if size > 0)
    return lists >= MIN_LISTS and histories.observed >= MIN_PERSONS


def run(groups: dict[str, CaptureHistories], preset: str, every: int) -> None:
    """Estimate the strata (or every `every`-th) with one preset and print where time went."""
    options = MethodOptions(method="lcmcr", preset=preset, seed=1)
    timings: list[tuple[float, int]] = []
    lengths: list[tuple[int, str]] = []

    def fitter(histories: CaptureHistories, seed: int) -> Fit:
        started = time.perf_counter()
        try:
            fitted = fit(histories, options, seed)
        finally:
            timings.append((time.perf_counter() - started, histories.observed))
        diagnostics = fitted.estimate.diagnostics
        lengths.append((diagnostics["sweeps_per_chain"], diagnostics["stopped"]))
        return fitted

    chosen = dict(list(groups.items())[::every])
    started, cpu = time.perf_counter(), time.process_time()
    result = estimate_by_strata(chosen, fitter, options)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    estimated = result.total.diagnostics["strata_estimated"]
    documented = result.total.diagnostics["strata_documented_only"]
    fitted = sum(seconds for seconds, _ in timings)
    print(f"preset {preset}: {len(chosen)} strata run, {load()}")
    print(
        f"  {estimated} estimated, {documented} documented only;"
        f" wall {wall:.1f} s, CPU {cpu:.1f} s (all threads); in the fitter {fitted:.1f} s,"
        f" elsewhere {wall - fitted:.2f} s"
    )
    if timings:
        per = [seconds for seconds, _ in timings]
        print(
            f"  per estimated stratum: median {statistics.median(per):.2f} s, mean"
            f" {statistics.fmean(per):.2f} s, min {min(per):.2f} s, max {max(per):.2f} s"
        )
        sizes = [observed for _, observed in timings]
        print(
            f"  persons per estimated stratum: median {statistics.median(sizes):,.0f},"
            f" min {min(sizes):,}, max {max(sizes):,}"
        )
    if lengths:
        sweeps = [n for n, _ in lengths]
        reasons = Counter(reason for _, reason in lengths)
        print(
            f"  sweeps per chain: median {statistics.median(sweeps):,.0f}, min {min(sweeps):,},"
            f" max {max(sweeps):,}, total over strata {sum(sweeps):,};"
            f" stopped: {', '.join(f'{why} {n}' for why, n in sorted(reasons.items()))}"
        )
    if every > 1:
        full = sum(estimable(h) for h in groups.values())
        per_stratum = fitted / max(len(timings), 1)
        print(
            f"  scaled to all {full} estimable strata: about {per_stratum * full:.0f} s wall,"
            f" {cpu / max(len(timings), 1) * full:.0f} s CPU"
        )
    total = result.total
    print(
        f"  total {total.estimate:,.0f} [{total.interval[0]:,.0f}, {total.interval[1]:,.0f}]"
        f" from {total.observed:,} documented"
    )
    print()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--presets", nargs="+", default=["fast", "default"])
    parser.add_argument("--every", type=int, default=1, help="estimate every K-th stratum only")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    groups = simulate(args.persons, args.seed)
    documented = sum(h.observed for h in groups.values())
    print(
        f"{args.persons:,} persons, {documented:,} documented by {len(LISTS)} lists, in"
        f" {len(groups)} strata (governorate × month) of"
        f" {len(GOVERNORATE_WEIGHTS) * MONTHS};"
        f" {sum(estimable(h) for h in groups.values())} estimable; built in"
        f" {time.perf_counter() - started:.1f} s; cores {os.cpu_count()}, {load()}"
    )
    print()
    for preset in args.presets:
        run(groups, preset, args.every)


if __name__ == "__main__":
    main()
