"""Changing what the store holds about a person or a record, from the browser: split a person,
merge two, undo either; edit a record (a new version, with who and why); attach source
documents to records and persons, and read them back.

Thin faces over `services.review` (split, merge, undo: the CLI's `marsad person …`),
`services.record_edit` and `services.documents`. The merge form posts to the person page's
own route (`pages.persons.person_merge`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.responses import FileResponse, Response

from marsad.errors import InputError
from marsad.services.audit import record_names_read
from marsad.services.documents import attach_document, document_file, documents_of
from marsad.services.ingest_entry import RowRefused
from marsad.services.record_edit import (
    EDITABLE,
    edit_record,
    form_values,
    record_reading,
    record_versions,
)
from marsad.services.review import history, split, undo
from marsad.services.review_person import person_detail
from marsad.services.users import UserInfo
from marsad.web.auth import RequirePage, engine_of
from marsad.web.ids import FormId, PathId
from marsad.web.pages.base import flash, form_fields, render_page, see_other
from marsad.web.pages.evidence import _uploads

router = APIRouter(include_in_schema=False)


def _person_changes(
    request: Request,
    user: UserInfo,
    person_id: int,
    mode: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    engine = engine_of(request)
    detail = person_detail(engine, person_id)
    record_names_read(
        engine, user.username, f"/persons/{person_id}/{mode}", len(detail.records), "web"
    )
    context: dict[str, Any] = {
        "person_id": person_id,
        "mode": mode,
        "records": detail.records,
        "actions": history(engine, person_id),
        "documents": documents_of(
            engine, record_ids=[r.id for r in detail.records], person_id=person_id
        ),
        "error": error,
    }
    return render_page(request, "person_changes.html", context, status_code=status_code)


@router.get("/persons/{person_id}/split")
def person_split_page(
    request: Request, person_id: PathId, user: UserInfo = Depends(RequirePage("merge_persons"))
) -> Response:
    return _person_changes(request, user, person_id, "split")


@router.get("/persons/{person_id}/merge")
def person_merge_page(
    request: Request, person_id: PathId, user: UserInfo = Depends(RequirePage("merge_persons"))
) -> Response:
    return _person_changes(request, user, person_id, "merge")


@router.post("/persons/{person_id}/split")
async def person_split(
    request: Request, person_id: PathId, user: UserInfo = Depends(RequirePage("merge_persons"))
) -> Response:
    """Keep the ticked records as this person; the others become another (audited)."""
    async with request.form() as form:
        keep = [int(v) for v in form.getlist("keep") if isinstance(v, str) and v.isdigit()]
        note = str(form.get("note") or "")
    try:
        split(engine_of(request), person_id, keep, user.username, note or None)
    except InputError as error:
        return _person_changes(request, user, person_id, "split", str(error), 400)
    flash(request, "change.split_done")
    return see_other(f"/persons/{person_id}")


@router.post("/persons/{person_id}/undo")
def person_undo(
    request: Request,
    person_id: PathId,
    action: FormId,
    user: UserInfo = Depends(RequirePage("merge_persons")),
) -> Response:
    """Undo a split, merge or review decision about this person (audited "review.undo")."""
    try:
        undo(engine_of(request), action, user.username)
    except InputError as error:
        return _person_changes(request, user, person_id, "split", str(error), 400)
    flash(request, "change.undone")
    return see_other(f"/persons/{person_id}/split")


def _record_page(
    request: Request,
    user: UserInfo,
    record_id: int,
    typed: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        reading = record_reading(conn, record_id)
    record_names_read(engine, user.username, f"/records/{record_id}/edit", 1, "web")
    context: dict[str, Any] = {
        "record": reading,
        "record_key": record_id,
        "fields": EDITABLE,
        "values": typed if typed is not None else form_values(reading),
        "versions": record_versions(engine, record_id),
        "documents": documents_of(engine, record_ids=[record_id]),
        "error": error,
    }
    return render_page(request, "record_edit.html", context, status_code=status_code)


@router.get("/records/{record_id}/edit")
def record_edit_page(
    request: Request, record_id: PathId, user: UserInfo = Depends(RequirePage("edit_records"))
) -> Response:
    return _record_page(request, user, record_id)


@router.post("/records/{record_id}/edit")
async def record_edit(
    request: Request, record_id: PathId, user: UserInfo = Depends(RequirePage("edit_records"))
) -> Response:
    """A new version of the record from the form, with the reason given (audited)."""
    typed = await form_fields(request)
    reason = typed.pop("reason", "")
    try:
        version = edit_record(engine_of(request), record_id, typed, reason, user.username)
    except RowRefused as refused:
        return _record_page(request, user, record_id, typed, str(refused), 400)
    except InputError as error:
        return _record_page(request, user, record_id, typed, str(error), 400)
    flash(request, "change.edited", version=str(version))
    return see_other(f"/records/{record_id}/edit")


def _attach(request: Request, upload: UploadFile, note: str, user: UserInfo, **target: int) -> None:
    with _uploads([upload]) as paths:
        if not paths:
            raise InputError("choose a file to attach")
        attach_document(
            engine_of(request), paths[0], paths[0].name, user.username, note=note, **target
        )


@router.post("/records/{record_id}/documents")
def record_document(
    request: Request,
    record_id: PathId,
    file: Annotated[UploadFile, File()],
    note: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("edit_records")),
) -> Response:
    _attach(request, file, note, user, record_id=record_id)
    flash(request, "change.attached")
    return see_other(f"/records/{record_id}/edit")


@router.post("/persons/{person_id}/documents")
def person_document(
    request: Request,
    person_id: PathId,
    file: Annotated[UploadFile, File()],
    note: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("edit_records")),
) -> Response:
    _attach(request, file, note, user, person_id=person_id)
    flash(request, "change.attached")
    return see_other(f"/persons/{person_id}/split")


@router.get("/documents/{sha256}")
def document(
    request: Request, sha256: str, user: UserInfo = Depends(RequirePage("view_names"))
) -> Response:
    """An attached document's file (its reading is audited)."""
    path, found = document_file(engine_of(request), sha256[:64], user.username)
    return FileResponse(path, filename=found.file_name, media_type=found.media_type)
