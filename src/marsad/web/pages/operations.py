"""The operations page: link, verify, estimate, report, export, release and a release's check,
each started from a form as a job, and the job's page (progress, then what it gave and the file
to download).

Thin faces over `services.operations`: each form is drawn from the operation's request model
(a choice for a Literal, boxes for a list of them, a tick for a bool), so the page, the API and
its OpenAPI document ask for the same things. A role sees only the operations it may run.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import FileResponse, Response

from marsad.errors import NotFound, TooManyJobs
from marsad.i18n import has_text
from marsad.services.operation_jobs import job_file, newest_operations
from marsad.services.operations import OPERATIONS, check_request
from marsad.services.users import UserInfo
from marsad.web.api_jobs import media_type, visible_job
from marsad.web.auth import RequirePage, engine_of
from marsad.web.jobs import job_runner
from marsad.web.pages.base import render_page, see_other

router = APIRouter(include_in_schema=False)
JOBS_SHOWN = 20


@dataclass(frozen=True)
class FieldView:
    """One field of an operation's form."""

    name: str
    widget: str
    """select, boxes, tick, number or text."""
    choices: tuple[str, ...]
    default: Any
    step: str


def _choices(annotation: Any) -> tuple[str, ...]:
    return tuple(str(a) for a in typing.get_args(annotation))


def form_fields(model: type[BaseModel]) -> list[FieldView]:
    """The form of an operation, read from its request model."""
    fields = []
    for name, info in model.model_fields.items():
        kind = info.annotation
        origin = typing.get_origin(kind)
        default = info.get_default(call_default_factory=True)
        if origin is typing.Literal:
            fields.append(FieldView(name, "select", _choices(kind), default, ""))
        elif origin is list:
            fields.append(FieldView(name, "boxes", _choices(typing.get_args(kind)[0]), default, ""))
        elif kind is bool:
            fields.append(FieldView(name, "tick", (), default, ""))
        elif kind in (int, float):
            fields.append(FieldView(name, "number", (), default, "any" if kind is float else "1"))
        else:
            fields.append(FieldView(name, "text", (), default, ""))
    return fields


def _kinds(user: UserInfo) -> list[tuple[str, list[FieldView]]]:
    return [
        (kind, form_fields(op.request))
        for kind, op in OPERATIONS.items()
        if user.can(op.permission)
    ]


def _hub(
    request: Request, user: UserInfo, problem: tuple[str, str] | None = None, status: int = 200
) -> Response:
    mine = None if user.role == "admin" else user.username
    context = {
        "operations": _kinds(user),
        "jobs": newest_operations(engine_of(request), JOBS_SHOWN, mine),
        "problem": problem,
        "label": _label,
    }
    return render_page(request, "operations.html", context, status_code=status)


def _label(prefix: str, key: object) -> str | None:
    """The catalogue key for a value shown on these pages, or None (then shown as data)."""
    found = f"{prefix}.{key}"
    return found if has_text(found) else None


@router.get("/operations")
def operations(request: Request, user: UserInfo = Depends(RequirePage(None))) -> Response:
    return _hub(request, user)


async def _asked(request: Request, model: type[BaseModel]) -> BaseModel:
    """The request a posted form makes: lists from repeated fields, an unticked box False."""
    values: dict[str, Any] = {}
    async with request.form() as form:
        for field in form_fields(model):
            if field.widget == "boxes":
                values[field.name] = [v for v in form.getlist(field.name) if isinstance(v, str)]
            elif field.widget == "tick":
                values[field.name] = field.name in form
            elif isinstance(form.get(field.name), str) and form.get(field.name) != "":
                values[field.name] = form.get(field.name)
    return model.model_validate(values)


@router.post("/operations/{kind}")
async def operation_start(
    request: Request, kind: str, user: UserInfo = Depends(RequirePage(None))
) -> Response:
    operation = OPERATIONS.get(kind)
    if operation is None:
        raise NotFound(f"no operation {kind[:40]!r}")
    if not user.can(operation.permission):
        return _hub(request, user, ("error.forbidden", ""), 403)
    try:
        asked = await _asked(request, operation.request)
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"])
        return _hub(request, user, ("op.invalid", fields), 400)
    check_request(kind, asked, user.can)
    try:
        job_id = job_runner(request).start_operation(engine_of(request), kind, asked, user.username)
    except TooManyJobs:
        return _hub(request, user, ("op.busy", ""), 429)
    return see_other(f"/jobs/{job_id}")


@router.get("/jobs/{job_id}")
def job_page(
    request: Request, job_id: str, user: UserInfo = Depends(RequirePage(None))
) -> Response:
    job = visible_job(request, job_id, user)
    context = {
        "job": job,
        "label": _label,
        "has_file": job_file(engine_of(request), job) is not None,
    }
    return render_page(request, "job.html", context)


@router.get("/jobs/{job_id}/file")
def job_download(
    request: Request, job_id: str, user: UserInfo = Depends(RequirePage(None))
) -> Response:
    job = visible_job(request, job_id, user)
    path = job_file(engine_of(request), job) if job.state == "done" else None
    if path is None:
        raise NotFound(f"job {job.id} has no file")
    return FileResponse(path, filename=path.name, media_type=media_type(path.name))
