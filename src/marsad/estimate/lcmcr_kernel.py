"""The compiled Gibbs sweep of the LCMCR sampler; marsad.estimate.lcmcr is the public face.

Everything here runs inside Numba without the GIL, one chain per call, drawing only from the
xoshiro256** state it is handed, so a chain is a pure function of its data, settings and seed,
whatever the numpy or Numba version. The random variates are written here, not taken from
numpy's Generator, because a call into the Generator costs several times an inline xoshiro
step and the sweep makes hundreds of draws: the binomial and Poisson samplers follow numpy's
(inversion or multiplication for small means, BTPE and PTRS otherwise), gammas are
Marsaglia & Tsang's, normals Marsaglia's polar method.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

F = TypeVar("F", bound=Callable[..., Any])

WARM_UP = 500
"""Iterations run before burn-in with alpha held fixed, then classes sorted by weight (as R)."""

SMALL_COUNT = 64
"""Below this many persons a multinomial is drawn person by person: cheaper than binomials."""

MAX_UNOBSERVED_RATIO = 20
"""R's LCMCR redraws n0 while it exceeds 20 n: the prior on N is cut at 21 times n."""

_INVERSION_MEAN = 30.0
_POISSON_PTRS_MEAN = 10.0
_U64 = np.uint64


def _jit(function: F) -> F:
    """Compile without the GIL (chains run on threads) and cache the machine code on disk."""
    return cast(F, numba.njit(cache=True, nogil=True)(function))


def seed_state(entropy: int, chain: int) -> npt.NDArray[np.uint64]:
    """The xoshiro256** state of one chain, from numpy's SeedSequence (never all zero)."""
    sequence = np.random.SeedSequence(entropy, spawn_key=(chain,))
    state = np.asarray(sequence.generate_state(4, dtype=np.uint64), dtype=np.uint64)
    if not state.any():
        state[0] = _U64(1)
    return state


@_jit
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << _U64(k)) | (x >> _U64(64 - k))


@_jit
def _uniform(state: npt.NDArray[np.uint64]) -> float:
    """A double in [0, 1) from the top 53 bits of one xoshiro256** step (Blackman & Vigna)."""
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
    result = _rotl(s1 * _U64(5), 7) * _U64(9)
    t = s1 << _U64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    state[0] = s0
    state[1] = s1
    state[2] = s2
    state[3] = s3
    return float(result >> _U64(11)) * (1.0 / 9007199254740992.0)


@_jit
def _normal(state: npt.NDArray[np.uint64]) -> float:
    while True:
        x = 2.0 * _uniform(state) - 1.0
        y = 2.0 * _uniform(state) - 1.0
        r2 = x * x + y * y
        if 0.0 < r2 < 1.0:
            return x * math.sqrt(-2.0 * math.log(r2) / r2)


@_jit
def _gamma(state: npt.NDArray[np.uint64], shape: float) -> float:
    """Gamma(shape, 1); below shape 1 by the U^(1/shape) boost of a Gamma(shape + 1)."""
    boost = 1.0
    if shape < 1.0:
        boost = math.pow(1.0 - _uniform(state), 1.0 / shape)
        shape += 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(state)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _uniform(state)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2 or math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v * boost


@_jit
def _poisson(state: npt.NDArray[np.uint64], lam: float) -> int:
    """Poisson(lam): multiplication for small means, Hörmann's PTRS otherwise."""
    if lam < _POISSON_PTRS_MEAN:
        limit = math.exp(-lam)
        x = 0
        product = _uniform(state)
        while product > limit:
            x += 1
            product *= _uniform(state)
        return x
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    log_invalpha = math.log(1.1239 + 1.1328 / (b - 3.4))
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = _uniform(state) - 0.5
        v = _uniform(state)
        us = 0.5 - abs(u)
        if us == 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + log_invalpha - math.log(a / (us * us) + b) <= (
            -lam + k * loglam - math.lgamma(k + 1.0)
        ):
            return k


@_jit
def _binomial_inversion(state: npt.NDArray[np.uint64], n: int, p: float) -> int:
    q = 1.0 - p
    qn = math.exp(n * math.log1p(-p))
    mean = n * p
    bound = min(n, int(mean + 10.0 * math.sqrt(mean * q + 1.0)))
    x = 0
    px = qn
    u = _uniform(state)
    while u > px:
        x += 1
        if x > bound:
            x = 0
            px = qn
            u = _uniform(state)
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x


@_jit
def _stirling_tail(x: float) -> float:
    x2 = x * x
    return (13680.0 - (462.0 - (132.0 - (99.0 - 140.0 / x2) / x2) / x2) / x2) / x / 166320.0


@_jit
def _binomial_btpe(state: npt.NDArray[np.uint64], n: int, p: float) -> int:
    """BTPE for p <= 0.5 and n p > 30: triangle, parallelogram and exponential tails."""
    r = p
    q = 1.0 - p
    fm = n * r + r
    m = math.floor(fm)
    p1 = math.floor(2.195 * math.sqrt(n * r * q) - 4.6 * q) + 0.5
    xm = m + 0.5
    xl = xm - p1
    xr = xm + p1
    c = 0.134 + 20.5 / (15.3 + m)
    a = (fm - xl) / (fm - xl * r)
    laml = a * (1.0 + a / 2.0)
    a = (xr - fm) / (xr * q)
    lamr = a * (1.0 + a / 2.0)
    p2 = p1 * (1.0 + 2.0 * c)
    p3 = p2 + c / laml
    p4 = p3 + c / lamr
    nrq = n * r * q
    while True:
        u = _uniform(state) * p4
        v = _uniform(state)
        if u <= p1:
            return math.floor(xm - p1 * v + u)
        if u <= p2:
            x = xl + (u - p1) / c
            v = v * c + 1.0 - abs(m - x + 0.5) / p1
            if v > 1.0:
                continue
            y = math.floor(x)
        elif u <= p3:
            if v == 0.0:
                continue
            y = math.floor(xl + math.log(v) / laml)
            if y < 0:
                continue
            v = v * (u - p2) * laml
        else:
            if v == 0.0:
                continue
            y = math.floor(xr - math.log(v) / lamr)
            if y > n:
                continue
            v = v * (u - p3) * lamr
        k = abs(y - m)
        if k <= 20 or k >= nrq / 2.0 - 1.0:
            s = r / q
            a = s * (n + 1)
            f = 1.0
            if m < y:
                for i in range(m + 1, y + 1):
                    f *= a / i - s
            elif m > y:
                for i in range(y + 1, m + 1):
                    f /= a / i - s
            if v <= f:
                return y
            continue
        rho = (k / nrq) * ((k * (k / 3.0 + 0.625) + 0.16666666666666666) / nrq + 0.5)
        t = -k * k / (2.0 * nrq)
        log_v = math.log(v)
        if log_v < t - rho:
            return y
        if log_v > t + rho:
            continue
        x1 = y + 1.0
        f1 = m + 1.0
        z = n + 1.0 - m
        w = n - y + 1.0
        bound = (
            xm * math.log(f1 / x1)
            + (n - m + 0.5) * math.log(z / w)
            + (y - m) * math.log(w * r / (x1 * q))
            + _stirling_tail(f1)
            + _stirling_tail(z)
            + _stirling_tail(x1)
            + _stirling_tail(w)
        )
        if log_v <= bound:
            return y


@_jit
def _binomial(state: npt.NDArray[np.uint64], n: int, p: float) -> int:
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    small = min(p, 1.0 - p)
    if small * n <= _INVERSION_MEAN:
        x = _binomial_inversion(state, n, small)
    else:
        x = _binomial_btpe(state, n, small)
    return n - x if p > 0.5 else x


@_jit
def _multinomial(
    state: npt.NDArray[np.uint64],
    total: int,
    weights: npt.NDArray[np.float64],
    out: npt.NDArray[np.int64],
    tail: npt.NDArray[np.float64],
) -> None:
    """Share `total` among classes in proportion to unnormalised `weights`, into `out`.

    `tail` is scratch space of the same length, passed in so the sweep allocates nothing.
    """
    size = weights.shape[0]
    out[:] = 0
    if total <= 0:
        return
    if total < SMALL_COUNT:
        running = 0.0
        for k in range(size):
            running += weights[k]
            tail[k] = running
        for _ in range(total):
            u = _uniform(state) * running
            k = 0
            while k < size - 1 and u >= tail[k]:
                k += 1
            out[k] += 1
        return
    running = 0.0
    for k in range(size - 1, -1, -1):
        running += weights[k]
        tail[k] = running
    remaining = total
    for k in range(size - 1):
        if remaining == 0:
            return
        share = weights[k] / tail[k] if tail[k] > 0.0 else 1.0
        drawn = _binomial(state, remaining, share)
        out[k] = drawn
        remaining -= drawn
    out[size - 1] = remaining


@_jit
def _log_gamma(state: npt.NDArray[np.uint64], shape: float) -> float:
    """log of a Gamma(shape, 1) draw; the U^(1/shape) identity keeps tiny shapes finite."""
    if shape < 0.5:
        return math.log(1.0 - _uniform(state)) / shape + math.log(_gamma(state, 1.0 + shape))
    return math.log(_gamma(state, shape))


@_jit
def _log_beta_pair(state: npt.NDArray[np.uint64], a: float, b: float) -> tuple[float, float]:
    """log V and log(1 - V) for V ~ Beta(a, b), from log-gammas so neither underflows."""
    g1 = _log_gamma(state, a)
    g2 = _log_gamma(state, b)
    top = max(g1, g2)
    log_sum = top + math.log(math.exp(g1 - top) + math.exp(g2 - top))
    return g1 - log_sum, g2 - log_sum


@_jit
def _beta(state: npt.NDArray[np.uint64], a: float, b: float) -> float:
    """Beta(a, b) by inversion when a shape is 1 (empty classes), else as a gamma ratio."""
    if a == 1.0:
        return 1.0 - math.pow(1.0 - _uniform(state), 1.0 / b)
    if b == 1.0:
        return math.pow(1.0 - _uniform(state), 1.0 / a)
    g = _gamma(state, a)
    return g / (g + _gamma(state, b))


@_jit
def start_chain(
    state: npt.NDArray[np.uint64],
    cells: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    n_classes: int,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
]:
    """A chain's starting point, as R's: lambda_jk at each list's share, one stick-breaking draw.

    Returns the chain's mutable state, which `advance` updates in place: lambda (lists x K),
    log nu and nu (K), the unobserved per class (K), and [alpha, n0] (alpha = 0.3 / K, n0 = 0).
    """
    n_cells, n_lists = cells.shape
    kk = n_classes
    n_obs = 0
    for m in range(n_cells):
        n_obs += counts[m]
    lam = np.empty((n_lists, kk))
    for j in range(n_lists):
        listed = 0
        for m in range(n_cells):
            if cells[m, j] == 1:
                listed += counts[m]
        lam[j, :] = listed / n_obs
    log_nu = np.empty(kk)
    acc = 0.0
    for k in range(kk - 1):
        log_v, log_rest = _log_beta_pair(state, 1.0, 1.0)
        log_nu[k] = log_v + acc
        acc += log_rest
    log_nu[kk - 1] = acc
    nu = np.exp(log_nu)
    count0 = np.zeros(kk, dtype=np.int64)
    scalars = np.array([0.3 / kk, 0.0])
    return lam, log_nu, nu, count0, scalars


@_jit
def advance(
    state: npt.NDArray[np.uint64],
    cells: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    lam: npt.NDArray[np.float64],
    log_nu: npt.NDArray[np.float64],
    nu: npt.NDArray[np.float64],
    count0: npt.NDArray[np.int64],
    scalars: npt.NDArray[np.float64],
    a_alpha: float,
    b_alpha: float,
    start: int,
    stop: int,
    burn_in: int,
    thin: int,
    out_n: npt.NDArray[np.int64],
    out_alpha: npt.NDArray[np.float64],
    out_active: npt.NDArray[np.int64],
) -> None:
    """Sweeps `start` to `stop` (counted from the chain's first) of a chain made by `start_chain`.

    The first WARM_UP sweeps hold alpha fixed and end by sorting the classes by weight. After
    warm-up and `burn_in` sweeps, every `thin`-th sweep is kept: N, alpha and the number of
    occupied classes go to position (sweeps after burn-in) / thin - 1 of the `out_` arrays.
    Running a chain in several calls gives exactly the draws of one call over the same sweeps.
    """
    n_cells, n_lists = cells.shape
    kk = lam.shape[1]
    n_obs = 0
    for m in range(n_cells):
        n_obs += counts[m]
    alpha = scalars[0]
    n0 = int(scalars[1])

    weights = np.empty(kk)
    scratch = np.empty(kk)
    drawn = np.empty(kk, dtype=np.int64)
    class_obs = np.empty(kk, dtype=np.int64)
    ones = np.empty((n_lists, kk), dtype=np.int64)

    for sweep in range(start, stop):
        # Classes of the observed persons, a multinomial per pattern.
        class_obs[:] = 0
        ones[:, :] = 0
        for m in range(n_cells):
            for k in range(kk):
                w = nu[k]
                for j in range(n_lists):
                    w *= lam[j, k] if cells[m, j] == 1 else 1.0 - lam[j, k]
                weights[k] = w
            _multinomial(state, counts[m], weights, drawn, scratch)
            for k in range(kk):
                d = drawn[k]
                if d > 0:
                    class_obs[k] += d
                    for j in range(n_lists):
                        if cells[m, j] == 1:
                            ones[j, k] += d

        # Capture probabilities, Beta(1 + listed, 1 + not listed) with the unobserved included.
        for k in range(kk):
            for j in range(n_lists):
                listed = ones[j, k]
                missed = class_obs[k] - listed + count0[k]
                lam[j, k] = _beta(state, 1.0 + listed, 1.0 + missed)

        # Stick-breaking weights, in logs so that tiny sticks stay representable.
        done = 0
        total = n_obs + n0
        acc = 0.0
        active = 0
        for k in range(kk):
            if class_obs[k] + count0[k] > 0:
                active += 1
        for k in range(kk - 1):
            size_k = class_obs[k] + count0[k]
            done += size_k
            log_v, log_rest = _log_beta_pair(state, 1.0 + size_k, alpha + (total - done))
            log_nu[k] = log_v + acc
            acc += log_rest
            nu[k] = math.exp(log_nu[k])
        log_nu[kk - 1] = acc
        nu[kk - 1] = math.exp(acc)

        # The unobserved: n0 ~ NegBin(n, 1 - pi0), then their classes.
        p_zero = 0.0
        p_seen = 0.0
        for k in range(kk):
            q = 1.0
            for j in range(n_lists):
                q *= 1.0 - lam[j, k]
            weights[k] = nu[k] * q
            p_zero += nu[k] * q
            p_seen += nu[k] * (1.0 - q)
        n0 = _poisson(state, _gamma(state, float(n_obs)) * p_zero / p_seen)
        while n0 > MAX_UNOBSERVED_RATIO * n_obs:
            n0 = _poisson(state, _gamma(state, float(n_obs)) * p_zero / p_seen)
        _multinomial(state, n0, weights, count0, scratch)

        if sweep < WARM_UP:
            if sweep == WARM_UP - 1:
                order = np.argsort(-nu, kind="mergesort")
                lam[:, :] = lam[:, order]
                nu[:] = nu[order]
                log_nu[:] = log_nu[order]
                count0[:] = count0[order]
            continue
        alpha = _gamma(state, a_alpha + kk - 1.0) / (b_alpha - log_nu[kk - 1])

        after = sweep - WARM_UP - burn_in + 1
        if after > 0 and after % thin == 0:
            kept = after // thin - 1
            out_n[kept] = n_obs + n0
            out_alpha[kept] = alpha
            out_active[kept] = active
    scalars[0] = alpha
    scalars[1] = float(n0)


@_jit
def run_chain(
    state: npt.NDArray[np.uint64],
    cells: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    n_classes: int,
    a_alpha: float,
    b_alpha: float,
    burn_in: int,
    samples: int,
    thin: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """One chain of fixed length: warm-up, burn-in, then `samples` draws kept every `thin` sweeps.

    `cells` holds the observed patterns with a positive count (one row each) and `counts`
    their counts. Returns N, alpha and the number of occupied classes at each kept sweep.
    """
    lam, log_nu, nu, count0, scalars = start_chain(state, cells, counts, n_classes)
    out_n = np.empty(samples, dtype=np.int64)
    out_alpha = np.empty(samples)
    out_active = np.empty(samples, dtype=np.int64)
    advance(
        state,
        cells,
        counts,
        lam,
        log_nu,
        nu,
        count0,
        scalars,
        a_alpha,
        b_alpha,
        0,
        WARM_UP + burn_in + samples * thin,
        burn_in,
        thin,
        out_n,
        out_alpha,
        out_active,
    )
    return out_n, out_alpha, out_active
