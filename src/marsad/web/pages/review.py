"""The review queue: two records side by side, the model's reasons, and the reviewer's verdict.

A thin face over marsad.services.review, the same calls as `marsad review`: accept and reject
store a human decision (which outlives every re-run of the model), undo revokes the reviewer's
own last act. Skipping only moves a pair out of this session's way: it decides nothing. The
keys a, r, s and u press the buttons (static/review.js).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import Engine
from starlette.responses import Response

from marsad.errors import InputError
from marsad.services.audit import record_names_read
from marsad.services.person_page import days_between
from marsad.services.review import ActionView, NotProposed, accept, reject, reviewer_activity, undo
from marsad.services.review_page import pair_view
from marsad.services.review_queue import ReviewItem, governorate_pcode, queue_size, review_queue
from marsad.services.users import UserInfo
from marsad.store.models import utcnow
from marsad.web.auth import RequirePage, engine_of
from marsad.web.ids import FormId
from marsad.web.pages.base import flash, render_page, see_other
from marsad.web.pages.person_words import (
    contribution_words,
    explanation_words,
    field_value,
    joined,
)
from marsad.web.pages.persons import governorate_name, governorates

router = APIRouter(include_in_schema=False)

SKIPPED = "review.skipped"
GOVERNORATE = "review.governorate"
MAX_SKIPPED = 200
"""Skipped pairs remembered in the session cookie (which must stay under 4 KB)."""


@dataclass(frozen=True)
class Progress:
    """A reviewer's day: acts still in force since midnight (UTC), and pairs still waiting."""

    decided_today: int
    waiting: int
    skipped: int
    last_action: ActionView | None


def reviewer_progress(engine: Engine, reviewer: str, waiting: int, skipped: int) -> Progress:
    """This reviewer's acts in force since midnight (UTC) and their last act."""
    midnight = dt.datetime.combine(utcnow().date(), dt.time())
    decided_today, last = reviewer_activity(engine, reviewer, midnight)
    return Progress(decided_today, waiting, skipped, last)


def _skipped(request: Request) -> list[int]:
    value = request.session.get(SKIPPED)
    return [int(v) for v in value if isinstance(v, int)] if isinstance(value, list) else []


def _governorate(request: Request) -> str | None:
    """The governorate this session reviews (`?governorate=` sets it, empty clears it)."""
    if "governorate" in request.query_params:
        chosen = request.query_params["governorate"].strip()
        request.session.pop(GOVERNORATE, None)
        if chosen:
            try:
                request.session[GOVERNORATE] = governorate_pcode(chosen)
            except InputError:
                flash(request, "review.unknown_governorate")
    value = request.session.get(GOVERNORATE)
    return value if isinstance(value, str) else None


def _next_item(request: Request, skipped: list[int], governorate: str | None) -> ReviewItem | None:
    """The first pair of the queue (in the chosen governorate) not skipped this session."""
    items = review_queue(engine_of(request), limit=len(skipped) + 1, governorate=governorate)
    return next((i for i in items if i.decision_id not in skipped), None)


def days_apart(item: ReviewItem) -> int | None:
    """Days between the pair's full dates of death, for the explanation's words."""
    return days_between(item.record_a.date_of_death, item.record_b.date_of_death)


@router.get("/review")
def review(request: Request, user: UserInfo = Depends(RequirePage("review"))) -> Response:
    engine = engine_of(request)
    skipped = _skipped(request)
    governorate = _governorate(request)
    item = _next_item(request, skipped, governorate)
    waiting = queue_size(engine, governorate)
    progress = reviewer_progress(engine, user.username, waiting, len(skipped))
    pair = None
    if item is not None:
        pair = pair_view(engine, item)
        record_names_read(engine, user.username, "/review", len(pair.columns), "web")
    context = {
        "item": item,
        "pair": pair,
        "progress": progress,
        "cell": field_value,
        "said": explanation_words,
        "said_level": contribution_words,
        "joined": joined,
        "days_apart": days_apart,
        "bar": weight_width,
        "signed": format_weight,
        "governorate": governorate,
        "governorates": governorates(),
        "governorate_name": governorate_name,
    }
    return render_page(request, "review.html", context)


def _decide(
    request: Request, user: UserInfo, verdict: str, record_a: int, record_b: int, note: str
) -> Response:
    engine = engine_of(request)
    decide = accept if verdict == "accept" else reject
    try:
        decide(engine, record_a, record_b, user.username, note or None)
    except NotProposed:
        flash(request, "review.not_proposed")
    except InputError:
        flash(request, "review.failed")
    else:
        flash(request, f"review.done_{verdict}")
    return see_other("/review")


@router.post("/review/accept")
def review_accept(
    request: Request,
    record_a: FormId,
    record_b: FormId,
    note: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("review")),
) -> Response:
    return _decide(request, user, "accept", record_a, record_b, note)


@router.post("/review/reject")
def review_reject(
    request: Request,
    record_a: FormId,
    record_b: FormId,
    note: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("review")),
) -> Response:
    return _decide(request, user, "reject", record_a, record_b, note)


@router.post("/review/skip")
def review_skip(
    request: Request,
    decision_id: FormId,
    user: UserInfo = Depends(RequirePage("review")),
) -> Response:
    skipped = [d for d in _skipped(request) if d != decision_id] + [decision_id]
    request.session[SKIPPED] = skipped[-MAX_SKIPPED:]
    flash(request, "review.done_skip")
    return see_other("/review")


@router.post("/review/skipped/clear")
def review_unskip(request: Request, user: UserInfo = Depends(RequirePage("review"))) -> Response:
    request.session.pop(SKIPPED, None)
    return see_other("/review")


@router.post("/review/undo")
def review_undo(request: Request, user: UserInfo = Depends(RequirePage("review"))) -> Response:
    engine = engine_of(request)
    last = reviewer_progress(engine, user.username, 0, 0).last_action
    if last is None:
        flash(request, "review.nothing_to_undo")
    else:
        try:
            undo(engine, last.id, user.username)
        except InputError:
            flash(request, "review.failed")
        else:
            flash(request, "review.done_undo")
    return see_other("/review")


def weight_width(weight: float | None, widest: float = 12.0) -> float:
    """A weight's bar length, as a percentage of the widest weight shown."""
    return 0.0 if weight is None else round(min(abs(weight), widest) / widest * 100, 1)


def format_weight(weight: float | None) -> str:
    return "" if weight is None else f"{weight:+.2f}"
