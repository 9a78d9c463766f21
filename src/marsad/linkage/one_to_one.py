"""One-to-one linkage between two lists that each name a person once.

Scored one by one, a pair's probability counts every other record that could be the same person
as chance competition on average. Between two lists that each name a person once, a record has
at most one match on the other list (Fellegi–Sunter with a one-to-one assignment: Jaro 1989;
bipartite matching: Sadinle 2017), so what matters is the competition the pair actually has.
Here:

1. Sadinle's beta prior on the matching gives each link, given the others, prior odds
   θ = (k + 1) / ((n_a − k)(n_b − k)) (his Gibbs full conditional with a uniform prior on the
   overlap), for lists of n_a and n_b records with k links expected between them: once most
   records are linked, the few left over are likelier to match each other.
2. The most probable matching is a linear sum assignment (`scipy.optimize.linear_sum_assignment`)
   of the log-odds log(θ · BF) over each connected group of pairs with positive log-odds.
3. Each assigned pair's probability is its link's weight against the alternatives next to the
   matching: neither record linked (1), either record linked to another candidate instead. A
   candidate that the matching gives to a record it agrees with better is no alternative (it is
   taken); one it agrees with as well or worse still is. So a pair that is the mutual unique best
   can reach the match threshold, and two indistinguishable pairs (two namesakes of one day on
   each list) stay uncertain.

Pairs the matching does not assign keep their score: clustering's one-list rule already keeps a
person to one record per list.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def link_odds(links: float, n_a: int, n_b: int) -> float:
    """θ: the prior odds of one more link between lists of `n_a` and `n_b` records with
    `links` links expected (Sadinle 2017, beta prior with α = β = 1)."""
    k = min(max(links, 0.0), min(n_a, n_b) - 1.0)
    return (k + 1.0) / ((n_a - k) * (n_b - k))


def assign(a: Ints, b: Ints, log_odds: Floats) -> npt.NDArray[np.bool_]:
    """Which pairs (a[i], b[i]) the most probable one-to-one matching holds: the assignment
    maximising the sum of positive log-odds, solved per connected group of such pairs."""
    chosen = np.zeros(len(a), dtype=bool)
    positive = np.flatnonzero(log_odds > 0)
    if positive.size == 0:
        return chosen
    rows, row_of = np.unique(a[positive], return_inverse=True)
    cols, col_of = np.unique(b[positive], return_inverse=True)
    n = len(rows) + len(cols)
    graph = coo_matrix((np.ones(positive.size), (row_of, len(rows) + col_of)), shape=(n, n)).tocsr()
    _, group = connected_components(graph, directed=False)
    pair_group = group[row_of]
    for g in np.unique(pair_group):
        members = positive[pair_group == g]
        r, r_at = np.unique(a[members], return_inverse=True)
        c, c_at = np.unique(b[members], return_inverse=True)
        gain = np.zeros((len(r), len(c)))
        gain[r_at, c_at] = log_odds[members]
        best_r, best_c = linear_sum_assignment(gain, maximize=True)
        kept = gain[best_r, best_c] > 0
        where = {(int(i), int(j)): int(m) for i, j, m in zip(r_at, c_at, members, strict=True)}
        for i, j in zip(best_r[kept], best_c[kept], strict=True):
            chosen[where[(int(i), int(j))]] = True
    return chosen


def one_to_one(a: Ints, b: Ints, bits: Floats, links: float, n_a: int, n_b: int) -> Floats:
    """The one-to-one probability of each pair between two lists (records a[i] of one, b[i] of
    the other; `bits` the log2 Bayes factor of each pair, prior excluded), NaN for pairs the
    most probable matching does not hold."""
    theta = link_odds(links, n_a, n_b)
    weight: Floats = theta * np.exp2(bits)
    chosen = assign(a, b, np.log(theta) + bits * np.log(2.0))
    out = np.full(len(a), np.nan)
    if not chosen.any():
        return out
    # The weight of each record's link in the matching (0 when it is not linked).
    held_a: dict[Any, float] = dict(zip(a[chosen].tolist(), weight[chosen].tolist(), strict=True))
    held_b: dict[Any, float] = dict(zip(b[chosen].tolist(), weight[chosen].tolist(), strict=True))
    partner_a = dict(zip(a[chosen].tolist(), b[chosen].tolist(), strict=True))
    partner_b = dict(zip(b[chosen].tolist(), a[chosen].tolist(), strict=True))
    # A pair is an alternative for its a-record unless its b-record is taken by a better link,
    # and for its b-record unless its a-record is.
    b_taken = np.array(
        [partner_b.get(j, i) != i and held_b[j] > w for i, j, w in zip(a, b, weight, strict=True)]
    )
    a_taken = np.array(
        [partner_a.get(i, j) != j and held_a[i] > w for i, j, w in zip(a, b, weight, strict=True)]
    )
    open_for_a: dict[Any, float] = {}
    open_for_b: dict[Any, float] = {}
    for i, j, w, bt, at in zip(
        a.tolist(), b.tolist(), weight.tolist(), b_taken, a_taken, strict=True
    ):
        if not bt:
            open_for_a[i] = open_for_a.get(i, 0.0) + w
        if not at:
            open_for_b[j] = open_for_b.get(j, 0.0) + w
    for index in np.flatnonzero(chosen):
        i, j, w = a[index].item(), b[index].item(), float(weight[index])
        others = open_for_a[i] - w + open_for_b[j] - w
        out[index] = w / (1.0 + w + others)
    return out


def lists_read_as_sets(
    a_list: Ints, b_list: Ints, probability: Floats, review_threshold: float
) -> set[int]:
    """Lists with no pair of their own records scored at or above `review_threshold`: no
    sign of a duplicate, so read as naming each person once. A list with even one likely
    duplicate is not: duplicates within lists split persons and inflate estimates."""
    same = a_list == b_list
    flagged = set(a_list[same & (probability >= review_threshold)].tolist())
    return set(np.concatenate([a_list, b_list]).tolist()) - flagged


def rescore(
    a: Ints,
    b: Ints,
    a_list: Ints,
    b_list: Ints,
    probability: Floats,
    prior: float,
    list_sizes: dict[int, int],
    sets: set[int],
) -> Floats:
    """Each pair's probability with the pairs between two lists of `sets` scored one to one
    (`one_to_one`); other pairs, and pairs no matching holds, keep theirs. The links expected
    between two lists are the prior's matches shared by their pairs: prior × all pairs ×
    their pairs / all pairs across lists."""
    out = probability.copy()
    records = sum(list_sizes.values())
    all_pairs = records * (records - 1) / 2
    sizes = sorted(list_sizes.items())
    across = sum(n * m for x, (_, n) in enumerate(sizes) for _, m in sizes[x + 1 :])
    clipped = np.clip(probability, 1e-15, 1 - 1e-15)
    bits = np.log2(clipped / (1 - clipped)) - np.log2(prior / (1 - prior))
    low, high = np.minimum(a_list, b_list), np.maximum(a_list, b_list)
    for first in sorted(sets):
        for second in sorted(sets):
            if second <= first:
                continue
            between = np.flatnonzero((low == first) & (high == second))
            if between.size == 0:
                continue
            flip = a_list[between] != first
            left = np.where(flip, b[between], a[between])
            right = np.where(flip, a[between], b[between])
            n_a, n_b = list_sizes[first], list_sizes[second]
            links = prior * all_pairs * n_a * n_b / across
            scored = one_to_one(left, right, bits[between], links, n_a, n_b)
            held = ~np.isnan(scored)
            out[between[held]] = scored[held]
    return out
