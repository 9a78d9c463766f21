"""Ingest incident files (deaths reported without names) and count them by grade.

The same conventions as `marsad.services.ingest`: one file is one transaction, every row is
kept verbatim as a raw row, a file already imported (same SHA-256) changes nothing, bad rows go
to quarantine with the field and the reason, and an incident a source has already sent (same
source, same incident_id) is never stored twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, exists, insert, select, update

from marsad.domain.records import FieldError
from marsad.ingest.incidents import (
    GRADES,
    IncidentFields,
    incident_header_map,
    parse_incident,
)
from marsad.ingest.places import default_gazetteer
from marsad.ingest.readers import open_table
from marsad.ingest.table import RawRow
from marsad.services.audit import record_event
from marsad.services.ingest import (
    BATCH_ROWS,
    QUARANTINE_SAMPLE,
    IngestSummary,
    QuarantinedRow,
    audit_counts,
    batches,
    bulk_insert,
    file_import,
    file_sha256,
    record_counts,
    reserve_raw_row_ids,
    seen_before,
)
from marsad.services.sources import get_or_create_source
from marsad.store.models import Incident, QuarantineEntry
from marsad.store.models import RawRow as RawRowTable
from marsad.verify.incident_events import event_count

PROFILE = {"name": "incidents"}
"""The Import's profile: marks the import as an incident file, not a list of persons."""

_FIELDS = tuple(f.name for f in fields(IncidentFields))


class IncidentSummary(IngestSummary):
    """What one incident ingest did; `rows_recorded` counts the incidents stored."""


@dataclass(frozen=True)
class IncidentGradeCount:
    """Incident events of one grade, with their minimum and maximum dead summed.

    `incidents` counts events: the reports a reviewer grouped as one event count once
    (`event_count` says how); `reports` counts the reports behind them. Discounted events are
    listed but not `counted`: they are shown not to have happened as reported, and stay visible
    so the reader sees what was left out.
    """

    grade: str
    incidents: int
    killed_min: int
    killed_max: int
    reports: int

    @property
    def counted(self) -> bool:
        return self.grade != "discounted"


def _stored(incident: IncidentFields) -> dict[str, Any]:
    """The incident as columns of `incidents` (incident_id is `incident_ref` there)."""
    values = dict(zip(_FIELDS, astuple(incident), strict=True))
    values["incident_ref"] = values.pop("incident_id")
    return values


def _known(conn: Connection, source_id: int, refs: list[str]) -> dict[str, tuple[Any, ...]]:
    """incident_ref → its stored fields, for the refs of this batch the source already sent."""
    columns = [getattr(Incident, "incident_ref" if f == "incident_id" else f) for f in _FIELDS]
    known: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        rows = conn.execute(
            select(*columns).where(
                Incident.source_id == source_id, Incident.incident_ref.in_(chunk)
            )
        )
        known.update({row[0]: tuple(row) for row in rows})
    return known


def _load(
    conn: Connection,
    import_id: int,
    source_id: int,
    batch: list[RawRow],
    summary: IncidentSummary,
) -> None:
    raw_ids = reserve_raw_row_ids(conn, len(batch))
    bulk_insert(
        conn,
        RawRowTable,
        [
            {"id": raw_id, "import_id": import_id, "row_number": row.row_number, "data": row.cells}
            for row, raw_id in zip(batch, raw_ids, strict=True)
        ],
    )
    gazetteer = default_gazetteer()
    parsed = [parse_incident(row.cells, gazetteer) for row in batch]
    known = _known(
        conn, source_id, [p.incident_id for p in parsed if isinstance(p, IncidentFields)]
    )
    incidents: list[dict[str, Any]] = []
    quarantine: list[dict[str, Any]] = []
    for row, result, raw_id in zip(batch, parsed, raw_ids, strict=True):
        errors = list(row.problems) + ([] if isinstance(result, IncidentFields) else result)
        if isinstance(result, IncidentFields) and not errors:
            seen = known.get(result.incident_id)
            if seen == astuple(result):
                summary.rows_already_present += 1
                continue
            if seen is None:
                known[result.incident_id] = astuple(result)
                incidents.append(
                    {
                        **_stored(result),
                        "raw_row_id": raw_id,
                        "import_id": import_id,
                        "source_id": source_id,
                    }
                )
                continue
            errors.append(
                FieldError(
                    "incident_id",
                    f"incident_id {result.incident_id!r} was already received from this source "
                    "with different content; correct one of them",
                )
            )
        ref = result.incident_id if isinstance(result, IncidentFields) else _guess_ref(row)
        summary.rows_quarantined += 1
        if len(summary.quarantined) < QUARANTINE_SAMPLE:
            summary.quarantined.append(QuarantinedRow(row.row_number, ref, tuple(errors)))
        quarantine.extend(
            {
                "raw_row_id": raw_id,
                "import_id": import_id,
                "source_id": source_id,
                "record_id": ref,
                "field": error.field,
                "reason": error.reason,
                "subject": "incident",
            }
            for error in errors
        )
    if incidents:
        bulk_insert(conn, Incident, incidents)
    if quarantine:
        conn.execute(insert(QuarantineEntry), quarantine)
    summary.rows_recorded += len(incidents)


def _resolve_quarantine(conn: Connection, source_id: int, import_id: int) -> None:
    """Quarantined incident rows of this source whose incident_id now has an incident are
    resolved by it (the corrected row arrived)."""
    incident = select(Incident.id).where(
        Incident.source_id == QuarantineEntry.source_id,
        Incident.incident_ref == QuarantineEntry.record_id,
    )
    conn.execute(
        update(QuarantineEntry)
        .where(
            QuarantineEntry.source_id == source_id,
            QuarantineEntry.subject == "incident",
            QuarantineEntry.resolved_by_incident_id.is_(None),
            QuarantineEntry.import_id != import_id,
            exists(incident),
        )
        .values(resolved_by_incident_id=incident.scalar_subquery())
    )


def _guess_ref(row: RawRow) -> str | None:
    """The row's incident_id as written, for a quarantined row that could not be read."""
    header = incident_header_map(tuple(row.cells)).get("incident_id")
    value = row.cells.get(header, "").strip() if header is not None else ""
    return value[:200] or None


def ingest_incidents(engine: Engine, path: Path, source: str, user: str) -> IncidentSummary:
    """Ingest `path` (CSV, XLSX or JSON) as incident reports from `source`, in one transaction."""
    digest = file_sha256(path)
    summary = IncidentSummary(file=path.name, source=source, sha256=digest)
    with engine.begin() as conn:
        if seen_before(conn, summary):
            return summary
        source_id = get_or_create_source(conn, source)
        with open_table(path) as table:
            summary.encoding = table.encoding
            import_id = file_import(conn, source_id, path, digest, user, table, PROFILE)
            summary.import_id = import_id
            for batch in batches(table.rows(), BATCH_ROWS):
                _load(conn, import_id, source_id, batch, summary)
                summary.rows_total += len(batch)
            summary.warnings = list(table.warnings)
        _resolve_quarantine(conn, source_id, import_id)
        record_counts(conn, import_id, summary)
        detail = {**audit_counts(summary), "kind": "incidents"}
        record_event(conn, user, "ingest", f"import:{import_id}", detail)
    return summary


def incident_counts(conn: Connection) -> list[IncidentGradeCount]:
    """Every grade, strongest first, with its events and summed minimum and maximum dead.

    Each event counts once, under its strongest report's grade and range (`event_count`);
    reports no reviewer grouped are events of their own, so an event two sources reported is
    counted twice until a reviewer groups it (`marsad incidents candidates` proposes).
    """
    events: dict[tuple[str, int], list[tuple[str, int, int]]] = {}
    rows = conn.execute(
        select(
            Incident.id, Incident.event_id, Incident.grade, Incident.killed_min, Incident.killed_max
        )
    )
    for r in rows:
        key = ("event", r.event_id) if r.event_id is not None else ("report", r.id)
        events.setdefault(key, []).append((r.grade, r.killed_min, r.killed_max))
    by_grade: dict[str, tuple[int, int, int, int]] = {}
    for reports in events.values():
        grade, low, high = event_count(reports)
        n, lows, highs, shown = by_grade.get(grade, (0, 0, 0, 0))
        by_grade[grade] = (n + 1, lows + low, highs + high, shown + len(reports))
    return [IncidentGradeCount(g, *by_grade.get(g, (0, 0, 0, 0))) for g in _ordered(by_grade)]


def _ordered(grades: Iterable[str]) -> list[str]:
    """GRADES in order, then any other grade found in the store (none, unless edited by hand)."""
    return [*GRADES, *sorted(set(grades) - set(GRADES))]
