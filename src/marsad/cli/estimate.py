"""`marsad estimate`: how many were killed, documented or not (multiple systems estimation), from
the store's persons or from a capture-history table."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from marsad.cli.common import DbOption, console, errors, store, strata, summary_table
from marsad.domain.estimates import Estimate
from marsad.estimate.histories import read_histories_csv
from marsad.estimate.methods import METHODS, PRESETS
from marsad.services.estimate import (
    ALL,
    LINKAGE_DRAWS,
    Comparison,
    EstimateResult,
    Identifiability,
    LinkageDraws,
    compare_histories,
    compare_store,
    estimate_histories,
    estimate_store,
    warning_document,
)


def _left_out_rows(identifiability: Identifiability | None) -> list[tuple[str, Any]]:
    """Who the identifiability rule left out of the estimate, and why."""
    if identifiability is None:
        return []
    left = identifiability.left_out
    return [
        (
            "persons left out (no identifiable record)",
            f"{left.persons_left_out:,} of {left.persons:,}",
        ),
        *((f"  lacking {what}", f"{n:,}") for what, n in sorted(left.persons_by_missing.items())),
        ("records left out (not identifiable)", f"{left.records_left_out:,} of {left.records:,}"),
        *((f"  lacking {what}", f"{n:,}") for what, n in sorted(left.records_by_missing.items())),
        *(
            (f"not asked of {source} (never recorded)", ", ".join(what))
            for source, what in identifiability.waived.items()
        ),
    ]


def _linkage_rows(linkage: LinkageDraws) -> list[tuple[str, Any]]:
    if not linkage.draws:
        return [("linkage draws", "none")]
    share = linkage.width_share
    return [
        ("linkage draws (clusterings pooled)", linkage.draws),
        ("interval width from linkage", "-" if share is None else f"{share:.0%}"),
    ]


def estimate_warnings(result: EstimateResult) -> None:
    """The estimator's warnings, the note on linkage draws, and the split-lists warnings."""
    for warning in result.total.diagnostics.get("warnings", []):
        errors.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if result.linkage.note:
        errors.print(f"note: {escape(result.linkage.note)}", highlight=False, soft_wrap=True)
    for split in result.warnings:
        message = warning_document(split)["message"]
        errors.print(f"[yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def _interval(estimate: Estimate) -> str:
    low, high = estimate.interval
    return f"{low:,.0f} – {high:,.0f}"


def estimate_table(result: EstimateResult) -> None:
    total = result.total
    rows: list[tuple[str, Any]] = [
        ("documented (observed)", total.observed),
        ("estimated total", f"{total.estimate:,.0f}"),
        (f"{round(total.level * 100)}% interval", _interval(total)),
        ("method", total.method),
        ("model", total.model or "-"),
        *_linkage_rows(result.linkage),
        *_left_out_rows(result.identifiability),
    ]
    console.print(summary_table("estimate", rows))
    if result.settings.get("by") and result.strata:
        table = Table(title="strata", title_justify="left")
        for column in ("stratum", "documented", "estimate", "interval", "note"):
            table.add_column(column)
        for s in result.strata:
            table.add_row(
                s.label,
                f"{s.observed:,}",
                "-" if s.estimate is None else f"{s.estimate.estimate:,.0f}",
                "-" if s.estimate is None else _interval(s.estimate),
                s.note,
            )
        console.print(table)
    estimate_warnings(result)


Method = StrEnum("Method", [(name, name) for name in (*METHODS, ALL)])  # type: ignore[misc]
"""The registered estimators (`estimate.methods.ESTIMATORS`), or all side by side."""
Preset = StrEnum("Preset", [(name, name) for name in PRESETS])  # type: ignore[misc]


def comparison_table(comparison: Comparison) -> None:
    first = next(iter(comparison.results.values()))
    level = round(first.total.level * 100)
    table = Table(title="methods side by side", title_justify="left")
    for column in ("method", "documented", "estimate", f"{level}% interval", "model"):
        table.add_column(column, justify="left" if column in ("method", "model") else "right")
    for name, r in comparison.results.items():
        table.add_row(
            name,
            f"{r.total.observed:,}",
            f"{r.total.estimate:,.0f}",
            _interval(r.total),
            r.total.model or "-",
        )
    console.print(table)
    for name, why in comparison.skipped.items():
        errors.print(f"skipped {name}: {escape(why)}", highlight=False, soft_wrap=True)
    rows = [*_linkage_rows(first.linkage), *_left_out_rows(first.identifiability)]
    console.print(summary_table("all methods", rows))
    estimate_warnings(first)


def estimate(
    histories: Annotated[
        Path | None,
        typer.Option(
            help="A capture-history table (0/1 column per list + count) instead of the store."
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Strata, comma-separated: governorate,period,sex,age_group.")
    ] = None,
    method: Annotated[
        Method, typer.Option(help="Estimation method, or all side by side.")
    ] = Method(METHODS[0]),
    preset: Annotated[
        Preset, typer.Option(help="LCMCR chain lengths: default, fast or hrdag (HRDAG's Syria).")
    ] = Preset("default"),
    seed: Annotated[int, typer.Option(help="Seed of the Bayesian samplers.")] = 1,
    criterion: Annotated[str, typer.Option(help="Log-linear model selection: bic or aic.")] = "bic",
    level: Annotated[float, typer.Option(help="Interval level.")] = 0.95,
    linkage_draws: Annotated[
        int,
        typer.Option(
            min=0,
            help="Clusterings drawn from the link probabilities, estimated and pooled so the "
            "interval carries linkage uncertainty (0: the stored persons only).",
        ),
    ] = LINKAGE_DRAWS,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    user: Annotated[str, typer.Option("--user", help="Who estimates; kept in the audit log.")] = (
        "cli"
    ),
    db: DbOption = None,
) -> None:
    """Estimate how many were killed, documented or not (multiple systems estimation)."""
    stratifiers = strata(by) if by else []
    settings: dict[str, Any] = {
        "preset": preset.value,
        "seed": seed,
        "criterion": criterion,
        "level": level,
    }
    table = read_histories_csv(histories) if histories is not None else None
    if method == ALL:
        outcome: EstimateResult | Comparison = (
            compare_histories(table, **settings)
            if table is not None
            else compare_store(
                store(db), by=stratifiers, linkage_draws=linkage_draws, user=user, **settings
            )
        )
    elif table is not None:
        outcome = estimate_histories(table, method=method.value, **settings)
    else:
        outcome = estimate_store(
            store(db),
            by=stratifiers,
            method=method.value,
            linkage_draws=linkage_draws,
            user=user,
            **settings,
        )
    if as_json:
        document = outcome.as_dict()
        sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    elif isinstance(outcome, Comparison):
        comparison_table(outcome)
    else:
        estimate_table(outcome)
