"""Occupancy exports for coordination: HXL-tagged CSV by site or by governorate, per date.

Public by default: a row whose households number from 1 to `min_cell` - 1 shows none of its
counts (a household of five in one site is five people one can find), as `counts.suppressed`
does for the dead. Every file is checked against its HXL schema with libhxl before it is kept;
exports are audited with who asked and the threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from marsad.errors import InputError
from marsad.ingest.places import default_gazetteer
from marsad.publish.report_data import DisplacementCount
from marsad.publish.tables import write_table
from marsad.services.audit import record_event
from marsad.services.counts import suppressed
from marsad.services.shelter_movements import occupancy_series
from marsad.shelter.hxl import COUNTS, TABLES, schema_rows, validate
from marsad.store.shelter_tables import ShelterMovement, ShelterSite

PUBLIC_MIN_CELL = 5
"""The threshold of public exports: the web's setting for readers who may not see names."""


@dataclass(frozen=True)
class OccupancyExport:
    """What one export wrote."""

    rows: int
    suppressed_rows: int
    min_cell: int


def occupancy_rows(
    conn: Connection, by: str, dates: Sequence[dt.date], min_cell: int
) -> tuple[list[dict[str, Any]], int]:
    """The export's rows (by "site" or "governorate", date by date) and how many were
    suppressed."""
    if by not in TABLES:
        raise InputError(f"--by is one of {', '.join(TABLES)}, not {by!r}")
    if not dates:
        raise InputError("give at least one date")
    series = occupancy_series(conn, min(dates), max(dates))
    sites = {
        s.site_ref: s
        for s in conn.execute(
            select(
                ShelterSite.site_ref,
                ShelterSite.name,
                ShelterSite.site_type,
                ShelterSite.governorate,
            )
        )
    }
    gazetteer = default_gazetteer()
    rows: list[dict[str, Any]] = []
    for day in sorted(dates):
        by_site = series.on(day)
        if by == "site":
            for o in by_site:
                site = sites[o.site_id]
                rows.append(
                    {
                        "date": day.isoformat(),
                        "site_id": o.site_id,
                        "site_name": site.name,
                        "site_type": site.site_type,
                        "governorate": site.governorate,
                        **{c: getattr(o, c) for c in COUNTS},
                    }
                )
            continue
        totals: dict[str, dict[str, int]] = {}
        for o in by_site:
            code = sites[o.site_id].governorate or ""
            total = totals.setdefault(code, dict.fromkeys(("sites", *COUNTS), 0))
            total["sites"] += 1
            for c in COUNTS:
                total[c] += getattr(o, c)
        for code, total in sorted(totals.items()):
            governorate = gazetteer.governorate_by_code(code) if code else None
            rows.append(
                {
                    "date": day.isoformat(),
                    "governorate": code or None,
                    "governorate_name": governorate.name_en if governorate else None,
                    **total,
                }
            )
    hidden = 0
    for row in rows:
        if suppressed(row["households"], min_cell) is None:
            hidden += 1
            row.update(dict.fromkeys(COUNTS))
    return rows, hidden


def export_occupancy(
    engine: Engine,
    out: Path,
    by: str,
    dates: Sequence[dt.date],
    *,
    user: str,
    min_cell: int = PUBLIC_MIN_CELL,
) -> OccupancyExport:
    """Write occupancy as HXL-tagged CSV to `out`, checked against its schema (libhxl)."""
    if min_cell < 1:
        raise InputError("--min-cell is at least 1")
    with engine.connect() as conn:
        rows, hidden = occupancy_rows(conn, by, dates, min_cell)
    columns = TABLES[by]
    problems = validate(
        [c.hxl or "" for c in columns],
        [[row.get(c.name) for c in columns] for row in rows],
        schema_rows(columns, min_cell),
    )
    if problems:
        raise InputError(f"the export fails its HXL schema: {problems[0]}")
    write_table(rows, columns, "hxl", out)
    with engine.begin() as conn:
        detail = {"by": by, "rows": len(rows), "min_cell": min_cell, "file": out.name}
        record_event(conn, user, "export.shelter", "occupancy", detail)
    return OccupancyExport(len(rows), hidden, min_cell)


def displacement_by_governorate(
    conn: Connection, min_cell: int = PUBLIC_MIN_CELL
) -> tuple[dt.date | None, list[DisplacementCount]]:
    """People in sites by governorate at the end of the log's last day (the report's section):
    the same rows as the export by governorate, public; none when the log is empty."""
    last = conn.scalar(select(func.max(ShelterMovement.moved_on)))
    if last is None:
        return None, []
    day = dt.date.fromisoformat(last)
    rows, _hidden = occupancy_rows(conn, "governorate", [day], min_cell)
    return day, [
        DisplacementCount(
            governorate=row["governorate_name"] or row["governorate"] or "",
            sites=row["sites"],
            households=row["households"],
            individuals=row["individuals"],
            children=row["children"],
        )
        for row in rows
    ]
