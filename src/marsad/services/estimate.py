"""Multiple systems estimation on the persons' capture histories, whole or by strata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Engine, insert

from marsad.domain.estimates import CaptureHistories, Estimate, Pattern
from marsad.estimate.histories import histories_from_patterns
from marsad.estimate.methods import METHODS, Fit, MethodOptions, fit
from marsad.estimate.strata import (
    STRATIFIERS,
    StratumResult,
    estimate_by_strata,
    histories_by_stratum,
)
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.services.audit import record_event
from marsad.services.persons import PersonFacts, person_facts
from marsad.store.models import EstimateRun

ALL = "all"


class EstimateError(ValueError):
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
    """The persons' capture histories over every independent list that recorded anyone."""
    lists = sorted({name for p in persons for name in p.lists})
    return histories_from_patterns(lists, (p.lists for p in persons))


def _pattern(person: PersonFacts, lists: Sequence[str]) -> Pattern:
    return tuple(int(name in person.lists) for name in lists)


@dataclass
class EstimateResult:
    """A total with its strata (when stratified), the list sizes and the settings used."""

    total: Estimate
    strata: list[StratumResult]
    lists: dict[str, int]
    settings: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        out = self.total.as_dict()
        if self.settings.get("by"):
            out["strata"] = [s.as_dict() for s in self.strata]
        out["lists"] = self.lists
        out["settings"] = self.settings
        return out


@dataclass
class Comparison:
    """Several methods on the same histories, side by side (`--method all`)."""

    results: dict[str, EstimateResult]

    def as_dict(self) -> dict[str, Any]:
        first = next(iter(self.results.values()))
        out = first.as_dict()
        out["method"] = ALL
        out["methods"] = {name: r.as_dict() for name, r in self.results.items()}
        return out


def _options(method: str, **settings: Any) -> MethodOptions:
    try:
        return MethodOptions(method=method, **settings)
    except ValueError as error:
        raise EstimateError(str(error)) from error


def _estimate(
    histories: CaptureHistories,
    labelled: list[tuple[str, Pattern]] | None,
    options: MethodOptions,
    settings: dict[str, Any],
) -> EstimateResult:
    fitter = partial(_fit, options=options)
    if labelled is None:
        try:
            total = fitter(histories, options.seed).estimate
        except ValueError as error:
            raise EstimateError(str(error)) from error
        return EstimateResult(total, [], histories.list_sizes(), settings)
    stratified = estimate_by_strata(
        histories_by_stratum(histories.lists, labelled), fitter, options
    )
    return EstimateResult(stratified.total, stratified.strata, histories.list_sizes(), settings)


def _fit(histories: CaptureHistories, seed: int, options: MethodOptions) -> Fit:
    return fit(histories, options, seed)


def estimate_histories(
    histories: CaptureHistories, *, method: str = "lcmcr", **settings: Any
) -> EstimateResult:
    """Estimate from a capture-history table (e.g. `--histories FILE.csv`)."""
    options = _options(method, **settings)
    return _estimate(histories, None, options, {**options.settings(), "by": []})


def compare_histories(histories: CaptureHistories, **settings: Any) -> Comparison:
    """Every method on a capture-history table, side by side."""
    return Comparison(
        {name: estimate_histories(histories, method=name, **settings) for name in METHODS}
    )


def _store_histories(
    engine: Engine, by: Sequence[str], status: str
) -> tuple[CaptureHistories, list[tuple[str, Pattern]] | None]:
    unknown = [s for s in by if s not in STRATIFIERS]
    if unknown:
        raise EstimateError(
            f"cannot stratify by {', '.join(unknown)}; use {', '.join(STRATIFIERS)}"
        )
    with engine.connect() as conn:
        persons = person_facts(conn, status=status)
    if not persons:
        raise EstimateError(f"no linked persons with status {status!r}: run `marsad link` first")
    histories = capture_histories(persons)
    if not by:
        return histories, None
    gazetteer = default_gazetteer()
    labelled = [
        (", ".join(_stratum_value(p, s, gazetteer) for s in by), _pattern(p, histories.lists))
        for p in persons
    ]
    return histories, labelled


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
    user: str = "cli",
    **settings: Any,
) -> EstimateResult:
    """Estimate the persons of `status` in the store, optionally by strata, and keep the run.

    `settings` are MethodOptions fields (level, criterion, preset, seed).
    """
    options = _options(method, **settings)
    histories, labelled = _store_histories(engine, by, status)
    run_settings = {**options.settings(), "by": list(by), "status": status}
    result = _estimate(histories, labelled, options, run_settings)
    if save:
        _save(engine, method, run_settings, result.as_dict(), user)
    return result


def compare_store(
    engine: Engine,
    *,
    by: Sequence[str] = (),
    status: str = "killed",
    save: bool = True,
    user: str = "cli",
    **settings: Any,
) -> Comparison:
    """Every method on the store's persons, side by side, on the same strata."""
    histories, labelled = _store_histories(engine, by, status)
    results = {}
    for name in METHODS:
        options = _options(name, **settings)
        run_settings = {**options.settings(), "by": list(by), "status": status}
        results[name] = _estimate(histories, labelled, options, run_settings)
    comparison = Comparison(results)
    if save:
        _save(
            engine,
            ALL,
            {"methods": list(METHODS), "by": list(by), "status": status, **settings},
            comparison.as_dict(),
            user,
        )
    return comparison
