"""A realistic report and one headless Chromium per test module, for the rendering tests."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
from collections.abc import Iterator
from importlib.resources import files

import pytest
from playwright.sync_api import Browser

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.publish.report_data import (
    AgeSexCount,
    GovernorateCount,
    IncidentCount,
    ReportData,
    SourceSummary,
    StandardCount,
    StratumEstimate,
    WeekCount,
    WeekGovernorateCount,
)
from marsad.verify.rules import load_rules
from marsad.verify.standards import definitions
from tests.chromium import chromium

LISTS = ("Syrian Network", "UN field office", "Hospital records", "Local committees")
FIRST_WEEK = datetime.date(2024, 1, 1)
WEEKS = 26


def governorates() -> list[dict[str, str]]:
    text = files("marsad").joinpath("reference/syria_admin1.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))[:9]


def weekly(index: int) -> list[int]:
    """A wave of deaths that peaks at a different week in each governorate."""
    peak = 4 + 3 * index
    size = 30 // (index + 1)
    return [max(0, size - abs(week - peak) * 2) + (week + index) % 3 for week in range(WEEKS)]


def an_estimate(observed: int, total: float, low: float, high: float) -> Estimate:
    return Estimate(
        observed=observed,
        estimate=total,
        interval=(low, high),
        level=0.95,
        method="lcmcr",
        model="LCMCR K=10",
        diagnostics={"rhat": 1.004, "ess": 2480.0, "ess_tail": 1210.0, "chains": 4, "K": 10},
    )


def build_report_data() -> ReportData:
    rows = governorates()
    by_week = [
        WeekGovernorateCount(
            FIRST_WEEK + datetime.timedelta(weeks=week),
            row["pcode"],
            row["name_en"],
            row["name_ar"],
            count,
        )
        for index, row in enumerate(rows)
        for week, count in enumerate(weekly(index))
        if count
    ]
    totals = {row["pcode"]: 0 for row in rows}
    for item in by_week:
        totals[item.pcode] += item.persons
    dated = sum(totals.values())
    patterns = [p for p in itertools.product((0, 1), repeat=len(LISTS)) if any(p)]
    counts = {p: max(3, 700 // (sum(p) ** 3) - 40 * i) for i, p in enumerate(patterns)}
    histories = CaptureHistories(lists=LISTS, counts=counts)
    reported = histories.observed
    weeks_total = [
        WeekCount(FIRST_WEEK + datetime.timedelta(weeks=w), sum(weekly(i)[w] for i in range(9)))
        for w in range(WEEKS)
    ]
    strata = [
        StratumEstimate("Aleppo", 410, an_estimate(410, 655.0, 540.0, 820.0), ""),
        StratumEstimate("Rural Damascus", 260, an_estimate(260, 390.0, 320.0, 510.0), ""),
        StratumEstimate("Homs", 180, an_estimate(180, 300.0, 230.0, 470.0), ""),
        StratumEstimate("Quneitra", 9, None, "Too few persons on two or more lists (2)."),
    ]
    bands = ["0-4", "5-9", "10-14", "15-17", "18-29", "30-44", "45-59", "60-79", "80+"]
    age_sex = [
        AgeSexCount(band, 20 + 9 * i if i > 3 else 25 - 3 * i, 14 + 4 * i, i % 3)
        for i, band in enumerate(bands)
    ]
    age_sex.append(AgeSexCount("unknown", 61, 22, 40))
    return ReportData(
        title="Civilian deaths in Syria, January – June 2024",
        generated_at=datetime.datetime(2024, 7, 15, 8, 0, tzinfo=datetime.UTC),
        data_cutoff=datetime.date(2024, 6, 30),
        store="SQLite file marsad.db",
        sources=[
            SourceSummary(LISTS[0], "monitoring group", None, 4, 1204, 17),
            SourceSummary(LISTS[1], "UN office", None, 2, 655, 3),
            SourceSummary(LISTS[2], "hospital", None, 3, 402, 28),
            SourceSummary(LISTS[3], "field team", None, 5, 377, 9),
            SourceSummary("Regional TV", "media outlet", LISTS[0], 1, 96, 0),
        ],
        records_total=2734,
        quarantined_total=57,
        persons_total=reported,
        persons_by_governorate=[
            GovernorateCount(r["pcode"], r["name_en"], r["name_ar"], totals[r["pcode"]])
            for r in rows
        ],
        persons_no_governorate=reported - dated,
        persons_by_week=weeks_total,
        persons_undated=reported - dated,
        persons_by_sex={
            "male": reported * 6 // 10,
            "female": reported * 3 // 10,
            "unknown": reported - reported * 9 // 10,
        },
        persons_children=212,
        capture_histories=histories,
        estimate=an_estimate(reported, 3521.0, 3050.0, 4212.0),
        strata=strata,
        linkage={
            "records linked": 2734,
            "persons (killed)": reported,
            "engine": "splink-duckdb",
            "match threshold": 0.92,
            "pairs awaiting review": 14,
            "reviewer matches": 63,
        },
        version="0.4.0",
        standards=[
            StandardCount("reported", reported),
            StandardCount("documented", 940),
            StandardCount("corroborated", 412),
            StandardCount("verified", 111),
            StandardCount("estimated", 3521, 3050.0, 4212.0),
        ],
        documented_missing={"full name": 311, "date of death": 187, "place of death": 96},
        incidents=[
            IncidentCount("confirmed", 14, 61, 75),
            IncidentCount("fair", 22, 40, 96),
            IncidentCount("weak", 9, 12, 55),
            IncidentCount("contested", 3, 4, 30),
            IncidentCount("discounted", 5, 0, 18),
        ],
        weekly_by_governorate=by_week,
        age_sex=age_sex,
        conflicting_persons=37,
        status_decisions=128,
        definitions={lang: definitions(load_rules(), lang) for lang in ("en", "ar")},
        rules_sha256="9f2c" * 16,
        estimation={
            "method": "LCMCR",
            "preset": "standard",
            "seed": "20240715",
            "chains": "4",
            "rhat": "1.004",
            "ess": "2,480",
            "converged": "yes",
        },
        release="2024-Q2",
    )


@pytest.fixture(scope="module")
def report_data() -> ReportData:
    return build_report_data()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's, never a downloaded one) for the whole module."""
    with chromium() as launched:
        yield launched
