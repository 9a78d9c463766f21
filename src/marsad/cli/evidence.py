"""`marsad evidence …`: store files as evidence with hashes and trusted timestamps, keep the
custody log, verify everything, package an incident for an accountability mechanism. Its
`testimony` and `witness` groups are in `marsad.cli.testimony`.

Every command that touches an item or a testimony names who (`--user`) and most say why
(`--reason`): both go into the custody log. Text from files and users is printed as plain
text (never Rich markup).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli.common import DbOption, command_group, console, errors, fail, store
from marsad.cli.evidence_common import (
    EvidenceDirOption,
    JsonOption,
    ReasonOption,
    TsaCertsOption,
    TsaOption,
    UserOption,
    evidence_store,
    print_added,
)
from marsad.cli.testimony import testimony_app, witness_app
from marsad.services.evidence import DERIVATIONS, Receipt, add_evidence, derive_item
from marsad.services.evidence_custody import custody_entries
from marsad.services.evidence_items import (
    ItemView,
    download_item,
    list_items,
    show_item,
    transfer_item,
)
from marsad.services.evidence_package import package_incident
from marsad.services.evidence_timestamps import timestamp_pending
from marsad.services.evidence_verify import verify_evidence

evidence_app = command_group(
    help="Evidence: files with hashes, trusted timestamps and a custody log; testimony.",
    no_args_is_help=True,
)
evidence_app.add_typer(testimony_app, name="testimony")
evidence_app.add_typer(witness_app, name="witness")


@evidence_app.command("add")
def add_command(
    files: Annotated[list[Path], typer.Argument(help="The files, kept exactly as they are.")],
    source: Annotated[str, typer.Option("--source", help="Who or what channel sent them.")],
    user: UserOption,
    person: Annotated[int | None, typer.Option("--person", help="The person they concern.")] = None,
    incident: Annotated[
        int | None, typer.Option("--incident", help="The incident report they concern.")
    ] = None,
    collected_by: Annotated[str | None, typer.Option("--collected-by")] = None,
    collected_on: Annotated[str | None, typer.Option("--collected-on", help="YYYY-MM-DD")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
    tsa: TsaOption = None,
    tsa_certs: TsaCertsOption = None,
) -> None:
    """Store files as evidence: hashed (SHA-256, SHA-512) while copied, read-only,
    timestamped by the TSA, with their media type and capture metadata."""
    engine, settings = evidence_store(db, evidence_dir, tsa, tsa_certs)
    receipt = Receipt(source, person, incident, None, collected_by, collected_on, description)
    added = add_evidence(engine, settings, files, receipt, user)
    print_added(added)


@evidence_app.command("derive")
def derive_command(
    original: Annotated[int, typer.Argument(help="The original item's id.")],
    file: Annotated[Path, typer.Argument(help="The working copy.")],
    kind: Annotated[str, typer.Option("--kind", help=" or ".join(DERIVATIONS))],
    user: UserOption,
    reason: ReasonOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
    tsa: TsaOption = None,
    tsa_certs: TsaCertsOption = None,
) -> None:
    """Store a redacted or transcoded working copy that points to its original."""
    engine, settings = evidence_store(db, evidence_dir, tsa, tsa_certs)
    added = derive_item(engine, settings, original, file, kind, user, reason)
    print_added([added])


@evidence_app.command("timestamp")
def timestamp_command(
    user: UserOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
    tsa: TsaOption = None,
    tsa_certs: TsaCertsOption = None,
) -> None:
    """Ask the TSA again for every item that has no timestamp token yet."""
    engine, settings = evidence_store(db, evidence_dir, tsa, tsa_certs)
    done, failed = timestamp_pending(engine, settings, user)
    console.print(f"{len(done):,} items timestamped")
    for message in failed:
        errors.print(Text(message), style="yellow")
    if failed:
        raise typer.Exit(1)


def _item_json(item: ItemView) -> dict[str, Any]:
    document = asdict(item)
    for entry in document["custody"]:
        entry["at"] = entry["at"].isoformat()
    for provenance in document["provenances"]:
        provenance["added_at"] = provenance["added_at"].isoformat()
    for key in ("added_at", "timestamped_at"):
        document[key] = document[key] and document[key].isoformat()
    return document


@evidence_app.command("list")
def list_command(
    incident: Annotated[int | None, typer.Option("--incident")] = None,
    person: Annotated[int | None, typer.Option("--person")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Evidence items, newest first (no content is shown, so nothing is logged)."""
    engine = store(db)
    items = list_items(engine, incident, person)
    if as_json:
        console.print_json(json.dumps([_item_json(i) for i in items]))
        return
    table = Table(title=f"{len(items):,} evidence items", title_justify="left")
    for column in ("item", "type", "size", "sha256", "timestamp", "received from"):
        table.add_column(column)
    for i in items:
        table.add_row(
            str(i.id) + (f" ({i.derivation} of {i.derived_from})" if i.derived_from else ""),
            i.media_type,
            f"{i.size:,}",
            i.sha256[:16] + "…",
            i.timestamped_at.isoformat(timespec="seconds") if i.timestamped_at else "—",
            Text(", ".join(sorted({p.source for p in i.provenances})) or "—"),
        )
    console.print(table)


@evidence_app.command("show")
def show_command(
    item: Annotated[int, typer.Argument(help="The item's id.")],
    user: UserOption,
    reason: ReasonOption,
    as_json: JsonOption = False,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """An item's hashes, metadata, provenance and custody history (logged as a view)."""
    engine, settings = evidence_store(db, evidence_dir)
    view = show_item(engine, settings, item, user, reason)
    if as_json:
        console.print_json(json.dumps(_item_json(view)))
        return
    facts = Table(show_header=False, title=f"evidence item {view.id}", title_justify="left")
    facts.add_column(style="bold")
    facts.add_column()
    for label, value in (
        ("SHA-256", view.sha256),
        ("SHA-512", view.sha512),
        ("size", f"{view.size:,} bytes"),
        ("media type", view.media_type),
        ("capture", json.dumps(view.capture, ensure_ascii=False) if view.capture else "—"),
        ("derived from", f"{view.derived_from} ({view.derivation})" if view.derived_from else "—"),
        ("added", f"{view.added_at.isoformat(timespec='seconds')} by {view.added_by}"),
        ("timestamp", _timestamp_text(view)),
    ):
        facts.add_row(label, Text(value))
    console.print(facts)
    received = Table(title="received", title_justify="left")
    for column in ("source", "file", "collected", "person", "incident", "testimony"):
        received.add_column(column)
    for p in view.provenances:
        received.add_row(
            Text(p.source),
            Text(p.file_name or "—"),
            Text(" ".join(x for x in (p.collected_by, p.collected_on) if x) or "—"),
            str(p.person_id or "—"),
            str(p.incident_id or "—"),
            str(p.testimony_id or "—"),
        )
    console.print(received)
    _print_entries(view.custody, "custody")


def _timestamp_text(view: ItemView) -> str:
    if view.timestamped_at is None:
        return "none yet (marsad evidence timestamp)"
    return f"{view.timestamped_at.isoformat(timespec='seconds')}Z by {view.timestamp_tsa}"


def _print_entries(entries: list[Any], title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("#", "when (UTC)", "who", "what", "item", "testimony", "why", "hash"):
        table.add_column(column)
    for e in entries:
        table.add_row(
            str(e.seq),
            e.at.isoformat(timespec="seconds"),
            Text(e.actor),
            e.action,
            str(e.item_id or ""),
            str(e.testimony_id or ""),
            Text(e.reason),
            e.entry_hash[:12] + "…",
        )
    console.print(table)


@evidence_app.command("get")
def get_command(
    item: Annotated[int, typer.Argument(help="The item's id.")],
    out: Annotated[Path, typer.Option("--out", help="A file, or a folder to write it into.")],
    user: UserOption,
    reason: ReasonOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """Copy an original out of the store, checking its hash (logged as a download)."""
    engine, settings = evidence_store(db, evidence_dir)
    written = download_item(engine, settings, item, out, user, reason)
    console.print(Text(f"item {item} written to {written}"))


@evidence_app.command("transfer")
def transfer_command(
    item: Annotated[int, typer.Argument(help="The item's id.")],
    to: Annotated[str, typer.Option("--to", help="Who received it.")],
    user: UserOption,
    reason: ReasonOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """Record that an item (or the medium it came on) was handed to someone."""
    engine, settings = evidence_store(db, evidence_dir)
    transfer_item(engine, settings, item, to, user, reason)
    console.print(Text(f"item {item}: transfer to {to} recorded"))


@evidence_app.command("log")
def log_command(
    item: Annotated[int | None, typer.Option("--item", help="Only this item's entries.")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The custody log, oldest first."""
    engine = store(db)
    with engine.connect() as conn:
        entries = custody_entries(conn, None if item is None else [item])
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {**e.body(), "prev_hash": e.prev_hash, "entry_hash": e.entry_hash}
                    for e in entries
                ]
            )
        )
        return
    _print_entries(entries, f"{len(entries):,} custody entries")


@evidence_app.command("verify")
def verify_command(
    user: UserOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
    tsa_certs: TsaCertsOption = None,
) -> None:
    """Re-hash every stored file, check every timestamp token and the custody chain; exit 1
    naming each item or entry that fails."""
    engine, settings = evidence_store(db, evidence_dir, None, tsa_certs)
    result = verify_evidence(engine, settings, user)
    console.print(
        f"{result.items:,} files re-hashed, {result.tokens:,} timestamp tokens, "
        f"{result.entries:,} custody entries checked"
    )
    if result.not_timestamped:
        errors.print(
            f"not timestamped yet: items {', '.join(map(str, result.not_timestamped))}",
            style="yellow",
        )
    if result.problems:
        for problem in result.problems:
            errors.print(Text(f"FAIL {problem}"), style="red")
        fail(f"{len(result.problems):,} problems found")
    console.print("everything verifies", style="green")


@evidence_app.command("package")
def package_command(
    incident: Annotated[int, typer.Option("--incident", help="The incident report's id.")],
    out: Annotated[Path, typer.Option("--out", help="The .zip file to write.")],
    user: UserOption,
    reason: ReasonOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
    tsa: TsaOption = None,
    tsa_certs: TsaCertsOption = None,
) -> None:
    """An evidence package for an accountability mechanism, checkable with `sha256sum -c`
    and `openssl ts -verify` alone (its README says how)."""
    engine, settings = evidence_store(db, evidence_dir, tsa, tsa_certs)
    summary = package_incident(engine, settings, incident, out, user, reason)
    console.print(
        Text(
            f"{summary.path}: {summary.items:,} originals ({summary.timestamped:,} timestamped), "
            f"{summary.testimonies:,} testimonies; SHA-256 {summary.sha256}"
        )
    )


# Witnesses.
