"""Counts of persons under each counting standard: the one query layer behind the CLI, the
report, the exports and the web.

A count always says which standard it uses, because that is what the public argues about:
- *reported*: every person with at least one record;
- *documented* (HRDAG): full name, date and place of death — those lacking one are counted
  apart, by what they lack, never dropped;
- *corroborated*: at least corroborated by the rules in force (verified persons included);
- *verified*: verified by the rules or by a reviewer;
- *estimated*: the latest multiple systems estimate, with its interval (`latest_estimate`).
Counts read the person summaries that `marsad verify` (and every link or review) keeps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, case, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from marsad.errors import InputError
from marsad.services.verify import rules_in_force
from marsad.store.models import EstimateRun, PersonSummary
from marsad.verify.standards import definitions

STANDARDS = ("reported", "documented", "corroborated", "verified")

DIMENSIONS: dict[str, Any] = {
    "governorate": PersonSummary.governorate,
    "district": PersonSummary.district,
    "week": PersonSummary.week,
    "month": PersonSummary.month,
    "sex": PersonSummary.sex,
    "age_group": PersonSummary.age_group,
    "status": PersonSummary.status,
    "civilian": PersonSummary.civilian,
    "verification": PersonSummary.verification,
}


def standard_definitions(conn: Connection, lang: str = "en") -> dict[str, str]:
    """What each standard counts, in `lang`, said from the rules in force (the same rules the
    person summaries were verified by)."""
    return definitions(rules_in_force(conn), lang)


def suppressed(value: int, min_cell: int) -> int | None:
    """A count as shown to someone who may not see names: None from 1 to `min_cell` - 1, so
    that a small group (often one person) cannot be singled out by its keys. Zero stays zero:
    it names nobody."""
    return None if 0 < value < min_cell else value


class CountError(InputError):
    """A count that cannot be made (unknown dimension or standard)."""


def _standard(standard: str) -> ColumnElement[bool]:
    if standard == "documented":
        return PersonSummary.documented.is_(True)
    if standard == "corroborated":
        return PersonSummary.verification.in_(("corroborated", "verified"))
    if standard == "verified":
        return PersonSummary.verification == "verified"
    raise CountError(f"unknown standard {standard!r}; use {', '.join(STANDARDS)}")


@dataclass(frozen=True)
class CountRow:
    """One group (e.g. one governorate and week) with its count under every standard."""

    keys: dict[str, str | bool | None]
    reported: int
    documented: int
    corroborated: int
    verified: int

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.keys,
            "reported": self.reported,
            "documented": self.documented,
            "corroborated": self.corroborated,
            "verified": self.verified,
        }


def _where(status: str | None, filters: Mapping[str, str | bool | None]) -> list[Any]:
    clauses: list[Any] = []
    if status is not None:
        clauses.append(PersonSummary.status == status)
    for name, value in filters.items():
        if name not in DIMENSIONS:
            raise CountError(f"cannot filter by {name!r}; use {', '.join(DIMENSIONS)}")
        column = DIMENSIONS[name]
        clauses.append(column.is_(None) if value is None else column == value)
    return clauses


def count_persons(
    conn: Connection,
    by: Sequence[str] = (),
    *,
    status: str | None = "killed",
    filters: Mapping[str, str | bool | None] | None = None,
) -> list[CountRow]:
    """Persons of `status` (None: any) grouped by `by` (a dimension named twice counts once),
    under every standard at once, in the order of the groups (unknown values last)."""
    by = list(dict.fromkeys(by))
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise CountError(f"cannot count by {', '.join(unknown)}; use {', '.join(DIMENSIONS)}")
    groups = [DIMENSIONS[name].label(name) for name in by]
    sums = [
        func.coalesce(func.sum(cast(case((_standard(s), 1), else_=0), Integer)), 0).label(s)
        for s in STANDARDS[1:]
    ]
    query = select(*groups, func.count().label("reported"), *sums).where(
        *_where(status, filters or {})
    )
    if groups:
        query = query.group_by(*groups).order_by(
            *(DIMENSIONS[name].is_(None) for name in by), *(DIMENSIONS[name] for name in by)
        )
    return [
        CountRow(
            {name: row._mapping[name] for name in by},
            int(row.reported),
            int(row.documented),
            int(row.corroborated),
            int(row.verified),
        )
        for row in conn.execute(query)
        if row.reported
    ]


def totals(conn: Connection, status: str | None = "killed") -> CountRow:
    """The headline: one row with every standard's total."""
    rows = count_persons(conn, status=status)
    return rows[0] if rows else CountRow({}, 0, 0, 0, 0)


def documented_missing(conn: Connection, status: str | None = "killed") -> dict[str, int]:
    """Persons not documented, by what they lack (a person may lack several things)."""
    lacking: Counter[str] = Counter()
    query = select(PersonSummary.documented_missing).where(
        PersonSummary.documented.is_(False), *_where(status, {})
    )
    for (missing,) in conn.execute(query):
        lacking.update(missing)
    return dict(sorted(lacking.items()))


@dataclass(frozen=True)
class EstimatedTotal:
    """The newest stored estimate of all deaths, documented or not."""

    run_id: int
    method: str
    estimate: float
    low: float
    high: float
    level: float
    linkage_draws: int = 0
    width_share: float | None = None
    warnings: tuple[tuple[str, dict[str, Any]], ...] = ()
    """Warnings that the lists look split, as (code, figures)."""


def latest_estimate(conn: Connection, status: str = "killed") -> EstimatedTotal | None:
    """The newest stored estimate of persons of `status`, when one was made."""
    for run in conn.execute(select(EstimateRun.__table__).order_by(EstimateRun.id.desc())):
        if run.settings.get("status", "killed") != status:
            continue
        result = run.result
        if "estimate" not in result or "interval" not in result:
            return None
        low, high = result["interval"]
        linkage = result.get("linkage") or {}
        share = linkage.get("width_share")
        return EstimatedTotal(
            int(run.id),
            str(run.method),
            float(result["estimate"]),
            float(low),
            float(high),
            float(result.get("level", 0.95)),
            int(linkage.get("draws") or 0),
            float(share) if isinstance(share, int | float) else None,
            tuple((str(w["code"]), dict(w["values"])) for w in result.get("warnings") or []),
        )
    return None
