"""The sources and who each one captures.

A list's chance of recording a person depends on governorate, sex, age and whether the person
died in a mass-killing incident, plus a person-level "visibility" shared by all lists; some lists
copy part of another list. That is what makes naive multiple-systems estimates biased.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from marsad.synth.people import MALE, Population
from marsad.synth.places_data import governorates
from marsad.synth.settings import Settings

KINDS = ("monitoring_group", "un_office", "hospital", "media", "field_team", "relative")


@dataclass(frozen=True)
class ListProfile:
    """Who a source records and how it writes records down. Rates are probabilities per record."""

    slug: str
    source: str
    kind: str
    coverage: float
    governorate_effect: dict[str, float] = field(default_factory=dict)
    other_governorates: float = 0.0
    male_effect: float = 0.0
    child_effect: float = 0.0
    elderly_effect: float = 0.0
    incident_effect: float = 0.0
    visibility: float = 0.8
    copies: str | None = None
    copy_rate: float = 0.0
    latin_share: float = 0.0
    french: bool = False
    latin_skew: float = 2.0
    parts_rate: float = 0.7
    grandfather_rate: float = 0.5
    father_drop: float = 0.05
    family_drop: float = 0.02
    article_drop: float = 0.15
    arabic_variant_rate: float = 0.25
    swap_rate: float = 0.01
    typo_rate: float = 0.03
    duplicate_rate: float = 0.02
    mother_rate: float = 0.1
    date_missing: float = 0.03
    year_only: float = 0.02
    month_only: float = 0.1
    date_shift: float = 0.08
    locality_rate: float = 0.4
    district_rate: float = 0.3
    governorate_missing: float = 0.02
    pcode_rate: float = 0.0
    sex_style: str = "en"
    sex_missing: float = 0.05
    sex_error: float = 0.01
    age_missing: float = 0.25
    age_exact: float = 0.8
    age_range: float = 0.1
    age_error: float = 0.03
    civilian_rate: float = 0.5
    cause_rate: float = 0.6
    incident_rate: float = 0.0
    notes_rate: float = 0.05
    status_confusion: float = 0.02
    id_prefix: str = ""
    id_width: int = 6
    id_uuid: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.slug}.csv"


PALETTE: tuple[ListProfile, ...] = (
    ListProfile(
        slug="monitoring-group",
        source="Syrian Monitoring Network",
        kind="monitoring_group",
        coverage=0.5,
        governorate_effect={"SY06": 0.3, "SY10": 0.3, "SY05": 0.1, "SY04": 0.1},
        other_governorates=-0.3,
        male_effect=0.3,
        child_effect=-0.2,
        incident_effect=0.6,
        visibility=1.0,
        parts_rate=0.75,
        grandfather_rate=0.55,
        father_drop=0.03,
        arabic_variant_rate=0.2,
        month_only=0.06,
        year_only=0.01,
        date_missing=0.02,
        date_shift=0.05,
        locality_rate=0.5,
        governorate_missing=0.01,
        pcode_rate=0.4,
        sex_style="ar",
        civilian_rate=0.9,
        cause_rate=0.8,
        incident_rate=0.9,
        id_prefix="SMN-",
    ),
    ListProfile(
        slug="un-office",
        source="UN Human Rights Office",
        kind="un_office",
        coverage=0.08,
        governorate_effect={"SY06": 1.0, "SY10": 0.3, "SY05": -0.3, "SY04": -0.3},
        other_governorates=-1.2,
        male_effect=0.8,
        child_effect=-0.8,
        elderly_effect=-0.2,
        incident_effect=0.8,
        visibility=1.2,
        latin_share=1.0,
        latin_skew=3.0,
        parts_rate=0.95,
        grandfather_rate=0.35,
        father_drop=0.02,
        family_drop=0.0,
        article_drop=0.05,
        swap_rate=0.0,
        typo_rate=0.01,
        duplicate_rate=0.005,
        mother_rate=0.0,
        date_missing=0.0,
        year_only=0.0,
        month_only=0.02,
        date_shift=0.01,
        locality_rate=0.6,
        district_rate=0.4,
        governorate_missing=0.0,
        pcode_rate=1.0,
        sex_missing=0.0,
        age_missing=0.1,
        age_exact=0.9,
        civilian_rate=1.0,
        cause_rate=0.9,
        incident_rate=1.0,
        notes_rate=0.1,
        status_confusion=0.0,
        id_prefix="UN/2025/",
        id_width=4,
    ),
    ListProfile(
        slug="media-outlet",
        source="Levant 24",
        kind="media",
        coverage=0.05,
        governorate_effect={"SY06": 0.2, "SY10": 0.2},
        other_governorates=-0.5,
        male_effect=0.2,
        incident_effect=1.0,
        copies="monitoring-group",
        copy_rate=0.35,
        latin_share=1.0,
        french=True,
        latin_skew=1.0,
        parts_rate=0.1,
        grandfather_rate=0.15,
        father_drop=0.15,
        family_drop=0.05,
        article_drop=0.3,
        swap_rate=0.03,
        typo_rate=0.06,
        duplicate_rate=0.03,
        mother_rate=0.0,
        date_missing=0.1,
        year_only=0.05,
        month_only=0.3,
        date_shift=0.15,
        locality_rate=0.0,
        district_rate=0.0,
        governorate_missing=0.1,
        sex_style="short",
        sex_missing=0.5,
        age_missing=0.6,
        age_exact=0.5,
        age_range=0.2,
        civilian_rate=0.3,
        cause_rate=0.4,
        notes_rate=0.02,
        status_confusion=0.03,
        id_prefix="L24-",
        id_width=5,
    ),
    ListProfile(
        slug="field-team",
        source="Coastal Field Team",
        kind="field_team",
        coverage=0.2,
        governorate_effect={"SY10": 1.2, "SY06": 0.5, "SY05": -0.5, "SY04": -0.5},
        other_governorates=-2.5,
        child_effect=0.2,
        elderly_effect=0.2,
        incident_effect=0.3,
        visibility=0.6,
        parts_rate=0.9,
        grandfather_rate=0.7,
        father_drop=0.02,
        article_drop=0.2,
        arabic_variant_rate=0.35,
        typo_rate=0.05,
        duplicate_rate=0.03,
        mother_rate=0.5,
        month_only=0.15,
        date_shift=0.1,
        locality_rate=0.9,
        district_rate=0.05,
        sex_style="ar",
        sex_missing=0.02,
        age_missing=0.1,
        age_exact=0.7,
        age_range=0.2,
        civilian_rate=0.6,
        cause_rate=0.7,
        notes_rate=0.1,
        status_confusion=0.01,
        id_uuid=True,
    ),
    ListProfile(
        slug="relatives-hotline",
        source="Families Hotline",
        kind="relative",
        coverage=0.15,
        governorate_effect={"SY06": 0.2, "SY10": 0.2, "SY05": 0.2, "SY04": 0.2},
        male_effect=-0.6,
        child_effect=0.7,
        elderly_effect=0.3,
        incident_effect=-0.2,
        visibility=0.5,
        latin_share=0.15,
        parts_rate=0.4,
        grandfather_rate=0.4,
        father_drop=0.1,
        family_drop=0.05,
        article_drop=0.2,
        arabic_variant_rate=0.4,
        swap_rate=0.03,
        typo_rate=0.05,
        duplicate_rate=0.03,
        mother_rate=0.7,
        date_missing=0.05,
        year_only=0.05,
        month_only=0.35,
        date_shift=0.2,
        locality_rate=0.6,
        district_rate=0.1,
        governorate_missing=0.05,
        sex_style="ar",
        sex_missing=0.1,
        age_missing=0.2,
        age_exact=0.5,
        age_range=0.1,
        civilian_rate=0.3,
        cause_rate=0.5,
        notes_rate=0.2,
        status_confusion=0.15,
        id_prefix="HL-25-",
        id_width=5,
    ),
    ListProfile(
        slug="hospital",
        source="Coastal Hospitals Network",
        kind="hospital",
        coverage=0.1,
        governorate_effect={"SY06": 1.0, "SY10": 1.0, "SY04": 0.2},
        other_governorates=-3.0,
        male_effect=0.2,
        incident_effect=-0.8,
        visibility=0.4,
        latin_share=0.5,
        parts_rate=0.9,
        family_drop=0.0,
        father_drop=0.02,
        article_drop=0.1,
        arabic_variant_rate=0.2,
        swap_rate=0.02,
        typo_rate=0.04,
        duplicate_rate=0.01,
        mother_rate=0.3,
        date_missing=0.0,
        year_only=0.0,
        month_only=0.01,
        date_shift=0.05,
        locality_rate=0.3,
        district_rate=0.6,
        governorate_missing=0.0,
        pcode_rate=0.3,
        sex_style="short",
        sex_missing=0.0,
        age_missing=0.05,
        age_exact=0.95,
        age_range=0.0,
        civilian_rate=0.2,
        cause_rate=0.9,
        notes_rate=0.1,
        status_confusion=0.0,
        id_prefix="MED-",
    ),
    ListProfile(
        slug="rights-observatory",
        source="Observatoire des Droits",
        kind="monitoring_group",
        coverage=0.18,
        governorate_effect={"SY04": 0.6, "SY05": 0.6, "SY06": -0.2, "SY10": -0.2},
        male_effect=0.4,
        incident_effect=0.4,
        visibility=1.0,
        latin_share=1.0,
        french=True,
        latin_skew=1.5,
        parts_rate=0.6,
        grandfather_rate=0.3,
        article_drop=0.2,
        swap_rate=0.02,
        month_only=0.1,
        locality_rate=0.4,
        district_rate=0.2,
        pcode_rate=0.2,
        age_missing=0.3,
        age_exact=0.7,
        civilian_rate=0.9,
        cause_rate=0.7,
        incident_rate=0.8,
        id_prefix="OBS-25-",
    ),
    ListProfile(
        slug="news-agency",
        source="Sawt News Agency",
        kind="media",
        coverage=0.04,
        governorate_effect={"SY10": 0.5, "SY06": 0.3},
        other_governorates=-1.0,
        copies="field-team",
        copy_rate=0.4,
        parts_rate=0.2,
        grandfather_rate=0.2,
        father_drop=0.1,
        article_drop=0.3,
        arabic_variant_rate=0.4,
        swap_rate=0.03,
        typo_rate=0.06,
        duplicate_rate=0.03,
        mother_rate=0.0,
        date_missing=0.1,
        year_only=0.05,
        month_only=0.3,
        date_shift=0.15,
        locality_rate=0.3,
        district_rate=0.0,
        governorate_missing=0.1,
        sex_style="ar",
        sex_missing=0.4,
        age_missing=0.6,
        civilian_rate=0.3,
        cause_rate=0.4,
        notes_rate=0.02,
        status_confusion=0.03,
        id_prefix="SNA-",
        id_width=5,
    ),
)
"""Sources in the order `generate` takes them: K lists are the first K of these."""


def _sigmoid(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def log_odds(
    profile: ListProfile, population: Population, settings: Settings
) -> npt.NDArray[np.float64]:
    """A person's capture log-odds for this list, before the list's intercept."""
    effects = profile.governorate_effect
    by_gov = np.array([effects.get(g.pcode, profile.other_governorates) for g in governorates()])
    age = population.age
    eta = (
        by_gov[population.governorate]
        + np.where(population.sex == MALE, profile.male_effect, 0.0)
        + np.where(age < 18, profile.child_effect, np.where(age >= 60, profile.elderly_effect, 0.0))
        + np.where(population.incident >= 0, profile.incident_effect, 0.0)
    )
    return np.asarray(eta * settings.heterogeneity, dtype=np.float64)


def _intercept(eta: npt.NDArray[np.float64], target: float) -> float:
    """The intercept that makes the mean capture probability equal `target` (bisection)."""
    sample = eta[:: max(1, len(eta) // 200_000)]
    lo, hi = -30.0, 30.0
    for _ in range(50):
        mid = (lo + hi) / 2
        if float(_sigmoid(mid + sample).mean()) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def capture(
    rng: np.random.Generator,
    profile: ListProfile,
    population: Population,
    visibility: npt.NDArray[np.float64],
    copied: npt.NDArray[np.bool_] | None,
    settings: Settings,
) -> npt.NDArray[np.bool_]:
    """Which people this list records: its own capture, plus a share of the list it copies."""
    eta = log_odds(profile, population, settings)
    eta = eta + profile.visibility * settings.correlation * visibility
    target = min(0.95, profile.coverage * settings.coverage)
    p = _sigmoid(_intercept(eta, target) + eta) if target > 0 else np.zeros(population.size)
    own = rng.random(population.size) < p
    take = rng.random(population.size) < min(1.0, profile.copy_rate * settings.copy_rate)
    if copied is None:
        return np.asarray(own, dtype=np.bool_)
    return np.asarray(own | (copied & take), dtype=np.bool_)


def rows_with_duplicates(
    rng: np.random.Generator,
    captured: npt.NDArray[np.bool_],
    profile: ListProfile,
    settings: Settings,
) -> npt.NDArray[np.int64]:
    """Person index of each row in file order: every captured person once, a few twice."""
    people = np.flatnonzero(captured)
    dup_rate = min(1.0, profile.duplicate_rate * settings.duplicates)
    again = people[rng.random(len(people)) < dup_rate]
    rows = np.concatenate([people, again])
    return np.asarray(rows[rng.permutation(len(rows))], dtype=np.int64)
