"""`marsad release`: freeze what a published number rests on, and check it years later."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli_common import DbOption, console, fail, store, user_errors
from marsad.services.estimate import EstimateResult
from marsad.services.release import (
    ReleaseError,
    create_release,
    list_releases,
    verify_release,
)
from marsad.services.release_files import write_release_files

ACTIONS = ("verify", "list")


def release_command(
    words: Annotated[
        list[str],
        typer.Argument(
            help="NAME to freeze a release; 'verify NAME' to check one; 'list' to list them.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None, typer.Option(help="Directory for the release (default: releases/NAME).")
    ] = None,
    by: Annotated[str, typer.Option(help="Strata for the estimate ('' for none).")] = (
        "governorate"
    ),
    method: Annotated[str, typer.Option(help="Estimation method.")] = "lcmcr",
    preset: Annotated[str, typer.Option(help="Sampler preset: default, fast, hrdag.")] = "default",
    seed: Annotated[int, typer.Option(help="Random seed for the estimate.")] = 1,
    no_estimate: Annotated[
        bool, typer.Option("--no-estimate", help="Counts only, no estimate.")
    ] = False,
    user: Annotated[str, typer.Option("--user", help="Who publishes.")] = "cli",
    db: DbOption = None,
) -> None:
    """Freeze a release (`marsad release NAME`): the hashes of every import, the settings,
    the human decisions, the code version and the numbers, in the store and in a directory
    with the report and pseudonymised exports. `marsad release verify NAME` recomputes it;
    `marsad release list` lists them."""
    if words[0] == "list" and len(words) == 1:
        release_list(db)
        return
    if words[0] == "verify" and len(words) == 2:
        release_verify(words[1], db)
        return
    if len(words) != 1 or words[0] in ACTIONS:
        fail("use: marsad release NAME | marsad release verify NAME | marsad release list")
    name = words[0]
    engine = store(db)
    directory = out or Path("releases") / name
    estimate = None
    if not no_estimate:
        strata = [s.strip() for s in by.split(",") if s.strip()]
        estimate = {"method": method, "by": strata, "preset": preset, "seed": seed}

    def files(target: Path, result: EstimateResult | None) -> None:
        write_release_files(engine, target, result, user=user, release=name)

    with user_errors((ValueError, ReleaseError, FileNotFoundError)):
        manifest = create_release(engine, name, directory, user, estimate, files)
    totals = manifest["numbers"]["counts"]["totals"]
    table = Table(title=f"release {name} frozen in {directory}", title_justify="left")
    table.add_column("")
    table.add_column("", justify="right")
    for standard, n in totals.items():
        table.add_row(standard, f"{n:,}")
    estimated = manifest["numbers"].get("estimate")
    if estimated:
        lo, hi = estimated["interval"]
        table.add_row("estimated", f"{estimated['estimate']:,.0f} ({lo:,.0f}–{hi:,.0f})")
    table.add_row("imports", str(len(manifest["inputs"]["imports"])))
    table.add_row("code version", manifest["code_version"])
    console.print(table)


def release_verify(name: str, db: str | None) -> None:
    """Recompute a release from the store: exit 0 when the numbers come out identical,
    1 with every difference otherwise."""
    engine = store(db)
    with user_errors((ValueError, ReleaseError)):
        check = verify_release(engine, name)
    if check.code_then != check.code_now:
        console.print(f"code then {check.code_then}, now {check.code_now}", style="dim")
    if check.identical:
        console.print(
            f"release {name}: verified — inputs, settings, decisions and numbers identical"
        )
        return
    console.print(f"[bold red]release {name}: NOT identical[/]")
    lines = check.differences + check.files_changed
    for line in lines:
        console.print(Text("  " + line))
    fail(f"release {name} does not verify: {len(lines)} differences")


def release_list(db: str | None) -> None:
    """Every release, newest first."""
    engine = store(db)
    table = Table(title="releases", title_justify="left")
    for column in ("name", "created", "by", "code", "directory"):
        table.add_column(column)
    for r in list_releases(engine):
        table.add_row(
            r["name"], r["created_at"], Text(r["created_by"]), r["code_version"], r["directory"]
        )
    console.print(table)
