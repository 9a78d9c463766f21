"""`marsad missing …`: relatives' reports of missing persons, their cases, matching against
the persons of the store, the workflow (confirm, notify, close), consent withdrawal, the
reporter's contact for the tracing role, and partners' exports.

Names and places are printed as plain text (never Rich markup): they may contain brackets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli.common import DbOption, command_group, console, store
from marsad.cli.ingest import ingest_summary
from marsad.cli.testimony import KeyFileOption
from marsad.i18n import text
from marsad.services.testimony import load_kek
from marsad.services.tracing_cases import (
    CandidateView,
    act_on_case,
    case_counts,
    history,
    resolve_case,
    reveal_reporter,
    stored_candidates,
    withdraw_report,
)
from marsad.services.tracing_export import export_open_cases
from marsad.services.tracing_ingest import configured_kek, ingest_reports
from marsad.services.tracing_match import match_cases

missing_app = command_group(
    help="Missing persons: relatives' reports, cases, candidates and the tracing workflow.",
    no_args_is_help=True,
)

AudienceOption = Annotated[
    str,
    typer.Option(
        "--audience",
        help="Who it is for: internal (the team), partners or public; only cases whose "
        "reporters agreed to it.",
    ),
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of the reasons: en or ar.")]
TracerOption = Annotated[
    str, typer.Option("--user", help="An account with the tracing role; kept on record.")
]


def _why(keys: list[str] | tuple[str, ...], lang: str) -> list[str]:
    return [text(k, lang) for k in keys]


def _echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=1))


@missing_app.command("ingest")
def ingest_command(
    path: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON of missing-person reports.")],
    source: Annotated[str, typer.Option(help="Source name (e.g. the desk that took them).")],
    profile: Annotated[
        str | None, typer.Option(help="Mapping profile (YAML), e.g. for a KoBo export.")
    ] = None,
    key_file: KeyFileOption = None,
    user: Annotated[str, typer.Option("--user", help="Who imports.")] = "cli",
    db: DbOption = None,
) -> None:
    """Import relatives' reports (docs/formats.md), grouped into cases; reporters' names and
    contacts are sealed with the witness key."""
    engine = store(db)
    kek = configured_kek(key_file)
    summary = ingest_reports(engine, path, source, user, profile_path=profile, kek=kek)
    ingest_summary(summary)
    if not summary.already_imported:
        console.print(
            f"cases opened: {summary.cases_opened:,}; reports joining a case: "
            f"{summary.cases_joined:,}"
        )


@missing_app.command("match")
def match_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    audience: AudienceOption = "internal",
    lang: LangOption = "en",
    user: Annotated[str, typer.Option("--user", help="Who runs it; kept on record.")] = "cli",
    db: DbOption = None,
) -> None:
    """Score every open case against every person in the store; keep each case's candidates."""
    engine = store(db)
    matches = match_cases(
        engine, user, audience=audience, say=lambda m: None if as_json else console.print(Text(m))
    )
    if as_json:
        _echo_json([m.as_dict(lambda k: text(k, lang)) for m in matches])
        return
    table = Table(title=f"{len(matches):,} cases matched", title_justify="left")
    for column in ("case", "reports", "best candidate", "probability", "status"):
        table.add_column(column)
    for m in matches:
        best = m.candidates[0] if m.candidates else None
        table.add_row(
            str(m.case_id),
            Text(", ".join(m.report_ids)),
            str(best.person_id) if best else "-",
            f"{best.probability:.3f}" if best else "-",
            best.status if best else "-",
        )
    console.print(table)


@missing_app.command("candidates")
def candidates_command(
    ident: Annotated[
        str, typer.Argument(help="A case id, or the report_id of one of its reports.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    audience: AudienceOption = "internal",
    lang: LangOption = "en",
    db: DbOption = None,
) -> None:
    """One case's ranked candidates from its latest match (best first, at most 20)."""
    engine = store(db)
    with engine.connect() as conn:
        view = resolve_case(conn, audience, ident)
        found = stored_candidates(conn, view.case_id)
    if as_json:
        _echo_json([c.as_dict(lambda k: text(k, lang)) for c in found])
        return
    _candidates_table(found, lang)


def _candidates_table(found: list[CandidateView], lang: str) -> None:
    table = Table(title="candidates", title_justify="left")
    for column in ("person", "status", "probability", "records", "why"):
        table.add_column(column)
    for c in found:
        table.add_row(
            str(c.person_id),
            c.status,
            f"{c.probability:.3f}",
            Text(", ".join(f"{r['source']} {r['record_id']}" for r in c.records)),
            Text("; ".join(_why(c.why, lang))),
        )
    console.print(table if found else "no candidate (run `marsad missing match`)")


@missing_app.command("show")
def show_command(
    ident: Annotated[
        str, typer.Argument(help="A case id, or the report_id of one of its reports.")
    ],
    audience: AudienceOption = "internal",
    lang: LangOption = "en",
    db: DbOption = None,
) -> None:
    """A case: its state, its reports (never the reporter's contact), candidates and history."""
    engine = store(db)
    with engine.connect() as conn:
        view = resolve_case(conn, audience, ident)
        found = stored_candidates(conn, view.case_id)
        steps = history(conn, view.case_id)
    console.print(
        Text(f"case {view.case_id}: {text(f'tracing.state.{view.state}', lang)} "
             f"(consent: {view.consent_scope})")
    )  # fmt: skip
    for r in view.reports:
        born = (
            f"born {r.birth_year_min or '?'}–{r.birth_year_max}" if r.birth_year_max else "born ?"
        )
        console.print(
            Text(
                f"  report {r.report_ref} ({r.source}, {r.reported_on or 'undated'}, by the "
                f"{r.reporter_relationship or 'reporter'}): {r.name}; mother {r.name_mother or '?'}"
                f"; {r.sex or 'sex ?'}; {born}; last seen {r.last_seen_date or '?'} "
                f"{r.last_seen_place or ''}".rstrip()
            )
        )
    _candidates_table(found, lang)
    for at, step in steps:
        detail = ", ".join(f"{k}: {v}" for k, v in step.detail.items())
        console.print(
            Text(f"  {at:%Y-%m-%d %H:%M} {step.actor} {step.act} "
                 f"{step.state_from} → {step.state_to} {detail}".rstrip())
        )  # fmt: skip


@missing_app.command("confirm")
def confirm_command(
    ident: Annotated[str, typer.Argument(help="A case id or report_id.")],
    outcome: Annotated[str, typer.Option("--as", help="alive, detained or dead.")],
    user: TracerOption,
    where: Annotated[str | None, typer.Option(help="Alive or detained: where.")] = None,
    person: Annotated[int | None, typer.Option(help="Dead: the person id.")] = None,
    evidence: Annotated[str | None, typer.Option(help="Dead: on what evidence.")] = None,
    db: DbOption = None,
) -> None:
    """Confirm what became of the sought person. A death needs two distinct reviewers naming
    the same person, each with evidence."""
    detail: dict[str, Any] = {"where": where, "person_id": person, "evidence": evidence}
    step = act_on_case(
        store(db), ident, user, f"confirm_{outcome}", {k: v for k, v in detail.items() if v}
    )
    if step.state_to == step.state_from:
        console.print("first confirmation recorded; a second reviewer must confirm the death")
    else:
        console.print(f"case is now {step.state_to}")


@missing_app.command("notify")
def notify_command(
    ident: Annotated[str, typer.Argument(help="A case id or report_id.")],
    who: Annotated[str, typer.Option(help="Who in the family was told.")],
    when: Annotated[str, typer.Option(help="When (date).")],
    how: Annotated[str, typer.Option(help="How (visit, phone, through a partner…).")],
    user: TracerOption,
    db: DbOption = None,
) -> None:
    """Record that the family was told, by whom (--user), whom, when and how."""
    step = act_on_case(store(db), ident, user, "notify", {"who": who, "when": when, "how": how})
    console.print(f"case is now {step.state_to}")


@missing_app.command("close")
def close_command(
    ident: Annotated[str, typer.Argument(help="A case id or report_id.")],
    reason: Annotated[str, typer.Option(help="Why the case closes.")],
    user: TracerOption,
    db: DbOption = None,
) -> None:
    """Close a case whose family was notified."""
    step = act_on_case(store(db), ident, user, "close", {"reason": reason})
    console.print(f"case is now {step.state_to}")


@missing_app.command("withdraw")
def withdraw_command(
    report: Annotated[str, typer.Argument(help="The report_id whose reporter withdrew consent.")],
    reason: Annotated[str, typer.Option(help="Kept in the audit log.")],
    user: TracerOption,
    db: DbOption = None,
) -> None:
    """The reporter withdrew consent: the report leaves every list, page, match and export."""
    case_id = withdraw_report(store(db), report, user, reason)
    console.print(f"report {report} withdrawn from case {case_id}")


@missing_app.command("contact")
def contact_command(
    report: Annotated[str, typer.Argument(help="A report_id.")],
    reason: Annotated[str, typer.Option(help="Why; kept in the audit log.")],
    user: TracerOption,
    key_file: KeyFileOption = None,
    db: DbOption = None,
) -> None:
    """Open a reporter's name and contact (the tracing role only; logged before it is shown)."""
    opened = reveal_reporter(store(db), load_kek(key_file), report, user, reason)
    console.print(
        Text(f"{opened.name or '-'} ({opened.relationship or '-'}): {opened.contact or '-'}")
    )


@missing_app.command("export")
def export_command(
    out: Annotated[Path, typer.Option(help="The HXL CSV file to write.")],
    audience: AudienceOption = "partners",
    user: Annotated[str, typer.Option("--user", help="Who exports; kept on record.")] = "cli",
    db: DbOption = None,
) -> None:
    """Open cases for partner organisations (HXL CSV), only those and only what consent allows."""
    done = export_open_cases(store(db), audience, out, user)
    console.print(f"{done.cases:,} open cases written to {done.path} (for {done.audience})")


@missing_app.command("dashboard")
def dashboard_command(
    audience: AudienceOption = "internal",
    lang: LangOption = "en",
    db: DbOption = None,
) -> None:
    """Cases by state and governorate. Missing persons are counted here, never among the killed."""
    engine = store(db)
    with engine.connect() as conn:
        rows = case_counts(conn, audience)
    table = Table(title="cases", title_justify="left")
    for column in ("state", "governorate", "cases"):
        table.add_column(column)
    for state, governorate, count in rows:
        table.add_row(text(f"tracing.state.{state}", lang), Text(governorate or "-"), f"{count:,}")
    console.print(table)
