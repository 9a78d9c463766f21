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
from marsad.estimate.histories import read_histories_csv
from marsad.services.estimate import (
    LINKAGE_DRAWS,
    Comparison,
    EstimateResult,
    compare_histories,
    compare_store,
    estimate_histories,
    estimate_store,
)


def _left_out_rows(identifiability: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """Who the identifiability rule left out of the estimate, and why."""
    if not identifiability:
        return []
    rows: list[tuple[str, Any]] = [
        (
            "persons left out (no identifiable record)",
            f"{identifiability['persons_left_out']:,} of {identifiability['persons']:,}",
        ),
        *(
            (f"  lacking {what}", f"{n:,}")
            for what, n in identifiability["persons_by_missing"].items()
        ),
        (
            "records left out (not identifiable)",
            f"{identifiability['records_left_out']:,} of {identifiability['records']:,}",
        ),
        *(
            (f"  lacking {what}", f"{n:,}")
            for what, n in identifiability["records_by_missing"].items()
        ),
    ]
    return rows


def _linkage_rows(linkage: dict[str, Any]) -> list[tuple[str, Any]]:
    if not linkage.get("draws"):
        return [("linkage draws", "none")]
    share = linkage.get("width_share")
    return [
        ("linkage draws (clusterings pooled)", linkage["draws"]),
        ("interval width from linkage", "-" if share is None else f"{share:.0%}"),
    ]


def estimate_warnings(result: dict[str, Any]) -> None:
    """The estimator's warnings, the note on linkage draws, and the split-lists warnings."""
    for warning in result.get("diagnostics", {}).get("warnings", []):
        errors.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    note = result.get("linkage", {}).get("note")
    if note:
        errors.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
    for warning in result.get("warnings", []):
        errors.print(
            f"[yellow]warning:[/] {escape(warning['message'])}", highlight=False, soft_wrap=True
        )


def estimate_table(result: dict[str, Any]) -> None:
    level = round(result["level"] * 100)
    lo, hi = result["interval"]
    rows: list[tuple[str, Any]] = [
        ("documented (observed)", result["observed"]),
        ("estimated total", f"{result['estimate']:,.0f}"),
        (f"{level}% interval", f"{lo:,.0f} – {hi:,.0f}"),
        ("method", result["method"]),
        ("model", result.get("model") or "-"),
        *_linkage_rows(result.get("linkage", {})),
        *_left_out_rows(result.get("identifiability")),
    ]
    console.print(summary_table("estimate", rows))
    if result.get("strata"):
        table = Table(title="strata", title_justify="left")
        for column in ("stratum", "documented", "estimate", "interval", "note"):
            table.add_column(column)
        for s in result["strata"]:
            interval = s["interval"]
            table.add_row(
                s["stratum"],
                f"{s['observed']:,}",
                "-" if s["estimate"] is None else f"{s['estimate']:,.0f}",
                "-" if interval is None else f"{interval[0]:,.0f} – {interval[1]:,.0f}",
                s.get("note", ""),
            )
        console.print(table)
    estimate_warnings(result)


class Method(StrEnum):
    lcmcr = "lcmcr"
    loglinear = "loglinear"
    dga = "dga"
    all = "all"


class Preset(StrEnum):
    default = "default"
    fixed = "fixed"
    fast = "fast"
    hrdag = "hrdag"


def comparison_table(result: dict[str, Any]) -> None:
    level = round(result["level"] * 100)
    table = Table(title="methods side by side", title_justify="left")
    for column in ("method", "documented", "estimate", f"{level}% interval", "model"):
        table.add_column(column, justify="left" if column in ("method", "model") else "right")
    for name, r in result["methods"].items():
        lo, hi = r["interval"]
        table.add_row(
            name,
            f"{r['observed']:,}",
            f"{r['estimate']:,.0f}",
            f"{lo:,.0f} – {hi:,.0f}",
            r.get("model") or "-",
        )
    console.print(table)
    for name, why in result.get("skipped", {}).items():
        errors.print(f"skipped {name}: {escape(why)}", highlight=False, soft_wrap=True)
    rows = [
        *_linkage_rows(result.get("linkage", {})),
        *_left_out_rows(result.get("identifiability")),
    ]
    console.print(summary_table("all methods", rows))
    estimate_warnings(result)


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
    ] = Method.lcmcr,
    preset: Annotated[
        Preset, typer.Option(help="LCMCR chain lengths: default, fast or hrdag (HRDAG's Syria).")
    ] = Preset.default,
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
    if method == Method.all:
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
    result = outcome.as_dict()
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    elif method == Method.all:
        comparison_table(result)
    else:
        estimate_table(result)
