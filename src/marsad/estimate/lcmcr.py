"""Bayesian latent-class capture-recapture (LCMCR), Manrique-Vallier (2016), as R's LCMCR runs it.

Persons fall into at most K latent classes; within a class the lists record independently,
each with its own probability. Class weights come from a truncated stick-breaking Dirichlet
process with a Gamma-distributed concentration, and N has the prior p(N) ∝ 1/N. A Gibbs
sampler on the table of patterns (never one row per person) draws N by imputing the persons
no list recorded. The sweep is compiled with Numba in marsad.estimate.lcmcr_kernel; several
chains run on threads, and split R-hat and effective sample sizes (Vehtari et al. 2021) say
whether they agree. With a `StoppingRule` the chains run in segments and stop as soon as those
diagnostics are good enough (never later than the fixed length). docs/methodology.md explains
the choices.
"""

from __future__ import annotations

import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.estimate import lcmcr_kernel
from marsad.estimate.histories import drop_empty_lists

MIN_LISTS = 3
MAX_HRDAG_CLASSES = 15

QUANTILES = (0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975)
TRACE_POINTS = 1000
"""At most this many draws per chain go into the diagnostics for trace and density plots."""

RHAT_WARNING = 1.01
ESS_WARNING_PER_CHAIN = 100
"""Vehtari et al. (2021): R-hat below 1.01 and at least 100 effective draws per chain."""

Preset = Literal["default", "fixed", "hrdag"]
Draws = npt.NDArray[np.int64]

CONVERGED = "converged"
REACHED_MAXIMUM = "reached maximum"
FIXED_LENGTH = "fixed length"
CONSTANT = "draws constant"


@dataclass(frozen=True)
class StoppingRule:
    """When chains may stop before their maximum length (Vehtari et al. 2021's thresholds).

    The chains stop at the first check where the rank-normalised split R-hat of N is below
    `rhat_below` and its bulk and tail effective sample sizes reach `min_ess` and
    `min_tail_ess`, all computed on the draws that would be returned. Checks come every
    `samples + burn_in / thin` sweeps, from `min_thin` (see `Settings`).
    """

    rhat_below: float = 1.01
    min_ess: float = 1_000.0
    min_tail_ess: float = 400.0
    min_thin: int = 2

    def __post_init__(self) -> None:
        if not self.rhat_below > 1.0:
            raise ValueError(f"rhat_below must be above 1, got {self.rhat_below!r}")
        if not (self.min_ess >= 0.0 and self.min_tail_ess >= 0.0):
            raise ValueError("min_ess and min_tail_ess must be >= 0")
        if not isinstance(self.min_thin, int) or self.min_thin < 1:
            raise ValueError(f"min_thin must be a positive whole number, got {self.min_thin!r}")

    def met(self, rhat: float | None, ess: float | None, ess_tail: float | None) -> bool:
        return (
            rhat is not None
            and rhat < self.rhat_below
            and ess is not None
            and ess >= self.min_ess
            and ess_tail is not None
            and ess_tail >= self.min_tail_ess
        )


@dataclass(frozen=True)
class Settings:
    """How long and how many chains to run, and the prior on the Dirichlet concentration.

    `samples` is the number of kept draws per chain; each chain runs 500 warm-up sweeps, then
    `burn_in` sweeps, then `samples * thin` sweeps keeping every `thin`-th.

    With a `stopping` rule these lengths are the maximum. The chains are checked at thinning
    t = min_thin, min_thin + 1, ..., thin: at t a chain has run 500 + burn_in * t // thin +
    samples * t sweeps, and the draws checked (and returned if the rule is met) are exactly
    those of a fixed run with burn-in burn_in * t // thin and thinning t: always `samples`
    draws per chain, so strata still add draw by draw.
    """

    K: int = 10
    burn_in: int = 10_000
    samples: int = 5_000
    thin: int = 20
    chains: int = 4
    a_alpha: float = 0.25
    b_alpha: float = 0.25
    stopping: StoppingRule | None = None

    def __post_init__(self) -> None:
        for name in ("K", "samples", "thin", "chains"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")
        if not isinstance(self.burn_in, int) or self.burn_in < 0:
            raise ValueError(f"burn_in must be a whole number >= 0, got {self.burn_in!r}")
        if self.K < 2:
            raise ValueError("K must be at least 2: one latent class is the independence model")
        if not (self.a_alpha > 0.0 and self.b_alpha > 0.0):
            raise ValueError("a_alpha and b_alpha must be positive")
        if self.stopping is not None and self.stopping.min_thin > self.thin:
            raise ValueError(
                f"the stopping rule's min_thin ({self.stopping.min_thin}) exceeds"
                f" thin ({self.thin})"
            )

    @property
    def sweeps_per_chain(self) -> int:
        """The sweeps of a fixed-length chain, or the most an adaptive chain can run."""
        return self.length(self.thin).sweeps(self.samples)

    def length(self, thin: int) -> ChainLength:
        """The burn-in that goes with thinning `thin` (in proportion to the maximum's)."""
        return ChainLength(self.burn_in * thin // self.thin, thin)

    def checks(self) -> range:
        """The thinnings at which an adaptive run is checked; only the last without a rule."""
        first = self.thin if self.stopping is None else self.stopping.min_thin
        return range(first, self.thin + 1)


@dataclass(frozen=True)
class ChainLength:
    """How long the chains actually ran, and why they stopped there."""

    burn_in: int
    thin: int
    stopped: str = FIXED_LENGTH
    checks: int = 1

    def sweeps(self, samples: int) -> int:
        return lcmcr_kernel.WARM_UP + self.burn_in + samples * self.thin


def preset(name: Preset, n_lists: int) -> Settings:
    """Named settings: "default", "fixed", or "hrdag" as in HRDAG's Syria pipeline.

    "fixed": 4 chains of 500 + 10,000 + 5,000 x 20 sweeps. "default": the same as a maximum,
    stopping earlier under the `StoppingRule` (5,000 draws per chain either way). HRDAG's:
    K = min(2^lists - 1, 15), 10,000 burn-in sweeps and 10,000 draws thinned by 500 (5 million
    sweeps a chain, about a minute each here); two chains, so R-hat exists.
    """
    if name == "fixed":
        return Settings()
    if name == "default":
        return Settings(stopping=StoppingRule())
    if name == "hrdag":
        return Settings(
            K=min(2**n_lists - 1, MAX_HRDAG_CLASSES),
            burn_in=10_000,
            samples=10_000,
            thin=500,
            chains=2,
        )
    raise ValueError(f"unknown preset {name!r}; choose 'default', 'fixed' or 'hrdag'")


@dataclass(frozen=True)
class Posterior:
    """Posterior draws of N, one row per chain, with what produced them.

    Draws of independent strata can be added row by row (same settings and seed layout) and
    summarised with `summarise`, which is how a stratified total gets its interval.
    """

    observed: int
    draws: Draws
    settings: Settings
    seed: int
    lists: tuple[str, ...] = ()
    seconds: float = 0.0
    mean_alpha: float | None = None
    mean_classes: float | None = None
    length: ChainLength | None = None
    """The length run; None means the settings' fixed length (e.g. for summed strata)."""


def sample_posterior(
    histories: CaptureHistories,
    settings: Settings | None = None,
    seed: int | None = None,
    *,
    workers: int | None = None,
) -> Posterior:
    """Run the chains; the same histories, settings and seed give the same draws.

    Lists that recorded nobody are dropped first. Without a seed a fresh one is drawn from
    the operating system and recorded in the result, so the run can be repeated. Chains run
    on `workers` threads (default: one per core, at most one per chain); each chain owns its
    random stream and every stop is decided on all chains together, so the draws do not
    depend on the number of threads.
    """
    settings = settings or Settings()
    kept = drop_empty_lists(histories)
    if len(kept.lists) < MIN_LISTS:
        raise ValueError(
            f"LCMCR needs at least {MIN_LISTS} lists that recorded someone (with fewer the "
            f"latent classes cannot be told apart); got {len(kept.lists)}"
        )
    patterns = [(pattern, count) for pattern, count in kept.counts.items() if count > 0]
    cells = np.array([pattern for pattern, _ in patterns], dtype=np.int8)
    counts = np.array([count for _, count in patterns], dtype=np.int64)
    entropy = int(np.random.SeedSequence(seed).entropy)  # type: ignore[arg-type]

    started = time.perf_counter()
    chains = [
        _Chain(lcmcr_kernel.seed_state(entropy, index), cells, counts, settings)
        for index in range(settings.chains)
    ]
    workers = min(settings.chains, workers or os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for thin in settings.checks():
            length = settings.length(thin)
            target = [length.sweeps(settings.samples)] * len(chains)
            list(pool.map(_Chain.advance, chains, target))
            draws = np.stack([chain.draws(length)[0] for chain in chains])
            stopped = _stopped(settings, draws, thin)
            if stopped is not None:
                break
    seconds = time.perf_counter() - started
    results = [chain.draws(length) for chain in chains]
    return Posterior(
        observed=kept.observed,
        draws=draws,
        settings=settings,
        seed=entropy,
        lists=kept.lists,
        seconds=seconds,
        mean_alpha=float(np.mean([alpha.mean() for _, alpha, _ in results])),
        mean_classes=float(np.mean([active.mean() for _, _, active in results])),
        length=replace(
            length, stopped=stopped or FIXED_LENGTH, checks=thin - settings.checks().start + 1
        ),
    )


def _stopped(settings: Settings, draws: Draws, thin: int) -> str | None:
    """Why the chains stop after the check at thinning `thin`, or None to go on."""
    rule = settings.stopping
    if rule is None:
        return FIXED_LENGTH
    if _constant(draws):
        return CONSTANT
    if rule.met(split_rhat(draws), effective_sample_size(draws), tail_effective_sample_size(draws)):
        return CONVERGED
    return REACHED_MAXIMUM if thin == settings.thin else None


class _Chain:
    """One chain's random stream and state, advanced segment by segment on a worker thread.

    A fixed-length chain keeps only its thinned draws; an adaptive one keeps every sweep after
    warm-up, so that any (burn-in, thinning) up to the maximum can be read off it.
    """

    def __init__(
        self,
        state: npt.NDArray[np.uint64],
        cells: npt.NDArray[np.int8],
        counts: npt.NDArray[np.int64],
        settings: Settings,
    ) -> None:
        self.state = state
        self.cells = cells
        self.counts = counts
        self.settings = settings
        self.parts = lcmcr_kernel.start_chain(state, cells, counts, settings.K)
        self.adaptive = settings.stopping is not None
        self.every = 1 if self.adaptive else settings.thin
        self.skip = 0 if self.adaptive else settings.burn_in
        size = (settings.sweeps_per_chain - lcmcr_kernel.WARM_UP - self.skip) // self.every
        self.n = np.zeros(size, dtype=np.int64)
        self.alpha = np.zeros(size)
        self.active = np.zeros(size, dtype=np.int64)
        self.done = 0

    def advance(self, sweeps: int) -> None:
        settings = self.settings
        lcmcr_kernel.advance(
            self.state,
            self.cells,
            self.counts,
            *self.parts,
            settings.a_alpha,
            settings.b_alpha,
            self.done,
            sweeps,
            self.skip,
            self.every,
            self.n,
            self.alpha,
            self.active,
        )
        self.done = sweeps

    def draws(
        self, length: ChainLength
    ) -> tuple[Draws, npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """N, alpha and occupied classes at the kept sweeps of `length`."""
        if not self.adaptive:
            return self.n, self.alpha, self.active
        samples = self.settings.samples
        index = length.burn_in + length.thin * np.arange(1, samples + 1) - 1
        return self.n[index], self.alpha[index], self.active[index]


def posterior_draws(
    histories: CaptureHistories, settings: Settings | None = None, seed: int | None = None
) -> Draws:
    """The draws of N alone, chains × samples, for callers that combine strata."""
    return sample_posterior(histories, settings, seed).draws


def estimate(
    histories: CaptureHistories,
    *,
    K: int = 10,
    burn_in: int = 10_000,
    samples: int = 5_000,
    thin: int = 20,
    chains: int = 4,
    seed: int | None = None,
    level: float = 0.95,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    stopping: StoppingRule | None = None,
) -> Estimate:
    """The posterior median of N with an equal-tailed credible interval at `level`.

    With `stopping`, the lengths given are the maximum and the chains stop earlier when the
    rule is met.
    """
    _check_level(level)
    settings = Settings(K, burn_in, samples, thin, chains, a_alpha, b_alpha, stopping)
    return summarise(sample_posterior(histories, settings, seed), level)


def summarise(posterior: Posterior, level: float = 0.95) -> Estimate:
    """Median, equal-tailed interval and JSON-ready diagnostics of a posterior."""
    _check_level(level)
    draws = posterior.draws
    pooled = draws.ravel().astype(float)
    tail = (1.0 - level) / 2.0
    low, median, high = np.quantile(pooled, [tail, 0.5, 1.0 - tail])
    settings = posterior.settings
    length = posterior.length or settings.length(settings.thin)
    rhat = split_rhat(draws)
    ess = effective_sample_size(draws)
    ess_tail = tail_effective_sample_size(draws)
    step = max(1, math.ceil(draws.shape[1] / TRACE_POINTS))
    notes = ["Gibbs sampler: every draw is accepted, so there is no acceptance rate"]
    if rhat is None or ess is None:
        notes.append("all draws of N are equal: R-hat and effective sample size are undefined")
    else:
        if rhat > RHAT_WARNING:
            notes.append(f"R-hat {rhat:.3f} is above {RHAT_WARNING}: chains disagree, run longer")
        if ess < ESS_WARNING_PER_CHAIN * draws.shape[0]:
            notes.append(f"only {ess:.0f} effective draws: run longer or thin more")
    if length.stopped == REACHED_MAXIMUM:
        notes.append(
            f"the chains ran to their maximum of {settings.sweeps_per_chain:,} sweeps without"
            " meeting the stopping rule: read R-hat and the effective sample sizes"
        )
    if posterior.mean_classes is not None and posterior.mean_classes > 0.9 * settings.K:
        notes.append(f"on average {posterior.mean_classes:.1f} of K={settings.K} classes are used")
    diagnostics: dict[str, Any] = {
        "lists": list(posterior.lists),
        "K": settings.K,
        "burn_in": length.burn_in,
        "samples": settings.samples,
        "thin": length.thin,
        "chains": int(draws.shape[0]),
        "warm_up": lcmcr_kernel.WARM_UP,
        "sweeps_per_chain": length.sweeps(settings.samples),
        "stopped": length.stopped,
        "checks": length.checks,
        "a_alpha": settings.a_alpha,
        "b_alpha": settings.b_alpha,
        "seed": posterior.seed,
        "rhat": rhat,
        "ess": ess,
        "ess_tail": ess_tail,
        "mean": float(pooled.mean()),
        "sd": float(pooled.std(ddof=1)) if pooled.size > 1 else 0.0,
        "quantiles": {
            _percent(q): float(v)
            for q, v in zip(QUANTILES, np.quantile(pooled, QUANTILES), strict=True)
        },
        "mean_alpha": posterior.mean_alpha,
        "mean_classes": posterior.mean_classes,
        "seconds": posterior.seconds,
        "trace": [[int(n) for n in row[::step]] for row in draws],
        "trace_every": step * length.thin,
        "notes": notes,
    }
    if settings.stopping is not None:
        diagnostics.update(
            max_sweeps_per_chain=settings.sweeps_per_chain,
            stop_rhat_below=settings.stopping.rhat_below,
            stop_min_ess=settings.stopping.min_ess,
            stop_min_tail_ess=settings.stopping.min_tail_ess,
        )
    return Estimate(
        observed=posterior.observed,
        estimate=float(median),
        interval=(float(low), float(high)),
        level=level,
        method="lcmcr",
        model=f"LCMCR K={settings.K}",
        diagnostics=diagnostics,
    )


def _percent(q: float) -> str:
    return f"{100.0 * q:g}"


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")


# --- convergence diagnostics (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021) ------------


def _split(draws: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Each chain cut in two halves (the middle draw dropped when odd), as 2M chains."""
    half = draws.shape[1] // 2
    values = np.asarray(draws, dtype=float)
    return np.vstack([values[:, :half], values[:, draws.shape[1] - half :]])


def _rank_normal(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    ranks = stats.rankdata(values, method="average").reshape(values.shape)
    return np.asarray(stats.norm.ppf((ranks - 0.375) / (values.size + 0.25)), dtype=float)


def _basic_rhat(chains: npt.NDArray[np.float64]) -> float:
    n = chains.shape[1]
    within = float(chains.var(axis=1, ddof=1).mean())
    between = float(chains.mean(axis=1).var(ddof=1))
    return math.sqrt(((n - 1) / n * within + between) / within)


def _constant(draws: npt.NDArray[Any]) -> bool:
    return draws.shape[1] < 4 or bool(np.all(draws == draws.flat[0]))


def split_rhat(draws: npt.NDArray[Any]) -> float | None:
    """Rank-normalised split R-hat: the larger of the bulk and the folded (tail) versions.

    None when undefined (fewer than 4 draws per chain, or every draw equal).
    """
    if _constant(draws):
        return None
    split = _split(draws)
    bulk = _basic_rhat(_rank_normal(split))
    folded = np.abs(split - np.median(split))
    if np.all(folded == folded.flat[0]):
        return bulk
    return max(bulk, _basic_rhat(_rank_normal(folded)))


def _ess(chains: npt.NDArray[np.float64]) -> float:
    """Multi-chain ESS with Geyer's initial monotone sequence, as Stan and ArviZ compute it."""
    m, n = chains.shape
    centred = chains - chains.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(spectrum * np.conjugate(spectrum), n=size, axis=1)[:, :n] / n
    mean_acov = acov.mean(axis=0)
    within = float(mean_acov[0]) * n / (n - 1.0)
    var_plus = within * (n - 1.0) / n + (float(chains.mean(axis=1).var(ddof=1)) if m > 1 else 0.0)
    rho = np.zeros(n)
    rho[0] = 1.0
    even, odd = 1.0, 1.0 - (within - mean_acov[1]) / var_plus
    rho[1] = odd
    t = 1
    while t < n - 3 and even + odd > 0.0:
        even = 1.0 - (within - mean_acov[t + 1]) / var_plus
        odd = 1.0 - (within - mean_acov[t + 2]) / var_plus
        if even + odd >= 0.0:
            rho[t + 1], rho[t + 2] = even, odd
        t += 2
    last = t - 2
    if even > 0.0:
        rho[last + 1] = even
    t = 1
    while t <= last - 2:
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]:
            rho[t + 1] = rho[t + 2] = (rho[t - 1] + rho[t]) / 2.0
        t += 2
    total = float(chains.size)
    tau = -1.0 + 2.0 * float(rho[: last + 1].sum()) + float(rho[last + 1 : last + 2].sum())
    return total / max(tau, 1.0 / math.log10(total))


def effective_sample_size(draws: npt.NDArray[Any]) -> float | None:
    """Bulk effective sample size: ESS of the rank-normalised split chains."""
    if _constant(draws):
        return None
    return _ess(_rank_normal(_split(draws)))


def tail_effective_sample_size(draws: npt.NDArray[Any]) -> float | None:
    """Tail ESS: the smaller ESS of the indicators of the 5% and 95% quantiles."""
    if _constant(draws):
        return None
    split = _split(draws)
    found = []
    for q in (0.05, 0.95):
        indicator = (split <= np.quantile(split, q)).astype(float)
        if np.all(indicator == indicator.flat[0]):
            continue
        found.append(_ess(indicator))
    return min(found) if found else None
