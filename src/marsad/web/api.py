"""The JSON API under /api/: the same services as the pages and the CLI, for scripts.

Scripts send `Authorization: Bearer <token>` (from `marsad user token`); the browser's own
calls may use the session cookie. Names of the dead appear only for roles with `view_names`;
reading a person's full record is an audit event ("person.view"), and every other answer that
holds names one event per request ("names.read", with how many). Roles without `view_names`
see neither sources' record ids nor exact ages (an age group instead), and the counts of
groups from 1 to the configured cell size minus one are withheld from them (`null`), so that
nobody can be singled out by sex, age, date and place.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from marsad.domain.records import RecordRow
from marsad.errors import NotFound
from marsad.services.audit import record_names_read
from marsad.services.browse import (
    estimates_page,
    persons_page,
    records_page,
    view_person,
)
from marsad.services.counts import (
    count_persons,
    latest_estimate,
    standard_definitions,
    suppressed,
    totals,
)
from marsad.services.counts import documented_missing as lacking_documentation
from marsad.services.persons import age_group
from marsad.services.search import SearchHit, SearchQuery, search_persons
from marsad.services.users import PERMISSIONS, UserInfo
from marsad.web import api_shelter, api_tracing
from marsad.web.auth import RequireApi, engine_of, settings_of
from marsad.web.ids import PathId


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


UtcDateTime = Annotated[dt.datetime, AfterValidator(_as_utc)]
"""The store keeps UTC without a zone; the API says so (RFC 3339, "+00:00")."""


class Problem(BaseModel):
    """Why a request was refused."""

    detail: Any


router = APIRouter(
    prefix="/api",
    tags=["api"],
    responses={
        401: {"model": Problem, "description": "No valid token (send Authorization: Bearer …)."},
        403: {"model": Problem, "description": "The token's role may not do this."},
    },
)

router.include_router(api_shelter.router)

T = TypeVar("T")
MAX_PER_PAGE = 500
Dimension = Literal[
    "governorate",
    "district",
    "week",
    "month",
    "sex",
    "age_group",
    "status",
    "civilian",
    "verification",
]
"""What /api/counts groups by: the counts layer's DIMENSIONS (a test checks they agree)."""


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would also read "0" as a timestamp (1 January 1970)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int
    more: bool = Field(
        default=False, description="Counting stopped at `total` (and `pages`): there are more."
    )


def _page(items: list[T], total: int, page: int, per_page: int) -> Page[T]:
    return Page[T](
        items=items,
        total=total,
        page=page,
        per_page=per_page,
        pages=max(1, math.ceil(total / per_page)),
    )


MAX_PAGE = 1_000_000
"""Far beyond any store's last page, and within every database's integer range."""
PageNumber = Query(1, ge=1, le=MAX_PAGE, description="1 is the first page.")
PerPage = Query(50, ge=1, le=MAX_PER_PAGE)


class Me(BaseModel):
    id: int
    username: str
    role: str
    language: str
    permissions: list[str]


class PersonItem(BaseModel):
    id: int
    records: int
    sources: list[str]
    names: list[str] | None = None
    """Present only for roles with `view_names`."""


class RecordItem(BaseModel):
    id: int
    source: str
    record_id: str | None
    """The source's own id: only for roles with `view_names` (it finds the row in their list)."""
    name: str | None = None
    sex: str | None
    age_min: int | None
    """Exact ages only for roles with `view_names`; the others get `age_group`."""
    age_max: int | None
    age_group: str
    date_of_death: str | None
    governorate: str | None
    pcode: str | None
    status: str
    person_id: int | None


class DecisionItem(BaseModel):
    id: int
    record_a_id: int
    record_b_id: int
    kind: str
    decision: str
    rule: str | None
    probability: float | None
    decided_by: str
    decided_at: UtcDateTime
    note: str | None


class VerificationItem(BaseModel):
    """The person's status by the rules in force (or a reviewer), and its resolved values."""

    status: str
    verification: str
    rule: str
    evidence: list[int]
    reasons: list[str]
    documented: bool
    documented_missing: list[str]
    sex: str | None
    age_min: int | None
    age_max: int | None
    date_of_death: str | None
    governorate: str | None
    district: str | None
    conflicting: bool
    conflicts: dict[str, Any]
    resolved_by: dict[str, str]
    computed_at: UtcDateTime


class StatusDecisionItem(BaseModel):
    id: int
    status: str
    reason: str
    decided_by: str
    decided_at: UtcDateTime
    revoked_at: UtcDateTime | None
    revoked_by: str | None
    revoke_reason: str | None


class PersonRecord(BaseModel):
    id: int
    review_flag: str | None
    records: list[RecordRow]
    decisions: list[DecisionItem]
    verification: VerificationItem | None
    """None until `marsad verify` (or a link) has summarised the person."""
    status_decisions: list[StatusDecisionItem]


class CountItem(BaseModel):
    """Counts under every standard; in a group's row, null for a small count withheld from a
    role without `view_names` (from 1 to the configured cell size minus one)."""

    keys: dict[str, str | bool | None]
    reported: int | None
    documented: int | None
    corroborated: int | None
    verified: int | None


class EstimatedItem(BaseModel):
    run_id: int
    method: str
    estimate: float
    interval: tuple[float, float]
    level: float


class Counts(BaseModel):
    status: str
    definitions: dict[str, str]
    min_cell: int
    """Counts of groups (`rows`) below this are withheld (null) for this role; 1 when nothing
    is withheld. Totals are never withheld: they single nobody out by sex, age, time or place."""
    totals: CountItem
    not_documented_lacking: dict[str, int]
    """Persons not documented, by what they lack (one person may lack several things)."""
    estimated: EstimatedItem | None
    rows: list[CountItem]
    """Groups of `by`, empty when not grouped."""


class EstimateItem(BaseModel):
    id: int
    created_at: UtcDateTime
    method: str
    settings: dict[str, Any]
    result: dict[str, Any]


@router.get("/me", response_model=Me)
def me(user: UserInfo = Depends(RequireApi(None))) -> Me:
    """Who the token or session belongs to, and what the role may do."""
    return Me(
        id=user.id,
        username=user.username,
        role=user.role,
        language=user.language,
        permissions=sorted(p for p in PERMISSIONS if user.can(p)),
    )


@router.get("/persons", response_model=Page[PersonItem])
def persons(
    request: Request,
    page: int = PageNumber,
    per_page: int = PerPage,
    user: UserInfo = Depends(RequireApi("view_persons")),
) -> Page[PersonItem]:
    """Persons by id, with how many records and which sources; names only with view_names."""
    total, rows = persons_page(engine_of(request), (page - 1) * per_page, per_page)
    names = user.can("view_names")
    items = [
        PersonItem(id=r.id, records=r.records, sources=r.sources, names=r.names if names else None)
        for r in rows
    ]
    if names:
        record_names_read(engine_of(request), user.username, "/api/persons", len(items), "api")
    return _page(items, total, page, per_page)


@router.get(
    "/persons/{person_id}",
    response_model=PersonRecord,
    responses={404: {"description": "No such person."}},
)
def person(
    request: Request,
    person_id: PathId,
    user: UserInfo = Depends(RequireApi("view_names")),
) -> PersonRecord:
    """A person's full record: every record with names, the decisions that joined them, the
    verification with its reasons and conflicts. Written to the audit log ("person.view")."""
    try:
        file = view_person(engine_of(request), person_id, user.username, "api")
    except NotFound as error:
        raise HTTPException(404, str(error)) from error
    detail = file.detail
    return PersonRecord(
        id=detail.person_id,
        review_flag=detail.review_flag,
        records=detail.records,
        decisions=[DecisionItem.model_validate(d, from_attributes=True) for d in detail.decisions],
        verification=(
            VerificationItem.model_validate(file.status, from_attributes=True)
            if file.status is not None
            else None
        ),
        status_decisions=[
            StatusDecisionItem.model_validate(d, from_attributes=True)
            for d in file.status_decisions
        ],
    )


@router.get("/records", response_model=Page[RecordItem])
def records(
    request: Request,
    source: str | None = Query(None, description="Only records of this source (its name)."),
    page: int = PageNumber,
    per_page: int = PerPage,
    user: UserInfo = Depends(RequireApi("view_records")),
) -> Page[RecordItem]:
    """Records by id; names, the sources' record ids and exact ages only with view_names."""
    total, rows = records_page(engine_of(request), (page - 1) * per_page, per_page, source)
    names = user.can("view_names")
    items = [_record_item(r, names) for r in rows]
    if names:
        record_names_read(engine_of(request), user.username, "/api/records", len(items), "api")
    return _page(items, total, page, per_page)


def _record_item(row: RecordRow, names: bool) -> RecordItem:
    values = {name: getattr(row, name) for name in RecordItem.model_fields if name != "age_group"}
    if not names:
        values.update(name=None, record_id=None, age_min=None, age_max=None)
    return RecordItem(**values, age_group=age_group(row.age_min, row.age_max))


@router.get("/estimates", response_model=Page[EstimateItem])
def estimates(
    request: Request,
    page: int = PageNumber,
    per_page: int = PerPage,
    user: UserInfo = Depends(RequireApi("view_estimates")),
) -> Page[EstimateItem]:
    """Estimation runs kept in the store, newest first, with their settings and results."""
    total, rows = estimates_page(engine_of(request), (page - 1) * per_page, per_page)
    items = [EstimateItem.model_validate(r, from_attributes=True) for r in rows]
    return _page(items, total, page, per_page)


@router.get("/search", response_model=Page[SearchHit])
def search(
    request: Request,
    name: str = Query("", description="A name in Arabic or Latin script, matched by name keys."),
    governorate: str | None = Query(None, description="An admin-1 p-code, e.g. SY07."),
    place: str = Query("", description="A governorate or district name, or locality text."),
    date_from: IsoDate | None = Query(None, description="Died on or after."),
    date_to: IsoDate | None = Query(None, description="Died on or before."),
    page: int = PageNumber,
    per_page: int = PerPage,
    user: UserInfo = Depends(RequireApi("view_names")),
) -> Page[SearchHit]:
    """Persons whose records match, by person id; an empty search finds nothing."""
    query = SearchQuery(name, governorate, place, date_from, date_to)
    found = search_persons(engine_of(request), query, (page - 1) * per_page, per_page)
    items = found.hits
    record_names_read(engine_of(request), user.username, "/api/search", len(items), "api")
    return Page[SearchHit](
        items=items,
        total=found.total,
        page=page,
        per_page=per_page,
        pages=found.pages(page, per_page),
        more=found.more,
    )


def _count_item(row: Any, min_cell: int) -> CountItem:
    return CountItem(
        keys=row.keys,
        reported=suppressed(row.reported, min_cell),
        documented=suppressed(row.documented, min_cell),
        corroborated=suppressed(row.corroborated, min_cell),
        verified=suppressed(row.verified, min_cell),
    )


@router.get("/counts", response_model=Counts)
def counts(
    request: Request,
    by: list[Dimension] = Query([], description="Group by these (repeat the parameter)."),
    status: str = Query("killed", description="killed, missing… or 'any'."),
    user: UserInfo = Depends(RequireApi("view_dashboard")),
) -> Counts:
    """Persons under every counting standard (as `marsad counts`), and the latest estimate;
    small counts are withheld from roles without view_names (see `min_cell`)."""
    min_cell = 1 if user.can("view_names") else settings_of(request).min_cell
    wanted = None if status == "any" else status
    with engine_of(request).connect() as conn:
        rows = count_persons(conn, by, status=wanted) if by else []
        headline = totals(conn, wanted)
        lacking = lacking_documentation(conn, wanted)
        run = latest_estimate(conn, wanted) if wanted is not None else None
        definitions = standard_definitions(conn)
    estimated = None
    if run is not None:
        estimated = EstimatedItem(
            run_id=run.run_id,
            method=run.method,
            estimate=run.estimate,
            interval=(run.low, run.high),
            level=run.level,
        )
    return Counts(
        status=status,
        definitions=definitions,
        min_cell=min_cell,
        totals=_count_item(headline, 1),
        not_documented_lacking=lacking,
        estimated=estimated,
        rows=[_count_item(r, min_cell) for r in rows],
    )


router.include_router(api_tracing.router)
