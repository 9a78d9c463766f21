"""Simulation-based calibration (Talts et al. 2018) of the LCMCR sampler, and coverage beside it.

    .venv/bin/python benchmarks/lcmcr_sbc.py --replicates 300 --thin 40 --burn-in 8000
    .venv/bin/python benchmarks/lcmcr_sbc.py --preset default --replicates 250
    .venv/bin/python benchmarks/lcmcr_sbc.py --replicates 0    # part (b) only, the fast preset

Part (a), SBC: every replicate draws the model's parameters from exactly the prior the sampler
uses (K classes from the preset; alpha ~ Gamma(a_alpha, rate b_alpha); stick-breaking
V_k ~ Beta(1, alpha) for k < K, the last class taking the rest; lambda_jk ~ Beta(1, 1)), N from
p(N) ∝ 1/N on the whole numbers of [--low, --high], then captures with independent lists within
each class, and runs `lcmcr.sample_posterior` on the capture histories. p(N) ∝ 1/N is what the
sampler assumes too, but it cuts N at 21 n (n observed): a replicate is rejected, before the
sampler runs, when 21 n < high, or when a list recorded nobody (the sampler would drop that
list). Rejecting on the data alone keeps SBC valid. On the kept replicates the sampler's support
holds [low, high], so its draws that fall in [low, high] are draws from the exact posterior under
the SBC prior: the rank of the true N among them (thinned to --draws, or to the effective sample
size of N when smaller, so that autocorrelation does not pass for a bias; ties broken at random)
is uniform if the sampler is right, and their equal-tailed 50/80/95% intervals cover the truth
50/80/95% of the time. The untruncated draws (what the sampler reports) are scored too, and the
draws at the 21 n cap or outside [low, high] are counted.

Part (b): populations drawn as benchmarks/estimation.py `simulate(..., design="moderate")` draws
them (same seed, same indices), keeping only those without the list 1 → 2 dependence: inside the
model class (2-3 latent classes, lists independent within a class) but not from the prior. No
rank exists there; coverage and bias are reported per number of lists beside part (a).

Figures are printed: rank histograms in 10 bins with a chi-square p-value (uniform ranks), the
mean normalised rank (0.5 expected; above 0.5 means the truth ranks high: the posterior is too
low), interval coverage ± binomial se, median relative bias of the posterior median, R-hat and
ESS of N, and rejections by reason. One process by default (--workers), each sampler on one
thread. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from benchmarks.estimation import simulate  # noqa: E402
from marsad.domain.estimates import CaptureHistories  # noqa: E402
from marsad.estimate import lcmcr, lcmcr_kernel  # noqa: E402
from marsad.estimate.histories import histories_from_patterns  # noqa: E402
from marsad.estimate.methods import PRESETS, lcmcr_settings  # noqa: E402

LIST_NAMES = "ABCDE"
LEVELS = (0.5, 0.8, 0.95)
BINS = 10
CAP = lcmcr_kernel.MAX_UNOBSERVED_RATIO + 1
"""The sampler's N never exceeds CAP times the number observed."""
TOO_FEW = f"{CAP} n below --high (the sampler's cap would cut the prior)"
EMPTY_LIST = "a list recorded nobody"
MIN_RANK_DRAWS = 20
ONE_LIST_SPLIT = 0.4


@dataclass(frozen=True)
class Run:
    """One sampler run beside its truth; `rank` is None outside SBC (part b)."""

    lists: int
    truth: int
    observed: int
    rank: float | None
    rank_untruncated: float
    covered: tuple[bool, ...]
    covered_untruncated: tuple[bool, ...]
    median: float
    rhat: float | None
    ess: float | None
    at_cap: float
    outside: float
    seconds: float
    one_list: float = math.nan
    """The share of observed persons that one list alone recorded (a statistic of the data)."""
    rejected: str = ""


def rejected(lists: int, truth: int, observed: int, reason: str) -> Run:
    """A replicate rejected on its data, before the sampler ran."""
    return Run(
        lists=lists,
        truth=truth,
        observed=observed,
        rank=None,
        rank_untruncated=math.nan,
        covered=(),
        covered_untruncated=(),
        median=math.nan,
        rhat=None,
        ess=None,
        at_cap=0.0,
        outside=0.0,
        seconds=0.0,
        rejected=reason,
    )


# --- part (a): the prior, the data, the ranks ------------------------------------------------


def draw_n(rng: np.random.Generator, low: int, high: int) -> int:
    """N with p(N) ∝ 1/N on the whole numbers low..high (exact, not a rounded log-uniform)."""
    support = np.arange(low, high + 1)
    weights = 1.0 / support
    return int(rng.choice(support, p=weights / weights.sum()))


def draw_classes(
    rng: np.random.Generator, settings: lcmcr.Settings, n_lists: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Class weights and capture probabilities (lists x K) from the sampler's own prior.

    Beta(1, alpha) is drawn by inversion so that a tiny alpha gives V = 1, not a failure.
    """
    k = settings.K
    alpha = rng.gamma(settings.a_alpha, 1.0 / settings.b_alpha)
    v = 1.0 - np.power(1.0 - rng.random(k - 1), 1.0 / alpha)
    rest = np.concatenate(([1.0], np.cumprod(1.0 - v)))
    weights = np.append(v, 1.0) * rest
    return weights / weights.sum(), rng.random((n_lists, k))


def capture(
    rng: np.random.Generator,
    size: int,
    weights: npt.NDArray[np.float64],
    probability: npt.NDArray[np.float64],
) -> CaptureHistories:
    """Capture histories of `size` persons: a class each, lists independent within a class."""
    n_lists = probability.shape[0]
    cls = rng.choice(weights.size, size=size, p=weights)
    captured = rng.random((size, n_lists)) < probability[:, cls].T
    seen = captured[captured.any(axis=1)].astype(int)
    return histories_from_patterns(LIST_NAMES[:n_lists], (tuple(row) for row in seen.tolist()))


def normalised_rank(
    rng: np.random.Generator, draws: npt.NDArray[np.int64], truth: int, keep: int
) -> float:
    """The truth's rank among `keep` evenly spaced draws, in (0, 1), uniform under calibration.

    Ties (N is a whole number) are broken at random; the rank r in 0..L becomes (r + U)/(L + 1)
    with U uniform, so replicates with different L share one scale.
    """
    chosen = draws[np.linspace(0, draws.size - 1, min(keep, draws.size)).round().astype(int)]
    below = int(np.sum(chosen < truth))
    ties = int(np.sum(chosen == truth))
    rank = below + int(rng.integers(0, ties + 1))
    return (rank + float(rng.random())) / (len(chosen) + 1)


def coverage(draws: npt.NDArray[np.int64], truth: int) -> tuple[bool, ...]:
    covered = []
    for level in LEVELS:
        tail = (1.0 - level) / 2.0
        low, high = np.quantile(draws.astype(float), [tail, 1.0 - tail])
        covered.append(bool(low <= truth <= high))
    return tuple(covered)


def score(
    histories: CaptureHistories,
    truth: int,
    settings: lcmcr.Settings,
    seed: int,
    bounds: tuple[int, int] | None,
    keep: int,
) -> Run:
    """Run the sampler and score it; `bounds` = SBC's [low, high], None outside SBC.

    The rank uses at most `keep` draws and never more than the effective sample size of N.
    """
    lists = len(histories.lists)
    started = time.perf_counter()
    posterior = lcmcr.sample_posterior(histories, settings, seed, workers=1)
    seconds = time.perf_counter() - started
    draws = posterior.draws
    ess = lcmcr.effective_sample_size(draws)
    keep = max(MIN_RANK_DRAWS, min(keep, int(ess or keep)))
    pooled = draws.ravel()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    observed = histories.observed
    at_cap = float(np.mean(pooled >= CAP * observed))
    rank: float | None = None
    covered: tuple[bool, ...] = ()
    outside = 0.0
    if bounds is not None:
        inside = (pooled >= bounds[0]) & (pooled <= bounds[1])
        outside = 1.0 - float(np.mean(inside))
        # Concatenated chain by chain, in order, so even spacing thins each chain alike.
        truncated = pooled[inside]
        if truncated.size:
            rank = normalised_rank(rng, truncated, truth, keep)
            covered = coverage(truncated, truth)
        else:
            covered = (False,) * len(LEVELS)
    return Run(
        lists=lists,
        truth=truth,
        observed=observed,
        rank=rank,
        rank_untruncated=normalised_rank(rng, pooled, truth, keep),
        covered=covered,
        covered_untruncated=coverage(pooled, truth),
        median=float(np.median(pooled)),
        rhat=lcmcr.split_rhat(draws),
        ess=ess,
        at_cap=at_cap,
        outside=outside,
        seconds=seconds,
        one_list=sum(c for p, c in histories.counts.items() if sum(p) == 1) / observed,
    )


def chain_settings(
    preset: str, n_lists: int, burn_in: int | None, thin: int | None
) -> lcmcr.Settings:
    """The preset's settings, with burn-in and thinning replaced when given."""
    settings = lcmcr_settings(preset, n_lists)
    if burn_in is not None:
        settings = replace(settings, burn_in=burn_in)
    if thin is not None:
        settings = replace(settings, thin=thin)
    return settings


def sbc_replicate(
    seed: int, n_lists: int, index: int, settings: lcmcr.Settings, low: int, high: int, keep: int
) -> Run:
    """One SBC replicate: prior draw, data, rejection on the data alone, sampler, rank."""
    sequence = np.random.SeedSequence(seed, spawn_key=(n_lists, index))
    rng = np.random.default_rng(sequence)
    truth = draw_n(rng, low, high)
    weights, probability = draw_classes(rng, settings, n_lists)
    histories = capture(rng, truth, weights, probability)
    if any(sum(c for p, c in histories.counts.items() if p[j]) == 0 for j in range(n_lists)):
        return rejected(n_lists, truth, histories.observed, EMPTY_LIST)
    if CAP * histories.observed < high:
        return rejected(n_lists, truth, histories.observed, TOO_FEW)
    sampler_seed = int(sequence.spawn(1)[0].generate_state(1)[0])
    return score(histories, truth, settings, sampler_seed, (low, high), keep)


def moderate_population(
    seed: int, index: int, preset: str, burn_in: int | None, thin: int | None, keep: int
) -> Run | None:
    """Part (b): estimation.py's moderate population `index`, None if it has list dependence."""
    population = simulate(seed, index, "moderate")
    if population.dependent:
        return None
    settings = chain_settings(preset, population.lists, burn_in, thin)
    return score(population.histories, population.size, settings, seed + index, None, keep)


# --- tables ----------------------------------------------------------------------------------


def proportion(hits: Sequence[bool]) -> str:
    if not hits:
        return "   -          "
    share = sum(hits) / len(hits)
    se = math.sqrt(share * (1.0 - share) / len(hits))
    return f"{share:6.3f} ± {se:5.3f}"


def histogram(ranks: Sequence[float]) -> tuple[list[int], float]:
    """Counts in BINS equal bins of (0, 1) and the chi-square p-value against uniform."""
    counts = np.histogram(np.asarray(ranks), bins=BINS, range=(0.0, 1.0))[0]
    if len(ranks) < BINS:
        return [int(c) for c in counts], math.nan
    return [int(c) for c in counts], float(stats.chisquare(counts).pvalue)


def coverage_row(name: str, runs: Sequence[Run], untruncated: bool) -> str:
    covered = [r.covered_untruncated if untruncated else r.covered for r in runs]
    bias = [(r.median - r.truth) / r.truth for r in runs]
    cells = " ".join(proportion([c[i] for c in covered]) for i in range(len(LEVELS)))
    middle = f"{statistics.median(bias):+9.4f}" if bias else f"{'-':>9}"
    return f"  {name:<18} {len(runs):>5} {cells} {middle}"


COVERAGE_HEADER = (
    f"  {'':<18} {'runs':>5} "
    + " ".join(f"{f'{round(100 * level)}% cover':>14}" for level in LEVELS)
    + f" {'med bias':>9}"
)


def rank_row(name: str, ranks: Sequence[float]) -> str:
    """Histogram, chi-square p, mean rank, and the shares of ranks in the central 50/80/95%.

    The central shares are the coverage of randomised intervals: unlike quantile intervals of
    whole-number draws (which over-cover when the posterior spans a few values) they are
    exactly 50/80/95% under calibration.
    """
    counts, p = histogram(ranks)
    mean = statistics.fmean(ranks) if ranks else math.nan
    se = 1.0 / math.sqrt(12.0 * len(ranks)) if ranks else math.nan
    bars = " ".join(f"{c:>3}" for c in counts)
    central = "/".join(
        f"{statistics.fmean((1 - level) / 2 <= r <= (1 + level) / 2 for r in ranks):.3f}"
        if ranks
        else "-"
        for level in LEVELS
    )
    return (
        f"  {name:<18} {len(ranks):>5}  {bars}  p={p:6.4f}  mean {mean:.3f} ± {se:.3f}"
        f"  central {central}"
    )


def diagnostics_row(name: str, runs: Sequence[Run], keep: int) -> str:
    rhat = [r.rhat for r in runs if r.rhat is not None]
    ess = [r.ess for r in runs if r.ess is not None]
    capped = sum(r.at_cap > 0.01 for r in runs)
    outside = sum(r.outside > 0.01 for r in runs) if any(r.rank is not None for r in runs) else "-"
    if not rhat or not ess:
        return f"  {name:<18} (no diagnostics)"
    return (
        f"  {name:<18} R-hat median {statistics.median(rhat):.4f} max {max(rhat):.3f},"
        f" >1.01 {sum(x > 1.01 for x in rhat)}, >1.05 {sum(x > 1.05 for x in rhat)};"
        f" ESS median {statistics.median(ess):.0f} min {min(ess):.0f}, <{keep}"
        f" {sum(x < keep for x in ess)}; >1% draws at 21 n {capped}, outside [low, high]"
        f" {outside}; median s {statistics.median(r.seconds for r in runs):.2f}"
    )


def grouped(runs: Sequence[Run]) -> list[tuple[str, list[Run]]]:
    """By number of lists, all, and by the share one list alone recorded (a data statistic,
    so SBC stays valid within each part; estimation.py's moderate populations have 0.4-0.75)."""
    lists = sorted({r.lists for r in runs})
    groups = [(f"{n} lists", [r for r in runs if r.lists == n]) for n in lists]
    return [
        *groups,
        ("all", list(runs)),
        (f"one-list < {ONE_LIST_SPLIT}", [r for r in runs if r.one_list < ONE_LIST_SPLIT]),
        (f"one-list >= {ONE_LIST_SPLIT}", [r for r in runs if r.one_list >= ONE_LIST_SPLIT]),
    ]


def report_sbc(runs: Sequence[Run], keep: int) -> None:
    done = [r for r in runs if not r.rejected]
    groups = grouped(done)
    print("(a) SBC rank of the true N among the draws in [low, high] (10 bins, low rank first)")
    for name, group in groups:
        print(rank_row(name, [r.rank for r in group if r.rank is not None]))
    print("(a) the same ranks among all draws, as the sampler reports them (not exact SBC)")
    for name, group in groups:
        print(rank_row(name, [r.rank_untruncated for r in group]))
    print()
    print("(a) coverage of equal-tailed intervals, draws in [low, high] (exact SBC)")
    print(COVERAGE_HEADER)
    for name, group in groups:
        print(coverage_row(name, group, untruncated=False))
    print("(a) coverage, all draws (as reported)")
    print(COVERAGE_HEADER)
    for name, group in groups:
        print(coverage_row(name, group, untruncated=True))
    print()
    print("(a) chains")
    for name, group in groups:
        print(diagnostics_row(name, group, keep))
    reasons = Counter((r.lists, r.rejected) for r in runs if r.rejected)
    print(f"(a) rejected before sampling: {sum(reasons.values())} of {len(runs)}")
    for (lists, reason), count in sorted(reasons.items()):
        print(f"  {lists} lists: {count} × {reason}")
    print()


def report_moderate(runs: Sequence[Run], keep: int) -> None:
    print("(b) coverage on estimation.py's moderate populations without list dependence")
    print(COVERAGE_HEADER)
    groups = grouped(runs)
    for name, group in groups:
        print(coverage_row(name, group, untruncated=True))
    print("(b) the truth's rank among the draws (no SBC guarantee here; shows the direction)")
    for name, group in groups:
        print(rank_row(name, [r.rank_untruncated for r in group]))
    print("(b) chains")
    for name, group in groups:
        print(diagnostics_row(name, group, keep))
    print()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def run_all(
    tasks: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]], workers: int, label: str
) -> list[Any]:
    """Run the tasks in order, in worker processes only when more than one is asked for."""
    started = time.perf_counter()

    def tick(done: int) -> None:
        if done % 50 == 0 or done == len(tasks):
            elapsed = time.perf_counter() - started
            print(f"  {label}: {done}/{len(tasks)}, {elapsed:.0f} s, {load()}", flush=True)

    results: list[Any] = []
    if workers <= 1:
        for function, args in tasks:
            results.append(function(*args))
            tick(len(results))
        return results
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(function, *args) for function, args in tasks]
        for future in futures:
            results.append(future.result())
            tick(len(results))
    return results


def describe(settings: Iterable[lcmcr.Settings]) -> str:
    shown = {
        f"K={s.K}, {s.chains} chains, burn-in {s.burn_in}, {s.samples} draws thinned by {s.thin}"
        + (", adaptive" if s.stopping else "")
        for s in settings
    }
    return "; ".join(sorted(shown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100, help="SBC replicates per list count")
    parser.add_argument("--lists", type=int, nargs="*", default=[3, 4, 5], choices=[3, 4, 5])
    parser.add_argument("--preset", choices=PRESETS, default="fast")
    parser.add_argument("--burn-in", type=int, help="replace the preset's burn-in")
    parser.add_argument("--thin", type=int, help="replace the preset's thinning")
    parser.add_argument("--seed", type=int, default=20_251)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--low", type=int, default=300, help="smallest true N")
    parser.add_argument("--high", type=int, default=6_000, help="largest true N")
    parser.add_argument("--draws", type=int, default=199, help="thinned draws for the rank")
    parser.add_argument(
        "--populations", type=int, default=200, help="part (b): estimation.py indices to try"
    )
    args = parser.parse_args()
    if not 1 <= args.low < args.high:
        parser.error("need 1 <= --low < --high")
    settings = {n: chain_settings(args.preset, n, args.burn_in, args.thin) for n in (3, 4, 5)}
    print(
        f"preset {args.preset} ({describe(settings[n] for n in args.lists)});"
        f" workers {args.workers}, cores {os.cpu_count()}, {load()}"
    )

    if args.replicates:
        tasks: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [
            (sbc_replicate, (args.seed, n, i, settings[n], args.low, args.high, args.draws))
            for n in args.lists
            for i in range(args.replicates)
        ]
        started = time.perf_counter()
        runs = run_all(tasks, args.workers, "SBC replicates")
        print(
            f"(a) SBC: {len(runs)} replicates, N ∝ 1/N on {args.low:,}-{args.high:,}, rank among"
            f" {args.draws} thinned draws, in {time.perf_counter() - started:.0f} s; {load()}"
        )
        report_sbc(runs, args.draws)

    if args.populations:
        tasks = [
            (
                moderate_population,
                (args.seed, i, args.preset, args.burn_in, args.thin, args.draws),
            )
            for i in range(args.populations)
        ]
        started = time.perf_counter()
        found = run_all(tasks, args.workers, "moderate populations")
        kept = [r for r in found if r is not None]
        print(
            f"(b) {len(kept)} of {args.populations} moderate populations have no list dependence;"
            f" in {time.perf_counter() - started:.0f} s; {load()}"
        )
        report_moderate(kept, args.draws)


if __name__ == "__main__":
    main()
