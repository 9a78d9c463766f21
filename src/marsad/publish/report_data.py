"""What the HTML report shows, as plain data: counts only, never a name.

The publish service fills these from the store; `report.render_report` only renders them, so the
report can be tested, and re-rendered, without a database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows. `store` describes the database and never holds a password.

    `persons_undated` counts persons with no full date of death (they are not in `persons_by_week`);
    `persons_children` counts persons whose age is certainly under 18 (age_max < 18);
    `persons_by_sex` is keyed "male", "female" and "unknown".
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
