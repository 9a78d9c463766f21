"""`marsad ingest` and `marsad quarantine`: files from a source into records, and the rows that
could not become records, with their reasons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from marsad.cli.common import (
    DbOption,
    command_group,
    console,
    errors,
    row_progress,
    store,
    summary_table,
)
from marsad.services.exports import export_quarantine, quarantine_items
from marsad.services.ingest import IngestSummary, ingest_file
from marsad.store.models import SOURCE_KINDS

quarantine_app = command_group(help="Rows that could not become records, with their reasons.")


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
    """What one import added, left unread and quarantined (lists and incident reports alike)."""
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
        with progress:
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
