"""Build the report's data from the store and render it: counts only, never a name."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, select

from marsad import __version__
from marsad.domain.estimates import Estimate
from marsad.errors import InputError
from marsad.i18n import LANGUAGES
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.linkage.deterministic import RULE
from marsad.publish.pdf import render_pdf
from marsad.publish.report import render_report
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
from marsad.services.counts import count_persons, documented_missing, totals
from marsad.services.estimate import (
    EstimateError,
    EstimateResult,
    capture_histories,
    estimate_store,
)
from marsad.services.incidents import incident_counts
from marsad.services.persons import person_facts
from marsad.services.shelter_exports import displacement_by_governorate
from marsad.services.sources import source_sizes
from marsad.services.verify import rules_in_force
from marsad.store.db import describe
from marsad.store.models import (
    QUARANTINE_OPEN,
    Import,
    LinkDecision,
    LinkRun,
    PersonSummary,
    QuarantineEntry,
    Record,
    StatusDecision,
)
from marsad.verify.standards import definitions


def _governorate_count(pcode: str, n: int, gazetteer: Gazetteer) -> GovernorateCount:
    known = gazetteer.governorate_of_pcode(pcode)
    return GovernorateCount(
        pcode, known.name_en if known else pcode, known.name_ar if known else "", n
    )


AGE_BANDS = [(low, low + 4) for low in range(0, 80, 5)]


def age_band(age_min: int | None, age_max: int | None) -> str:
    """The five-year band ("0-4" … "75-79", "80+") holding the whole age range, else
    "unknown": a range straddling two bands is not guessed into one."""
    if age_min is None or age_max is None:
        return "unknown"
    if age_min >= 80:
        return "80+"
    for low, high in AGE_BANDS:
        if low <= age_min and age_max <= high:
            return f"{low}-{high}"
    return "unknown"


def _age_sex(conn: Connection) -> list[AgeSexCount]:
    bands: dict[str, Counter[str]] = {}
    rows = conn.execute(
        select(PersonSummary.age_min, PersonSummary.age_max, PersonSummary.sex, func.count())
        .where(PersonSummary.status == "killed")
        .group_by(PersonSummary.age_min, PersonSummary.age_max, PersonSummary.sex)
    )
    for age_min, age_max, sex, n in rows:
        sexes = bands.setdefault(age_band(age_min, age_max), Counter())
        sexes[sex if sex in ("male", "female") else "unknown"] += int(n)
    order = [f"{low}-{high}" for low, high in AGE_BANDS] + ["80+", "unknown"]
    return [
        AgeSexCount(band, bands[band]["male"], bands[band]["female"], bands[band]["unknown"])
        for band in order
        if band in bands
    ]


def _standards(conn: Connection, estimate: Estimate | None) -> list[StandardCount]:
    headline = totals(conn)
    out = [
        StandardCount(key, getattr(headline, key))
        for key in ("reported", "documented", "corroborated", "verified")
    ]
    if estimate is not None:
        low, high = estimate.interval
        out.append(StandardCount("estimated", round(estimate.estimate), low=low, high=high))
    return out


def _estimation_facts(result: EstimateResult) -> dict[str, str]:
    settings = result.settings
    facts = {
        "method": str(settings.get("method", result.total.method)),
        "strata": ", ".join(settings.get("by", [])) or "none",
    }
    for key in ("preset", "seed", "level", "criterion"):
        if settings.get(key) is not None:
            facts[key] = str(settings[key])
    for key, value in result.total.diagnostics.items():
        if isinstance(value, int | float | str | bool):
            facts[key] = str(value)
    return facts


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
    release: str | None = None,
) -> ReportData:
    """Everything the report shows, computed from the store now (or with an estimation
    the caller has just made, so as not to run the samplers twice). Counts come from the
    counts layer, so the report says what `marsad counts` and the web say."""
    gazetteer = default_gazetteer()
    with engine.connect() as conn:
        sizes = source_sizes(conn)
        persons = person_facts(conn, status="killed")
        records_total = conn.scalar(select(func.count()).select_from(Record)) or 0
        quarantined_total = (
            conn.scalar(
                select(func.count(func.distinct(QuarantineEntry.raw_row_id))).where(QUARANTINE_OPEN)
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
        by_governorate = count_persons(conn, ("governorate",))
        by_week = count_persons(conn, ("week",))
        by_week_governorate = count_persons(conn, ("week", "governorate"))
        by_sex = {str(r.keys["sex"]): r.reported for r in count_persons(conn, ("sex",))}
        by_age = {str(r.keys["age_group"]): r.reported for r in count_persons(conn, ("age_group",))}
        reported = totals(conn).reported
        rules = rules_in_force(conn)
        missing = documented_missing(conn)
        incidents = incident_counts(conn)
        displacement_on, displacement = displacement_by_governorate(conn)
        conflicting = conn.scalar(
            select(func.count()).where(
                PersonSummary.conflicting.is_(True), PersonSummary.status == "killed"
            )
        )
        status_decisions = conn.scalar(
            select(func.count())
            .select_from(StatusDecision)
            .where(StatusDecision.revoked_at.is_(None))
        )
        age_sex = _age_sex(conn)
        result = estimated
        if persons and result is None:
            try:
                result = estimate_store(engine, by=by, save=False)
            except EstimateError:
                result = None
        estimate = result.total if result is not None else None
        standards = _standards(conn, estimate)
    strata: list[StratumEstimate] = []
    document = result.as_dict() if result is not None else None
    if result is not None:
        strata = [StratumEstimate(s.label, s.observed, s.estimate, s.note) for s in result.strata]
    return ReportData(
        title="",
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        data_cutoff=last_import.date() if last_import else None,
        store=describe(str(engine.url)),
        sources=[
            SourceSummary(s.name, s.kind, s.copies, s.imports, s.records, s.quarantined)
            for s in sizes
        ],
        records_total=int(records_total),
        quarantined_total=int(quarantined_total),
        persons_total=reported,
        persons_by_governorate=[
            _governorate_count(str(r.keys["governorate"]), r.reported, gazetteer)
            for r in by_governorate
            if r.keys["governorate"] is not None
        ],
        persons_no_governorate=sum(
            r.reported for r in by_governorate if r.keys["governorate"] is None
        ),
        persons_by_week=[
            WeekCount(dt.date.fromisoformat(str(r.keys["week"])), r.reported)
            for r in by_week
            if r.keys["week"] is not None
        ],
        persons_undated=sum(r.reported for r in by_week if r.keys["week"] is None),
        persons_by_sex={
            "male": by_sex.get("male", 0),
            "female": by_sex.get("female", 0),
            "unknown": reported - by_sex.get("male", 0) - by_sex.get("female", 0),
        },
        persons_children=by_age.get("child", 0),
        capture_histories=capture_histories(persons) if persons else None,
        estimate=estimate,
        strata=strata,
        linkage=_linkage_facts(run, decisions, int(records_total), reported),
        version=__version__,
        standards=standards,
        documented_missing=missing,
        displacement=displacement,
        displacement_on=displacement_on,
        incidents=[
            IncidentCount(c.grade, c.incidents, c.killed_min, c.killed_max) for c in incidents
        ],
        weekly_by_governorate=[
            WeekGovernorateCount(
                dt.date.fromisoformat(str(r.keys["week"])),
                g.pcode,
                g.name_en,
                g.name_ar,
                r.reported,
            )
            for r in by_week_governorate
            if r.keys["week"] is not None and r.keys["governorate"] is not None
            for g in [_governorate_count(str(r.keys["governorate"]), r.reported, gazetteer)]
        ],
        age_sex=age_sex,
        conflicting_persons=int(conflicting or 0),
        status_decisions=int(status_decisions or 0),
        definitions={lang: definitions(rules, lang) for lang in LANGUAGES},
        rules_sha256=rules.sha256,
        estimation=_estimation_facts(result) if result is not None else {},
        release=release,
        identifiability=document["identifiability"] if document else None,
        linkage_uncertainty=document["linkage"] if document else {},
        estimate_warnings=document["warnings"] if document else [],
    )


def write_report(
    engine: Engine,
    out: Path,
    by: Sequence[str] = ("governorate",),
    estimated: EstimateResult | None = None,
    lang: str = "en",
    release: str | None = None,
) -> ReportData:
    """Render the report to `out`: one self-contained HTML file, or a PDF when `out` ends
    in .pdf; in English or Arabic."""
    if lang not in LANGUAGES:
        raise InputError(f"unknown language {lang!r}; use {', '.join(LANGUAGES)}")
    if out.suffix.lower() not in (".html", ".htm", ".pdf"):
        raise InputError(f"{out}: the report is written as .html or .pdf")
    data = report_data(engine, by, estimated, release)
    if out.suffix.lower() == ".pdf":
        render_pdf(data, out, lang=lang)
    else:
        out.write_text(render_report(data, lang=lang), encoding="utf-8")
    return data
