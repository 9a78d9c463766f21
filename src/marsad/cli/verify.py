"""`marsad verify`, `marsad conflicts`, `marsad status` and `marsad counts`: who counts as
verified, by which rule, where the records disagree, and how many under each standard."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli.common import (
    DbOption,
    UserOption,
    command_group,
    console,
    stage_progress,
    store,
    strata,
)
from marsad.services.counts import (
    count_persons,
    documented_missing,
    standard_definitions,
    totals,
)
from marsad.services.incidents import incident_counts
from marsad.services.verify import (
    DECISIONS,
    choose_value,
    conflicting_persons,
    decide_status,
    revoke_status,
    status_decisions,
    verify,
)

status_app = command_group(
    help="A reviewer's word on a person's verification: confirm, set, revoke, choose a value.",
    no_args_is_help=True,
)

ReasonOption = Annotated[str, typer.Option("--reason", help="Why; required, kept on record.")]


def verify_command(
    rules: Annotated[
        Path | None,
        typer.Option(help="Verification rules (YAML) to put in force first; see methodology."),
    ] = None,
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Recompute every person's verification status and resolved values."""
    engine = store(db)
    with stage_progress("verifying persons") as say:
        summary = verify(engine, rules, user, progress=say)
    table = Table(title="verification", title_justify="left")
    table.add_column("")
    table.add_column("persons", justify="right")
    for status in ("reported", "corroborated", "verified"):
        table.add_row(status, f"{summary.by_status.get(status, 0):,}")
    table.add_row("documented (HRDAG)", f"{summary.documented:,}")
    table.add_row("with conflicting records", f"{summary.conflicting:,}")
    console.print(table)
    console.print(f"rules sha256 {summary.rules_sha256[:16]}…", style="dim")


def conflicts_command(
    field: Annotated[str | None, typer.Option(help="Only conflicts on this field.")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many persons.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List persons whose records disagree, every value with its records and sources."""
    items = conflicting_persons(store(db), field)
    if as_json:
        console.print_json(
            json.dumps([{"person_id": pid, "conflicts": c} for pid, c in items[:limit]])
        )
        return
    table = Table(title=f"{len(items):,} persons with conflicting records", title_justify="left")
    for column in ("person", "field", "resolved", "rule", "values (records; sources)"):
        table.add_column(column)
    for pid, conflicts in items[:limit]:
        for name, conflict in conflicts.items():
            values = "\n".join(
                f"{v['value']} ({', '.join(map(str, v['records']))}; {', '.join(v['sources'])})"
                for v in conflict["values"]
            )
            table.add_row(
                str(pid), name, Text(str(conflict["resolved"])), conflict["rule"], Text(values)
            )
    console.print(table)
    if len(items) > limit:
        console.print(f"… and {len(items) - limit:,} more (--limit)", style="dim")


def counts_command(
    by: Annotated[
        str, typer.Option(help="Group by (comma-separated): governorate, month, week, sex…")
    ] = "",
    status: Annotated[str, typer.Option(help="killed, missing… or 'any'.")] = "killed",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Persons under every counting standard, whole or by groups."""
    engine = store(db)
    dimensions = strata(by)
    wanted = None if status == "any" else status
    with engine.connect() as conn:
        rows = count_persons(conn, dimensions, status=wanted)
        missing = documented_missing(conn, wanted)
        headline = totals(conn, wanted)
        incidents = [c for c in incident_counts(conn) if c.incidents]
        definitions = standard_definitions(conn)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "status": status,
                    "definitions": definitions,
                    "totals": headline.as_dict(),
                    "not_documented_lacking": missing,
                    "rows": [r.as_dict() for r in rows],
                    "incidents_without_names": [asdict(c) for c in incidents],
                },
                default=str,
            )
        )
        return
    table = Table(title=f"persons ({status}) by counting standard", title_justify="left")
    for name in dimensions:
        table.add_column(name)
    for standard in ("reported", "documented", "corroborated", "verified"):
        table.add_column(standard, justify="right")
    for row in rows:
        table.add_row(
            *(Text("—" if row.keys[d] is None else str(row.keys[d])) for d in dimensions),
            f"{row.reported:,}",
            f"{row.documented:,}",
            f"{row.corroborated:,}",
            f"{row.verified:,}",
        )
    console.print(table)
    if missing:
        lacking = ", ".join(f"{n:,} lack {what}" for what, n in missing.items())
        console.print(f"not documented, counted apart: {lacking}", style="dim")
    if incidents:
        apart = Table(title="incidents without names, counted apart", title_justify="left")
        for column in ("grade", "events", "reports", "killed (min–max)"):
            apart.add_column(column)
        for c in incidents:
            apart.add_row(
                c.grade, f"{c.incidents:,}", f"{c.reports:,}", f"{c.killed_min:,}–{c.killed_max:,}"
            )
        console.print(apart)


@status_app.command("set")
def status_set(
    person: Annotated[int, typer.Argument(help="Person id.")],
    status: Annotated[str, typer.Argument(help=f"One of: {', '.join(DECISIONS)}.")],
    reason: ReasonOption,
    user: UserOption,
    db: DbOption = None,
) -> None:
    """Confirm a person ('confirmed') or set their status by hand; audited."""
    engine = store(db)
    decision = decide_status(engine, person, status, reason, user)
    console.print(f"status decision #{decision}: person {person} → {status}")


@status_app.command("revoke")
def status_revoke(
    decision: Annotated[int, typer.Argument(help="Status decision id.")],
    reason: ReasonOption,
    user: UserOption,
    db: DbOption = None,
) -> None:
    """Revoke a status decision (it stays on record); the rules apply again."""
    engine = store(db)
    person = revoke_status(engine, decision, reason, user)
    console.print(f"status decision #{decision} revoked; person {person} re-verified")


@status_app.command("list")
def status_list(db: DbOption = None) -> None:
    """Every reviewer status decision, in force or revoked."""
    with store(db).connect() as conn:
        decisions = status_decisions(conn)
    table = Table(title="status decisions", title_justify="left")
    for column in ("#", "person", "status", "by", "at", "reason", "revoked"):
        table.add_column(column)
    for d in decisions:
        table.add_row(
            str(d.id),
            str(d.person_id),
            d.status,
            Text(d.decided_by),
            d.decided_at.strftime("%Y-%m-%d %H:%M"),
            Text(d.reason),
            "" if d.revoked_at is None else f"{d.revoked_at:%Y-%m-%d} by {d.revoked_by}",
        )
    console.print(table)


@status_app.command("choose")
def status_choose(
    person: Annotated[int, typer.Argument(help="Person id.")],
    field: Annotated[str, typer.Argument(help="Field in conflict, e.g. date_of_death.")],
    value: Annotated[str, typer.Argument(help="The value to keep, as `marsad conflicts` shows.")],
    reason: ReasonOption,
    user: UserOption,
    db: DbOption = None,
) -> None:
    """Choose which of a person's conflicting values is right; audited."""
    engine = store(db)
    choose_value(engine, person, field, value, reason, user)
    console.print(f"person {person}: {field} resolved by reviewer choice")
