"""The dashboard, the search and the person pages, and a reviewer's status decisions.

Thin faces over the services the CLI uses: counts and overlaps from `services.browse`, search
from `services.search`, decisions from `services.verify`. A person's full record is read only
through `browse.view_person`, which writes "person.view" to the audit log each time. Forms post
back and answer with a redirect (303) and a flash message (`pages.base`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from marsad.domain.records import age_text
from marsad.errors import InputError, NotFound
from marsad.i18n import format_partial_date, localise_digits, text, whole_percent
from marsad.ingest.places import Governorate, default_gazetteer
from marsad.publish.charts.governorates import governorate_weeks_chart
from marsad.publish.charts.upset import upset_chart
from marsad.publish.report_estimate import warning_figures
from marsad.services.audit import record_names_read
from marsad.services.browse import Dashboard, dashboard, person_status_decisions
from marsad.services.freshness import dashboard_freshness
from marsad.services.person_page import person_page as read_person_page
from marsad.services.review import merge, merged_person
from marsad.services.search import SearchQuery, search_day, search_persons
from marsad.services.shelter_exports import displacement_by_governorate
from marsad.services.users import UserInfo
from marsad.services.verify import (
    DECISIONS,
    VerifyError,
    choose_value,
    decide_status,
    revoke_status,
)
from marsad.verify.reasons import pieces_in
from marsad.web.auth import RequirePage, engine_of
from marsad.web.ids import FormId, PathId
from marsad.web.pages.base import flash, render_page, see_other
from marsad.web.pages.person_words import decided_words, explanation_words, field_value, joined
from marsad.web.rendering import render

router = APIRouter(include_in_schema=False)

SEARCH_PER_PAGE = 50
LACKING = ("full name", "date of death", "place of death")
"""What a person may lack to be documented, as the verification rules name it."""


def governorate_name(pcode: str | None, lang: str) -> str:
    """A governorate's name in `lang` for its p-code; the code itself when unknown."""
    if not pcode:
        return ""
    known = default_gazetteer().governorate_by_code(pcode)
    if known is None:
        return pcode
    return known.name_ar if lang == "ar" else known.name_en


def death_date(value: str | None, lang: str) -> str:
    """A date of death as written in `lang`, at its own precision (day, month or year)."""
    return format_partial_date(value, lang)


def age_range(age_min: int | None, age_max: int | None, lang: str) -> str:
    """ "34", "30–39", "60+" or "" in `lang`'s digits."""
    return localise_digits(age_text(age_min, age_max), lang)


def reason_item(reason: str, lang: str) -> Markup:
    """A stored verification reason as a list item in the reader's language.

    Reasons are stored in English (marsad.verify.reasons); one the table does not know, say
    from an older version, is shown as stored, marked English. In a translated sentence the
    values carried over as they were (a note, a user name, record numbers) are isolated so
    that their own direction does not upset the sentence's.
    """
    pieces = pieces_in(reason, lang)
    if pieces is None:
        return Markup('<li><bdi lang="en">{}</bdi></li>').format(reason)
    inner = Markup("").join(
        Markup("<bdi>{}</bdi>").format(p.text) if p.free else escape(p.text) for p in pieces
    )
    return Markup('<li lang="{}">{}</li>').format(lang, inner)


def governorates() -> list[Governorate]:
    return sorted(default_gazetteer().governorates, key=lambda g: g.pcode)


@dataclass(frozen=True)
class DashboardCharts:
    """The dashboard's SVG charts, drawn by the report's chart functions in the page's
    language (the template calls them, since only it knows the language)."""

    figures: Dashboard

    def weeks(self, lang: str, title: str, unknown: str) -> Markup:
        rows = [
            (governorate_name(pcode, lang) if pcode else unknown, weeks)
            for pcode, weeks in self.figures.weeks_by_governorate
        ]
        return governorate_weeks_chart(rows, title=title, lang=lang)

    def overlaps(self, lang: str, title: str) -> Markup | None:
        histories = self.figures.overlaps
        return upset_chart(histories, title=title, lang=lang) if histories else None

    def estimate_warnings(self, lang: str) -> list[str]:
        """The newest estimate's warnings that the lists look split, in the page's language."""
        estimated = self.figures.estimated
        if estimated is None:
            return []
        return [
            text(f"warning.{code}", lang, **warning_figures(values, lang))
            for code, values in estimated.warnings
        ]

    def linkage_share(self, lang: str) -> str | None:
        """The share of the interval's width that linkage accounts for, formatted."""
        estimated = self.figures.estimated
        if estimated is None or estimated.width_share is None:
            return None
        return whole_percent(estimated.width_share, lang)

    def lists(self) -> list[tuple[str, int, int]]:
        """(independent list, persons on it, persons on it alone)."""
        histories = self.figures.overlaps
        if histories is None:
            return []
        sizes = histories.list_sizes()
        return [
            (
                name,
                sizes[name],
                sum(n for p, n in histories.counts.items() if p[i] and sum(p) == 1),
            )
            for i, name in enumerate(histories.lists)
        ]


@router.get("/")
def dashboard_page(
    request: Request, user: UserInfo = Depends(RequirePage("view_dashboard"))
) -> Response:
    figures = dashboard(engine_of(request))
    with engine_of(request).connect() as conn:
        displaced_on, displaced = displacement_by_governorate(conn)
        freshness = dashboard_freshness(conn)
    context = {
        "displaced_on": displaced_on,
        "displaced": displaced,
        "freshness": freshness,
        "overview": figures.overview,
        "figures": figures,
        "charts": DashboardCharts(figures),
        "lacking": LACKING,
    }
    return render_page(request, "dashboard.html", context)


@router.get("/search")
def search_page(
    request: Request,
    name: str = "",
    governorate: str = "",
    place: str = "",
    date_from: str = "",
    date_to: str = "",
    page: int = Query(1, ge=1, le=1_000_000),
    user: UserInfo = Depends(RequirePage("view_names")),
) -> Response:
    context = {
        "form": {
            "name": name,
            "governorate": governorate,
            "place": place,
            "date_from": date_from,
            "date_to": date_to,
        },
        "governorates": governorates(),
        "governorate_name": governorate_name,
        "death_date": death_date,
        "result": None,
        "error": None,
        "page": page,
        "pages": 1,
    }
    try:
        query = SearchQuery(
            name, governorate or None, place, search_day(date_from), search_day(date_to)
        )
        if not query.empty:
            result = search_persons(
                engine_of(request), query, (page - 1) * SEARCH_PER_PAGE, SEARCH_PER_PAGE
            )
            context["result"] = result
            context["pages"] = result.pages(page, SEARCH_PER_PAGE)
            context["more"] = result.more
            record_names_read(engine_of(request), user.username, "/search", len(result.hits), "web")
    except InputError:
        context["error"] = "search.bad_date"
    status_code = 400 if context["error"] else 200
    return render_page(request, "search.html", context, status_code=status_code)


def _person_page(
    request: Request,
    user: UserInfo,
    person_id: int,
    error: str | None = None,
) -> Response:
    try:
        shown = read_person_page(engine_of(request), person_id, user.username, "web")
    except NotFound:
        return render(request, "error.html", {"message": "error.not_found"}, status_code=404)
    context = {
        "person_id": person_id,
        "page": shown,
        "file": shown.file,
        "error": error,
        "decisions": DECISIONS,
        "can_verify": user.can("verify"),
        "can_merge": user.can("merge_persons"),
        "can_edit": user.can("ingest"),
        "cell": field_value,
        "said": explanation_words,
        "joined": joined,
        "decided": decided_words,
        "death_date": death_date,
        "reason_item": reason_item,
    }
    return render_page(request, "person.html", context, status_code=400 if error else 200)


@router.get("/persons/{person_id}")
def person_page(
    request: Request,
    person_id: PathId,
    user: UserInfo = Depends(RequirePage("view_names")),
) -> Response:
    return _person_page(request, user, person_id)


def _decided(request: Request, person_id: int, done: str) -> Response:
    """Back to the person's page, which says what the decision did."""
    flash(request, f"person.done.{done}")
    return see_other(f"/persons/{person_id}")


@router.post("/persons/{person_id}/status")
def person_status(
    request: Request,
    person_id: PathId,
    status: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("verify")),
) -> Response:
    """Confirm the person or set their status by hand (services.verify.decide_status)."""
    try:
        decide_status(engine_of(request), person_id, status, reason, user.username)
    except VerifyError as error:
        return _person_page(request, user, person_id, error=str(error))
    return _decided(request, person_id, "status")


@router.post("/persons/{person_id}/revoke")
def person_revoke(
    request: Request,
    person_id: PathId,
    decision_id: FormId,
    reason: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("verify")),
) -> Response:
    """Revoke one of this person's status decisions (services.verify.revoke_status)."""
    engine = engine_of(request)
    if decision_id not in {d.id for d in person_status_decisions(engine, person_id)}:
        return render(request, "error.html", {"message": "error.not_found"}, status_code=404)
    try:
        revoke_status(engine, decision_id, reason, user.username)
    except VerifyError as error:
        return _person_page(request, user, person_id, error=str(error))
    return _decided(request, person_id, "revoke")


@router.post("/persons/{person_id}/choose")
def person_choose(
    request: Request,
    person_id: PathId,
    field: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("verify")),
) -> Response:
    """Choose which of the person's conflicting values is right (services.verify.choose_value)."""
    try:
        choose_value(engine_of(request), person_id, field, value, reason, user.username)
    except VerifyError as error:
        return _person_page(request, user, person_id, error=str(error))
    return _decided(request, person_id, "choose")


@router.post("/persons/{person_id}/merge")
def person_merge(
    request: Request,
    person_id: PathId,
    other: FormId,
    note: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("merge_persons")),
) -> Response:
    """Join another person into this one (services.review.merge; audited "person.merge")."""
    engine = engine_of(request)
    try:
        action_id = merge(engine, person_id, other, user.username, note or None)
    except InputError as error:
        return _person_page(request, user, person_id, error=str(error))
    return _decided(request, merged_person(engine, action_id) or person_id, "merge")
