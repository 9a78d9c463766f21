"""The true population: who died, when, where, and how their names hang together in families.

Names follow the Syrian pattern first + father + grandfather + family. People killed together
are generated as family units: a head, perhaps his wife, and his children, who share father,
grandfather and family name, date and place, and differ only by first name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from marsad.synth import names_data
from marsad.synth.places_data import DISTRICTS, GOVERNORATE_WEIGHTS, LOCALITIES, governorates
from marsad.synth.settings import Settings
from marsad.synth.spelling import NameTable, build_table

MALE, FEMALE = 0, 1
KILLED, MISSING = 0, 1
HEAD, SPOUSE, CHILD, SINGLE = 0, 1, 2, 3

CAUSES: tuple[tuple[str, str], ...] = (
    ("shooting", "إطلاق نار"),
    ("field execution", "إعدام ميداني"),
    ("shelling", "قصف"),
    ("explosive remnants", "مخلفات حرب"),
    ("torture", "تعذيب"),
    ("abduction then killing", "خطف ثم قتل"),
    ("unknown", "غير معروف"),
)
"""Causes of death as (English, Arabic) labels; lists write one or the other."""

SPIKE_START = date(2025, 3, 6)
_SPIKE_PROFILE = np.array([0.15, 0.3, 0.3, 0.15, 0.1])
_TAIL_DAYS = 60.0
_UNIT_SIZES = np.arange(2, 9)
_UNIT_SIZE_P = np.array([0.3, 0.25, 0.18, 0.12, 0.07, 0.05, 0.03])


@dataclass(frozen=True)
class NameTables:
    male: NameTable
    female: NameTable
    family: NameTable


def name_tables(settings: Settings) -> NameTables:
    return NameTables(
        male=build_table(names_data.MALE_FIRST, settings.first_name_zipf),
        female=build_table(names_data.FEMALE_FIRST, settings.first_name_zipf),
        family=build_table(names_data.FAMILY, settings.family_name_zipf),
    )


@dataclass(frozen=True)
class Population:
    """One row per true person (index = person number). Name fields index into `names`.

    `first` indexes the male or the female table according to `sex`; `father` and
    `grandfather` index the male table, `mother` the female table, `family` the family table.
    `district` is -1 off the coast; `incident` is -1 outside mass-killing incidents.
    """

    names: NameTables
    start: date
    sex: npt.NDArray[np.int8]
    age: npt.NDArray[np.int16]
    day: npt.NDArray[np.int32]
    governorate: npt.NDArray[np.int8]
    district: npt.NDArray[np.int8]
    locality: npt.NDArray[np.int16]
    first: npt.NDArray[np.int16]
    father: npt.NDArray[np.int16]
    grandfather: npt.NDArray[np.int16]
    family: npt.NDArray[np.int16]
    mother: npt.NDArray[np.int16]
    role: npt.NDArray[np.int8]
    unit: npt.NDArray[np.int32]
    civilian: npt.NDArray[np.bool_]
    cause: npt.NDArray[np.int8]
    incident: npt.NDArray[np.int32]
    status: npt.NDArray[np.int8]

    @property
    def size(self) -> int:
        return len(self.sex)

    def dates(self) -> npt.NDArray[np.datetime64]:
        return np.datetime64(self.start.isoformat(), "D") + self.day.astype("timedelta64[D]")


def spike_day(settings: Settings) -> int:
    """Day number (from `start`) of the first spike day, kept inside the period."""
    offset = (SPIKE_START - date.fromisoformat(settings.start)).days
    return int(np.clip(offset, 0, settings.days - 5))


def day_weights(settings: Settings) -> npt.NDArray[np.float64]:
    """Probability of each day of the period: background, early-March spike, decaying tail."""
    days = settings.days
    spike_at = spike_day(settings)
    spike = np.zeros(days)
    spike[spike_at : spike_at + 5] = _SPIKE_PROFILE
    after = np.arange(days) - (spike_at + 5)
    tail = np.where(after >= 0, np.exp(-np.maximum(after, 0) / _TAIL_DAYS), 0.0)
    background = np.full(days, 1.0 / days)
    tail = tail / tail.sum() if tail.sum() > 0 else background
    rest = 0.4 * background + 0.6 * tail
    weights = settings.spike_share * spike / spike.sum() + (1 - settings.spike_share) * rest
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def _places(rng: np.random.Generator, n: int) -> tuple[npt.NDArray[np.int64], ...]:
    """Draw n (governorate, district, locality) triples; busier localities come first."""
    pcodes = [g.pcode for g in governorates()]
    gov_p = np.array([GOVERNORATE_WEIGHTS[p] for p in pcodes])
    gov = rng.choice(len(pcodes), size=n, p=gov_p / gov_p.sum())
    locality = np.empty(n, dtype=np.int64)
    for g, pcode in enumerate(pcodes):
        options = np.array([i for i, loc in enumerate(LOCALITIES) if loc.governorate == pcode])
        where = np.flatnonzero(gov == g)
        weights = 1.0 / np.arange(1, len(options) + 1) ** 0.7
        pick = rng.choice(len(options), size=len(where), p=weights / weights.sum())
        locality[where] = options[pick]
    codes = [d.pcode for d in DISTRICTS]
    loc_district = np.array([codes.index(c.district) if c.district else -1 for c in LOCALITIES])
    return gov, loc_district[locality], locality


def _unit_sizes(rng: np.random.Generator, n: int, family_share: float) -> npt.NDArray[np.int64]:
    """Sizes of family units (2–8) covering about family_share of n people, and singletons."""
    target = round(n * family_share)
    multi = rng.choice(_UNIT_SIZES, size=target // 2 + 1, p=_UNIT_SIZE_P)
    cut = int(np.searchsorted(np.cumsum(multi), target))
    multi = multi[: cut + 1].copy()
    overflow = int(multi.sum()) - target
    if overflow > 0:
        multi[-1] -= overflow
    multi = multi[multi >= 2] if target >= 2 else multi[:0]
    singles = n - int(multi.sum())
    sizes = np.concatenate([multi, np.ones(singles, dtype=np.int64)]).astype(np.int64)
    return np.asarray(rng.permutation(sizes), dtype=np.int64)


def _distinct_sibling_names(
    rng: np.random.Generator,
    first: npt.NDArray[np.int64],
    unit: npt.NDArray[np.int64],
    sex: npt.NDArray[np.int64],
    redraw: npt.NDArray[np.bool_],
    tables: NameTables,
) -> None:
    """Redraw first names until siblings of the same sex in one unit never share one."""
    for _ in range(20):
        key = (unit * 2 + sex) * 1000 + first
        key = np.where(redraw, key, -1 - np.arange(len(key)))
        _, first_seen = np.unique(key, return_index=True)
        dup = np.ones(len(key), dtype=bool)
        dup[first_seen] = False
        dup &= redraw
        if not dup.any():
            return
        for s, table in ((MALE, tables.male), (FEMALE, tables.female)):
            where = np.flatnonzero(dup & (sex == s))
            first[where] = rng.choice(table.size, size=len(where), p=table.weights)


def make_population(rng: np.random.Generator, n: int, settings: Settings) -> Population:
    """Draw n true people, vectorised by family unit."""
    tables = name_tables(settings)
    male_p, female_p, family_p = tables.male.weights, tables.female.weights, tables.family.weights
    n_male, n_female, n_family = tables.male.size, tables.female.size, tables.family.size

    sizes = _unit_sizes(rng, n, settings.family_share)
    n_units = len(sizes)
    unit = np.repeat(np.arange(n_units), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(n) - starts[unit]
    multi = sizes[unit] >= 2

    brothers_unit = rng.random(n_units) < 0.4
    head_unit = np.where(brothers_unit, rng.random(n_units) < 0.3, rng.random(n_units) < 0.7)
    spouse_unit = ~brothers_unit & head_unit & (rng.random(n_units) < 0.45)
    role = np.full(n, CHILD, dtype=np.int8)
    role[~multi] = SINGLE
    role[multi & (pos == 0) & head_unit[unit]] = HEAD
    role[multi & (pos == 1) & spouse_unit[unit]] = SPOUSE

    u = rng.random(n)
    brothers = brothers_unit[unit]
    sex = np.where(u < np.where(brothers, 0.92, 0.5), MALE, FEMALE)
    sex[role == HEAD] = MALE
    sex[role == SPOUSE] = FEMALE
    single = role == SINGLE
    sex[single] = np.where(rng.random(int(single.sum())) < 0.8, MALE, FEMALE)

    head_age = np.where(
        brothers_unit, rng.normal(62, 9, n_units).clip(45, 92), rng.normal(47, 10, n_units)
    ).clip(28, 92)
    v = rng.random(n)
    child_age = np.where(brothers, head_age[unit] - 20 - 15 * v, (head_age[unit] - 18) * v)
    age = np.where(role == HEAD, head_age[unit], child_age)
    age = np.where(role == SPOUSE, head_age[unit] - 10 * v, age)
    adult_single = rng.normal(np.where(sex == MALE, 36, 42), 14).clip(18, 90)
    child_single = 1 + 16 * rng.random(n)
    child_share = np.where(sex == MALE, 0.07, 0.2)
    age = np.where(single, np.where(rng.random(n) < child_share, child_single, adult_single), age)
    age = np.round(age).clip(0, 95).astype(np.int16)

    p_name = rng.choice(n_male, size=n_units, p=male_p)
    pf_name = rng.choice(n_male, size=n_units, p=male_p)
    hg_name = rng.choice(n_male, size=n_units, p=male_p)
    fam_name = rng.choice(n_family, size=n_units, p=family_p)
    mother_unit = rng.choice(n_female, size=n_units, p=female_p)

    first = np.where(
        sex == MALE,
        rng.choice(n_male, size=n, p=male_p),
        rng.choice(n_female, size=n, p=female_p),
    )
    child = role == CHILD
    _distinct_sibling_names(rng, first, unit, sex, child, tables)
    first = np.where(role == HEAD, p_name[unit], first)
    first = np.where(role == SPOUSE, mother_unit[unit], first)

    father = rng.choice(n_male, size=n, p=male_p)
    grandfather = rng.choice(n_male, size=n, p=male_p)
    family = rng.choice(n_family, size=n, p=family_p)
    mother = rng.choice(n_female, size=n, p=female_p)
    kin = (role == HEAD) | child
    father = np.where(role == HEAD, pf_name[unit], np.where(child, p_name[unit], father))
    grandfather = np.where(role == HEAD, hg_name[unit], np.where(child, pf_name[unit], grandfather))
    cousin_wife = (role == SPOUSE) & (rng.random(n) < 0.35)
    family = np.where(kin | cousin_wife, fam_name[unit], family)
    mother = np.where(child, mother_unit[unit], mother)

    weights = day_weights(settings)
    unit_day = rng.choice(settings.days, size=n_units, p=weights)
    unit_gov, unit_district, unit_locality = _places(rng, n_units)

    in_incident = rng.random(n_units) < np.where(
        sizes >= 2, min(1.0, 1.5 * settings.incident_share), settings.incident_share
    )
    n_incidents = max(1, round(in_incident.sum() / 3))
    inc_day = rng.choice(settings.days, size=n_incidents, p=weights)
    in_spike = rng.random(n_incidents) < 0.7
    inc_day = np.where(in_spike, spike_day(settings) + rng.integers(0, 4, n_incidents), inc_day)
    inc_gov, inc_district, inc_locality = _places(rng, n_incidents)
    inc_p = 1.0 / np.arange(1, n_incidents + 1) ** 0.8
    unit_incident = np.where(
        in_incident, rng.choice(n_incidents, size=n_units, p=inc_p / inc_p.sum()), -1
    )
    hit = unit_incident >= 0
    unit_day[hit] = inc_day[unit_incident[hit]]
    unit_gov[hit] = inc_gov[unit_incident[hit]]
    unit_district[hit] = inc_district[unit_incident[hit]]
    unit_locality[hit] = inc_locality[unit_incident[hit]]

    incident = unit_incident[unit]
    adult_man = (sex == MALE) & (age >= 18)
    p_civilian = np.where(incident >= 0, 0.93, np.where(adult_man, 0.65, 0.96))
    civilian = rng.random(n) < p_civilian
    cause_incident = rng.choice(len(CAUSES), size=n, p=[0.35, 0.55, 0.02, 0.0, 0.02, 0.03, 0.03])
    cause_other = rng.choice(len(CAUSES), size=n, p=[0.4, 0.15, 0.1, 0.05, 0.05, 0.1, 0.15])
    cause = np.where(incident >= 0, cause_incident, cause_other)
    status = np.where(rng.random(n) < settings.missing_share, MISSING, KILLED)

    return Population(
        names=tables,
        start=date.fromisoformat(settings.start),
        sex=sex.astype(np.int8),
        age=age,
        day=unit_day[unit].astype(np.int32),
        governorate=unit_gov[unit].astype(np.int8),
        district=unit_district[unit].astype(np.int8),
        locality=unit_locality[unit].astype(np.int16),
        first=first.astype(np.int16),
        father=father.astype(np.int16),
        grandfather=grandfather.astype(np.int16),
        family=family.astype(np.int16),
        mother=mother.astype(np.int16),
        role=role,
        unit=unit.astype(np.int32),
        civilian=civilian,
        cause=cause.astype(np.int8),
        incident=incident.astype(np.int32),
        status=status.astype(np.int8),
    )
