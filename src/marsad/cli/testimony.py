"""`marsad evidence witness …` and `marsad evidence testimony …`: protected witnesses (identity
and contact encrypted; only the protection role opens them) and their statements, with consent.

Every command names who (`--user`); text from files and users is printed as plain text.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli.common import DbOption, command_group, console, store
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
from marsad.evidence.errors import EvidenceError
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

testimony_app = command_group(
    help="Witnesses' statements, with their consent.", no_args_is_help=True
)
witness_app = command_group(
    help="Witnesses: identity and contact encrypted; only the protection role opens them.",
    no_args_is_help=True,
)
KeyFileOption = Annotated[
    str | None,
    typer.Option(
        "--key-file",
        help="The witness key file (default: $MARSAD_WITNESS_KEY_FILE or $MARSAD_WITNESS_KEY).",
        show_default=False,
    ),
]


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
    engine, settings = evidence_store(db, evidence_dir)
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
    engine, settings = evidence_store(db, evidence_dir)
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
    engine, settings = evidence_store(db, evidence_dir)
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
    engine, settings = evidence_store(db, evidence_dir, tsa, tsa_certs)
    statement = Statement(
        witness, interviewer, date, language, consent, consent_date, consent_by, source,
        place, _read_text(statement_ar), _read_text(statement_en), person, incident,
    )  # fmt: skip
    testimony_id, added = add_testimony(engine, settings, statement, recording or [], user)
    console.print(f"testimony {testimony_id} recorded")
    if added:
        print_added(added)


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
    engine, settings = evidence_store(db, evidence_dir)
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
    engine, settings = evidence_store(db, evidence_dir)
    withdraw_consent(engine, settings, testimony, user, reason)
    console.print(f"testimony {testimony}: consent withdrawn")
