"""Pages that put data into the store: uploads, quarantined rows, and the data entry form.

Each is a thin face over marsad.services.ingest, the same functions as `marsad ingest`: an
upload is saved to a temporary file and read by `ingest_file` (one transaction per file) in the job
runner (`marsad.web.jobs`), whose progress and outcome are kept in the store for a small script
to poll through any server worker; a corrected quarantined row and a typed report go through
the same parser and loader (`ingest_correction`, `ingest_entry`).
Reasons for refusing a row are the parser's own, in English; the page names the field in the
reader's language beside them.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from itertools import islice
from pathlib import Path
from typing import Annotated, BinaryIO
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from sqlalchemy import Engine
from starlette.responses import JSONResponse, Response

from marsad.domain.records import STANDARD_COLUMNS, STATUSES, FieldError
from marsad.errors import InputError, StoreBusy
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import MappingProfile, ProfileError
from marsad.services.audit import record_names_read
from marsad.services.exports import QuarantineItem, quarantine_items
from marsad.services.ingest import IngestSummary, RowProgress, ingest_file
from marsad.services.ingest_entry import (
    RowRefused,
    ingest_correction,
    ingest_entry,
    quarantined_row_profile,
)
from marsad.services.sources import SourceError, source_sizes
from marsad.services.upload_jobs import start_job
from marsad.services.users import UserInfo
from marsad.store.models import SOURCE_KINDS
from marsad.web.auth import RequireApi, RequirePage, engine_of, settings_of
from marsad.web.ids import PathId
from marsad.web.jobs import job_runner
from marsad.web.pages.base import flash, form_fields, render_page, see_other

router = APIRouter(include_in_schema=False)

UPLOAD_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson")
PROFILE_SUFFIXES = (".yaml", ".yml")
CHUNK = 1024 * 1024
QUARANTINE_PER_PAGE = 20
ENTRY_SOURCE = "Data entry"
ENTRY_KIND = "relative"
ENTRY_DEFAULTS = "data.entry_defaults"
KNOWN_REASONS = {"required but empty": "reason.required"}
"""Parser reasons that are fixed phrases, so the catalogue can say them in the reader's language."""


def builtin_profiles() -> list[str]:
    """The mapping profiles shipped with Marsad, by name."""
    folder = resources.files("marsad.ingest").joinpath("profiles")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def _safe_name(name: str | None, fallback: str) -> str:
    """The uploaded file's own name without any folder, so it is kept as the import's name."""
    base = Path((name or "").replace("\\", "/")).name.strip()
    return base[:200] if base and base not in {".", ".."} else fallback


def _save(upload: BinaryIO, target: Path, limit: int | None) -> bool:
    """Copy an upload to `target`; False (and nothing kept) when it passes `limit` bytes."""
    size = 0
    with target.open("wb") as out:
        while chunk := upload.read(CHUNK):
            size += len(chunk)
            if limit is not None and size > limit:
                break
            out.write(chunk)
    if limit is not None and size > limit:
        target.unlink()
        return False
    return True


def _max_bytes(request: Request) -> int | None:
    """The upload limits' bytes: a file is never larger than what it unpacks to."""
    return settings_of(request).upload_limits.max_bytes


def _sources_page(
    request: Request,
    job: str | None = None,
    error: tuple[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    with engine_of(request).connect() as conn:
        sizes = source_sizes(conn)
    context = {
        "sources": sizes,
        "kinds": SOURCE_KINDS,
        "profiles": builtin_profiles(),
        "jobs": job_runner(request).newest(engine_of(request)),
        "job_id": job,
        "error": error,
        "form": form or {},
        "max_mb": (_max_bytes(request) or 0) // (1024 * 1024),
    }
    return render_page(request, "sources.html", context, status_code=status_code)


@router.get("/sources")
def sources(
    request: Request,
    job: str | None = None,
    user: UserInfo = Depends(RequirePage("ingest")),
) -> Response:
    return _sources_page(request, job)


@router.get("/sources/jobs")
def sources_jobs(request: Request, user: UserInfo = Depends(RequireApi("ingest"))) -> Response:
    """The newest uploads of every server worker, for the page's script."""
    jobs = job_runner(request).newest(engine_of(request))
    return JSONResponse({"jobs": [job.as_json() for job in jobs]})


def _profile_path(
    directory: Path, profile: str, profile_file: UploadFile | None, limit: int | None
) -> tuple[Path | None, tuple[str, str] | None]:
    """The YAML file to read the upload with (None: the standard columns), or an error."""
    if profile == "standard":
        return None, None
    if profile == "upload":
        if profile_file is None or not profile_file.filename:
            return None, ("upload.profile_missing", "")
        name = _safe_name(profile_file.filename, "profile.yaml")
        if not name.lower().endswith(PROFILE_SUFFIXES):
            return None, ("upload.profile_type", name)
        path = directory / "profile" / name
        path.parent.mkdir()
        if not _save(profile_file.file, path, limit):
            return None, ("upload.too_large", name)
    elif profile in builtin_profiles():
        path = directory / "profile" / f"{profile}.yaml"
        path.parent.mkdir()
        resource = resources.files("marsad.ingest").joinpath(f"profiles/{profile}.yaml")
        text = resource.read_text(encoding="utf-8")
        path.write_text(text, encoding="utf-8")
    else:
        return None, ("upload.profile_unknown", profile)
    try:
        MappingProfile.load(path)
    except ProfileError as exc:
        return None, ("upload.profile_invalid", str(exc).replace(f"{path.parent}/", ""))
    return path, None


@router.post("/sources")
def sources_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "",
    copies: Annotated[str, Form()] = "",
    profile: Annotated[str, Form()] = "standard",
    profile_file: Annotated[UploadFile | None, File()] = None,
    user: UserInfo = Depends(RequirePage("ingest")),
) -> Response:
    form = {"source": source.strip(), "kind": kind, "copies": copies, "profile": profile}
    name = _safe_name(file.filename, "upload.csv")
    error: tuple[str, str] | None = None
    if not form["source"]:
        error = ("upload.source_missing", "")
    elif kind and kind not in SOURCE_KINDS:
        error = ("upload.kind_unknown", kind)
    elif not name.lower().endswith(UPLOAD_SUFFIXES):
        error = ("upload.file_type", name)
    if error is not None:
        return _sources_page(request, error=error, form=form, status_code=400)
    directory = Path(tempfile.mkdtemp(prefix="marsad-upload-"))
    path = directory / name
    limit = _max_bytes(request)
    profile_path, error = _profile_path(directory, profile, profile_file, limit)
    if error is None and not _save(file.file, path, limit):
        error = ("upload.too_large", name)
    if error is not None:
        shutil.rmtree(directory, ignore_errors=True)
        return _sources_page(request, error=error, form=form, status_code=400)
    engine = engine_of(request)
    limits = settings_of(request).upload_limits

    def work(advance: RowProgress) -> IngestSummary:
        try:
            return ingest_file(
                engine,
                path,
                form["source"],
                kind=kind or None,
                copies=copies.strip() or None,
                profile_path=profile_path,
                user=user.username,
                progress=advance,
                limits=limits,
            )
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    job_id = secrets.token_urlsafe(9)
    try:
        start_job(engine, job_id, name, form["source"], user.username)
    except StoreBusy:
        shutil.rmtree(directory, ignore_errors=True)
        return _sources_page(request, error=("upload.busy", ""), form=form, status_code=503)
    job_runner(request).start_upload(engine, job_id, f"{directory}/", work, user.username)
    return see_other(f"/sources?job={job_id}")


@dataclass(frozen=True)
class CellView:
    index: int
    header: str
    value: str
    field: str | None
    invalid: bool


@dataclass(frozen=True)
class QuarantineView:
    """A quarantined row as its form shows it: each cell with the field it was read as."""

    item: QuarantineItem
    reasons: tuple[FieldError, ...]
    cells: tuple[CellView, ...]


def _quarantine_view(
    engine: Engine,
    item: QuarantineItem,
    typed: dict[str, str] | None,
    errors: tuple[FieldError, ...] | None,
) -> QuarantineView:
    profile = quarantined_row_profile(engine, item.raw_row_id)
    reasons = errors if errors is not None else tuple(FieldError(f, r) for f, r in item.reasons)
    read_as = {header: name for name, header in profile.header_map(item.cells).items()}
    failing = {e.field for e in reasons}
    headers = list(item.cells)
    headers += [f for f in STANDARD_COLUMNS if f in failing and f not in read_as.values()]
    values = typed if typed is not None else item.cells
    cells = []
    for index, header in enumerate(headers):
        name = read_as.get(header) or (header if header not in item.cells else None)
        value = values.get(header, "")
        cells.append(CellView(index, header, str(value), name, name in failing))
    return QuarantineView(item, reasons, tuple(cells))


def _quarantine_page(
    request: Request,
    user: UserInfo,
    source: str | None,
    page: int,
    attempt: tuple[int, dict[str, str], tuple[FieldError, ...]] | None = None,
    status_code: int = 200,
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        sizes = [s for s in source_sizes(conn) if s.quarantined]
    total = sum(s.quarantined for s in sizes if source is None or s.name == source)
    start = (page - 1) * QUARANTINE_PER_PAGE
    items = list(islice(quarantine_items(engine, source), start, start + QUARANTINE_PER_PAGE))
    views = []
    for item in items:
        typed, errors = None, None
        if attempt is not None and attempt[0] == item.raw_row_id:
            typed, errors = attempt[1], attempt[2]
        views.append(_quarantine_view(engine, item, typed, errors))
    record_names_read(engine, user.username, "/quarantine", len(views), "web")
    context = {
        "rows": views,
        "sources": sizes,
        "source": source,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // QUARANTINE_PER_PAGE)),
        "attempt": attempt[0] if attempt else None,
        "standard": STANDARD_COLUMNS,
        "known_reasons": KNOWN_REASONS,
    }
    return render_page(request, "quarantine.html", context, status_code=status_code)


@router.get("/quarantine")
def quarantine(
    request: Request,
    source: str | None = None,
    page: int = Query(1, ge=1, le=1_000_000),
    user: UserInfo = Depends(RequirePage("ingest")),
) -> Response:
    return _quarantine_page(request, user, source or None, page)


def _corrected_cells(fields: dict[str, str]) -> dict[str, str]:
    cells = {}
    index = 0
    while f"header-{index}" in fields:
        cells[fields[f"header-{index}"]] = fields.get(f"cell-{index}", "")
        index += 1
    return cells


@router.post("/quarantine/{raw_row_id}")
def quarantine_correct(
    request: Request,
    raw_row_id: PathId,
    user: UserInfo = Depends(RequirePage("ingest")),
    fields: dict[str, str] = Depends(form_fields),
) -> Response:
    source = fields.get("source") or None
    page = int(fields["page"]) if fields.get("page", "").isdigit() else 1
    cells = _corrected_cells(fields)
    try:
        summary = ingest_correction(engine_of(request), raw_row_id, cells, user=user.username)
    except RowRefused as refused:
        attempt = (raw_row_id, cells, refused.errors)
        return _quarantine_page(request, user, source, page, attempt, status_code=400)
    except InputError:
        flash(request, "quarantine.gone")
    else:
        flash(request, "quarantine.resolved", source=summary.source, file=summary.file)
    query = {"page": page} | ({"source": source} if source else {})
    return see_other(f"/quarantine?{urlencode(query)}")


def _entry_page(
    request: Request,
    values: dict[str, str],
    errors: tuple[FieldError, ...] = (),
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    with engine_of(request).connect() as conn:
        known = [s.name for s in source_sizes(conn)]
    context = {
        "values": values,
        "errors": errors,
        "failing": {e.field for e in errors},
        "problem": problem,
        "sources": known,
        "kinds": SOURCE_KINDS,
        "statuses": STATUSES,
        "standard": STANDARD_COLUMNS,
        "known_reasons": KNOWN_REASONS,
        "governorates": default_gazetteer().governorates,
    }
    return render_page(request, "entry.html", context, status_code=status_code)


def _new_record_id() -> str:
    return f"entry-{dt.datetime.now(dt.UTC):%Y%m%d}-{secrets.token_hex(4)}"


@router.get("/entry")
def entry(request: Request, user: UserInfo = Depends(RequirePage("ingest"))) -> Response:
    remembered = request.session.get(ENTRY_DEFAULTS)
    source, kind = remembered if isinstance(remembered, list) else (ENTRY_SOURCE, ENTRY_KIND)
    values = {"source": source, "kind": kind, "record_id": _new_record_id(), "status": "killed"}
    return _entry_page(request, values)


@router.post("/entry")
def entry_add(
    request: Request,
    user: UserInfo = Depends(RequirePage("ingest")),
    fields: dict[str, str] = Depends(form_fields),
) -> Response:
    source = fields.get("source", "").strip()
    kind = fields.get("kind", "")
    values = {k: fields.get(k, "") for k in (*STANDARD_COLUMNS, "source", "kind")}
    if not source:
        return _entry_page(request, values, problem="entry.source_missing", status_code=400)
    cells = {k: fields.get(k, "") for k in STANDARD_COLUMNS}
    try:
        summary = ingest_entry(
            engine_of(request),
            cells,
            source,
            kind=kind if kind in SOURCE_KINDS else None,
            user=user.username,
        )
    except RowRefused as refused:
        return _entry_page(request, values, refused.errors, status_code=400)
    except SourceError:
        return _entry_page(request, values, problem="entry.source_conflict", status_code=400)
    request.session[ENTRY_DEFAULTS] = [source, kind]
    if summary.already_imported or summary.rows_already_present:
        flash(request, "entry.already", record_id=cells["record_id"].strip())
    else:
        flash(request, "entry.saved", record_id=cells["record_id"].strip(), source=source)
    return see_other("/entry")
