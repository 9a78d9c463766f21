"""Evidence and testimony pages: the evidence list with its upload form, an item's page
(metadata, an image's preview, custody history), testimonies with their form, and a
testimony's page where the protection role may open the witness's identity.

Thin faces over marsad.services.evidence and marsad.services.testimony, the same calls as
`marsad evidence`: every view, preview, download, decryption and withdrawal is a custody entry
written by the service. Uploads are saved under their own names in a temporary folder (an
item's provenance keeps the name) and stored by `add_evidence`, which hashes while copying;
the page's script shows the upload's progress. The evidence directory, the TSA and the
witness key come from the same settings as the CLI (MARSAD_EVIDENCE_DIR, MARSAD_TSA_URL,
MARSAD_TSA_CERTS, MARSAD_WITNESS_KEY_FILE or MARSAD_WITNESS_KEY), never from a request.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from starlette.background import BackgroundTask
from starlette.responses import FileResponse, Response

from marsad.evidence.errors import EvidenceError
from marsad.services.evidence import Receipt, add_evidence
from marsad.services.evidence_items import (
    download_item,
    find_item,
    list_items,
    show_item,
    transfer_item,
)
from marsad.services.evidence_settings import EvidenceSettings, evidence_settings
from marsad.services.testimony import (
    CONSENT_SCOPES,
    Statement,
    WitnessIdentity,
    add_testimony,
    add_witness,
    list_testimonies,
    load_kek,
    reveal_witness,
    show_testimony,
    withdraw_consent,
    witness_pseudonyms,
)
from marsad.services.users import UserInfo
from marsad.web.auth import RequirePage, engine_of
from marsad.web.ids import MAX_ID, PathId
from marsad.web.pages.base import flash, render_page, see_other
from marsad.web.pages.data import _safe_name, _save
from marsad.web.rendering import render

router = APIRouter(include_in_schema=False)

ITEM_PAGE = "item page"
TESTIMONY_PAGE = "testimony page"
LANGUAGES = ("ar", "en", "ar+en")
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _settings(request: Request) -> EvidenceSettings:
    return evidence_settings(engine_of(request))


def _number(text: str, what: str) -> int | None:
    """An id typed in a form (empty: none)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise EvidenceError(f"{what} {text!r} is not an id")
    return int(text)


@contextmanager
def _uploads(files: list[UploadFile]) -> Iterator[list[Path]]:
    """The uploaded files saved under their own names (one folder each, so two files of the
    same name stay apart); removed afterwards, since the store keeps its own copies."""
    directory = Path(tempfile.mkdtemp(prefix="marsad-evidence-"))
    try:
        paths = []
        for n, upload in enumerate(f for f in files if f.filename):
            folder = directory / str(n)
            folder.mkdir()
            path = folder / _safe_name(upload.filename, "file")
            _save(upload.file, path, None)
            paths.append(path)
        yield paths
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# Evidence items.


def _evidence_page(
    request: Request,
    user: UserInfo,
    incident: int | None = None,
    person: int | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "items": list_items(engine_of(request), incident, person),
        "incident": incident,
        "person": person,
        "may_add": user.can("add_evidence"),
        "error": error,
        "form": form or {},
    }
    return render_page(request, "evidence.html", context, status_code=status_code)


@router.get("/evidence")
def evidence(
    request: Request,
    incident: OptionalId = None,
    person: OptionalId = None,
    user: UserInfo = Depends(RequirePage("view_evidence")),
) -> Response:
    return _evidence_page(request, user, incident, person)


@router.post("/evidence")
def evidence_add(
    request: Request,
    files: Annotated[list[UploadFile], File()],
    source: Annotated[str, Form()],
    person: Annotated[str, Form()] = "",
    incident: Annotated[str, Form()] = "",
    collected_by: Annotated[str, Form()] = "",
    collected_on: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("add_evidence")),
) -> Response:
    form = {
        "source": source,
        "person": person,
        "incident": incident,
        "collected_by": collected_by,
        "collected_on": collected_on,
        "description": description,
    }
    try:
        receipt = Receipt(
            source=source.strip(),
            person_id=_number(person, "the person"),
            incident_id=_number(incident, "the incident"),
            collected_by=collected_by.strip() or None,
            collected_on=collected_on.strip() or None,
            description=description.strip() or None,
        )
        settings = _settings(request)
        with _uploads(files) as paths:
            added = add_evidence(engine_of(request), settings, paths, receipt, user.username)
    except EvidenceError as error:
        return _evidence_page(request, user, error=str(error), form=form, status_code=400)
    waiting = [a for a in added if not a.timestamped]
    flash(
        request,
        "evidence.added_waiting" if waiting else "evidence.added",
        count=str(len(added)),
        waiting=str(len(waiting)),
    )
    if len(added) == 1:
        return see_other(f"/evidence/{added[0].item_id}")
    return see_other("/evidence")


@router.get("/evidence/{item_id}")
def evidence_item(
    request: Request, item_id: PathId, user: UserInfo = Depends(RequirePage("view_evidence"))
) -> Response:
    try:
        item = show_item(engine_of(request), _settings(request), item_id, user.username, ITEM_PAGE)
    except EvidenceError:
        return render(request, "error.html", {"message": "error.not_found"}, status_code=404)
    context = {
        "item": item,
        "may_transfer": user.can("add_evidence"),
    }
    return render_page(request, "evidence_item.html", context)


@router.post("/evidence/{item_id}/transfer")
def evidence_transfer(
    request: Request,
    item_id: PathId,
    to: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    user: UserInfo = Depends(RequirePage("add_evidence")),
) -> Response:
    """Record that the item (a copy, or the medium it came on) was handed to someone."""
    try:
        transfer_item(engine_of(request), _settings(request), item_id, to, user.username, reason)
    except EvidenceError:
        return render(request, "error.html", {"message": "error.not_found"}, status_code=404)
    flash(request, "evidence.transferred", to=to.strip())
    return see_other(f"/evidence/{item_id}")


def _copy_out(request: Request, item_id: int, user: UserInfo, action: str) -> Response:
    """The original, checked against its hash while copied out, then sent; the copy is
    removed once sent."""
    engine = engine_of(request)
    folder = Path(tempfile.mkdtemp(prefix="marsad-out-"))
    try:
        item = find_item(engine, item_id)
        if item is None or (action == "view" and not item.media_type.startswith("image/")):
            raise EvidenceError(f"no evidence item {item_id} to show")
        reason = f"{ITEM_PAGE}: preview" if action == "view" else ITEM_PAGE
        path = download_item(
            engine, _settings(request), item_id, folder, user.username, reason, action
        )
    except EvidenceError:
        shutil.rmtree(folder, ignore_errors=True)
        return render(request, "error.html", {"message": "error.not_found"}, status_code=404)
    cleanup = BackgroundTask(shutil.rmtree, folder, ignore_errors=True)
    if action == "view":
        return FileResponse(path, media_type=item.media_type, background=cleanup)
    return FileResponse(path, media_type=item.media_type, filename=path.name, background=cleanup)


@router.get("/evidence/{item_id}/preview")
def evidence_preview(
    request: Request, item_id: PathId, user: UserInfo = Depends(RequirePage("view_evidence"))
) -> Response:
    """An image item, shown on its page: a custody `view`."""
    return _copy_out(request, item_id, user, "view")


@router.get("/evidence/{item_id}/download")
def evidence_download(
    request: Request, item_id: PathId, user: UserInfo = Depends(RequirePage("view_evidence"))
) -> Response:
    """The original as a file: a custody `download`."""
    return _copy_out(request, item_id, user, "download")


# Testimonies and witnesses.


def _testimonies_page(
    request: Request,
    user: UserInfo,
    incident: int | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    engine = engine_of(request)
    context: dict[str, Any] = {
        "testimonies": list_testimonies(engine, incident),
        "incident": incident,
        "witnesses": witness_pseudonyms(engine),
        "scopes": CONSENT_SCOPES,
        "languages": LANGUAGES,
        "may_add": user.can("add_evidence"),
        "may_add_witness": user.can("view_witnesses"),
        "error": error,
        "form": form or {},
    }
    return render_page(request, "testimonies.html", context, status_code=status_code)


@router.get("/testimonies")
def testimonies(
    request: Request,
    incident: OptionalId = None,
    user: UserInfo = Depends(RequirePage("view_evidence")),
) -> Response:
    return _testimonies_page(request, user, incident)


@router.post("/testimonies")
def testimonies_add(
    request: Request,
    witness: Annotated[str, Form()],
    interviewer: Annotated[str, Form()],
    taken_on: Annotated[str, Form()],
    language: Annotated[str, Form()],
    consent_scope: Annotated[str, Form()],
    consent_on: Annotated[str, Form()],
    consent_taken_by: Annotated[str, Form()],
    source: Annotated[str, Form()],
    place: Annotated[str, Form()] = "",
    statement_ar: Annotated[str, Form()] = "",
    statement_en: Annotated[str, Form()] = "",
    person: Annotated[str, Form()] = "",
    incident: Annotated[str, Form()] = "",
    recordings: Annotated[list[UploadFile] | None, File()] = None,
    user: UserInfo = Depends(RequirePage("add_evidence")),
) -> Response:
    form = {
        "witness": witness,
        "interviewer": interviewer,
        "taken_on": taken_on,
        "language": language,
        "consent_scope": consent_scope,
        "consent_on": consent_on,
        "consent_taken_by": consent_taken_by,
        "source": source,
        "place": place,
        "statement_ar": statement_ar,
        "statement_en": statement_en,
        "person": person,
        "incident": incident,
    }
    try:
        statement = Statement(
            witness=witness.strip(),
            interviewer=interviewer,
            taken_on=taken_on,
            language=language,
            consent_scope=consent_scope,
            consent_on=consent_on,
            consent_taken_by=consent_taken_by,
            source=source.strip(),
            place=place.strip() or None,
            statement_ar=statement_ar.strip() or None,
            statement_en=statement_en.strip() or None,
            person_id=_number(person, "the person"),
            incident_id=_number(incident, "the incident"),
        )
        settings = _settings(request)
        with _uploads(recordings or []) as paths:
            testimony_id, _ = add_testimony(
                engine_of(request), settings, statement, paths, user.username
            )
    except EvidenceError as error:
        return _testimonies_page(request, user, error=str(error), form=form, status_code=400)
    flash(request, "testimony.added", id=str(testimony_id))
    return see_other(f"/testimonies/{testimony_id}")


@router.post("/witnesses")
def witnesses_add(
    request: Request,
    pseudonym: Annotated[str, Form()],
    identity: Annotated[str, Form()],
    contact: Annotated[str, Form()] = "",
    user: UserInfo = Depends(RequirePage("view_witnesses")),
) -> Response:
    """Only the protection role records who a witness is: it is the role that may read it."""
    try:
        add_witness(
            engine_of(request),
            _settings(request),
            load_kek(),
            pseudonym,
            identity,
            contact,
            user.username,
        )
    except EvidenceError as error:
        form = {"pseudonym": pseudonym}
        return _testimonies_page(request, user, error=str(error), form=form, status_code=400)
    flash(request, "witness.added", pseudonym=pseudonym.strip())
    return see_other("/testimonies")


def _testimony_page(
    request: Request,
    user: UserInfo,
    testimony_id: int,
    identity: WitnessIdentity | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    try:
        testimony = show_testimony(
            engine_of(request), _settings(request), testimony_id, user.username, TESTIMONY_PAGE
        )
    except EvidenceError:
        return render(request, "error.html", {"message": "error.not_found"}, status_code=404)
    context = {
        "testimony": testimony,
        "identity": identity,
        "may_reveal": user.can("view_witnesses"),
        "may_withdraw": user.can("withdraw_consent"),
        "languages": LANGUAGES,
        "error": error,
    }
    return render_page(request, "testimony.html", context, status_code=status_code)


@router.get("/testimonies/{testimony_id}")
def testimony(
    request: Request, testimony_id: PathId, user: UserInfo = Depends(RequirePage("view_evidence"))
) -> Response:
    return _testimony_page(request, user, testimony_id)


@router.post("/testimonies/{testimony_id}/witness")
def testimony_witness(
    request: Request,
    testimony_id: PathId,
    reason: Annotated[str, Form()],
    user: UserInfo = Depends(RequirePage("view_witnesses")),
) -> Response:
    """The witness's identity, on this answer only (never kept in the session); opening it is
    a custody entry committed before the page is made."""
    engine = engine_of(request)
    found = [t for t in list_testimonies(engine) if t.id == testimony_id]
    if not found:
        return render(request, "error.html", {"message": "error.not_found"}, status_code=404)
    try:
        identity = reveal_witness(
            engine, _settings(request), load_kek(), found[0].witness, user.username, reason
        )
    except EvidenceError as error:
        return _testimony_page(request, user, testimony_id, error=str(error), status_code=400)
    return _testimony_page(request, user, testimony_id, identity=identity)


@router.post("/testimonies/{testimony_id}/withdraw")
def testimony_withdraw(
    request: Request,
    testimony_id: PathId,
    reason: Annotated[str, Form()],
    user: UserInfo = Depends(RequirePage("withdraw_consent")),
) -> Response:
    """The witness withdrew consent: the testimony leaves every page but the custody log."""
    try:
        withdraw_consent(
            engine_of(request), _settings(request), testimony_id, user.username, reason
        )
    except EvidenceError as error:
        return _testimony_page(request, user, testimony_id, error=str(error), status_code=400)
    flash(request, "testimony.withdrawn", id=str(testimony_id))
    return see_other("/testimonies")
