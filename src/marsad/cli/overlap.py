"""`marsad overlap secret`, `encode` and `link`: counting overlap between organisations that do
not share names (docs/methodology.md, "Encoded linkage between organisations").

Each party encodes its own list with the shared secret; a linkage unit without the secret
links the encoded files and writes the capture histories `marsad estimate --histories` reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from marsad.cli.common import DbOption, command_group, console, errors, stage_progress, store
from marsad.errors import InputError
from marsad.services.overlap import (
    EncodeSummary,
    encode_file,
    encode_source,
    link_files,
    make_secret,
    provenance_path,
)

overlap_app = command_group(
    help="Count overlap with other organisations without sharing names (encoded lists).",
    no_args_is_help=True,
)

SecretOption = Annotated[
    Path,
    typer.Option(
        "--secret-file",
        help="The secret all parties share (`marsad overlap secret`); never give it to the "
        "linkage unit.",
    ),
]
SchemaOption = Annotated[
    Path | None,
    typer.Option("--schema", help="Encoding schema shared by all parties (default: Marsad's own)."),
]


@overlap_app.command("secret")
def secret_command(
    out: Annotated[Path, typer.Argument(help="File to write the new secret to (never replaced).")],
) -> None:
    """Make a new random secret for one overlap count; share it with the other parties, out of
    band, and never with the linkage unit."""
    check = make_secret(out)
    console.print(f"secret written to {escape(str(out))} (readable by you only)")
    console.print(f"check value {check}: every party's encode should print the same")


def _encoded(summary: EncodeSummary) -> None:
    console.print(
        f"{summary.records:,} records of list {escape(summary.label)} encoded to "
        f"{escape(summary.out)} (schema {escape(summary.schema)}, secret check "
        f"{summary.secret_check})"
    )
    if summary.rejected:
        errors.print(
            f"[yellow]{summary.rejected:,} rows could not be read and were not encoded:[/]",
            highlight=False,
        )
        for row in summary.rejected_rows:
            reasons = "; ".join(f"{e.field}: {e.reason}" for e in row.errors)
            errors.print(Text(f"  row {row.row_number}: {reasons}"), soft_wrap=True)
        if summary.rejected > len(summary.rejected_rows):
            errors.print(f"  … and {summary.rejected - len(summary.rejected_rows):,} more")


@overlap_app.command("encode")
def encode_command(
    secret_file: SecretOption,
    out: Annotated[Path, typer.Option(help="Encoded file to write (send it to the linkage unit).")],
    file: Annotated[
        Path | None, typer.Argument(help="The list: CSV, XLSX, JSON… as `marsad ingest` reads.")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Encode a source already in the store instead of a file.")
    ] = None,
    list_label: Annotated[
        str | None,
        typer.Option(
            "--list", help="The list's name in the histories (default: the file or source)."
        ),
    ] = None,
    profile: Annotated[
        Path | None, typer.Option(help="Mapping profile (YAML) for the file, as for ingest.")
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(help="Rules file whose identifiability rule marks counted records."),
    ] = None,
    status: Annotated[
        str, typer.Option(help="Status of the records counted in histories, or 'any'.")
    ] = "killed",
    map_out: Annotated[
        Path | None,
        typer.Option(
            "--map-out",
            help="Also write row id → record id, to read the linkage unit's answer; keep it.",
        ),
    ] = None,
    schema: SchemaOption = None,
    user: Annotated[str, typer.Option("--user", help="Who encodes; kept in the audit log.")] = (
        "cli"
    ),
    db: DbOption = None,
) -> None:
    """Encode a list into keyed Bloom filters: opaque row ids and encodings, no names."""
    if (file is None) == (source is None):
        raise InputError("give either a list file or --source NAME, not both")
    if source is not None:
        summary = encode_source(
            store(db),
            source,
            secret_file,
            out,
            label=list_label,
            schema_path=schema,
            status=status,
            map_out=map_out,
            user=user,
        )
    elif file is not None:
        with stage_progress("reading") as say:
            summary = encode_file(
                file,
                secret_file,
                out,
                label=list_label,
                profile_path=profile,
                schema_path=schema,
                rules_path=rules,
                status=status,
                map_out=map_out,
                progress=say,
            )
    _encoded(summary)


@overlap_app.command("link")
def link_command(
    files: Annotated[list[Path], typer.Argument(help="Encoded lists, one per party.")],
    out: Annotated[Path, typer.Option(help="Capture-history table to write (CSV).")],
    pairs_out: Annotated[
        Path | None,
        typer.Option(
            "--pairs-out",
            help="Folder for one file per party: only its row ids, with linkage unit ids.",
        ),
    ] = None,
    copies: Annotated[
        list[str] | None,
        typer.Option(
            "--copies",
            help="LIST=ORIGINAL: LIST copies ORIGINAL (not independent); folded into it in the "
            "histories. Repeat for each copying list.",
        ),
    ] = None,
    schema: SchemaOption = None,
) -> None:
    """Link encoded lists (no secret needed) and write their capture histories."""
    copied = {}
    for pair in copies or []:
        copy, _, original = pair.partition("=")
        if not copy.strip() or not original.strip():
            raise InputError(f"--copies {pair!r}: write it LIST=ORIGINAL")
        copied[copy.strip()] = original.strip()
    with stage_progress("reading") as say:
        summary = link_files(
            files, out, pairs_out=pairs_out, schema_path=schema, copies=copied, progress=say
        )
    table = Table(title="encoded linkage", title_justify="left")
    table.add_column("list")
    table.add_column("records", justify="right")
    for label, count in summary.lists.items():
        table.add_row(Text(label), f"{count:,}")
    console.print(table)
    overlaps = Table(title="persons on both lists", title_justify="left")
    overlaps.add_column("lists")
    overlaps.add_column("persons", justify="right")
    for pair, count in summary.overlaps.items():
        overlaps.add_row(Text(pair), f"{count:,}")
    console.print(overlaps)
    console.print(
        f"{summary.persons:,} persons; {summary.pairs_compared:,} pairs compared, "
        f"{summary.machine_links:,} links (schema {escape(summary.schema)})"
    )
    for copy, original in summary.copies.items():
        console.print(f"{escape(copy)} folded into {escape(original)} (it copies it)")
    console.print(
        f"histories written to {escape(str(out))}, provenance to "
        f"{escape(str(provenance_path(out)))}"
    )
    for path in summary.pairs_files:
        console.print(f"units for one party: {escape(path)}")
    console.print(f"estimate: marsad estimate --histories {escape(str(out))}", style="dim")
