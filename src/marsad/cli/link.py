"""`marsad link`: records into persons by the rule and the trained model; reviewers' decisions
win and teach it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from marsad.cli.common import DbOption, console, fail, stage_progress, store, summary_table
from marsad.errors import InputError
from marsad.linkage.model import REVIEW_THRESHOLD
from marsad.services.link import LinkSummary, link, run_model


def link_summary(summary: LinkSummary) -> None:
    """A link run's figures, and where to go next."""
    clusters = summary.clusters
    model = {
        "trained": "trained on these records",
        "saved": "the saved model",
        "default": "the default model (too few records to train)",
        "none": "not used (the records share no field to compare)",
    }[summary.model]
    if summary.model != "none":
        model += f": {summary.model_matches:,} matches ≥ {summary.match_threshold}"
    console.print(
        summary_table(
            f"linkage run #{summary.run_id} ({summary.engine})",
            [
                ("records", clusters.records),
                ("persons", clusters.persons),
                ("links by rule", summary.rule_links),
                ("model", model),
                (
                    f"pairs to review ({summary.review_threshold}–{summary.match_threshold})",
                    summary.review_pairs,
                ),
                ("reviewer matches", clusters.human_matches),
                ("reviewer non-matches", clusters.human_non_matches),
                (
                    "machine links refused (reviewers' decisions, one list twice)",
                    clusters.refused_links,
                ),
                ("persons flagged for review", clusters.flagged),
                ("persons kept from last run", clusters.persons_kept),
                ("new persons", clusters.persons_new),
            ],
        )
    )
    if summary.plan:
        console.print(summary.plan, style="dim")
    if summary.prior:
        console.print(summary.prior, style="dim")
    if summary.learned:
        console.print(f"reviewers' decisions: {summary.learned}", style="dim")
    for warning in summary.splink_warnings:
        console.print(f"Splink: {warning}", style="dim")
    if summary.review_pairs or clusters.flagged:
        console.print("review them: marsad review")


def read_model(path: Path) -> dict[str, Any]:
    """A model saved by `marsad link --model-out`; InputError when it is not one."""
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: not a saved model (JSON): {error}") from None
    if not isinstance(model, dict) or not isinstance(model.get("comparisons"), list):
        raise InputError(f"{path}: not a saved model (no comparisons)")
    return model


def link_command(
    engine_name: Annotated[
        str, typer.Option("--engine", help="Where linkage runs: duckdb (in-process) or spark.")
    ] = "duckdb",
    user: Annotated[str, typer.Option(help="Who runs the linkage, for the run record.")] = "cli",
    model: Annotated[
        Path | None, typer.Option(help="Reuse a trained model (JSON) instead of training.")
    ] = None,
    model_out: Annotated[
        Path | None, typer.Option(help="Also write the model used to this JSON file.")
    ] = None,
    review_threshold: Annotated[
        float,
        typer.Option(
            help="Pairs scored from this probability up to the match threshold wait for "
            "reviewers; lower it to find more links with more review."
        ),
    ] = REVIEW_THRESHOLD,
    learning: Annotated[
        bool,
        typer.Option(
            "--learning/--no-learning",
            help="Correct the model by what reviewers' accepted and rejected pairs teach.",
        ),
    ] = True,
    one_to_one: Annotated[
        bool,
        typer.Option(
            "--one-to-one/--no-one-to-one",
            help="Score pairs between lists that show no duplicate one to one (a list names "
            "a person once).",
        ),
    ] = True,
    db: DbOption = None,
) -> None:
    """Group records into persons (rule + trained model; reviewers' decisions win and teach)."""
    engine = store(db)
    trained = read_model(model) if model else None
    with stage_progress("linking") as say:
        summary = link(
            engine,
            linker=engine_name,
            user=user,
            progress=say,
            trained=trained,
            review_threshold=review_threshold,
            learning=learning,
            one_to_one=one_to_one,
        )
    link_summary(summary)
    if model_out is not None:
        used = run_model(engine, summary.run_id)
        if used is None:
            fail("no model was used in this run (too few records); nothing written")
        model_out.write_text(json.dumps(used, indent=1), encoding="utf-8")
        console.print(f"model written to {model_out}")
