"""`marsad synth` and `marsad demo`: synthetic scenarios with their ground truth, and the whole job
run on one beside that truth."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from marsad import __version__
from marsad.cli.common import console, errors, row_progress, store, summary_table
from marsad.cli.ingest import ingest_summary
from marsad.cli.link import link_summary
from marsad.services.demo import run_demo
from marsad.store.db import describe
from marsad.synth import generate, write_scenario
from marsad.synth.shapes import resolve_shapes
from marsad.synth.shelter import write_shelter
from marsad.synth.write import write_missing


def synth(
    out_dir: Annotated[
        Path, typer.Argument(help="Folder for the lists, truth.csv, scenario.json.")
    ],
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same files.")] = 1,
    people: Annotated[int, typer.Option(help="True number of people killed.")] = 20_000,
    lists: Annotated[
        int | None,
        typer.Option(help="Number of source lists [default: 4, or one per shape of a file]."),
    ] = None,
    shape: Annotated[
        str | None,
        typer.Option(
            help="How the lists are written: a preset of marsad/synth/shapes.yaml for every "
            "list, or a shapes file (YAML) with one shape per list."
        ),
    ] = None,
    sites: Annotated[
        int,
        typer.Option(
            help="Also write this many shelter sites, 20 displaced households per site "
            "registered by four teams, their movements and the truth (docs/formats.md)."
        ),
    ] = 0,
    missing_reports: Annotated[
        int,
        typer.Option(
            help="Also write relatives' reports of this many missing persons "
            "(missing-reports.csv, detainees.csv, missing-truth.csv)."
        ),
    ] = 0,
) -> None:
    """Write a synthetic scenario: overlapping source lists with their ground truth."""
    shapes = resolve_shapes(shape, lists) if shape is not None else None
    count = len(shapes) if shapes is not None else lists or 4
    scenario = generate(seed=seed, people=people, lists=count, shapes=shapes)
    paths = write_scenario(scenario, out_dir)
    if sites > 0:
        paths += write_shelter(out_dir, seed=seed, sites=sites, households=20 * sites)
    if missing_reports:
        paths += write_missing(scenario, out_dir, missing_reports, seed)
    console.print(
        summary_table(f"scenario written to {out_dir}", [(p.name, p.stat().st_size) for p in paths])
    )


def demo(
    out: Annotated[
        Path, typer.Option(help="Folder for the demo's lists, store and report.")
    ] = Path("demo"),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 2025,
    people: Annotated[int, typer.Option(help="True number of people killed.")] = 20_000,
    lists: Annotated[int, typer.Option(help="Number of source lists.")] = 4,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Store for the demo (default: a fresh SQLite file in --out)."),
    ] = None,
) -> None:
    """Synthesise a scenario, then ingest, link, estimate and report, beside the truth."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    engine = store(db or str(out / "marsad.db"))
    progress, advance = row_progress("ingesting")
    with progress:
        result = run_demo(
            engine,
            out,
            seed=seed,
            people=people,
            lists=lists,
            say=lambda message: errors.print(f"• {message}", highlight=False),
            progress=advance,
        )
    for summary in result.imports:
        ingest_summary(summary)
    link_summary(result.linkage)
    truth = result.truth
    total = result.estimate.total
    lo, hi = total.interval
    table = Table(title="Marsad demo: results beside the scenario's truth", title_justify="left")
    table.add_column("")
    table.add_column("Marsad", justify="right")
    table.add_column("truth", justify="right")
    table.add_row(
        "people killed (estimated, 95% interval)",
        f"{total.estimate:,.0f} ({lo:,.0f}–{hi:,.0f})",
        f"{truth.killed:,}",
    )
    table.add_row("killed persons on the lists", f"{total.observed:,}", f"{truth.documented:,}")
    counted = result.standards
    for standard in ("documented", "corroborated", "verified"):
        table.add_row(f"  of whom {standard}", f"{getattr(counted, standard):,}", "")
    table.add_row("pairwise link precision", f"{result.quality.precision:.3f}", "1.000")
    table.add_row("pairwise link recall", f"{result.quality.recall:.3f}", "1.000")
    console.print(table)
    console.print(f"report: {result.report.resolve()} (and report.ar.html, report.pdf)")
    console.print(f"store: {describe(str(engine.url))}; version {__version__}")
