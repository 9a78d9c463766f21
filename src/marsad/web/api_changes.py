"""The API's changes to persons, records, incident events and one's own tokens: the same
services and permissions as the pages (`pages.changes`, `pages.incidents`, `pages.account`),
for scripts. Each answer says what was done; every change is audited by the service."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from marsad.services.incident_events import candidates, group_reports, keep_apart, take_apart
from marsad.services.record_edit import edit_record, record_versions
from marsad.services.review import merge, merged_person, split, undo
from marsad.services.users import UserInfo, create_token, list_tokens, revoke_own_token
from marsad.web.api import Problem, UtcDateTime
from marsad.web.auth import RequireApi, engine_of
from marsad.web.ids import MAX_ID, PathId

router = APIRouter(
    prefix="/api",
    tags=["changes"],
    responses={
        400: {"model": Problem, "description": "The services refused the change."},
        401: {"model": Problem, "description": "No valid token (send Authorization: Bearer …)."},
        403: {"model": Problem, "description": "The token's role may not do this."},
        404: {"model": Problem, "description": "No such person, record or report."},
    },
)
StoreId = Annotated[int, Field(ge=1, le=MAX_ID)]
Note = Annotated[str, Field(max_length=2000)]


class SplitRequest(BaseModel):
    keep: list[StoreId] = Field(min_length=1, max_length=1000)
    """The records that stay this person; the others become another."""
    note: Note = ""


class MergeRequest(BaseModel):
    other: StoreId
    note: Note = ""


class UndoRequest(BaseModel):
    action_id: StoreId


class Acted(BaseModel):
    action_id: int
    person_id: int | None
    """The person the records are now (for a merge); None when not one."""


@router.post("/persons/{person_id}/split", response_model=Acted)
def api_split(
    person_id: PathId,
    asked: SplitRequest,
    request: Request,
    user: UserInfo = Depends(RequireApi("merge_persons")),
) -> Acted:
    """Keep `keep` as this person; part them from its other records (audited)."""
    action = split(engine_of(request), person_id, asked.keep, user.username, asked.note or None)
    return Acted(action_id=action, person_id=person_id)


@router.post("/persons/{person_id}/merge", response_model=Acted)
def api_merge(
    person_id: PathId,
    asked: MergeRequest,
    request: Request,
    user: UserInfo = Depends(RequireApi("merge_persons")),
) -> Acted:
    """The two persons are one human being (audited)."""
    engine = engine_of(request)
    action = merge(engine, person_id, asked.other, user.username, asked.note or None)
    return Acted(action_id=action, person_id=merged_person(engine, action))


@router.post("/persons/{person_id}/undo", response_model=Acted)
def api_undo(
    person_id: PathId,
    asked: UndoRequest,
    request: Request,
    user: UserInfo = Depends(RequireApi("merge_persons")),
) -> Acted:
    """Undo a split, merge or review decision; the persons are rebuilt (audited)."""
    undo(engine_of(request), asked.action_id, user.username)
    return Acted(action_id=asked.action_id, person_id=None)


class EditRequest(BaseModel):
    fields: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=2000)]]
    """The standard columns (docs/formats.md) and their new text; those left out are empty."""
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class Version(BaseModel):
    version: int
    fields: dict[str, Any]
    edited_by: str
    edited_at: UtcDateTime
    reason: str | None


@router.post("/records/{record_id}/versions", response_model=Version, status_code=201)
def api_edit_record(
    record_id: PathId,
    asked: EditRequest,
    request: Request,
    user: UserInfo = Depends(RequireApi("edit_records")),
) -> Version:
    """A new version of the record (the raw row never changes; audited)."""
    engine = engine_of(request)
    edit_record(engine, record_id, asked.fields, asked.reason, user.username)
    newest = record_versions(engine, record_id)[0]
    return Version(**vars(newest))


@router.get("/records/{record_id}/versions", response_model=list[Version])
def api_record_versions(
    record_id: PathId, request: Request, user: UserInfo = Depends(RequireApi("edit_records"))
) -> list[Version]:
    """Every version of a record, newest first (none until it is first edited)."""
    return [Version(**vars(v)) for v in record_versions(engine_of(request), record_id)]


class CandidateEvent(BaseModel):
    incidents: list[int]
    reason: str


class GroupRequest(BaseModel):
    incidents: list[StoreId] = Field(min_length=2, max_length=100)
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class ApartRequest(BaseModel):
    first: StoreId
    second: StoreId
    note: Annotated[str, Field(min_length=1, max_length=2000)]


class TakeApartRequest(BaseModel):
    incident: StoreId
    note: Note = ""


class EventChanged(BaseModel):
    event_id: int | None
    incidents: list[int]


@router.get("/incidents/candidates", response_model=list[CandidateEvent])
def api_incident_candidates(
    request: Request, user: UserInfo = Depends(RequireApi("review"))
) -> list[CandidateEvent]:
    """Reports of different sources that may be one event, and why."""
    with engine_of(request).connect() as conn:
        found = candidates(conn)
    return [CandidateEvent(incidents=list(c.ids), reason=c.reason) for c in found]


@router.post("/incidents/same", response_model=EventChanged)
def api_incidents_same(
    asked: GroupRequest, request: Request, user: UserInfo = Depends(RequireApi("review"))
) -> EventChanged:
    """The reports are one event, counted once (audited)."""
    change = group_reports(engine_of(request), asked.incidents, asked.note, user.username)
    return EventChanged(event_id=change.event_id, incidents=list(change.incidents))


@router.post("/incidents/different", status_code=204, response_model=None)
def api_incidents_different(
    asked: ApartRequest, request: Request, user: UserInfo = Depends(RequireApi("review"))
) -> None:
    """The two reports are not one event: never proposed together again (audited)."""
    keep_apart(engine_of(request), asked.first, asked.second, asked.note, user.username)


@router.post("/incidents/apart", response_model=EventChanged)
def api_incidents_apart(
    asked: TakeApartRequest, request: Request, user: UserInfo = Depends(RequireApi("review"))
) -> EventChanged:
    """Take a report out of its event (audited)."""
    change = take_apart(engine_of(request), asked.incident, user.username, asked.note)
    return EventChanged(event_id=change.event_id, incidents=list(change.incidents))


class TokenItem(BaseModel):
    id: int
    name: str
    created_at: UtcDateTime
    revoked_at: UtcDateTime | None


class NewToken(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=100)]


class TokenMade(BaseModel):
    token: str
    """Shown once: only its SHA-256 is kept."""


@router.get("/tokens", response_model=list[TokenItem])
def api_tokens(request: Request, user: UserInfo = Depends(RequireApi(None))) -> list[TokenItem]:
    """Your API tokens, revoked ones included."""
    return [TokenItem(**vars(t)) for t in list_tokens(engine_of(request), user.username)]


@router.post("/tokens", response_model=TokenMade, status_code=201)
def api_token_create(
    asked: NewToken, request: Request, user: UserInfo = Depends(RequireApi(None))
) -> TokenMade:
    """A new token of yours (audited)."""
    return TokenMade(
        token=create_token(engine_of(request), user.username, asked.name, user.username)
    )


@router.post("/tokens/{token_id}/revoke", status_code=204, response_model=None)
def api_token_revoke(
    token_id: PathId, request: Request, user: UserInfo = Depends(RequireApi(None))
) -> None:
    """Revoke one of your tokens (audited); another's is unknown (400)."""
    revoke_own_token(engine_of(request), user.username, token_id)
