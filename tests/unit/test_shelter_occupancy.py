"""Occupancy from the movement log equals the truth: random histories of households moving
between sites, with wrong entries later reversed, read back on every site and every day."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.shelter.occupancy import MEASURES, Composition, MovementLog, occupancy, standing

DAYS = 12


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[int, ...]], np.ndarray, Composition, int]:
    """(movements, truth, composition, sites): movements are (id, household, day, leaves,
    enters, individuals, reverses); truth is MEASURES × sites × days."""
    sites = draw(st.integers(1, 4))
    households = draw(st.integers(1, 6))
    female = np.array(draw(st.lists(st.integers(0, 4), min_size=households, max_size=households)))
    male = np.array(draw(st.lists(st.integers(0, 4), min_size=households, max_size=households)))
    size = np.maximum(female + male, 1)
    children = np.array([draw(st.integers(0, int(n))) for n in female + male])
    members = Composition(female.astype(np.int64), male.astype(np.int64), children)
    where = [-1] * households
    truth = np.zeros((len(MEASURES), sites, DAYS), dtype=np.int64)
    movements: list[tuple[int, ...]] = []
    for day in range(DAYS):
        for _ in range(draw(st.integers(0, 4))):
            h = draw(st.integers(0, households - 1))
            here = where[h]
            if here < 0:
                to = draw(st.integers(0, sites - 1))
                leg = (-1, to)
            elif draw(st.booleans()) and sites > 1:
                to = draw(st.integers(0, sites - 1).filter(lambda s, here=here: s != here))
                leg = (here, to)
            else:
                leg = (here, -1)
            movements.append((len(movements), h, day, *leg, int(size[h]), -1))
            where[h] = leg[1]
            if draw(st.integers(0, 3)) == 0:
                # A wrong entry, and later (or the same day) its correction.
                wrong = len(movements)
                site_a = draw(st.integers(-1, sites - 1))
                site_b = draw(st.integers(0, sites - 1)) if site_a < 0 else -1
                n = draw(st.integers(1, 9))
                movements.append(
                    (wrong, draw(st.integers(0, households - 1)), day, site_a, site_b, n, -1)
                )
                fixed_on = draw(st.integers(day, DAYS + 3))
                movements.append((wrong + 1, 0, fixed_on, -1, -1, 0, wrong))
        for h, site in enumerate(where):
            if site >= 0:
                truth[:, site, day] += (1, size[h], female[h], male[h], children[h])
    return movements, truth, members, sites


def _log(movements: list[tuple[int, ...]], order: list[int]) -> MovementLog:
    rows = np.array([movements[i] for i in order], dtype=np.int64).reshape(-1, 7)
    ids, household, day, leaves, enters, individuals, reverses = rows.T
    return MovementLog(ids, household, day + 20_000, leaves, enters, individuals, reverses)


@settings(max_examples=300, deadline=None)
@given(histories(), st.randoms())
def test_occupancy_from_the_log_is_the_truth(history, rng) -> None:  # type: ignore[no-untyped-def]
    movements, truth, members, sites = history
    order = list(range(len(movements)))
    rng.shuffle(order)
    grid = occupancy(_log(movements, order), members, sites, 20_000, DAYS)
    assert np.array_equal(grid.values, truth)
    for day in range(DAYS):
        assert np.array_equal(grid.on(20_000 + day), truth[:, :, day])


def test_before_the_first_day_nothing_and_after_the_last_the_last_state() -> None:
    log = _log([(0, 0, 0, -1, 0, 3, -1)], [0])
    members = Composition(np.array([2]), np.array([1]), np.array([1]))
    grid = occupancy(log, members, 1, 20_000, 5)
    assert grid.on(19_999).tolist() == [[0], [0], [0], [0], [0]]
    assert grid.on(20_100).tolist() == [[1], [3], [2], [1], [1]]


def test_a_correction_and_what_it_reverses_do_not_stand() -> None:
    log = _log(
        [(0, 0, 0, -1, 0, 3, -1), (1, 0, 2, -1, -1, 0, 0), (2, 0, 1, -1, 0, 2, -1)], [0, 1, 2]
    )
    assert standing(log).tolist() == [False, False, True]
