"""Multiple systems estimation on the persons' capture histories, whole or by strata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from sqlalchemy import Engine, insert

from marsad.domain.estimates import CaptureHistories, Estimate, Pattern
from marsad.estimate import loglinear
from marsad.estimate.histories import histories_from_patterns
from marsad.estimate.strata import (
    STRATIFIERS,
    StratumResult,
    estimate_by_strata,
    histories_by_stratum,
)
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.services.persons import PersonFacts, person_facts
from marsad.store.models import EstimateRun

METHODS = ("loglinear",)
CRITERIA = ("bic", "aic")


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


def _estimator(method: str, criterion: str, level: float) -> partial[Estimate]:
    if method not in METHODS:
        raise EstimateError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if criterion not in CRITERIA:
        raise EstimateError(f"unknown criterion {criterion!r}; use one of {', '.join(CRITERIA)}")
    return partial(loglinear.estimate, criterion=cast(loglinear.Criterion, criterion), level=level)


def estimate_histories(
    histories: CaptureHistories,
    *,
    method: str = "loglinear",
    criterion: str = "bic",
    level: float = 0.95,
) -> dict[str, Any]:
    """Estimate from a capture-history table (e.g. `--histories FILE.csv`)."""
    estimator = _estimator(method, criterion, level)
    result = estimator(histories).as_dict()
    result["lists"] = histories.list_sizes()
    return result


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


def estimate_store(
    engine: Engine,
    *,
    by: Sequence[str] = (),
    method: str = "loglinear",
    criterion: str = "bic",
    level: float = 0.95,
    status: str = "killed",
    save: bool = True,
) -> EstimateResult:
    """Estimate the persons of `status` in the store, optionally by strata, and keep the run."""
    unknown = [s for s in by if s not in STRATIFIERS]
    if unknown:
        raise EstimateError(
            f"cannot stratify by {', '.join(unknown)}; use {', '.join(STRATIFIERS)}"
        )
    estimator = _estimator(method, criterion, level)
    with engine.connect() as conn:
        persons = person_facts(conn, status=status)
    if not persons:
        raise EstimateError(f"no linked persons with status {status!r}: run `marsad link` first")
    histories = capture_histories(persons)
    settings: dict[str, Any] = {
        "method": method,
        "criterion": criterion,
        "level": level,
        "by": list(by),
        "status": status,
    }
    if by:
        gazetteer = default_gazetteer()
        labelled = [
            (", ".join(_stratum_value(p, s, gazetteer) for s in by), _pattern(p, histories.lists))
            for p in persons
        ]
        stratified = estimate_by_strata(
            histories_by_stratum(histories.lists, labelled), estimator, method, level
        )
        result = EstimateResult(
            stratified.total, stratified.strata, histories.list_sizes(), settings
        )
    else:
        try:
            total = estimator(histories)
        except ValueError as error:
            raise EstimateError(str(error)) from error
        result = EstimateResult(total, [], histories.list_sizes(), settings)
    if save:
        with engine.begin() as conn:
            conn.execute(
                insert(EstimateRun).values(
                    method=method, settings=settings, result=result.as_dict()
                )
            )
    return result


def _pattern(person: PersonFacts, lists: Sequence[str]) -> Pattern:
    return tuple(int(name in person.lists) for name in lists)
