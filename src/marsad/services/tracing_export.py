"""Open cases for partner organisations, as HXL-tagged CSV: only what consent allows.

The file is made from `readable_cases` for the audience it is for, so a case whose reporters
did not agree to that audience is not in it. A `public` file carries, as the ICRC's Trace the
Face does, a photo placeholder, the sought person's name and the reporter's relationship to
them, nothing else; a `partners` file also the sought person's details that help a partner
search (names, mother's name, sex, birth years, last seen where and when). Reporters' names and
contacts are never exported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from marsad.publish.tables import HXL_TAGS, Column, hxl_tag, write_table
from marsad.services.audit import record_event
from marsad.services.tracing_cases import ACTIVE, CaseView, readable_cases

PHOTO_PLACEHOLDER = "no photo"
"""The photo cell: Marsad keeps no photos of the sought; a partner's board shows a silhouette."""

PUBLIC_COLUMNS = (
    Column("case_id", "#case+id", "int"),
    Column("name", "#x_sought+name"),
    Column("relationship", "#x_reporter+relationship"),
    Column("photo", "#x_sought+photo"),
)
PARTNER_COLUMNS = (
    *PUBLIC_COLUMNS,
    Column("name_mother", "#x_sought+name+mother"),
    Column("sex", HXL_TAGS["sex"]),
    Column("birth_year_min", "#x_sought+birthyear+min", "int"),
    Column("birth_year_max", "#x_sought+birthyear+max", "int"),
    Column("last_seen_date", hxl_tag(HXL_TAGS["date"], "lastseen")),
    Column("last_seen_place", hxl_tag(HXL_TAGS["place"], "lastseen")),
    Column("governorate", HXL_TAGS["governorate_name"]),
    Column("governorate_code", HXL_TAGS["governorate_code"]),
    Column("state", "#status+case"),
)


def _row(view: CaseView) -> dict[str, object]:
    first = view.first

    def known(field: str) -> object:
        return next((getattr(r, field) for r in view.reports if getattr(r, field)), None)

    relationships = sorted(
        {r.reporter_relationship for r in view.reports if r.reporter_relationship}
    )
    return {
        "case_id": view.case_id,
        "name": first.name,
        "relationship": "; ".join(relationships) or None,
        "photo": PHOTO_PLACEHOLDER,
        "name_mother": known("name_mother"),
        "sex": known("sex"),
        "birth_year_min": known("birth_year_min"),
        "birth_year_max": known("birth_year_max"),
        "last_seen_date": known("last_seen_date"),
        "last_seen_place": known("last_seen_place"),
        "governorate": view.governorate,
        "governorate_code": known("pcode_adm1"),
        "state": view.state,
    }


@dataclass(frozen=True)
class CaseExport:
    path: str
    audience: str
    cases: int


def export_open_cases(engine: Engine, audience: str, out: Path, actor: str) -> CaseExport:
    """Write the open cases `audience` may receive to `out` (HXL CSV, whole or not at all);
    audited ("tracing.export", with the audience and how many cases)."""
    with engine.begin() as conn:
        views = readable_cases(conn, audience, states=ACTIVE)
        columns = PUBLIC_COLUMNS if audience == "public" else PARTNER_COLUMNS
        count = write_table((_row(v) for v in views), columns, "hxl", out)
        record_event(conn, actor, "tracing.export", "cases", {"audience": audience, "cases": count})
    return CaseExport(str(out), audience, count)
