"""What the `marsad evidence` commands share: their options (who, why, where originals are
kept, the TSA) and how they open the store and print items received."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from marsad.cli.common import console, errors, store
from marsad.services.evidence import Added
from marsad.services.evidence_settings import EvidenceSettings, evidence_settings

UserOption = Annotated[str, typer.Option("--user", help="Who does it; kept in the custody log.")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why; kept in the custody log.")]
EvidenceDirOption = Annotated[
    str | None,
    typer.Option(
        "--evidence-dir",
        help="Where originals are kept (default: $MARSAD_EVIDENCE_DIR, or <store>.evidence/ "
        "beside a SQLite store).",
        show_default=False,
    ),
]
TsaOption = Annotated[
    str | None,
    typer.Option(
        "--tsa", help="RFC 3161 time-stamping authority URL (default: $MARSAD_TSA_URL).",
        show_default=False,
    ),
]  # fmt: skip
TsaCertsOption = Annotated[
    str | None,
    typer.Option(
        "--tsa-certs",
        help="PEM file with the TSA's certificate and root (default: $MARSAD_TSA_CERTS).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def evidence_store(
    db: str | None,
    evidence_dir: str | None,
    tsa: str | None = None,
    tsa_certs: str | None = None,
) -> tuple[Engine, EvidenceSettings]:
    engine = store(db)
    return engine, evidence_settings(engine, evidence_dir, tsa, tsa_certs)


def print_added(added: list[Added]) -> None:
    table = Table(title="evidence added", title_justify="left")
    for column in ("item", "file", "sha256", "size", "type", "timestamp"):
        table.add_column(column)
    for a in added:
        table.add_row(
            str(a.item_id) + (" (already stored)" if a.duplicate else ""),
            Text(a.file.name),
            a.sha256[:16] + "…",
            f"{a.size:,}",
            a.media_type,
            "yes" if a.timestamped else "no",
        )
    console.print(table)
    for a in added:
        if a.timestamp_error:
            errors.print(
                Text(f"item {a.item_id} has no timestamp yet: {a.timestamp_error}"),
                style="yellow",
            )
    if any(a.timestamp_error for a in added):
        errors.print("retry later with: marsad evidence timestamp --user NAME", style="dim")
