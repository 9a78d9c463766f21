"""LCMCR Gibbs sweeps per second on each reference dataset, against R's LCMCR 0.4.14.

    .venv/bin/python benchmarks/lcmcr_speed.py                 # K=10, 110k sweeps, 3 repeats
    .venv/bin/python benchmarks/lcmcr_speed.py --sweeps 1100000

One chain on one thread, as R runs it: burn-in 10,000 then the rest thinned by 10 (R's
lcmCR_PostSampl defaults). The 500 warm-up sweeps count too, as they do in R. Compilation is
done (or loaded from Numba's cache) before timing. Wall clock is the median over repeats; CPU
time is shown as well because other processes on a shared machine inflate wall clock. R's
figures are read from tests/data/mse/reference-results.json. Results go to docs/benchmarks.md
by hand.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.estimate import lcmcr_kernel  # noqa: E402
from marsad.estimate.histories import read_histories_csv  # noqa: E402

DATA = ROOT / "tests" / "data" / "mse"
DATASETS = (
    "kosovo",
    "hiv_rome",
    "lesbian_allegheny",
    "snowshoe_hare",
    "madigan_york_5list",
    "spina_bifida_3list",
)
BURN_IN = 10_000
THIN = 10


def run(
    cells: npt.NDArray[np.int8], counts: npt.NDArray[np.int64], k: int, seed: int, kept: int
) -> None:
    lcmcr_kernel.run_chain(
        lcmcr_kernel.seed_state(seed, 0), cells, counts, k, 0.25, 0.25, BURN_IN, kept, THIN
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweeps", type=int, default=110_000, help="burn-in plus kept sweeps")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--K", type=int, default=10)
    args = parser.parse_args()
    reference = json.loads((DATA / "reference-results.json").read_text())
    samples = max(1, (args.sweeps - BURN_IN) // THIN)
    sweeps = lcmcr_kernel.WARM_UP + BURN_IN + samples * THIN

    print(f"K={args.K}, {sweeps:,} sweeps per run (incl. {lcmcr_kernel.WARM_UP} warm-up)")
    print(f"{'dataset':20} {'J':>2} {'sweeps/s wall':>14} {'sweeps/s CPU':>13} {'R sweeps/s':>11}")
    for name in DATASETS:
        histories = read_histories_csv(DATA / f"{name}.csv")
        patterns = [(p, c) for p, c in histories.counts.items() if c > 0]
        cells = np.array([p for p, _ in patterns], dtype=np.int8)
        counts = np.array([c for _, c in patterns], dtype=np.int64)

        run(cells, counts, args.K, 0, 1)
        walls, cpus = [], []
        for seed in range(args.repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            run(cells, counts, args.K, seed + 1, samples)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        r_speed = reference[name]["lcmcr"].get("iter_per_s")
        print(
            f"{name:20} {len(histories.lists):>2} {sweeps / statistics.median(walls):>14,.0f} "
            f"{sweeps / statistics.median(cpus):>13,.0f} {r_speed or float('nan'):>11,.0f}"
        )


if __name__ == "__main__":
    main()
