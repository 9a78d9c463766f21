"""Multiple systems estimation on the persons' capture histories, whole or by strata.

Only identifiable records enter capture histories (the rules file's `identifiable:`); the
estimate says how many records and persons were left out and why. When the store holds model
link decisions, the estimate is pooled over clusterings drawn from their match probabilities
(`marsad.estimate.linkage_draws`), so its interval carries linkage uncertainty; and it warns
when the lists look split (`marsad.estimate.split_signals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from marsad.domain.estimates import CaptureHistories, Estimate, Pattern
from marsad.errors import InputError
from marsad.estimate import split_signals
from marsad.estimate.histories import histories_from_patterns
from marsad.estimate.linkage_draws import Decisions, Pair
from marsad.estimate.methods import METHODS, Fit, MethodOptions, fit
from marsad.estimate.pooling import ClusteringFit, pool
from marsad.estimate.population import LeftOut, Persons, Population
from marsad.estimate.strata import (
    STRATIFIERS,
    StratumResult,
    estimate_by_strata,
    histories_by_stratum,
    total_draws,
)
from marsad.i18n import text
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.publish.report_estimate import warning_text
from marsad.services.audit import record_event
from marsad.services.persons import (
    PersonFacts,
    estimation_records,
    person_facts,
    waived_requirements,
)
from marsad.services.verify import rules_in_force
from marsad.store.models import EstimateRun, LinkDecision
from marsad.verify.identifiable import IdentifiableRule

ALL = "all"
LINKAGE_DRAWS = 20
"""Clusterings drawn by default when the store holds model link decisions."""
SEED_STRIDE = 1_000
"""Clustering d is estimated with seed + d * SEED_STRIDE (its strata add their position)."""


class EstimateError(InputError):
    """The request cannot be estimated (bad stratifier, too few lists…)."""


def _stratum_value(facts: PersonFacts, stratifier: str, gazetteer: Gazetteer) -> str:
    if stratifier == "governorate":
        if facts.governorate is None:
            return "governorate unknown"
        known = gazetteer.governorate_of_pcode(facts.governorate)
        return f"{facts.governorate} {known.name_en}" if known else facts.governorate
    if stratifier == "period":
        date = facts.date_of_death
        return date[:7] if date and len(date) >= 7 else "month unknown"
    if stratifier == "sex":
        return facts.sex or "sex unknown"
    return facts.age_group if facts.age_group != "unknown" else "age unknown"


def capture_histories(persons: Sequence[PersonFacts]) -> CaptureHistories:
    """The persons' capture histories over every independent list that recorded anyone
    (all their records: the overlaps the counts show, before the identifiability rule)."""
    lists = sorted({name for p in persons for name in p.lists})
    return histories_from_patterns(lists, (p.lists for p in persons))


@dataclass(frozen=True)
class LinkageDraws:
    """How the interval carries linkage uncertainty: how many clusterings were drawn and pooled
    (0: the stored persons alone, and `reason` says why), and what they were drawn from."""

    draws: int
    width_share: float | None = None
    """The share of the interval's width that linkage accounts for."""
    reason: str | None = None
    """Why no clustering was drawn: "none" (no model decisions), "off", "from_file"."""
    pairs_drawn: int | None = None
    expected_links: float | None = None
    fixed_links: int | None = None
    reviewer_matches: int | None = None
    reviewer_non_matches: int | None = None

    @property
    def note(self) -> str | None:
        """Why the interval carries no linkage uncertainty, in words (English)."""
        return text(f"linkage.{self.reason}", "en") if self.reason else None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"draws": self.draws, "width_share": self.width_share}
        if self.reason is not None:
            out |= {"reason": self.reason, "note": self.note}
        counts = {
            "pairs_drawn": self.pairs_drawn,
            "expected_links": self.expected_links,
            "fixed_links": self.fixed_links,
            "reviewer_matches": self.reviewer_matches,
            "reviewer_non_matches": self.reviewer_non_matches,
        }
        return out | {key: value for key, value in counts.items() if value is not None}


@dataclass(frozen=True)
class Identifiability:
    """Who the identifiability rule (the rules file's `identifiable:`) left out of the
    estimate, and the rule itself."""

    rule: IdentifiableRule
    left_out: LeftOut
    waived: dict[str, list[str]] = field(default_factory=dict)
    """Sources that never record a date or a place, and the requirements not asked of them."""

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule.as_dict(), "waived": self.waived, **self.left_out.as_dict()}


@dataclass(frozen=True)
class EstimateResult:
    """A total with its strata (when stratified), the list sizes and the settings used, who the
    identifiability rule left out, the linkage draws behind the interval, and warnings."""

    total: Estimate
    strata: list[StratumResult]
    lists: dict[str, int]
    settings: dict[str, Any]
    linkage: LinkageDraws
    identifiability: Identifiability | None = None
    warnings: tuple[split_signals.SplitWarning, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The result as `estimate --json` prints it and the store keeps it."""
        out = self.total.as_dict()
        if self.settings.get("by"):
            out["strata"] = [s.as_dict() for s in self.strata]
        out["lists"] = self.lists
        out["settings"] = self.settings
        out["identifiability"] = self.identifiability.as_dict() if self.identifiability else None
        out["linkage"] = self.linkage.as_dict()
        out["warnings"] = [warning_document(w) for w in self.warnings]
        return out


@dataclass(frozen=True)
class Comparison:
    """Several methods on the same histories, side by side (`--method all`), and why any
    method that does not apply was skipped."""

    results: dict[str, EstimateResult]
    skipped: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        first = next(iter(self.results.values()))
        out = first.as_dict()
        out["method"] = ALL
        out["methods"] = {name: r.as_dict() for name, r in self.results.items()}
        out["skipped"] = self.skipped
        return out


def _options(method: str, **settings: Any) -> MethodOptions:
    try:
        return MethodOptions(method=method, **settings)
    except ValueError as error:
        raise EstimateError(str(error)) from error


def _fit(histories: CaptureHistories, seed: int, options: MethodOptions) -> Fit:
    return fit(histories, options, seed)


def _estimate(
    histories: CaptureHistories,
    labelled: list[tuple[str, Pattern]] | None,
    options: MethodOptions,
) -> tuple[Fit, list[StratumResult]]:
    """One clustering's estimate (its total's draws when the method has them) and strata."""
    fitter = partial(_fit, options=options)
    if labelled is None:
        try:
            return fitter(histories, options.seed), []
        except ValueError as error:
            raise EstimateError(str(error)) from error
    stratified = estimate_by_strata(
        histories_by_stratum(histories.lists, labelled), fitter, options
    )
    return Fit(stratified.total, total_draws(stratified.strata)), stratified.strata


def estimate_histories(
    histories: CaptureHistories, *, method: str = "lcmcr", **settings: Any
) -> EstimateResult:
    """Estimate from a capture-history table (e.g. `--histories FILE.csv`)."""
    options = _options(method, **settings)
    total, _ = _estimate(histories, None, options)
    return EstimateResult(
        total.estimate,
        [],
        histories.list_sizes(),
        {**options.settings(), "by": []},
        LinkageDraws(draws=0, reason="from_file"),
    )


def compare_histories(histories: CaptureHistories, **settings: Any) -> Comparison:
    """Every method that applies to a capture-history table, side by side."""
    results: dict[str, EstimateResult] = {}
    skipped: dict[str, str] = {}
    for name in METHODS:
        try:
            results[name] = estimate_histories(histories, method=name, **settings)
        except EstimateError as error:
            skipped[name] = str(error)
    return _comparison(results, skipped)


def _comparison(results: dict[str, EstimateResult], skipped: dict[str, str]) -> Comparison:
    if not results:
        reasons = "; ".join(f"{name}: {why}" for name, why in skipped.items())
        raise EstimateError(f"no method applies: {reasons}")
    return Comparison(results, skipped)


# --- the store -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _StoreData:
    """What estimating the store reads, once: records, persons, link decisions."""

    population: Population
    decisions: Decisions | None
    band_persons: int
    reviewed: list[tuple[float, bool]]
    rule: IdentifiableRule
    waived: dict[str, list[str]]
    """Sources that never record a date or a place, and the requirements not asked of them."""


def _read_links(
    conn: Connection, sources: dict[int, int]
) -> tuple[Decisions | None, set[int], list[tuple[float, bool]]]:
    """The decisions to draw from (None without model decisions), the records in undecided
    review-band pairs, and (probability, accepted) of the review-band pairs reviewers decided."""
    rows = conn.execute(
        select(
            LinkDecision.id,
            LinkDecision.kind,
            LinkDecision.record_a_id,
            LinkDecision.record_b_id,
            LinkDecision.decision,
            LinkDecision.score,
        )
        .where(LinkDecision.revoked_at.is_(None))
        .order_by(LinkDecision.decided_at, LinkDecision.id)
    ).all()
    human = {
        frozenset((r.record_a_id, r.record_b_id)): r.decision for r in rows if r.kind == "human"
    }
    model = sorted(
        (r for r in rows if r.kind == "model" and r.score is not None),
        key=lambda r: (-float(r.score), r.id),
    )
    band: set[int] = set()
    reviewed: list[tuple[float, bool]] = []
    pairs: list[Pair] = []
    probabilities: list[float] = []
    for r in model:
        decided = human.get(frozenset((r.record_a_id, r.record_b_id)))
        if r.decision == "uncertain" and decided is not None:
            reviewed.append((float(r.score), decided == "match"))
        if decided is not None or r.record_a_id not in sources or r.record_b_id not in sources:
            continue
        if r.decision == "uncertain":
            band.update((r.record_a_id, r.record_b_id))
        pairs.append((r.record_a_id, r.record_b_id))
        probabilities.append(float(r.score))
    if not pairs:
        return None, band, reviewed

    decided = {kind: [_pair(p) for p, d in human.items() if d == kind] for kind in KINDS}
    decisions = Decisions(
        sources=sources,
        human_matches=[p for p in decided["match"] if _known(p, sources)],
        human_non_matches=[p for p in decided["non_match"] if _known(p, sources)],
        fixed=[
            (r.record_a_id, r.record_b_id)
            for r in rows
            if r.kind == "rule"
            and r.decision == "match"
            and _known((r.record_a_id, r.record_b_id), sources)
        ],
        pairs=pairs,
        probabilities=probabilities,
    )
    return decisions, band, reviewed


KINDS = ("match", "non_match")


def _pair(records: frozenset[int]) -> Pair:
    a, b = sorted(records)
    return a, b


def _known(pair: Pair, sources: dict[int, int]) -> bool:
    return pair[0] in sources and pair[1] in sources


def _read_store(engine: Engine, by: Sequence[str], status: str) -> _StoreData:
    unknown = [s for s in by if s not in STRATIFIERS]
    if unknown:
        raise EstimateError(
            f"cannot stratify by {', '.join(unknown)}; use {', '.join(STRATIFIERS)}"
        )
    gazetteer = default_gazetteer()
    with engine.connect() as conn:
        rule = rules_in_force(conn).identifiable
        facts = person_facts(conn, status=None)
        records = estimation_records(conn, rule)
        waived = waived_requirements(conn)
        decisions, band, reviewed = _read_links(conn, {r.record_id: r.source_id for r in records})
    labels: dict[int, str | None] = {
        p.person_id: ", ".join(_stratum_value(p, s, gazetteer) for s in by)
        if p.status == status
        else None
        for p in facts
    }
    if not any(label is not None for label in labels.values()):
        raise EstimateError(f"no linked persons with status {status!r}: run `marsad link` first")
    population = Population(
        lists={r.record_id: r.list for r in records},
        missing={r.record_id: r.missing for r in records},
        person_of={r.record_id: r.person_id for r in records},
        label_of=labels,
    )
    person_of = population.person_of
    band_persons = len(
        {person_of[r] for r in band if r in person_of and labels.get(person_of[r]) is not None}
    )
    return _StoreData(population, decisions, band_persons, reviewed, rule, waived)


@dataclass(frozen=True)
class _Plan:
    """The stored persons and the drawn clusterings' persons, ready to estimate."""

    stored: Persons
    drawn: list[Persons]
    linkage: LinkageDraws


def _plan(data: _StoreData, draws: int, seed: int) -> _Plan:
    if draws < 0:
        raise EstimateError(f"the number of linkage draws must be 0 or more, got {draws}")
    stored = data.population.persons(data.population.stored_groups())
    if data.decisions is None or draws == 0:
        reason = "none" if data.decisions is None else "off"
        return _Plan(stored, [], LinkageDraws(draws=0, reason=reason))
    drawn = [data.population.persons(groups) for groups in data.decisions.draws(draws, seed)]
    linkage = LinkageDraws(
        draws=draws,
        pairs_drawn=len(data.decisions.pairs),
        expected_links=sum(data.decisions.probabilities),
        fixed_links=len(data.decisions.fixed),
        reviewer_matches=len(data.decisions.human_matches),
        reviewer_non_matches=len(data.decisions.human_non_matches),
    )
    return _Plan(stored, drawn, linkage)


def _histories(
    persons: Persons, stratified: bool
) -> tuple[CaptureHistories, list[tuple[str, Pattern]] | None]:
    if not persons.included:
        raise EstimateError(
            "no person has an identifiable record (see the rules file's `identifiable:`); "
            "nothing to estimate"
        )
    histories = persons.histories()
    return histories, persons.labelled(histories.lists) if stratified else None


def _pooled_strata(
    stored: dict[str, CaptureHistories],
    per_clustering: list[list[StratumResult]],
    options: MethodOptions,
) -> list[StratumResult]:
    """The stored persons' strata, each pooled over the clusterings; documented only (the
    stored persons' count) when a clustering could not estimate it."""
    found: dict[str, list[StratumResult]] = {}
    for strata in per_clustering:
        for stratum in strata:
            found.setdefault(stratum.label, []).append(stratum)
    pooled = []
    for label, histories in stored.items():
        observed = histories.observed
        runs = found.get(label, [])
        estimated = [s for s in runs if s.estimate is not None]
        if len(estimated) < len(per_clustering):
            note = next((s.note for s in runs if s.note), "documented only")
            where = f"estimated in {len(estimated)} of {len(per_clustering)} clusterings"
            pooled.append(StratumResult(label, observed, None, f"{note} ({where})"))
            continue
        fits = [ClusteringFit(s.estimate, s.draws) for s in estimated if s.estimate is not None]
        pooled.append(
            StratumResult(label, observed, pool(fits, observed, options.level, options.method))
        )
    return pooled


def _estimate_plan(
    plan: _Plan, data: _StoreData, options: MethodOptions, by: Sequence[str], status: str
) -> EstimateResult:
    histories, labelled = _histories(plan.stored, bool(by))
    settings = {
        **options.settings(),
        "by": list(by),
        "status": status,
        "linkage_draws": len(plan.drawn),
    }
    linkage = plan.linkage
    drawn: list[CaptureHistories] = []
    if not plan.drawn:
        total, strata = _estimate(histories, labelled, options)
        estimate = total.estimate
    else:
        fits: list[ClusteringFit] = []
        per_clustering: list[list[StratumResult]] = []
        for index, persons in enumerate(plan.drawn):
            drawn_options = replace(
                options, seed=options.seed + index * SEED_STRIDE, clusterings=len(plan.drawn)
            )
            drawn_histories, drawn_labelled = _histories(persons, bool(by))
            drawn.append(drawn_histories)
            total, drawn_strata = _estimate(drawn_histories, drawn_labelled, drawn_options)
            fits.append(ClusteringFit(total.estimate, total.draws))
            per_clustering.append(drawn_strata)
        estimate = pool(fits, histories.observed, options.level, options.method)
        strata = []
        if labelled is not None:
            stored = histories_by_stratum(histories.lists, labelled)
            strata = _pooled_strata(stored, per_clustering, options)
        linkage = replace(linkage, width_share=estimate.diagnostics.get("width_share"))
    return EstimateResult(
        estimate,
        strata,
        histories.list_sizes(),
        settings,
        identifiability=Identifiability(data.rule, plan.stored.left_out, data.waived),
        linkage=linkage,
        warnings=_warnings(histories, drawn, data, plan.stored),
    )


def _warnings(
    histories: CaptureHistories,
    drawn: Sequence[CaptureHistories],
    data: _StoreData,
    stored: Persons,
) -> tuple[split_signals.SplitWarning, ...]:
    found = [
        split_signals.singletons(histories, drawn),
        split_signals.review_band(data.band_persons, stored.left_out.persons),
        split_signals.calibration(data.reviewed),
    ]
    return tuple(w for w in found if w is not None)


def warning_document(warning: split_signals.SplitWarning) -> dict[str, Any]:
    """A warning as the JSON, the store and the faces carry it: code, figures, English text."""
    return {
        "code": warning.code,
        "values": warning.values,
        "message": warning_text(warning.code, warning.values, "en"),
    }


def _save(
    engine: Engine, method: str, settings: dict[str, Any], result: dict[str, Any], user: str
) -> None:
    """Keep the run, and who ran it in the audit log ("estimate.run")."""
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(EstimateRun)
            .values(method=method, settings=settings, result=result)
            .returning(EstimateRun.id)
        ).scalar_one()
        record_event(conn, user, "estimate.run", f"estimate_run:{run_id}", {"method": method})


def estimate_store(
    engine: Engine,
    *,
    by: Sequence[str] = (),
    method: str = "lcmcr",
    status: str = "killed",
    save: bool = True,
    linkage_draws: int = LINKAGE_DRAWS,
    user: str = "cli",
    **settings: Any,
) -> EstimateResult:
    """Estimate the persons of `status` in the store, optionally by strata, and keep the run.

    `settings` are MethodOptions fields (level, criterion, preset, seed). With model link
    decisions in the store, the estimate is pooled over `linkage_draws` drawn clusterings
    (0: on the stored persons alone).
    """
    options = _options(method, **settings)
    data = _read_store(engine, by, status)
    result = _estimate_plan(_plan(data, linkage_draws, options.seed), data, options, by, status)
    if save:
        _save(engine, method, result.settings, result.as_dict(), user)
    return result


def compare_store(
    engine: Engine,
    *,
    by: Sequence[str] = (),
    status: str = "killed",
    save: bool = True,
    linkage_draws: int = LINKAGE_DRAWS,
    user: str = "cli",
    **settings: Any,
) -> Comparison:
    """Every method that applies, on the store's persons, side by side, on the same strata and
    the same drawn clusterings; a method that does not apply is skipped with the reason."""
    data = _read_store(engine, by, status)
    plan = _plan(data, linkage_draws, int(settings.get("seed", 1)))
    results: dict[str, EstimateResult] = {}
    skipped: dict[str, str] = {}
    for name in METHODS:
        options = _options(name, **settings)
        try:
            results[name] = _estimate_plan(plan, data, options, by, status)
        except EstimateError as error:
            skipped[name] = str(error)
    comparison = _comparison(results, skipped)
    if save:
        _save(
            engine,
            ALL,
            {
                "methods": list(METHODS),
                "by": list(by),
                "status": status,
                "linkage_draws": len(plan.drawn),
                **settings,
            },
            comparison.as_dict(),
            user,
        )
    return comparison
