"""The API's operations: each is started by a POST that answers 202 with the job, which is then
polled by GET /api/jobs/{id} until it is done or failed; a job that wrote a file (a report, an
export) is downloaded from /api/jobs/{id}/file. The same operations and permissions as the
operations page (`services.operations`); a job is seen only by whoever started it, and admins.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.responses import FileResponse

from marsad.errors import NotFound
from marsad.services.operation_jobs import OperationView, job_file, newest_operations
from marsad.services.operations import (
    EstimateRequest,
    ExportRequest,
    LinkRequest,
    ReleaseCheckRequest,
    ReleaseRequest,
    ReportRequest,
    VerifyRequest,
    check_request,
)
from marsad.services.users import UserInfo
from marsad.web.api import Problem, UtcDateTime
from marsad.web.auth import RequireApi, engine_of
from marsad.web.jobs import job_runner

router = APIRouter(
    prefix="/api",
    tags=["jobs"],
    responses={
        401: {"model": Problem, "description": "No valid token (send Authorization: Bearer …)."},
        403: {"model": Problem, "description": "The token's role may not do this."},
    },
)
STARTED: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The services refused the request."},
    429: {"model": Problem, "description": "Too many jobs run or wait; try again later."},
}
JOBS_LISTED = 50


class JobItem(BaseModel):
    """A job: what was asked, by whom, how far it is and, once done, what it gave."""

    id: str
    kind: str
    state: str
    """running, done, failed, or interrupted (its server worker stopped)."""
    stage: str | None
    params: dict[str, Any]
    started_by: str
    started_at: UtcDateTime
    updated_at: UtcDateTime
    result: dict[str, Any] | None
    error: str | None
    file: str | None
    """Where to download the file the job wrote, once done."""


def job_item(job: OperationView) -> JobItem:
    return JobItem(
        id=job.id,
        kind=job.kind,
        state=job.state,
        stage=job.stage,
        params=job.params,
        started_by=job.user,
        started_at=job.started_at,
        updated_at=job.updated_at,
        result=job.result,
        error=job.error,
        file=f"/api/jobs/{job.id}/file" if job.file_name and job.state == "done" else None,
    )


def visible_job(request: Request, job_id: str, user: UserInfo) -> OperationView:
    """The job if this user started it (or is an admin); NotFound otherwise, so that nobody
    learns of another's jobs."""
    job = job_runner(request).operation(engine_of(request), job_id[:40])
    if job is None or (job.user != user.username and user.role != "admin"):
        raise NotFound(f"no job {job_id[:40]!r}")
    return job


def _start(request: Request, kind: str, asked: BaseModel, user: UserInfo) -> JobItem:
    check_request(kind, asked, user.can)
    engine = engine_of(request)
    job_id = job_runner(request).start_operation(engine, kind, asked, user.username)
    return job_item(visible_job(request, job_id, user))


@router.post("/jobs/link", status_code=202, response_model=JobItem, responses=STARTED)
def start_link(
    request: Request, asked: LinkRequest, user: UserInfo = Depends(RequireApi("link"))
) -> JobItem:
    """Link every record into persons (as `marsad link`)."""
    return _start(request, "link", asked, user)


@router.post("/jobs/verify", status_code=202, response_model=JobItem, responses=STARTED)
def start_verify(
    request: Request, asked: VerifyRequest, user: UserInfo = Depends(RequireApi("verify"))
) -> JobItem:
    """Recompute every person's verification status (as `marsad verify`)."""
    return _start(request, "verify", asked, user)


@router.post("/jobs/estimate", status_code=202, response_model=JobItem, responses=STARTED)
def start_estimate(
    request: Request, asked: EstimateRequest, user: UserInfo = Depends(RequireApi("estimate"))
) -> JobItem:
    """Estimate the killed, documented or not, with a method and strata (`marsad estimate`)."""
    return _start(request, "estimate", asked, user)


@router.post("/jobs/report", status_code=202, response_model=JobItem, responses=STARTED)
def start_report(
    request: Request, asked: ReportRequest, user: UserInfo = Depends(RequireApi("export"))
) -> JobItem:
    """The report as HTML or PDF (`marsad report`); download it from the job's `file`."""
    return _start(request, "report", asked, user)


@router.post("/jobs/export", status_code=202, response_model=JobItem, responses=STARTED)
def start_export(
    request: Request, asked: ExportRequest, user: UserInfo = Depends(RequireApi("export"))
) -> JobItem:
    """Persons, records or counts in a format, pseudonymised unless `include_names` (which
    needs `export_names`); audited."""
    return _start(request, "export", asked, user)


@router.post("/jobs/release", status_code=202, response_model=JobItem, responses=STARTED)
def start_release(
    request: Request, asked: ReleaseRequest, user: UserInfo = Depends(RequireApi("publish"))
) -> JobItem:
    """Freeze a release (`marsad release NAME`)."""
    return _start(request, "release", asked, user)


@router.post("/jobs/release-check", status_code=202, response_model=JobItem, responses=STARTED)
def start_release_check(
    request: Request,
    asked: ReleaseCheckRequest,
    user: UserInfo = Depends(RequireApi("estimate")),
) -> JobItem:
    """Recompute a release and compare (`marsad release verify NAME`); `result.identical`."""
    return _start(request, "release_check", asked, user)


@router.get("/jobs", response_model=list[JobItem])
def jobs(request: Request, user: UserInfo = Depends(RequireApi(None))) -> list[JobItem]:
    """Your newest jobs (an admin's: everyone's), newest first."""
    mine = None if user.role == "admin" else user.username
    return [job_item(j) for j in newest_operations(engine_of(request), JOBS_LISTED, mine)]


@router.get(
    "/jobs/{job_id}",
    response_model=JobItem,
    responses={404: {"model": Problem, "description": "No such job of yours."}},
)
def job(request: Request, job_id: str, user: UserInfo = Depends(RequireApi(None))) -> JobItem:
    """A job: poll until `state` is done or failed."""
    return job_item(visible_job(request, job_id, user))


@router.get(
    "/jobs/{job_id}/file",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The job's file."},
        404: {"model": Problem, "description": "No such job of yours, or no file."},
    },
)
def job_download(
    request: Request, job_id: str, user: UserInfo = Depends(RequireApi(None))
) -> FileResponse:
    """The file a finished job wrote."""
    found = visible_job(request, job_id, user)
    path = job_file(engine_of(request), found) if found.state == "done" else None
    if path is None:
        raise NotFound(f"job {found.id} has no file")
    return FileResponse(path, filename=path.name, media_type=media_type(path.name))


def media_type(name: str) -> str:
    """What a job's file is, by its name."""
    for suffix, kind in MEDIA_TYPES.items():
        if name.endswith(suffix):
            return kind
    return "application/octet-stream"


MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".parquet": "application/vnd.apache.parquet",
}
