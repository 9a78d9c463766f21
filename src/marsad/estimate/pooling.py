"""Pooling the estimates made on drawn clusterings into one estimate with linkage uncertainty.

Each clustering drawn from the link probabilities is estimated as the stored persons would be.
For the Bayesian methods every clustering contributes the same number of posterior draws and
the pooled draws give the median and the interval: a sample from the posterior averaged over
clusterings. Log-linear models have no draws: each clustering's estimate and profile interval
are read as a split normal distribution (median, and a normal half on each side through the
interval's end) and the pooled quantiles are those of the equal mixture.

`width_share` = 1 - (width of the pooled interval with every clustering's posterior moved to the
pooled median) / (width of the pooled interval): the share of the interval's width that the
differences between clusterings add, i.e. that comes from linkage (docs/methodology.md, "Linkage
uncertainty"). Moving whole posteriors, rather than averaging each clustering's own interval,
keeps one clustering's short, badly mixed chain from swinging the share.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

from marsad.domain.estimates import Estimate

Draws = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ClusteringFit:
    """One drawn clustering's estimate, and its posterior draws when the method has them."""

    estimate: Estimate
    draws: Draws | None = None


def width_share(pooled: tuple[float, float], within: tuple[float, float]) -> float | None:
    """1 - within width / pooled width, in [0, 1]; None when a width is not finite or the
    pooled interval has no width."""
    width, inner = pooled[1] - pooled[0], within[1] - within[0]
    if not (math.isfinite(width) and width > 0 and math.isfinite(inner)):
        return None
    return min(1.0, max(0.0, 1.0 - inner / width))


def _quantiles(values: npt.NDArray[np.float64], level: float) -> tuple[float, float, float]:
    tail = (1.0 - level) / 2.0
    low, median, high = np.quantile(values, [tail, 0.5, 1.0 - tail])
    return float(low), float(median), float(high)


def mixture_quantile(estimates: Sequence[Estimate], q: float) -> float:
    """The q-quantile of the equal mixture of split normals, one per estimate (see module)."""
    centres, below, above = [], [], []
    for e in estimates:
        z = float(stats.norm.ppf((1.0 + e.level) / 2.0))
        centres.append(e.estimate)
        below.append(max(e.estimate - e.interval[0], 0.0) / z)
        above.append(max(e.interval[1] - e.estimate, 0.0) / z)

    def cdf(x: float) -> float:
        total = 0.0
        for centre, low, high in zip(centres, below, above, strict=True):
            scale = low if x < centre else high
            if scale == 0.0 or math.isinf(scale):
                total += 0.5 if math.isinf(scale) and x >= centre else float(x >= centre)
            else:
                total += float(stats.norm.cdf((x - centre) / scale))
        return total / len(centres)

    finite = [c + 10.0 * s for c, s in zip(centres, above, strict=True) if math.isfinite(s)]
    start = min(c - 10.0 * s for c, s in zip(centres, below, strict=True)) - 1.0
    end = max(finite or centres) + 1.0
    if cdf(end) < q:
        return math.inf
    return float(optimize.brentq(lambda x: cdf(x) - q, start, end, xtol=1e-3))


def _moved(estimate: Estimate, centre: float) -> Estimate:
    """The estimate and its interval shifted so that its median is `centre`."""
    shift = centre - estimate.estimate
    low, high = estimate.interval
    return replace(estimate, estimate=centre, interval=(low + shift, high + shift))


def pool(fits: Sequence[ClusteringFit], observed: int, level: float, method: str) -> Estimate:
    """One estimate from the clusterings' estimates: pooled draws, or the split-normal mixture."""
    if not fits:
        raise ValueError("no clustering to pool")
    diagnostics: dict[str, Any] = {}
    draws = [np.asarray(f.draws, dtype=float).ravel() for f in fits if f.draws is not None]
    if len(draws) == len(fits):
        pooled = np.concatenate(draws)
        low, median, high = _quantiles(pooled, level)
        moved = np.concatenate([d - np.median(d) + median for d in draws])
        within_low, _, within_high = _quantiles(moved, level)
        diagnostics.update(
            pooled=f"posterior draws, {pooled.size // len(fits):,} from each clustering",
            mean=float(pooled.mean()),
            sd=float(pooled.std(ddof=1)) if pooled.size > 1 else 0.0,
        )
    else:
        tail = (1.0 - level) / 2.0
        estimates = [f.estimate for f in fits]
        low, median, high = (mixture_quantile(estimates, q) for q in (tail, 0.5, 1.0 - tail))
        moved_estimates = [_moved(e, median) for e in estimates]
        within_low, within_high = (mixture_quantile(moved_estimates, q) for q in (tail, 1 - tail))
        diagnostics["pooled"] = "equal mixture of each clustering's estimate and interval"
    share = width_share((low, high), (within_low, within_high))
    rhats = [f.estimate.diagnostics.get("rhat") for f in fits]
    if any(isinstance(r, float) for r in rhats):
        diagnostics["rhat_max"] = max(r for r in rhats if isinstance(r, float))
    warnings = list(
        dict.fromkeys(w for f in fits for w in f.estimate.diagnostics.get("warnings", []))
    )
    diagnostics.update(
        linkage_draws=len(fits),
        width_share=share,
        within_interval=[within_low, within_high],
        clusterings=[
            {
                "observed": f.estimate.observed,
                "estimate": f.estimate.estimate,
                "interval": list(f.estimate.interval),
            }
            for f in fits
        ],
        warnings=warnings,
    )
    models = Counter(f.estimate.model for f in fits if f.estimate.model)
    model = min(models, key=lambda m: (-models[m], m)) if models else ""
    if len(models) > 1:
        model = f"most often {model}"
    return Estimate(
        observed=observed,
        estimate=median,
        interval=(low, high),
        level=level,
        method=method,
        model=f"{model}, pooled over {len(fits)} clusterings" if model else "",
        diagnostics=diagnostics,
    )
