"""`marsad incidents`: deaths reported without names. `ingest` imports the reports; `candidates`,
`same`, `apart` and `different` let a reviewer group reports of one event from several sources
so that it is counted once, or take a report back out.

Place text is shown as plain text (never Rich markup): it may contain brackets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli.common import DbOption, UserOption, command_group, console, store
from marsad.cli.ingest import ingest_summary
from marsad.services.incident_events import candidates, group_reports, keep_apart, take_apart
from marsad.services.incidents import ingest_incidents

incidents_app = command_group(help="Deaths reported without names, graded by source strength.")


@incidents_app.command("ingest")
def incidents_ingest(
    path: Annotated[Path, typer.Argument(help="CSV or XLSX of incidents (see docs/formats.md).")],
    source: Annotated[str, typer.Option(help="Source name.")],
    user: Annotated[str, typer.Option("--user", help="Who imports.")] = "cli",
    db: DbOption = None,
) -> None:
    """Import incident reports of deaths without names, counted apart with their range."""
    engine = store(db)
    summary = ingest_incidents(engine, path, source, user)
    ingest_summary(summary)


@incidents_app.command("candidates")
def candidates_command(
    limit: Annotated[int, typer.Option(help="Show at most this many candidates.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Propose reports of different sources that may be one event, and say why.

    Nothing changes until a reviewer runs `marsad incidents same`.
    """
    engine = store(db)
    with engine.connect() as conn:
        found = candidates(conn)
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {
                        "incidents": list(c.ids),
                        "reason": c.reason,
                        "reports": [
                            {
                                "id": r.id,
                                "source": r.source,
                                "date": r.date,
                                "governorate": r.governorate,
                                "place": r.place,
                                "killed_min": r.killed_min,
                                "killed_max": r.killed_max,
                                "grade": r.grade,
                                "event_id": r.event_id,
                            }
                            for r in c.reports
                        ],
                    }
                    for c in found[:limit]
                ]
            )
        )
        return
    if not found:
        console.print("no candidate events: no reports of different sources agree")
        return
    console.print(f"{len(found):,} candidate events", style="bold")
    for number, candidate in enumerate(found[:limit], start=1):
        table = Table(title=f"{number}. {candidate.reason}", title_justify="left")
        for column in ("report", "source", "date", "governorate", "place", "killed", "grade"):
            table.add_column(column)
        for r in candidate.reports:
            table.add_row(
                str(r.id) + ("" if r.event_id is None else f" (event {r.event_id})"),
                Text(r.source),
                r.date or "—",
                r.governorate or "—",
                Text(r.place or "—"),
                f"{r.killed_min:,}–{r.killed_max:,}",
                r.grade,
            )
        console.print(table)
    if len(found) > limit:
        console.print(f"… and {len(found) - limit:,} more (--limit)", style="dim")
    console.print("group one: marsad incidents same ID ID … --note TEXT --user NAME", style="dim")


@incidents_app.command("same")
def same_command(
    incidents: Annotated[list[int], typer.Argument(help="Incident report ids (two or more).")],
    note: Annotated[str, typer.Option("--note", help="Why they are one event; kept on record.")],
    user: UserOption,
    db: DbOption = None,
) -> None:
    """Group incident reports into one event, counted once; audited."""
    engine = store(db)
    change = group_reports(engine, incidents, note, user)
    console.print(
        f"event {change.event_id}: reports {', '.join(map(str, change.incidents))}, counted once"
    )


@incidents_app.command("different")
def different_command(
    first: Annotated[int, typer.Argument(help="Incident report id.")],
    second: Annotated[int, typer.Argument(help="Another incident report id.")],
    note: Annotated[str, typer.Option("--note", help="Why they are not one event; kept.")],
    user: UserOption,
    db: DbOption = None,
) -> None:
    """Say two incident reports are not one event, so they are not proposed together again;
    audited. Counts do not change."""
    engine = store(db)
    keep_apart(engine, first, second, note, user)
    console.print(f"reports {first} and {second} will not be proposed as one event again")


@incidents_app.command("apart")
def apart_command(
    incident: Annotated[int, typer.Argument(help="Incident report id.")],
    user: UserOption,
    note: Annotated[str, typer.Option("--note", help="Why; kept on record.")] = "",
    db: DbOption = None,
) -> None:
    """Take an incident report out of its event: it counts on its own again; audited."""
    engine = store(db)
    change = take_apart(engine, incident, user, note)
    left = (
        f"event {change.event_id} keeps reports {', '.join(map(str, change.incidents))}"
        if change.event_id is not None
        else "no event left"
    )
    console.print(f"report {incident} is its own event again; {left}")
