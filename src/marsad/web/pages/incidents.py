"""Incident reports (deaths reported without names): import a file as a job, see the reports
of different sources that may be one event, and decide: one event (same), not one event
(different), or take a report out of its event (apart).

Thin faces over `services.incidents` and `services.incident_events`, as `marsad incidents …`;
nothing is grouped until a reviewer says so, and each decision is audited.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import Response

from marsad.errors import InputError, TooManyJobs
from marsad.services.incident_events import (
    candidates,
    group_reports,
    incident_reports,
    keep_apart,
    take_apart,
)
from marsad.services.incidents import incident_counts
from marsad.services.operations import Outcome, Stage, ingest_incident_file
from marsad.services.users import UserInfo
from marsad.web.auth import RequirePage, engine_of
from marsad.web.ids import FormId
from marsad.web.jobs import job_runner
from marsad.web.pages.base import flash, render_page, see_other
from marsad.web.pages.data import _safe_name, _save

router = APIRouter(include_in_schema=False)
SHOWN = 50


def _incidents(
    request: Request, user: UserInfo, error: str | None = None, status: int = 200
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        found = candidates(conn)
        reports = incident_reports(conn)
        counts = incident_counts(conn)
    context: dict[str, Any] = {
        "candidates": found[:SHOWN],
        "more": max(0, len(found) - SHOWN),
        "grouped": [r for r in reports if r.event_id is not None],
        "counts": counts,
        "error": error,
        "may_ingest": user.can("ingest"),
    }
    return render_page(request, "incidents.html", context, status_code=status)


@router.get("/incidents")
def incidents(request: Request, user: UserInfo = Depends(RequirePage("review"))) -> Response:
    return _incidents(request, user)


@router.post("/incidents/ingest")
def incidents_ingest(
    request: Request,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form(min_length=1, max_length=200)],
    user: UserInfo = Depends(RequirePage("ingest")),
) -> Response:
    """Import a file of incident reports as a job; its page says what was stored."""
    directory = Path(tempfile.mkdtemp(prefix="marsad-incidents-"))
    path = directory / _safe_name(file.filename, "incidents.csv")
    _save(file.file, path, None)
    engine = engine_of(request)

    def work(folder: Path, stage: Stage) -> Outcome:
        try:
            return ingest_incident_file(engine, path, source.strip(), user.username, stage)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    params = {"file": path.name, "source": source.strip()}
    try:
        job_id = job_runner(request).start_work(engine, "incidents", params, user.username, work)
    except TooManyJobs:
        shutil.rmtree(directory, ignore_errors=True)
        return _incidents(request, user, "too many jobs are running; try again", 429)
    return see_other(f"/jobs/{job_id}")


@router.post("/incidents/same")
async def incidents_same(
    request: Request, user: UserInfo = Depends(RequirePage("review"))
) -> Response:
    """The reports named are one event, counted once (audited)."""
    async with request.form() as form:
        ids = [int(v) for v in form.getlist("incident") if isinstance(v, str) and v.isdigit()]
        note = str(form.get("note") or "")
    try:
        group_reports(engine_of(request), ids, note, user.username)
    except InputError as error:
        return _incidents(request, user, str(error), 400)
    flash(request, "incident.grouped_done")
    return see_other("/incidents")


@router.post("/incidents/different")
def incidents_different(
    request: Request,
    first: FormId,
    second: FormId,
    note: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("review")),
) -> Response:
    """Two reports are not one event: never proposed together again (audited)."""
    try:
        keep_apart(engine_of(request), first, second, note, user.username)
    except InputError as error:
        return _incidents(request, user, str(error), 400)
    flash(request, "incident.kept_apart")
    return see_other("/incidents")


@router.post("/incidents/apart")
def incidents_apart(
    request: Request,
    incident: FormId,
    note: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("review")),
) -> Response:
    """Take a report out of its event; it counts on its own again (audited)."""
    try:
        take_apart(engine_of(request), incident, user.username, note)
    except InputError as error:
        return _incidents(request, user, str(error), 400)
    flash(request, "incident.taken_apart")
    return see_other("/incidents")
