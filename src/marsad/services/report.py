"""Build the report's data from the store and render it: counts only, never a name."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Row, func, select

from marsad import __version__
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.linkage.deterministic import RULE
from marsad.publish.report import render_report
from marsad.publish.report_data import (
    GovernorateCount,
    ReportData,
    SourceSummary,
    StratumEstimate,
    WeekCount,
)
from marsad.services.estimate import (
    EstimateError,
    EstimateResult,
    capture_histories,
    estimate_store,
)
from marsad.services.persons import PersonFacts, person_facts
from marsad.services.sources import source_sizes
from marsad.store.db import describe
from marsad.store.models import Import, LinkDecision, LinkRun, QuarantineEntry, Record


def _week_start(date: str) -> dt.date:
    day = dt.date.fromisoformat(date)
    return day - dt.timedelta(days=day.weekday())


def _by_governorate(persons: Sequence[PersonFacts], gazetteer: Gazetteer) -> list[GovernorateCount]:
    counts = Counter(p.governorate for p in persons if p.governorate)
    out = []
    for pcode, n in sorted(counts.items()):
        known = gazetteer.governorate_of_pcode(pcode)
        out.append(
            GovernorateCount(
                pcode, known.name_en if known else pcode, known.name_ar if known else "", n
            )
        )
    return out


def _by_week(persons: Sequence[PersonFacts]) -> list[WeekCount]:
    counts = Counter(
        _week_start(p.date_of_death)
        for p in persons
        if p.date_of_death and len(p.date_of_death) == 10
    )
    return [WeekCount(week, n) for week, n in sorted(counts.items())]


def _linkage_facts(
    run: Row[Any] | None, decisions: dict[str, int], records: int, persons: int
) -> dict[str, str | int | float]:
    facts: dict[str, str | int | float] = {
        "records linked": records,
        "persons (killed)": persons,
        "deterministic rule": RULE,
        "links by rule": decisions.get("rule match", 0),
        "model links": decisions.get("model match", 0),
        "pairs awaiting review": decisions.get("model uncertain", 0),
        "reviewer matches": decisions.get("human match", 0),
        "reviewer non-matches": decisions.get("human non_match", 0),
    }
    if run is not None:
        facts["engine"] = run.engine
        facts["match threshold"] = run.settings.get("match_threshold", "")
        facts["review band from"] = run.settings.get("review_threshold", "")
        if run.finished_at is not None:
            facts["last linkage run"] = run.finished_at.strftime("%Y-%m-%d %H:%M UTC")
    return facts


def report_data(
    engine: Engine,
    by: Sequence[str] = ("governorate",),
    estimated: EstimateResult | None = None,
) -> ReportData:
    """Everything the report shows, computed from the store now (or with an estimation
    the caller has just made, so as not to run the samplers twice)."""
    gazetteer = default_gazetteer()
    with engine.connect() as conn:
        sizes = source_sizes(conn)
        persons = person_facts(conn, status="killed")
        records_total = conn.scalar(select(func.count()).select_from(Record)) or 0
        quarantined_total = (
            conn.scalar(
                select(func.count(func.distinct(QuarantineEntry.raw_row_id))).where(
                    QuarantineEntry.resolved_by_record_id.is_(None)
                )
            )
            or 0
        )
        last_import = conn.scalar(select(func.max(Import.imported_at)))
        decisions: dict[str, int] = {
            f"{kind} {decision}": int(n)
            for kind, decision, n in conn.execute(
                select(LinkDecision.kind, LinkDecision.decision, func.count())
                .where(LinkDecision.revoked_at.is_(None))
                .group_by(LinkDecision.kind, LinkDecision.decision)
            )
        }
        run = conn.execute(
            select(LinkRun.engine, LinkRun.settings, LinkRun.finished_at)
            .order_by(LinkRun.id.desc())
            .limit(1)
        ).first()
    estimate = None
    strata: list[StratumEstimate] = []
    result = estimated
    if persons and result is None:
        try:
            result = estimate_store(engine, by=by, save=False)
        except EstimateError:
            result = None
    if result is not None:
        estimate = result.total
        strata = [StratumEstimate(s.label, s.observed, s.estimate, s.note) for s in result.strata]
    return ReportData(
        title="Civilian casualties: documented and estimated",
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        data_cutoff=last_import.date() if last_import else None,
        store=describe(str(engine.url)),
        sources=[
            SourceSummary(s.name, s.kind, s.copies, s.imports, s.records, s.quarantined)
            for s in sizes
        ],
        records_total=int(records_total),
        quarantined_total=int(quarantined_total),
        persons_total=len(persons),
        persons_by_governorate=_by_governorate(persons, gazetteer),
        persons_no_governorate=sum(1 for p in persons if not p.governorate),
        persons_by_week=_by_week(persons),
        persons_undated=sum(
            1 for p in persons if not p.date_of_death or len(p.date_of_death) != 10
        ),
        persons_by_sex={
            "male": sum(1 for p in persons if p.sex == "male"),
            "female": sum(1 for p in persons if p.sex == "female"),
            "unknown": sum(1 for p in persons if p.sex not in ("male", "female")),
        },
        persons_children=sum(1 for p in persons if p.age_group == "child"),
        capture_histories=capture_histories(persons) if persons else None,
        estimate=estimate,
        strata=strata,
        linkage=_linkage_facts(run, decisions, int(records_total), len(persons)),
        version=__version__,
    )


def write_report(
    engine: Engine,
    out: Path,
    by: Sequence[str] = ("governorate",),
    estimated: EstimateResult | None = None,
) -> ReportData:
    """Render the report to `out` (one self-contained HTML file)."""
    data = report_data(engine, by, estimated)
    out.write_text(render_report(data), encoding="utf-8")
    return data
