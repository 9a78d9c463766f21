"""Relatives' missing-person reports for a scenario, with their truth.

Families search for the killed who are on the lists, for the killed no list recorded, for the
detained (a detainees' association's list of its own, written here) and for the living who
are registered at a shelter (not in this store: no candidate should convince). A relative
writes the name as the family says it, in either script and with its own spellings (the
relatives' profile below, through the same renderer as the lists), nearly always gives the
mother's name, a year of birth or an age at disappearance, and where and when the sought
person was last seen, a few days before they died or were taken. A tenth of the sought have
a second report, from another relative, written independently.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from marsad.domain.records import NAME_COLUMNS
from marsad.synth.lists import PALETTE
from marsad.synth.people import Population, make_population
from marsad.synth.render import render
from marsad.synth.scenario import Scenario, person_id

RELATIVES = replace(
    PALETTE[0],
    slug="missing-reports",
    source="Tracing desk",
    kind="relative",
    latin_share=0.5,
    parts_rate=0.6,
    grandfather_rate=0.4,
    mother_rate=0.95,
    typo_rate=0.05,
    arabic_variant_rate=0.4,
    sex_missing=0.05,
    age_missing=0.0,
    locality_rate=0.9,
    governorate_missing=0.05,
)
"""How relatives write: half in Latin letters, with their own spellings, nearly always the
mother's name."""
DETAINEES = replace(
    PALETTE[1], slug="detainees", source="Detainees association", kind="monitoring_group",
    mother_rate=0.6, age_missing=0.3, date_missing=1.0,
)  # fmt: skip
"""A detainees' association's list: status detained, no date of death."""

SHARES = {"listed": 0.5, "unlisted": 0.25, "detained": 0.15, "sheltered": 0.10}
"""What became of the sought: killed and on a list, killed and on none, detained, sheltered."""
SECOND_REPORT = 0.1
RELATIONSHIPS = ("mother", "father", "brother", "sister", "wife", "son", "uncle")
CONSENTS = (("internal", 0.3), ("partners", 0.5), ("public", 0.2))
TRUTH_COLUMNS = ("report_id", "sought", "fate")
"""missing-truth.csv: each report, the true person it seeks (the scenario's P… for the killed,
D… for the detained, S… for the sheltered) and what became of them."""


@dataclass(frozen=True)
class MissingFiles:
    """The columns of the reports file (REPORT_COLUMNS), of the detainees' list (the standard
    record columns) and the truth of each report."""

    reports: dict[str, list[str]]
    detainees: dict[str, list[str]]
    truth: list[tuple[str, str, str]]


def _take(rng: np.random.Generator, pool: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    return rng.choice(pool, size=min(n, len(pool)), replace=False) if len(pool) else pool[:0]


def _reports(
    rng: np.random.Generator,
    population: Population,
    rows: npt.NDArray[np.int64],
    scenario: Scenario,
) -> dict[str, list[str]]:
    """Report columns (but report_id) for the persons `rows` of `population`."""
    n = len(rows)
    cols = render(rng, RELATIVES, population, rows, scenario.settings)
    dates = population.dates()[rows]
    seen = dates - rng.integers(0, 8, n).astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    age = population.age[rows].astype(np.int64)
    born = years - age - (rng.random(n) < 0.4)
    gives_year = rng.random(n) < 0.6
    consent = rng.choice([c for c, _ in CONSENTS], size=n, p=[p for _, p in CONSENTS])
    reported = seen + rng.integers(5, 60, n).astype("timedelta64[D]")
    return {
        "reported_on": [str(d) for d in reported.tolist()],
        "reporter_name": [""] * n,
        "reporter_relationship": [RELATIONSHIPS[i] for i in rng.integers(0, len(RELATIONSHIPS), n)],
        "reporter_contact": [""] * n,
        "consent_scope": consent.tolist(),
        **{k: cols[k] for k in (*NAME_COLUMNS, "sex")},
        "age": [str(a) if not y else "" for a, y in zip(age.tolist(), gives_year, strict=True)],
        "year_of_birth": [
            str(b) if y else "" for b, y in zip(born.tolist(), gives_year, strict=True)
        ],
        "last_seen_date": [str(d) for d in seen.tolist()],
        "last_seen_place": cols["locality"],
        "governorate": cols["governorate"],
        "pcode": [""] * n,
        "circumstances": [""] * n,
        "description": [""] * n,
        "notes": [""] * n,
    }


def missing_reports(scenario: Scenario, cases: int, seed: int) -> MissingFiles:
    """`cases` sought persons (SHARES) and their reports, from the random stream of `seed`."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(7,))))
    counts = {k: round(cases * share) for k, share in SHARES.items()}
    documented = scenario.documented()
    listed = _take(rng, np.flatnonzero(documented), counts["listed"])
    unlisted = _take(rng, np.flatnonzero(~documented), counts["unlisted"])
    alive = make_population(rng, counts["detained"] + counts["sheltered"], scenario.settings)
    detained = np.arange(counts["detained"])
    sheltered = np.arange(counts["detained"], alive.size)

    groups = [
        (scenario.population, listed, "killed", person_id),
        (scenario.population, unlisted, "unlisted", person_id),
        (alive, detained, "detained", lambda i: f"D{i + 1:07d}"),
        (alive, sheltered, "sheltered", lambda i: f"S{i + 1:07d}"),
    ]
    reports: dict[str, list[str]] = {}
    truth: list[tuple[str, str, str]] = []
    for population, rows, fate, ident in groups:
        seconds = rows[rng.random(len(rows)) < SECOND_REPORT]
        written = np.concatenate([rows, seconds])
        for key, values in _reports(rng, population, written, scenario).items():
            reports.setdefault(key, []).extend(values)
        truth += [("", ident(int(p)), fate) for p in written.tolist()]
    order = rng.permutation(len(truth))
    report_ids = [f"MR-{k + 1:06d}" for k in range(len(truth))]
    columns = {"report_id": report_ids}
    for key, values in reports.items():
        columns[key] = [values[i] for i in order.tolist()]
    truth = [
        (rid, truth[i][1], truth[i][2]) for rid, i in zip(report_ids, order.tolist(), strict=True)
    ]

    detainee_cols = render(rng, DETAINEES, alive, detained, scenario.settings)
    detainee_cols["record_id"] = [f"DA-{i + 1:06d}" for i in range(len(detained))]
    detainee_cols["status"] = ["detained"] * len(detained)
    detainee_cols["date_of_death"] = [""] * len(detained)
    detainee_cols["cause"] = [""] * len(detained)
    detainee_cols["incident_id"] = [""] * len(detained)
    return MissingFiles(columns, detainee_cols, truth)
