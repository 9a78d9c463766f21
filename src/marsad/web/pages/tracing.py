"""Tracing pages: the dashboard of cases (by state and governorate) with the report form, and a
case's page: its reports, its candidates side by side with the sought person field by field,
the reasons in words, the history, and the forms of the workflow's steps.

Thin faces over marsad.services.tracing_*, the same calls as `marsad missing`: every case is
read through `readable_cases` (the team's audience), and the candidates' names shown are a
"names.read" audit event. The reporter's contact is never on a page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from marsad.services.audit import record_names_read
from marsad.services.tracing_cases import (
    SIDE_BY_SIDE,
    act_on_case,
    candidate_fields,
    case_counts,
    history,
    readable_cases,
    resolve_case,
    sought_fields,
    stored_candidates,
)
from marsad.services.tracing_ingest import configured_kek, ingest_report_entry
from marsad.services.users import UserInfo
from marsad.tracing.consent import CONSENT_SCOPES
from marsad.tracing.reports import REPORT_COLUMNS
from marsad.tracing.workflow import ACTS, STATES
from marsad.web.auth import RequirePage, engine_of
from marsad.web.ids import PathId
from marsad.web.pages.base import flash, form_fields, render_page, see_other

router = APIRouter(include_in_schema=False)

FORM_FIELDS = tuple(c for c in REPORT_COLUMNS if c not in ("report_id",))
STEP_FIELDS = ("where", "person_id", "evidence", "who", "when", "how", "reason")


@router.get("/tracing")
def dashboard(request: Request, user: UserInfo = Depends(RequirePage("view_tracing"))) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        counts = case_counts(conn, "internal")
        cases = readable_cases(conn, "internal")
        best = {c.case_id: stored_candidates(conn, c.case_id)[:1] for c in cases}
    context = {
        "counts": counts,
        "states": STATES,
        "cases": cases,
        "best": best,
        "may_trace": user.can("trace"),
        "fields": FORM_FIELDS,
        "scopes": CONSENT_SCOPES,
    }
    return render_page(request, "tracing.html", context)


@router.post("/tracing/reports")
async def report_form(request: Request, user: UserInfo = Depends(RequirePage("trace"))) -> Response:
    cells = await form_fields(request)
    cells.pop("csrf_token", None)
    source = cells.pop("source", "").strip() or "Tracing desk"
    report = {k: cells.get(k, "") for k in FORM_FIELDS}
    report["report_id"] = cells.get("report_id", "").strip()
    summary, case_id = ingest_report_entry(
        engine_of(request), report, source, user.username, configured_kek()
    )
    if case_id is None:
        if summary.already_imported:
            flash(request, "tracing.already")
        else:
            reasons = "; ".join(
                f"{e.field}: {e.reason}" for q in summary.quarantined for e in q.errors
            )
            flash(request, "tracing.quarantined", reasons=reasons)
        return see_other("/tracing")
    flash(request, "tracing.recorded", case=str(case_id))
    return see_other(f"/tracing/cases/{case_id}")


@router.get("/tracing/cases/{case_id}")
def case_page(
    request: Request, case_id: PathId, user: UserInfo = Depends(RequirePage("view_tracing"))
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        view = resolve_case(conn, "internal", str(case_id))
        candidates = stored_candidates(conn, view.case_id)
        sides = [candidate_fields(conn, c) for c in candidates]
        steps = history(conn, view.case_id)
    record_names_read(engine, user.username, f"/tracing/cases/{case_id}", len(candidates), "page")
    context = {
        "case": view,
        "sought": sought_fields(view),
        "candidates": list(zip(candidates, sides, strict=True)),
        "rows": SIDE_BY_SIDE,
        "steps": steps,
        "acts": [
            a for a, (starts, _) in ACTS.items() if view.state in starts and a != "possible_match"
        ],
        "needs": {a: needs for a, (_, needs) in ACTS.items()},
        "may_trace": user.can("trace"),
    }
    return render_page(request, "tracing_case.html", context)


@router.post("/tracing/cases/{case_id}/steps")
async def case_step(
    request: Request,
    case_id: PathId,
    act: Annotated[str, Form()],
    user: UserInfo = Depends(RequirePage("trace")),
) -> Response:
    cells = await form_fields(request)
    detail = {k: cells[k].strip() for k in STEP_FIELDS if cells.get(k, "").strip()}
    step = act_on_case(engine_of(request), str(case_id), user.username, act, detail)
    flash(request, "tracing.stepped", state=step.state_to)
    return see_other(f"/tracing/cases/{case_id}")
