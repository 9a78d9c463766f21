"""`marsad export`: persons, records or counts (pseudonymised unless asked), or links, as CSV,
JSON, Parquet or HXL."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.common import DbOption, console, store, strata
from marsad.publish.tables import FORMATS
from marsad.services.exports import EXPORT_KINDS, export_links, export_table

ExportKind = StrEnum("ExportKind", [(k, k) for k in (*EXPORT_KINDS, "links")])  # type: ignore[misc]
ExportFormat = StrEnum("ExportFormat", [(f, f) for f in FORMATS])  # type: ignore[misc]
"""The registered export formats (`publish.tables.WRITERS`)."""


def export(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    out: Annotated[Path, typer.Option(help="File to write.")],
    format: Annotated[ExportFormat, typer.Option(help="File format.")] = ExportFormat("csv"),
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
    if kind == "links":
        count = export_links(engine, out)
    else:
        count = export_table(
            engine,
            kind.value,
            out,
            format.value,
            user=user,
            include_names=include_names,
            by=strata(by),
            status=None if status == "any" else status,
            min_cell=min_cell,
        )
    names = "with names (audited)" if include_names else "pseudonymised"
    console.print(f"{count:,} {kind.value} rows written to {out} ({format.value}, {names})")
