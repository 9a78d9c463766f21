"""`marsad report`: the report as one self-contained HTML file or a PDF, in English or Arabic."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from marsad.cli.common import DbOption, console, store, strata, summary_table
from marsad.services.report import write_report


def report(
    out: Annotated[Path, typer.Option(help="File to write: .html or .pdf.")] = Path("report.html"),
    by: Annotated[str, typer.Option(help="Strata for the estimate.")] = "governorate",
    lang: Annotated[str, typer.Option(help="Language: en or ar.")] = "en",
    db: DbOption = None,
) -> None:
    """Write the report: self-contained HTML, or PDF (no network needed for either)."""
    engine = store(db)
    data = write_report(engine, out, strata(by), lang=lang)
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
