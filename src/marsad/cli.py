"""The `marsad` command: one thin command per service call, a summary table at the end of each."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from marsad import __version__
from marsad.cli_common import DbOption, console, errors, fail, stage_progress, store
from marsad.cli_common import user_errors as common_user_errors
from marsad.cli_evidence import evidence_app
from marsad.cli_incidents import (
    apart_command,
    candidates_command,
    different_command,
    same_command,
)
from marsad.cli_release import release_command
from marsad.cli_review import person_app, review_app
from marsad.cli_users import serve, user_app
from marsad.cli_verify import conflicts_command, counts_command, status_app, verify_command
from marsad.estimate.histories import read_histories_csv
from marsad.ingest.readers import TableError
from marsad.linkage.model import REVIEW_THRESHOLD
from marsad.services.demo import run_demo
from marsad.services.estimate import (
    LINKAGE_DRAWS,
    Comparison,
    EstimateError,
    EstimateResult,
    compare_histories,
    compare_store,
    estimate_histories,
    estimate_store,
)
from marsad.services.exports import (
    export_links,
    export_quarantine,
    export_table,
    quarantine_items,
)
from marsad.services.incidents import ingest_incidents
from marsad.services.ingest import IngestSummary, ingest_file
from marsad.services.link import LinkError, LinkSummary, link, run_model
from marsad.services.report import write_report
from marsad.services.sources import SourceError
from marsad.store.db import describe, resolve_url
from marsad.store.models import SOURCE_KINDS
from marsad.synth import generate, write_scenario
from marsad.synth.shapes import resolve_shapes

app = typer.Typer(
    help="Marsad: record casualties, link them into persons, estimate the undocumented.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
quarantine_app = typer.Typer(help="Rows that could not become records, with their reasons.")
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(review_app, name="review")
app.add_typer(person_app, name="person")
app.add_typer(status_app, name="status")
app.add_typer(user_app, name="user")
app.add_typer(evidence_app, name="evidence")
incidents_app = typer.Typer(help="Deaths reported without names, graded by source strength.")
app.add_typer(incidents_app, name="incidents")
incidents_app.command("candidates")(candidates_command)
incidents_app.command("same")(same_command)
incidents_app.command("apart")(apart_command)
incidents_app.command("different")(different_command)
app.command("verify")(verify_command)
app.command("conflicts")(conflicts_command)
app.command("counts")(counts_command)
app.command("serve")(serve)
app.command("release")(release_command)

USER_ERRORS = (TableError, SourceError, EstimateError, LinkError, ValueError, FileNotFoundError)


def user_errors() -> AbstractContextManager[None]:
    """Bad input (any of USER_ERRORS) ends the command with a clear message."""
    return common_user_errors(USER_ERRORS)


def summary_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in rows:
        table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    return table


def row_progress(description: str) -> tuple[Progress, Callable[[int], None]]:
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )
    task = progress.add_task(description, total=None)
    return progress, lambda rows: progress.update(task, completed=rows)


@app.command()
def init(db: DbOption = None) -> None:
    """Create the store, or bring its schema up to date."""
    store(db)
    console.print(f"store ready: {describe(resolve_url(db))}")


def unread_table(unread: dict[str, dict[str, Any]]) -> Table:
    """The values an import did not understand, per field, most frequent first."""
    table = Table(title="values not understood", title_justify="left")
    table.add_column("field")
    table.add_column("value")
    table.add_column("rows", justify="right")
    for field, found in unread.items():
        for value, count in found["values"]:
            table.add_row(field, escape(repr(value)), f"{count:,}")
        if found["other"]:
            table.add_row(field, "(other values)", f"{found['other']:,}")
    return table


def ingest_summary(summary: IngestSummary) -> None:
    if summary.already_imported:
        console.print(
            f"{summary.file}: already imported (import #{summary.import_id}, same SHA-256); "
            "nothing changed"
        )
        return
    for warning in summary.warnings:
        errors.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    console.print(
        summary_table(
            f"{summary.file} → {summary.source} (import #{summary.import_id})",
            [
                ("rows read", summary.rows_total),
                ("records added", summary.rows_recorded),
                ("already present", summary.rows_already_present),
                ("quarantined", summary.rows_quarantined),
                ("encoding", summary.encoding or "-"),
            ],
        )
    )
    if summary.unread:
        console.print(unread_table(summary.unread))
        console.print(
            "these fields are left unknown (a status not understood quarantines its row); "
            "map such values in the source's profile (values:) to read them: docs/formats.md"
        )
    if summary.quarantined:
        table = Table(title="quarantined rows (first ones)", title_justify="left")
        for column in ("row", "record_id", "field", "reason"):
            table.add_column(column)
        for item in summary.quarantined:
            for error in item.errors:
                table.add_row(
                    str(item.row_number), item.record_id or "-", error.field, error.reason
                )
        console.print(table)
        console.print("see all: marsad quarantine list; correct them: marsad quarantine export")


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX, JSON or JSON Lines files.")],
    source: Annotated[str, typer.Option(help="The source (organisation) that sent the file.")],
    kind: Annotated[
        str | None, typer.Option(help=f"Source kind, for a new source: {', '.join(SOURCE_KINDS)}.")
    ] = None,
    copies: Annotated[
        str | None, typer.Option(help="Another source this one copies (not independent).")
    ] = None,
    profile: Annotated[
        Path | None, typer.Option(help="Mapping profile (YAML) for a non-standard file.")
    ] = None,
    user: Annotated[str, typer.Option(help="Who is importing, for the import record.")] = "cli",
    db: DbOption = None,
) -> None:
    """Ingest files from one source; each file is one transaction."""
    engine = store(db)
    for path in files:
        progress, advance = row_progress(f"ingesting {path.name}")
        with user_errors(), progress:
            summary = ingest_file(
                engine,
                path,
                source,
                kind=kind,
                copies=copies,
                profile_path=profile,
                user=user,
                progress=advance,
            )
        ingest_summary(summary)


@quarantine_app.command("list")
def quarantine_list(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    include_resolved: Annotated[
        bool, typer.Option("--all", help="Also rows since corrected and re-ingested.")
    ] = False,
    db: DbOption = None,
) -> None:
    """List quarantined rows with the field and reason of each refusal."""
    engine = store(db)
    table = Table(title="quarantine", title_justify="left")
    for column in ("source", "file", "row", "record_id", "field", "reason"):
        table.add_column(column)
    count = 0
    for item in quarantine_items(engine, source, include_resolved):
        count += 1
        for field, reason in item.reasons:
            table.add_row(
                item.source,
                item.file_name,
                str(item.row_number),
                item.record_id or "-",
                field,
                reason,
            )
    console.print(table)
    console.print(f"{count:,} quarantined rows")


@quarantine_app.command("export")
def quarantine_export(
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    user: Annotated[str, typer.Option("--user", help="Who exports; kept in the audit log.")] = (
        "cli"
    ),
    db: DbOption = None,
) -> None:
    """Write quarantined rows (original columns + reasons, names included: the file is
    readable by you only, and the export is audited) to correct and ingest again."""
    engine = store(db)
    count = export_quarantine(engine, out, source, user)
    console.print(f"{count:,} quarantined rows written to {out}")


def link_summary(summary: LinkSummary) -> None:
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
    for warning in summary.splink_warnings:
        console.print(f"Splink: {warning}", style="dim")
    if summary.review_pairs or clusters.flagged:
        console.print("review them: marsad review")


@app.command("link")
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
    db: DbOption = None,
) -> None:
    """Group records into persons (rule + trained model; reviewers' decisions win)."""
    engine = store(db)
    with user_errors():
        trained = json.loads(model.read_text(encoding="utf-8")) if model else None
    with stage_progress("linking") as say, user_errors():
        summary = link(
            engine,
            linker=engine_name,
            user=user,
            progress=say,
            trained=trained,
            review_threshold=review_threshold,
        )
    link_summary(summary)
    if model_out is not None:
        used = run_model(engine, summary.run_id)
        if used is None:
            fail("no model was used in this run (too few records); nothing written")
        model_out.write_text(json.dumps(used, indent=1), encoding="utf-8")
        console.print(f"model written to {model_out}")


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
        *(
            (f"not asked of {source} (never recorded)", ", ".join(what))
            for source, what in identifiability.get("waived", {}).items()
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


@app.command()
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
    strata = [s.strip() for s in by.split(",") if s.strip()] if by else []
    settings: dict[str, Any] = {
        "preset": preset.value,
        "seed": seed,
        "criterion": criterion,
        "level": level,
    }
    with user_errors():
        table = read_histories_csv(histories) if histories is not None else None
        if method == Method.all:
            outcome: EstimateResult | Comparison = (
                compare_histories(table, **settings)
                if table is not None
                else compare_store(
                    store(db), by=strata, linkage_draws=linkage_draws, user=user, **settings
                )
            )
        elif table is not None:
            outcome = estimate_histories(table, method=method.value, **settings)
        else:
            outcome = estimate_store(
                store(db),
                by=strata,
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


class ExportKind(StrEnum):
    persons = "persons"
    records = "records"
    counts = "counts"
    links = "links"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    parquet = "parquet"
    hxl = "hxl"


@app.command()
def export(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[ExportFormat, typer.Option(help="File format.")] = ExportFormat.csv,
    by: Annotated[str, typer.Option(help="Counts: group by (comma-separated).")] = "governorate",
    status: Annotated[str, typer.Option(help="killed, missing… or 'any'.")] = "killed",
    include_names: Annotated[
        bool,
        typer.Option(
            "--include-names",
            help="Names and source ids, for authorised internal use only; audited.",
        ),
    ] = False,
    user: Annotated[str, typer.Option("--user", help="Who exports; kept in the audit log.")] = (
        "cli"
    ),
    min_cell: Annotated[
        int,
        typer.Option(
            min=1,
            help="Counts: leave counts below this empty, for readers who may not see names "
            "(5 is the web's setting for them).",
        ),
    ] = 1,
    db: DbOption = None,
) -> None:
    """Export persons, records or counts (pseudonymised unless --include-names), or links."""
    engine = store(db)
    with user_errors():
        if kind == ExportKind.links:
            count = export_links(engine, out)
        else:
            count = export_table(
                engine,
                kind.value,
                out,
                format.value,
                user=user,
                include_names=include_names,
                by=[b.strip() for b in by.split(",") if b.strip()],
                status=None if status == "any" else status,
                min_cell=min_cell,
            )
    names = "with names (audited)" if include_names else "pseudonymised"
    console.print(f"{count:,} {kind.value} rows written to {out} ({format.value}, {names})")


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="File to write: .html or .pdf.")] = Path("report.html"),
    by: Annotated[str, typer.Option(help="Strata for the estimate.")] = "governorate",
    lang: Annotated[str, typer.Option(help="Language: en or ar.")] = "en",
    db: DbOption = None,
) -> None:
    """Write the report: self-contained HTML, or PDF (no network needed for either)."""
    engine = store(db)
    strata = [s.strip() for s in by.split(",") if s.strip()]
    with user_errors():
        data = write_report(engine, out, strata, lang=lang)
    console.print(
        summary_table(
            f"report written to {out}",
            [
                ("sources", len(data.sources)),
                ("records", data.records_total),
                ("persons", data.persons_total),
            ],
        )
    )


@incidents_app.command("ingest")
def incidents_ingest(
    path: Annotated[Path, typer.Argument(help="CSV or XLSX of incidents (see docs/formats.md).")],
    source: Annotated[str, typer.Option(help="Source name.")],
    user: Annotated[str, typer.Option("--user", help="Who imports.")] = "cli",
    db: DbOption = None,
) -> None:
    """Import incident reports of deaths without names, counted apart with their range."""
    engine = store(db)
    with user_errors():
        summary = ingest_incidents(engine, path, source, user)
    ingest_summary(summary)


@app.command()
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
) -> None:
    """Write a synthetic scenario: overlapping source lists with their ground truth."""
    with user_errors():
        shapes = resolve_shapes(shape, lists) if shape is not None else None
        count = len(shapes) if shapes is not None else lists or 4
        scenario = generate(seed=seed, people=people, lists=count, shapes=shapes)
        paths = write_scenario(scenario, out_dir)
    console.print(
        summary_table(f"scenario written to {out_dir}", [(p.name, p.stat().st_size) for p in paths])
    )


@app.command()
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
    with user_errors(), progress:
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
