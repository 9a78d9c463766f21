"""Tracing in the JSON API (/api/tracing/…): cases, a case's candidates (the JSON shape of
`marsad missing candidates`), the workflow's steps, matching, a relative's report, and the
partners' export, for the tracing role. Every case is read through `readable_cases`; the
`audience` parameter narrows what a script is handed to what a partner or the public may see.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from marsad.i18n import text
from marsad.services.audit import record_names_read
from marsad.services.tracing_cases import (
    act_on_case,
    history,
    readable_cases,
    resolve_case,
    stored_candidates,
)
from marsad.services.tracing_export import export_open_cases
from marsad.services.tracing_ingest import configured_kek, ingest_report_entry
from marsad.services.tracing_match import match_cases
from marsad.services.users import UserInfo
from marsad.web.auth import RequireApi, engine_of

router = APIRouter(
    prefix="/tracing",
    tags=["tracing"],
    responses={
        400: {
            "description": "A value, act or step the case does not allow (the reason in detail)."
        },
        404: {"description": "No such case (or not one the audience may read)."},
    },
)

Audience = Literal["internal", "partners", "public"]
Lang = Literal["en", "ar"]


class StepRequest(BaseModel):
    """One workflow act (`marsad.tracing.workflow.ACTS`) and its details."""

    act: str
    detail: dict[str, str | int] = {}


class ReportRequest(BaseModel):
    """A relative's report: the standard report columns (docs/formats.md) as strings."""

    source: str = "Tracing desk"
    cells: dict[str, str]


def _candidates(request: Request, case_id: int, lang: str) -> list[dict[str, Any]]:
    with engine_of(request).connect() as conn:
        found = stored_candidates(conn, case_id)
    return [c.as_dict(lambda k: text(k, lang)) for c in found]


@router.get("/cases")
def cases(
    request: Request,
    audience: Audience = "internal",
    user: UserInfo = Depends(RequireApi("view_tracing")),
) -> list[dict[str, Any]]:
    """Every case the audience may read, with its live reports (never a reporter's contact)."""
    with engine_of(request).connect() as conn:
        return [v.as_dict() for v in readable_cases(conn, audience)]


@router.get("/cases/{ident}")
def case(
    request: Request,
    ident: str,
    audience: Audience = "internal",
    lang: Lang = "en",
    user: UserInfo = Depends(RequireApi("view_tracing")),
) -> dict[str, Any]:
    """A case (by id or a report_id), its candidates and its history."""
    with engine_of(request).connect() as conn:
        view = resolve_case(conn, audience, ident)
        steps = history(conn, view.case_id)
    found = _candidates(request, view.case_id, lang)
    record_names_read(engine_of(request), user.username, "/api/tracing/cases", len(found), "api")
    return {
        **view.as_dict(),
        "candidates": found,
        "history": [
            {
                "at": at.isoformat(timespec="seconds"),
                "actor": s.actor,
                "act": s.act,
                "from": s.state_from,
                "to": s.state_to,
                "detail": dict(s.detail),
            }
            for at, s in steps
        ],
    }


@router.get("/cases/{ident}/candidates")
def candidates(
    request: Request,
    ident: str,
    audience: Audience = "internal",
    lang: Lang = "en",
    user: UserInfo = Depends(RequireApi("view_tracing")),
) -> list[dict[str, Any]]:
    """`marsad missing candidates ID --json`: best first, at most 20."""
    with engine_of(request).connect() as conn:
        view = resolve_case(conn, audience, ident)
    found = _candidates(request, view.case_id, lang)
    record_names_read(
        engine_of(request), user.username, "/api/tracing/candidates", len(found), "api"
    )
    return found


@router.post("/cases/{ident}/steps")
def step(
    request: Request,
    ident: str,
    body: StepRequest,
    user: UserInfo = Depends(RequireApi("trace")),
) -> dict[str, Any]:
    """A workflow step by the token's user; a death needs two distinct users."""
    done = act_on_case(engine_of(request), ident, user.username, body.act, body.detail)
    return {"act": done.act, "from": done.state_from, "to": done.state_to}


@router.post("/reports")
def report(
    request: Request, body: ReportRequest, user: UserInfo = Depends(RequireApi("trace"))
) -> dict[str, Any]:
    """One report, read as a row of the standard file. A reporter's name or contact needs the
    witness key on the server (MARSAD_WITNESS_KEY_FILE)."""
    summary, case_id = ingest_report_entry(
        engine_of(request), body.cells, body.source, user.username, configured_kek()
    )
    return {
        "case_id": case_id,
        "already_recorded": summary.already_imported,
        "quarantined": [
            {"field": e.field, "reason": e.reason} for q in summary.quarantined for e in q.errors
        ],
    }


@router.post("/match")
def match(
    request: Request,
    audience: Audience = "internal",
    lang: Lang = "en",
    user: UserInfo = Depends(RequireApi("trace")),
) -> list[dict[str, Any]]:
    """Match every open case now (it may take a minute on a large store) and answer as
    `marsad missing match --json`."""
    matches = match_cases(engine_of(request), user.username, audience=audience)
    return [m.as_dict(lambda k: text(k, lang)) for m in matches]


@router.get(
    "/export",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "HXL-tagged CSV."}},
)
def export(
    request: Request,
    audience: Audience = "partners",
    user: UserInfo = Depends(RequireApi("trace")),
) -> FileResponse:
    """Open cases as HXL CSV, only those the audience may receive and only what consent allows."""
    folder = Path(tempfile.mkdtemp(prefix="marsad-tracing-"))
    path = folder / f"open-cases-{audience}.csv"
    export_open_cases(engine_of(request), audience, path, user.username)
    cleanup = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    return FileResponse(path, media_type="text/csv", filename=path.name, background=cleanup)
