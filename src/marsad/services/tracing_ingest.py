"""Ingest relatives' missing-person reports, and group them into cases.

The conventions of `marsad.services.ingest`: one file is one transaction (a crash leaves the
store as it was), every row is kept verbatim as a raw row, a file already imported changes
nothing, bad rows go to quarantine (subject "missing_report") with the field and the reason,
and a report a source already sent (same source and report_id, same content) is not stored
twice. The reporter's name and contact are sealed with the witness key
(`marsad.services.testimony.load_kek`) before they reach the store; a file that carries them
needs the key. Reports never become records: they enter no count and no estimate.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from marsad.domain.records import FieldError
from marsad.errors import InputError
from marsad.evidence import witness as sealing
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
    content_hash,
    file_import,
    file_sha256,
    new_import,
    record_counts,
    reserve_raw_row_ids,
    seen_before,
)
from marsad.services.sources import get_or_create_source
from marsad.services.testimony import data_key, load_kek
from marsad.store.models import QuarantineEntry, utcnow
from marsad.store.models import RawRow as RawRowTable
from marsad.store.tracing_tables import MissingReport, TracingCase, TracingStep
from marsad.tracing.cases import SoughtKeys, group_reports
from marsad.tracing.reports import ReportFields, parse_report, report_profile

SUBJECT = "missing_report"
"""The quarantine's subject for a report row that could not be read."""
SEALED = ("reporter_name", "reporter_contact")


@dataclass
class ReportSummary(IngestSummary):
    """What one report ingest did: `rows_recorded` counts the reports stored; `cases_opened`
    and `cases_joined` how they were grouped."""

    cases_opened: int = 0
    cases_joined: int = 0


def configured_kek(key_file: str | None = None) -> sealing.KeyEncryptionKey | None:
    """The witness key when one is configured (`--key-file`, MARSAD_WITNESS_KEY_FILE or
    MARSAD_WITNESS_KEY), else None: a file without reporters' names or contacts needs none."""
    configured = key_file or os.environ.get("MARSAD_WITNESS_KEY_FILE")
    return load_kek(key_file) if configured or os.environ.get("MARSAD_WITNESS_KEY") else None


def sealing_context(source_id: int, report_ref: str) -> str:
    """What binds a sealed reporter field to its report (AES-GCM's associated data)."""
    return f"missing-report:{source_id}:{report_ref}"


def _stored(report: ReportFields, source_id: int, key: tuple[int, bytes] | None) -> dict[str, Any]:
    values = asdict(report)
    values["report_ref"] = values.pop("report_id")
    values["content_sha256"] = content_hash(values)
    values["reporter_key_id"] = None
    for field in SEALED:
        plain = values.pop(field)
        values[field] = None
        if plain:
            assert key is not None  # checked by the caller
            values["reporter_key_id"] = key[0]
            context = sealing_context(source_id, report.report_id)
            values[field] = sealing.seal(key[1], context, field, plain)
    return values


class _Loader:
    """Writes one file's report rows inside the caller's transaction."""

    def __init__(
        self,
        conn: Connection,
        import_id: int,
        source_id: int,
        summary: ReportSummary,
        kek: sealing.KeyEncryptionKey | None,
        profile_path: str | None,
    ) -> None:
        self.conn, self.import_id, self.source_id = conn, import_id, source_id
        self.summary, self.kek = summary, kek
        self.profile = report_profile(profile_path)
        self.gazetteer = default_gazetteer()
        self.key: tuple[int, bytes] | None = None
        self.new: list[dict[str, Any]] = []

    def _key(self, row: RawRow) -> tuple[int, bytes]:
        if self.kek is None:
            raise InputError(
                f"{self.summary.file}: row {row.row_number} gives a reporter's name or contact, "
                "which is sealed with the witness key: give --key-file, or set "
                "MARSAD_WITNESS_KEY_FILE or MARSAD_WITNESS_KEY"
            )
        if self.key is None:
            self.key = data_key(self.conn, self.kek)
        return self.key

    def load(self, batch: list[RawRow]) -> None:
        raw_ids = reserve_raw_row_ids(self.conn, len(batch))
        bulk_insert(
            self.conn,
            RawRowTable,
            [
                {"id": i, "import_id": self.import_id, "row_number": r.row_number, "data": r.cells}
                for r, i in zip(batch, raw_ids, strict=True)
            ],
        )
        parsed = [parse_report(row.cells, self.profile, self.gazetteer) for row in batch]
        refs = [p.report_id for p in parsed if isinstance(p, ReportFields)]
        known = self._known(refs)
        quarantine: list[dict[str, Any]] = []
        for row, result, raw_id in zip(batch, parsed, raw_ids, strict=True):
            errors = list(row.problems) + ([] if isinstance(result, ReportFields) else result)
            if isinstance(result, ReportFields) and not errors:
                key = self._key(row) if result.reporter_name or result.reporter_contact else None
                values = _stored(result, self.source_id, key)
                seen = known.get(result.report_id)
                if seen == values["content_sha256"]:
                    self.summary.rows_already_present += 1
                    continue
                if seen is None:
                    known[result.report_id] = values["content_sha256"]
                    self.new.append(
                        {
                            **values,
                            "raw_row_id": raw_id,
                            "import_id": self.import_id,
                            "source_id": self.source_id,
                        }
                    )
                    continue
                errors.append(
                    FieldError(
                        "report_id",
                        f"report_id {result.report_id!r} was already received from this "
                        "source with different content; correct one of them",
                    )
                )
            ref = result.report_id if isinstance(result, ReportFields) else self._ref(row)
            self.summary.rows_quarantined += 1
            if len(self.summary.quarantined) < QUARANTINE_SAMPLE:
                self.summary.quarantined.append(QuarantinedRow(row.row_number, ref, tuple(errors)))
            quarantine.extend(
                {
                    "raw_row_id": raw_id,
                    "import_id": self.import_id,
                    "source_id": self.source_id,
                    "record_id": ref,
                    "field": e.field,
                    "reason": e.reason,
                    "subject": SUBJECT,
                }
                for e in errors
            )
        if quarantine:
            self.conn.execute(insert(QuarantineEntry), quarantine)

    def _ref(self, row: RawRow) -> str | None:
        header = self.profile.header_map(row.cells).get("report_id")
        value = row.cells.get(header, "").strip() if header is not None else ""
        return value[:200] or None

    def _known(self, refs: list[str]) -> dict[str, str]:
        known: dict[str, str] = {}
        for start in range(0, len(refs), 500):
            rows = self.conn.execute(
                select(MissingReport.report_ref, MissingReport.content_sha256).where(
                    MissingReport.source_id == self.source_id,
                    MissingReport.report_ref.in_(refs[start : start + 500]),
                )
            )
            known.update({r.report_ref: r.content_sha256 for r in rows})
        return known


def _keys(rows: Iterable[Any]) -> list[SoughtKeys]:
    return [
        SoughtKeys.of(
            r.id,
            r.name,
            (r.name_first, r.name_father, r.name_grandfather, r.name_family),
            r.name_mother,
            r.sex,
            (r.birth_year_min, r.birth_year_max),
        )
        for r in rows
    ]


_KEY_COLUMNS = (
    MissingReport.id,
    MissingReport.case_id,
    MissingReport.name,
    MissingReport.name_first,
    MissingReport.name_father,
    MissingReport.name_grandfather,
    MissingReport.name_family,
    MissingReport.name_mother,
    MissingReport.sex,
    MissingReport.birth_year_min,
    MissingReport.birth_year_max,
)


def assign_cases(conn: Connection, new: list[dict[str, Any]], actor: str) -> tuple[int, int]:
    """Give each new report its case: the case of a report it seeks the same person as
    (`marsad.tracing.cases`; the lowest, when it agrees with several), else a new case shared
    by the new reports that agree among themselves. Existing cases are never merged here: a
    reviewer sees both. Returns (cases opened, reports that joined an existing case)."""
    existing = conn.execute(select(*_KEY_COLUMNS).where(MissingReport.withdrawn_at.is_(None))).all()
    case_of = {r.id: r.case_id for r in existing}
    fresh = [
        {**values, "id": -(i + 1)} for i, values in enumerate(new)
    ]  # provisional ids, below every stored one
    keys = _keys(existing) + _keys(_Row(v) for v in fresh)
    opened = joined = 0
    grouped = group_reports(keys)
    newest = [sorted(-r - 1 for r in g if r < 0) for g in grouped]
    for group, newcomers in sorted(zip(grouped, newest, strict=True), key=_first_new):
        if not newcomers:
            continue
        cases = sorted({case_of[r] for r in group if r > 0})
        if cases:
            case_id, act = cases[0], "report_added"
            joined += len(newcomers)
        else:
            case_id = int(
                conn.execute(
                    insert(TracingCase).values(state="open").returning(TracingCase.id)
                ).scalar_one()
            )
            act = "reported"
            opened += 1
        for index in newcomers:
            new[index]["case_id"] = case_id
        state = conn.scalar(select(TracingCase.state).where(TracingCase.id == case_id))
        conn.execute(
            insert(TracingStep).values(
                case_id=case_id,
                actor=actor,
                act=act,
                state_from=state,
                state_to=state,
                detail={"reports": [new[i]["report_ref"] for i in newcomers]},
            )
        )
        conn.execute(
            update(TracingCase).where(TracingCase.id == case_id).values(updated_at=utcnow())
        )
    return opened, joined


def _first_new(pair: tuple[list[int], list[int]]) -> int:
    """Groups in the order of their first new report, so case ids follow the file's order."""
    return pair[1][0] if pair[1] else -1


class _Row:
    """A new report's values read by attribute, as a stored row is."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def ingest_reports(
    engine: Engine,
    path: Path,
    source: str,
    user: str,
    *,
    profile_path: str | None = None,
    kek: sealing.KeyEncryptionKey | None = None,
) -> ReportSummary:
    """Ingest `path` (CSV, XLSX, JSON; a KoBo export through `profile_path`) as missing-person
    reports from `source`, in one transaction (audited: "ingest", kind "missing_reports")."""
    digest = file_sha256(path)
    summary = ReportSummary(file=path.name, source=source, sha256=digest)
    with engine.begin() as conn:
        if seen_before(conn, summary):
            return summary
        source_id = get_or_create_source(conn, source, "relative")
        profile = report_profile(profile_path)
        with open_table(path, profile.encoding, profile.sheet) as table:
            summary.encoding = table.encoding
            import_id = file_import(
                conn,
                source_id,
                path,
                digest,
                user,
                table,
                {"name": SUBJECT, "profile": profile.name},
            )
            summary.import_id = import_id
            loader = _Loader(conn, import_id, source_id, summary, kek, profile_path)
            for batch in batches(table.rows(), BATCH_ROWS):
                loader.load(batch)
                summary.rows_total += len(batch)
            summary.warnings = list(table.warnings)
        _finish(conn, loader, summary, user)
    return summary


def _finish(conn: Connection, loader: _Loader, summary: ReportSummary, user: str) -> None:
    """Group the new reports into cases, store them, and keep the import's counts and audit."""
    if loader.new:
        summary.cases_opened, summary.cases_joined = assign_cases(conn, loader.new, user)
        for start in range(0, len(loader.new), BATCH_ROWS):
            bulk_insert(conn, MissingReport, loader.new[start : start + BATCH_ROWS])
    summary.rows_recorded = len(loader.new)
    assert summary.import_id is not None
    record_counts(conn, summary.import_id, summary)
    detail = {
        **audit_counts(summary),
        "kind": "missing_reports",
        "cases_opened": summary.cases_opened,
        "cases_joined": summary.cases_joined,
    }
    record_event(conn, user, "ingest", f"import:{summary.import_id}", detail)


ENTRY_FILE = "missing report form"


def ingest_report_entry(
    engine: Engine,
    cells: Mapping[str, str],
    source: str,
    user: str,
    kek: sealing.KeyEncryptionKey | None = None,
) -> tuple[ReportSummary, int | None]:
    """One report typed into the web form: a one-row import of `source` read as a file's row
    (the same checks, quarantine, sealing and grouping). Returns the summary and the case the
    report joined or opened (None when it went to quarantine or was already received)."""
    values = {k: v.strip() for k, v in cells.items() if v and v.strip()}
    document = json.dumps({"form": SUBJECT, "source": source, **values}, sort_keys=True)
    digest = hashlib.sha256(document.encode("utf-8")).hexdigest()
    summary = ReportSummary(file=ENTRY_FILE, source=source, sha256=digest)
    with engine.begin() as conn:
        if seen_before(conn, summary):
            return summary, None
        source_id = get_or_create_source(conn, source, "relative")
        summary.import_id = new_import(
            conn, source_id, ENTRY_FILE, digest, user, file_format="form", encoding=None,
            profile={"name": SUBJECT}, columns=list(values),
        )  # fmt: skip
        loader = _Loader(conn, summary.import_id, source_id, summary, kek, None)
        loader.load([RawRow(1, values)])
        summary.rows_total = 1
        _finish(conn, loader, summary, user)
        case_id = loader.new[0]["case_id"] if loader.new else None
    return summary, case_id
