"""`marsad release`: freeze what a published number rests on, and check it years later.

`marsad release NAME` freezes a release (the `create` command, named or not); `release verify
NAME` recomputes one and `release list` lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli.common import DbOption, ReportingGroup, command_group, console, fail, store, strata
from marsad.domain.releases import EstimateNumbers, EstimateSettings
from marsad.services.estimate import EstimateResult
from marsad.services.release import (
    create_release,
    list_releases,
    verify_release,
)
from marsad.services.release_files import write_release_files


class ReleaseGroup(ReportingGroup):
    """`release NAME …` is `release create NAME …`: freezing is what the group is mostly for."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["create", *args]
        return super().parse_args(ctx, args)


release_app = command_group(
    cls=ReleaseGroup,
    help="Freeze what a published number rests on (release NAME), check it (release verify "
    "NAME), list releases (release list).",
    no_args_is_help=True,
)


@release_app.command("create")
def release_create(
    name: Annotated[str, typer.Argument(help="The release's name.", show_default=False)],
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
    with the report and pseudonymised exports."""
    engine = store(db)
    directory = out or Path("releases") / name
    estimate = None
    if not no_estimate:
        estimate = EstimateSettings(method=method, by=strata(by), preset=preset, seed=seed)

    def files(target: Path, result: EstimateResult | None) -> None:
        write_release_files(engine, target, result, user=user, release=name)

    manifest = create_release(engine, name, directory, user, estimate, files)
    totals = manifest.numbers.counts.totals
    table = Table(title=f"release {name} frozen in {directory}", title_justify="left")
    table.add_column("")
    table.add_column("", justify="right")
    for standard, n in totals.items():
        table.add_row(standard, f"{n:,}")
    estimated = manifest.numbers.estimate
    if isinstance(estimated, EstimateNumbers):
        lo, hi = estimated.interval
        table.add_row("estimated", f"{estimated.estimate:,.0f} ({lo:,.0f}–{hi:,.0f})")
    table.add_row("imports", str(len(manifest.inputs.imports)))
    table.add_row("code version", manifest.code_version)
    console.print(table)


@release_app.command("verify")
def release_verify(
    name: Annotated[str, typer.Argument(help="The release to check.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Recompute a release from the store: exit 0 when the numbers come out identical,
    1 with every difference otherwise."""
    engine = store(db)
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


@release_app.command("list")
def release_list(db: DbOption = None) -> None:
    """Every release, newest first."""
    engine = store(db)
    table = Table(title="releases", title_justify="left")
    for column in ("name", "created", "by", "code", "directory"):
        table.add_column(column)
    for r in list_releases(engine):
        table.add_row(r.name, r.created_at, Text(r.created_by), r.code_version, r.directory)
    console.print(table)
