"""What the HTML report shows, as plain data: counts only, never a name.

The publish service fills these from the store; `report.render_report` only renders them, so the
report can be tested, and re-rendered, without a database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from marsad.domain.estimates import CaptureHistories, Estimate


@dataclass(frozen=True)
class SourceSummary:
    """One source: how much it sent and how much of it could be read.

    `copies` names the source this one declares it copies (so it is not an independent list).
    """

    name: str
    kind: str
    copies: str | None
    imports: int
    records: int
    quarantined: int


@dataclass(frozen=True)
class GovernorateCount:
    """Persons whose place of death falls in one governorate (OCHA admin-1 p-code)."""

    pcode: str
    name_en: str
    name_ar: str
    persons: int


@dataclass(frozen=True)
class WeekCount:
    """Persons who died in the ISO week starting on Monday `week_start`."""

    week_start: datetime.date
    persons: int


@dataclass(frozen=True)
class StratumEstimate:
    """One stratum: persons documented, and the estimate when the data supported one.

    `estimate` is None when the stratum is reported as documented only (for example, too few
    persons on two or more lists); `note` says why.
    """

    label: str
    observed: int
    estimate: Estimate | None
    note: str


STANDARD_KEYS = ("reported", "documented", "corroborated", "verified", "estimated")
"""The counting standards, from the widest to the strictest, then the statistical estimate."""

GRADES = ("confirmed", "fair", "weak", "contested", "discounted")
"""How well an unnamed incident report is supported, from best to worst."""


@dataclass(frozen=True)
class StandardCount:
    """Persons counted under one standard, so every published figure says which rule it uses.

    `key` is one of `STANDARD_KEYS`. For "estimated", `persons` is the point estimate and
    `low`/`high` its interval; the other standards are counts and leave them None.
    What each standard means is in `ReportData.definitions`, made from the rules in force.
    """

    key: str
    persons: int
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class IncidentCount:
    """Incident-level reports without names, of one grade: killed given as a range."""

    grade: str
    incidents: int
    killed_min: int
    killed_max: int


@dataclass(frozen=True)
class DisplacementCount:
    """Displaced people in shelter sites of one governorate at the end of one day; counts of
    fewer households than the public threshold are None (withheld)."""

    governorate: str
    sites: int
    households: int | None
    individuals: int | None
    children: int | None


@dataclass(frozen=True)
class WeekGovernorateCount:
    """Persons who died in one governorate in the ISO week starting on Monday `week_start`."""

    week_start: datetime.date
    pcode: str
    name_en: str
    name_ar: str
    persons: int


@dataclass(frozen=True)
class AgeSexCount:
    """Persons in one age band ("0-4", …, "80+", or "unknown") by sex."""

    band: str
    male: int
    female: int
    unknown_sex: int


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows. `store` describes the database and never holds a password.

    `title` is the report's own title; empty for the standard title in the report's language.
    `persons_undated` counts persons with no full date of death (they are not in `persons_by_week`);
    `persons_children` counts persons whose age is certainly under 18 (age_max < 18);
    `persons_by_sex` is keyed "male", "female" and "unknown".

    The fields with defaults came later; an empty value means "not computed" and the report
    leaves that part out rather than showing a zero. `documented_missing` counts persons who do
    not meet the documented standard, by what they lack ("full name", "date of death",
    "place of death"); `estimation` holds the estimation run's settings and diagnostics as
    display strings; `release` names the release the report belongs to, if any.
    """

    title: str
    generated_at: datetime.datetime
    data_cutoff: datetime.date | None
    store: str
    sources: list[SourceSummary]
    records_total: int
    quarantined_total: int
    persons_total: int
    persons_by_governorate: list[GovernorateCount]
    persons_no_governorate: int
    persons_by_week: list[WeekCount]
    persons_undated: int
    persons_by_sex: dict[str, int]
    persons_children: int
    capture_histories: CaptureHistories | None
    estimate: Estimate | None
    strata: list[StratumEstimate]
    linkage: dict[str, str | int | float]
    version: str
    standards: list[StandardCount] = field(default_factory=list)
    documented_missing: dict[str, int] = field(default_factory=dict)
    incidents: list[IncidentCount] = field(default_factory=list)
    weekly_by_governorate: list[WeekGovernorateCount] = field(default_factory=list)
    age_sex: list[AgeSexCount] = field(default_factory=list)
    conflicting_persons: int = 0
    status_decisions: int = 0
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)
    """Language → standard → what it counts, from the rules in force (`verify.standards`)."""
    rules_sha256: str = ""
    estimation: dict[str, str] = field(default_factory=dict)
    release: str | None = None
    identifiability: dict[str, Any] | None = None
    """Who the identifiability rule left out of the estimate (`estimate --json`'s key)."""
    linkage_uncertainty: dict[str, Any] = field(default_factory=dict)
    """The linkage draws behind the interval (`estimate --json`'s `linkage`)."""
    estimate_warnings: list[dict[str, Any]] = field(default_factory=list)
    """Warnings that the lists look split, as codes and figures."""
    displacement: list[DisplacementCount] = field(default_factory=list)
    """Displaced people in shelter sites by governorate, at the end of `displacement_on`."""
    displacement_on: datetime.date | None = None
