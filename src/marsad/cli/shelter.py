"""`marsad sites` and `marsad shelter`: shelter sites, displaced households' registrations, the
movement log and occupancy read from it, needs assessments, duplicate registrations, exports
and the registration form. Thin: each command calls one service and shows what it returned.

Names and places are shown as plain text (never Rich markup): they may contain brackets.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from marsad.cli.common import (
    DbOption,
    UserOption,
    command_group,
    console,
    fail,
    stage_progress,
    store,
    summary_table,
)
from marsad.cli.ingest import ingest_summary
from marsad.services.shelter_exports import PUBLIC_MIN_CELL, export_occupancy
from marsad.services.shelter_form import write_form
from marsad.services.shelter_members import ingest_registrations
from marsad.services.shelter_movements import ingest_movements, occupancy_on
from marsad.services.shelter_needs import add_assessment, site_needs
from marsad.services.shelter_pairs import decide_pair, find_pairs, list_pairs
from marsad.services.shelter_sites import ingest_sites, list_sites
from marsad.shelter.needs import SECTORS, Assessment

sites_app = command_group(help="Shelter sites: import, list, occupancy on a date, needs.")
shelter_app = command_group(
    help="Displaced households: registrations, the movement log, duplicates, exports, the form."
)


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: not a date (YYYY-MM-DD): {text!r}")


@sites_app.command("ingest")
def sites_ingest(
    path: Annotated[Path, typer.Argument(help="The sites file (CSV or XLSX; docs/formats.md).")],
    source: Annotated[str, typer.Option(help="Who sent the file.")] = "sites",
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Import sites; a site already known (same site_id) is updated."""
    ingest_summary(ingest_sites(store(db), path, user, source))


@sites_app.command("list")
def sites_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Every site, by site_id."""
    with store(db).connect() as conn:
        sites = list_sites(conn)
    if as_json:
        console.print_json(json.dumps([s.as_dict() for s in sites], ensure_ascii=False))
        return
    table = Table(title=f"{len(sites)} sites", title_justify="left")
    for column in ("site_id", "name", "type", "p-code", "capacity", "opened", "closed"):
        table.add_column(column)
    for s in sites:
        f = s.fields
        table.add_row(
            f.site_id,
            f.name,
            f.site_type,
            f.pcode or "",
            "" if f.capacity_individuals is None else f"{f.capacity_individuals:,}",
            f.opened_on or "",
            f.closed_on or "",
        )
    console.print(table, markup=False)


@sites_app.command("occupancy")
def sites_occupancy(
    date: Annotated[str, typer.Option("--date", help="The day (YYYY-MM-DD): its end is read.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Who is at each site at the end of a day, read from the movement log."""
    day = _day(date, "--date")
    with store(db).connect() as conn:
        rows = occupancy_on(conn, day)
    if as_json:
        console.print_json(json.dumps([r.as_dict() for r in rows], ensure_ascii=False))
        return
    table = Table(title=f"occupancy at the end of {day}", title_justify="left")
    for column in ("site_id", "households", "individuals", "female", "male", "children"):
        table.add_column(column, justify="left" if column == "site_id" else "right")
    for r in rows:
        table.add_row(
            r.site_id,
            *(f"{v:,}" for v in (r.households, r.individuals, r.female, r.male, r.children)),
        )
    console.print(table, markup=False)


@shelter_app.command("ingest")
def shelter_ingest(
    path: Annotated[Path, typer.Argument(help="Registrations (CSV, XLSX, JSON; docs/formats.md).")],
    source: Annotated[str, typer.Option(help="The registering team or organisation.")],
    kobo: Annotated[
        bool, typer.Option("--kobo", help="A KoBo/ODK export of `marsad shelter form`.")
    ] = False,
    profile: Annotated[
        Path | None, typer.Option(help="A mapping profile (YAML) for other headers and codes.")
    ] = None,
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Import registrations of displaced households' members; bad rows go to quarantine."""
    engine = store(db)
    ingest_summary(
        ingest_registrations(engine, path, source, user, profile_path=profile, kobo=kobo)
    )


@shelter_app.command("movements")
def shelter_movements(
    path: Annotated[Path, typer.Argument(help="Movements (CSV, XLSX, JSON; docs/formats.md).")],
    source: Annotated[str, typer.Option(help="Who sent the file.")] = "movements",
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Append movements to the log; a correction names the movement it `reverses`."""
    ingest_summary(ingest_movements(store(db), path, user, source))


@sites_app.command("needs")
def sites_needs(
    site: Annotated[str, typer.Argument(help="The site_id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """A site's needs assessments, newest first."""
    with store(db).connect() as conn:
        found = site_needs(conn, site)
    if as_json:
        console.print_json(json.dumps([asdict(a) for a in found], ensure_ascii=False))
        return
    table = Table(title=f"needs of site {site}", title_justify="left")
    for column in ("assessed", "sector", "severity", "informant", "note"):
        table.add_column(column)
    for a in found:
        table.add_row(a.assessed_on, a.sector, str(a.severity), a.informant or "", a.note or "")
    console.print(table, markup=False)


@sites_app.command("assess")
def sites_assess(
    site: Annotated[str, typer.Argument(help="The site_id.")],
    date: Annotated[str, typer.Option("--date", help="Day of the assessment (YYYY-MM-DD).")],
    sector: Annotated[str, typer.Option(help=f"One of {', '.join(SECTORS)}.")],
    severity: Annotated[int, typer.Option(help="1 (none or minimal) to 5 (catastrophic).")],
    note: Annotated[str | None, typer.Option(help="What the informant said.")] = None,
    informant: Annotated[str | None, typer.Option(help="The key informant's role.")] = None,
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Record one sector's needs at a site (the history is kept: nothing is overwritten)."""
    _day(date, "--date")
    assessment = Assessment(site, date, sector, severity, note, informant)
    new = add_assessment(store(db), assessment, user)
    console.print(f"assessment #{new} recorded for site {site}", markup=False)


@shelter_app.command("pairs")
def shelter_pairs(
    linker: Annotated[str, typer.Option(help="Linkage engine.")] = "duckdb",
    db: DbOption = None,
) -> None:
    """Find registrations of one person (two sites, two teams) and registrations after a
    casualty record's date of death, with the casualty linker; reviewers decide."""
    with stage_progress("reading registrations") as say:
        found = find_pairs(store(db), linker=linker, say=say)
    console.print(
        summary_table(
            "registrations that may be one person",
            [
                ("registrations", found.members),
                ("pairs linked by the model", found.duplicates),
                ("pairs to review", found.to_review),
                ("registered alive after a date of death", found.conflicts),
            ],
        )
    )
    console.print("review them: marsad shelter review; marsad shelter review --conflicts")


@shelter_app.command("review")
def shelter_review(
    conflicts: Annotated[
        bool, typer.Option("--conflicts", help="Registrations matching a record of the dead.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Show at most this many pairs.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Undecided pairs, most probable first (decide with `marsad shelter decide`)."""
    with store(db).connect() as conn:
        pairs = list_pairs(conn, conflicts=conflicts, limit=limit)
    if as_json:
        console.print_json(json.dumps([p.as_dict() for p in pairs], ensure_ascii=False))
        return
    table = Table(title=f"{len(pairs)} pairs to review", title_justify="left")
    for column in ("pair", "registration", "site", "registered", "other", "died", "probability"):
        table.add_column(column)
    for p in pairs:
        table.add_row(
            str(p.id),
            p.member,
            p.member_site,
            p.registered_on,
            f"{p.other_kind} {p.other}",
            p.date_of_death or "",
            f"{p.probability:.3f}",
        )
    console.print(table, markup=False)


@shelter_app.command("decide")
def shelter_decide(
    pair: Annotated[int, typer.Argument(help="The pair's number (marsad shelter review).")],
    decision: Annotated[str, typer.Argument(help="same or different.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """A reviewer's decision on one pair; it survives every new `marsad shelter pairs`."""
    decide_pair(store(db), pair, decision, user, note)
    console.print(f"pair {pair}: {decision}", markup=False)


@shelter_app.command("export")
def shelter_export(
    out: Annotated[Path, typer.Option(help="The CSV file to write (HXL-tagged).")],
    date: Annotated[
        list[str], typer.Option("--date", help="A day (YYYY-MM-DD); give it once per date.")
    ],
    by: Annotated[str, typer.Option(help="site or governorate.")] = "site",
    min_cell: Annotated[
        int,
        typer.Option(min=1, help="Rows of fewer households than this show no counts (public: 5)."),
    ] = PUBLIC_MIN_CELL,
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Occupancy by site or governorate per date, HXL-tagged and checked with libhxl."""
    days = [_day(d, "--date") for d in date]
    written = export_occupancy(store(db), out, by, days, user=user, min_cell=min_cell)
    console.print(
        f"{written.rows:,} rows written to {out} ({written.suppressed_rows:,} with fewer than "
        f"{written.min_cell} households left without counts)",
        markup=False,
    )


@shelter_app.command("form")
def shelter_form(
    out: Annotated[Path, typer.Option(help="The XLSForm to write (.xlsx).")] = Path(
        "registration.xlsx"
    ),
) -> None:
    """Write the registration form (XLSForm, English and Arabic) for KoBoToolbox or ODK; its
    exports ingest with `marsad shelter ingest FILE --kobo`."""
    write_form(out)
    console.print(f"registration form written to {out} (converted by pyxform)", markup=False)
