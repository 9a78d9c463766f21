"""Occupancy, a pure function of the movement log: who is at each site at the end of each day.

Each movement that stands (neither a correction nor corrected: see `movements`) is one or two
legs: out of the site it leaves (−individuals), into the site it enters (+individuals). For one
household at one site, the running sum of its legs in date order is how many of its people are
there; the household is there while that sum is above zero, and is then counted with its
registered members (female, male, children). Every measure is thus a sum of changes by site and
day, and the state at the end of day D is the cumulative sum up to D: one sort of the legs and a
few array passes give every site on every day, whatever the order of same-day movements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]

MEASURES = ("households", "individuals", "female", "male", "children")
"""What occupancy counts, in the order of the grid's first axis."""


@dataclass(frozen=True)
class MovementLog:
    """The log as arrays, one entry per movement, in any order. Sites and households are
    indexes (0…); -1 is "none" (no site left, no site entered, reverses nothing)."""

    ids: Ints
    household: Ints
    day: Ints
    """Days since 1970-01-01 (numpy's datetime64[D])."""
    leaves: Ints
    enters: Ints
    individuals: Ints
    reverses: Ints
    """The id of the movement this one reverses, or -1."""


@dataclass(frozen=True)
class Composition:
    """Each household's registered members, by household index."""

    female: Ints
    male: Ints
    children: Ints


@dataclass(frozen=True)
class OccupancyGrid:
    """MEASURES × sites × days: the state at the end of each day from `first_day` on."""

    first_day: int
    values: Ints

    @property
    def days(self) -> int:
        return int(self.values.shape[2])

    def on(self, day: int) -> Ints:
        """MEASURES × sites at the end of `day`: before the first day, nothing; after the last,
        the last day's state."""
        if day < self.first_day:
            return np.zeros(self.values.shape[:2], dtype=np.int64)
        return self.values[:, :, min(day - self.first_day, self.days - 1)]


def standing(log: MovementLog) -> npt.NDArray[np.bool_]:
    """The movements that stand: neither a correction nor reversed by one."""
    reversed_ids = log.reverses[log.reverses >= 0]
    return (log.reverses < 0) & ~np.isin(log.ids, reversed_ids)


def occupancy(
    log: MovementLog, members: Composition, sites: int, first_day: int, days: int
) -> OccupancyGrid:
    """Every measure for every site at the end of each of `days` days from `first_day`."""
    values = np.zeros((len(MEASURES), sites, days), dtype=np.int64)
    # Movements after the last day change nothing before it.
    keep = standing(log) & (log.day < first_day + days)
    out_ = keep & (log.leaves >= 0)
    in_ = keep & (log.enters >= 0)
    household = np.concatenate([log.household[out_], log.household[in_]])
    site = np.concatenate([log.leaves[out_], log.enters[in_]])
    day = np.concatenate([log.day[out_], log.day[in_]])
    change = np.concatenate([-log.individuals[out_], log.individuals[in_]])
    if len(change) == 0 or days <= 0:
        return OccupancyGrid(first_day, values)

    # One sort by household, site and day (a single integer key sorts fastest).
    column = np.maximum(day - first_day, 0)
    group = household * sites + site
    order = np.argsort(group * days + column)
    group, household, site, column, change = (
        a[order] for a in (group, household, site, column, change)
    )
    running = np.cumsum(change)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    before_group = np.concatenate([np.zeros(1, np.int64), running])[starts]
    sizes = np.diff(np.r_[starts, len(group)])
    present = (running - np.repeat(before_group, sizes)) > 0
    was_present = np.r_[False, present[:-1]]
    was_present[starts] = False
    arrived = present.astype(np.int64) - was_present.astype(np.int64)

    cell = site * days + column
    changes = (
        arrived,
        change,
        arrived * members.female[household],
        arrived * members.male[household],
        arrived * members.children[household],
    )
    for measure, amounts in enumerate(changes):
        flat = np.bincount(cell, weights=amounts, minlength=sites * days)
        values[measure] = np.cumsum(flat.reshape(sites, days), axis=1).round().astype(np.int64)
    return OccupancyGrid(first_day, values)
