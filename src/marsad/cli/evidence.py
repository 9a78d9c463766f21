"""`marsad evidence …`: store files as evidence with hashes and trusted timestamps, keep the
custody log, verify everything, package an incident for an accountability mechanism; and
`marsad evidence testimony …` and `… witness …` for statements and protected witnesses.

Every command that touches an item or a testimony names who (`--user`) and most say why
(`--reason`): both go into the custody log. Text from files and users is printed as plain
text (never Rich markup).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from marsad.cli.common import DbOption, command_group, console, errors, fail, store
from marsad.evidence.errors import EvidenceError
from marsad.services.evidence import (
    DERIVATIONS,
    Added,
    EvidenceSettings,
    ItemView,
    Receipt,
    add_evidence,
    custody_entries,
    derive_item,
    download_item,
    evidence_settings,
    list_items,
    show_item,
    timestamp_pending,
    transfer_item,
    verify_evidence,
)
from marsad.services.evidence_package import package_incident
from marsad.services.testimony import (
    CONSENT_SCOPES,
    Statement,
    add_testimony,
    add_witness,
    list_testimonies,
    load_kek,
    reveal_witness,
    rotate_kek,
    show_testimony,
    withdraw_consent,
    write_new_key,
)

evidence_app = command_group(
    help="Evidence: files with hashes, trusted timestamps and a custody log; testimony.",
    no_args_is_help=True,
)
testimony_app = command_group(
    help="Witnesses' statements, with their consent.", no_args_is_help=True
)
witness_app = command_group(
    help="Witnesses: identity and contact encrypted; only the protection role opens them.",
    no_args_is_help=True,
)
evidence_app.add_typer(testimony_app, name="testimony")
evidence_app.add_typer(witness_app, name="witness")

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
KeyFileOption = Annotated[
    str | None,
    typer.Option(
        "--key-file",
        help="The witness key file (default: $MARSAD_WITNESS_KEY_FILE or $MARSAD_WITNESS_KEY).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _settings(
    db: str | None,
    evidence_dir: str | None,
    tsa: str | None = None,
    tsa_certs: str | None = None,
) -> tuple[Engine, EvidenceSettings]:
    engine = store(db)
    return engine, evidence_settings(engine, evidence_dir, tsa, tsa_certs)


def _print_added(added: list[Added]) -> None:
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
    engine, settings = _settings(db, evidence_dir, tsa, tsa_certs)
    receipt = Receipt(source, person, incident, None, collected_by, collected_on, description)
    added = add_evidence(engine, settings, files, receipt, user)
    _print_added(added)


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
    engine, settings = _settings(db, evidence_dir, tsa, tsa_certs)
    added = derive_item(engine, settings, original, file, kind, user, reason)
    _print_added([added])


@evidence_app.command("timestamp")
def timestamp_command(
    user: UserOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
    tsa: TsaOption = None,
    tsa_certs: TsaCertsOption = None,
) -> None:
    """Ask the TSA again for every item that has no timestamp token yet."""
    engine, settings = _settings(db, evidence_dir, tsa, tsa_certs)
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
    engine, settings = _settings(db, evidence_dir)
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
    engine, settings = _settings(db, evidence_dir)
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
    engine, settings = _settings(db, evidence_dir)
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
    engine, settings = _settings(db, evidence_dir, None, tsa_certs)
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
    engine, settings = _settings(db, evidence_dir, tsa, tsa_certs)
    summary = package_incident(engine, settings, incident, out, user, reason)
    console.print(
        Text(
            f"{summary.path}: {summary.items:,} originals ({summary.timestamped:,} timestamped), "
            f"{summary.testimonies:,} testimonies; SHA-256 {summary.sha256}"
        )
    )


# Witnesses.


@witness_app.command("new-key")
def new_key_command(
    path: Annotated[Path, typer.Argument(help="Where to write the key (never overwritten).")],
) -> None:
    """Make a witness key (key-encryption key). Keep it off the store's machine's backups,
    and keep a copy safe: without it no witness can be opened."""
    write_new_key(path)
    console.print(Text(f"witness key written to {path} (readable by its owner only)"))


@witness_app.command("add")
def witness_add_command(
    pseudonym: Annotated[str, typer.Argument(help="How the team names the witness.")],
    user: UserOption,
    from_stdin: Annotated[
        bool,
        typer.Option("--from-stdin", help="Read the identity, then the contact, one line each."),
    ] = False,
    key_file: KeyFileOption = None,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """Record a witness: identity and contact are asked for (never arguments, which the
    shell's history would keep) and stored encrypted."""
    engine, settings = _settings(db, evidence_dir)
    kek = load_kek(key_file)
    if from_stdin:
        lines = sys.stdin.read().splitlines()
        identity = lines[0] if lines else ""
        contact = lines[1] if len(lines) > 1 else None
    else:
        identity = typer.prompt("identity (name, and what identifies the witness)")
        contact = typer.prompt("contact (empty for none)", default="", show_default=False)
    witness_id = add_witness(engine, settings, kek, pseudonym, identity, contact, user)
    console.print(Text(f"witness {pseudonym} recorded (id {witness_id}); identity encrypted"))


@witness_app.command("show")
def witness_show_command(
    pseudonym: Annotated[str, typer.Argument(help="The witness's pseudonym.")],
    user: Annotated[str, typer.Option("--user", help="An account with the protection role.")],
    reason: ReasonOption,
    key_file: KeyFileOption = None,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """Decrypt a witness's identity and contact (protection role only; logged first)."""
    engine, settings = _settings(db, evidence_dir)
    opened = reveal_witness(engine, settings, load_kek(key_file), pseudonym, user, reason)
    console.print(Text(f"witness {opened.pseudonym}"), style="bold")
    console.print(Text(f"identity: {opened.identity}"))
    console.print(Text(f"contact: {opened.contact or '—'}"))


@witness_app.command("rotate-key")
def rotate_key_command(
    new_key_file: Annotated[str, typer.Option("--new-key-file", help="The new witness key.")],
    user: UserOption,
    key_file: KeyFileOption = None,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """Rewrap the data keys under a new witness key; no witness row is rewritten."""
    engine, settings = _settings(db, evidence_dir)
    count = rotate_kek(engine, settings, load_kek(key_file), load_kek(new_key_file), user)
    console.print(f"{count:,} data keys rewrapped; the old witness key no longer opens them")


# Testimony.


def _read_text(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EvidenceError(f"{path}: cannot read the statement as UTF-8 text ({error})") from None


@testimony_app.command("add")
def testimony_add_command(
    witness: Annotated[str, typer.Option("--witness", help="The witness's pseudonym.")],
    interviewer: Annotated[str, typer.Option("--interviewer")],
    date: Annotated[str, typer.Option("--date", help="When it was taken (YYYY-MM-DD).")],
    language: Annotated[str, typer.Option("--language", help="e.g. ar, en, ku")],
    consent: Annotated[str, typer.Option("--consent", help=" / ".join(CONSENT_SCOPES))],
    consent_date: Annotated[str, typer.Option("--consent-date", help="YYYY-MM-DD")],
    consent_by: Annotated[str, typer.Option("--consent-by", help="Who took the consent.")],
    source: Annotated[str, typer.Option("--source", help="The team or channel.")],
    user: UserOption,
    place: Annotated[str | None, typer.Option("--place")] = None,
    statement_ar: Annotated[
        Path | None, typer.Option("--statement-ar", help="The statement in Arabic (file).")
    ] = None,
    statement_en: Annotated[
        Path | None, typer.Option("--statement-en", help="The statement in English (file).")
    ] = None,
    person: Annotated[int | None, typer.Option("--person")] = None,
    incident: Annotated[int | None, typer.Option("--incident")] = None,
    recording: Annotated[
        list[Path] | None, typer.Option("--recording", help="A recording (repeatable).")
    ] = None,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
    tsa: TsaOption = None,
    tsa_certs: TsaCertsOption = None,
) -> None:
    """Record a testimony, its consent, and its recordings as evidence items."""
    engine, settings = _settings(db, evidence_dir, tsa, tsa_certs)
    statement = Statement(
        witness, interviewer, date, language, consent, consent_date, consent_by, source,
        place, _read_text(statement_ar), _read_text(statement_en), person, incident,
    )  # fmt: skip
    testimony_id, added = add_testimony(engine, settings, statement, recording or [], user)
    console.print(f"testimony {testimony_id} recorded")
    if added:
        _print_added(added)


@testimony_app.command("list")
def testimony_list_command(
    incident: Annotated[int | None, typer.Option("--incident")] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Testimonies (consent not withdrawn), witnesses by pseudonym; statements not shown."""
    engine = store(db)
    found = list_testimonies(engine, incident)
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {k: v for k, v in asdict(t).items() if not k.startswith("statement")}
                    | {"created_at": t.created_at.isoformat()}
                    for t in found
                ]
            )
        )
        return
    table = Table(title=f"{len(found):,} testimonies", title_justify="left")
    for column in ("id", "witness", "taken", "language", "incident", "consent", "recordings"):
        table.add_column(column)
    for t in found:
        table.add_row(
            str(t.id),
            Text(t.witness),
            t.taken_on,
            t.language,
            str(t.incident_id or "—"),
            t.consent_scope,
            ", ".join(map(str, t.recordings)) or "—",
        )
    console.print(table)


@testimony_app.command("show")
def testimony_show_command(
    testimony: Annotated[int, typer.Argument(help="The testimony's id.")],
    user: UserOption,
    reason: ReasonOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """A testimony's statement (logged as a view); the witness by pseudonym."""
    engine, settings = _settings(db, evidence_dir)
    t = show_testimony(engine, settings, testimony, user, reason)
    console.print(
        Text(f"testimony {t.id}: witness {t.witness}, {t.taken_on}, {t.place or '—'}"),
        style="bold",
    )
    console.print(
        Text(
            f"interviewer {t.interviewer}; consent {t.consent_scope} on {t.consent_on}, "
            f"taken by {t.consent_taken_by}"
        )
    )
    for label, text in (("Arabic", t.statement_ar), ("English", t.statement_en)):
        if text:
            console.print(f"[bold]{label}[/]")
            console.print(Text(text))


@testimony_app.command("withdraw")
def testimony_withdraw_command(
    testimony: Annotated[int, typer.Argument(help="The testimony's id.")],
    user: UserOption,
    reason: ReasonOption,
    db: DbOption = None,
    evidence_dir: EvidenceDirOption = None,
) -> None:
    """The witness withdrew consent: the testimony leaves every list, view and export."""
    engine, settings = _settings(db, evidence_dir)
    withdraw_consent(engine, settings, testimony, user, reason)
    console.print(f"testimony {testimony}: consent withdrawn")
