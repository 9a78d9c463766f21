"""Changing persons and records from the browser, on SQLite and PostgreSQL over a linked
store: split a person and undo it, merge two, edit a record (a new version; the raw row
unchanged), attach a document to a record and a person and read it back; re-enable a user;
make and revoke one's own API token. Roles without the permission are refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from marsad.services.users import create_token, disable_user, user_for_token
from marsad.store.models import AuditEvent, Person, RawRow, Record
from marsad.store.web_tables import AttachedDocument, RecordVersion
from marsad.web.app import create_app
from tests.web.conftest import PASSWORD, login, page_csrf, username
from tests.web.test_review_pages import linked_engine, linked_postgres, linked_url

__all__ = ["linked_engine", "linked_postgres", "linked_url"]


@pytest.fixture
def admin_client(
    linked_url: str, linked_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("MARSAD_EVIDENCE_DIR", str(tmp_path / "evidence"))
    app = create_app(linked_url)
    with TestClient(app) as client:
        assert login(client, username("admin")) == 303
        yield client
    app.state.engine.dispose()


def person_with_records(engine: Engine, at_least: int = 2) -> tuple[int, list[int]]:
    with engine.connect() as conn:
        person_id = conn.scalar(
            select(Record.person_id)
            .where(Record.person_id.is_not(None))
            .group_by(Record.person_id)
            .having(func.count() >= at_least)
            .order_by(Record.person_id)
            .limit(1)
        )
        assert person_id is not None
        records = list(conn.scalars(select(Record.id).where(Record.person_id == person_id)))
    return person_id, sorted(records)


def post(client: TestClient, path: str, data: dict[str, object], page: str) -> object:
    return client.post(
        path, data={**data, "csrf_token": page_csrf(client, page)}, follow_redirects=False
    )


def test_split_undo_and_merge(admin_client: TestClient, linked_engine: Engine) -> None:
    client = admin_client
    person_id, records = person_with_records(linked_engine)
    page = client.get(f"/persons/{person_id}/split")
    assert page.status_code == 200 and f'id="record-{records[0]}"' in page.text
    assert f'href="/persons/{person_id}/split"' in client.get(f"/persons/{person_id}").text

    answer = post(
        client, f"/persons/{person_id}/split", {"keep": [records[0]], "note": "two brothers"},
        f"/persons/{person_id}/split",
    )  # fmt: skip
    assert answer.status_code == 303  # type: ignore[attr-defined]
    with linked_engine.connect() as conn:
        owners = {r: conn.scalar(select(Record.person_id).where(Record.id == r)) for r in records}
    assert owners[records[0]] != owners[records[1]]

    page = client.get(f"/persons/{owners[records[0]]}/split").text
    action = re.search(r'name="action" value="(\d+)"', page)
    assert action is not None
    answer = post(
        client, f"/persons/{owners[records[0]]}/undo", {"action": action.group(1)},
        f"/persons/{owners[records[0]]}/split",
    )  # fmt: skip
    assert answer.status_code == 303  # type: ignore[attr-defined]
    with linked_engine.connect() as conn:
        together = {conn.scalar(select(Record.person_id).where(Record.id == r)) for r in records}
        other = conn.scalar(
            select(Person.id).where(Person.id.not_in(together)).order_by(Person.id).limit(1)
        )
    assert len(together) == 1
    [joined] = together
    answer = post(
        client, f"/persons/{joined}/merge", {"other": other, "note": "same man"},
        f"/persons/{joined}/merge",
    )  # fmt: skip
    assert answer.status_code == 303  # type: ignore[attr-defined]
    with linked_engine.connect() as conn:
        assert {"person.split", "review.undo", "person.merge"} <= set(
            conn.scalars(select(AuditEvent.action))
        )


def test_record_edit_keeps_versions_and_the_raw_row(
    admin_client: TestClient, linked_engine: Engine
) -> None:
    client = admin_client
    _, [record_id, *_] = person_with_records(linked_engine)
    with linked_engine.connect() as conn:
        raw_before = conn.scalar(
            select(RawRow.data)
            .join(Record, Record.raw_row_id == RawRow.id)
            .where(Record.id == record_id)
        )
    page = client.get(f"/records/{record_id}/edit").text
    values = dict(re.findall(r'name="([a-z_]+)" type="text" value="([^"]*)"', page))
    path = f"/records/{record_id}/edit"
    refused = post(client, path, {**values, "date_of_death": "=1+1", "reason": "x"}, path)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    no_reason = post(client, path, {**values, "cause": "shelling"}, path)
    assert no_reason.status_code == 400  # type: ignore[attr-defined]
    saved = post(client, path, {**values, "cause": "shelling", "reason": "witness"}, path)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert "Version 2" in client.get(path).text
    with linked_engine.connect() as conn:
        assert conn.scalar(select(Record.cause).where(Record.id == record_id)) == "shelling"
        versions = conn.execute(
            select(RecordVersion.version, RecordVersion.edited_by, RecordVersion.reason)
            .where(RecordVersion.record_id == record_id)
            .order_by(RecordVersion.version)
        ).all()
        raw_after = conn.scalar(
            select(RawRow.data)
            .join(Record, Record.raw_row_id == RawRow.id)
            .where(Record.id == record_id)
        )
    assert [tuple(v) for v in versions] == [
        (1, "ingest", None),
        (2, username("admin"), "witness"),
    ]
    assert raw_after == raw_before
    assert 'data-stale="yes"' in client.get("/").text


def test_documents_attached_by_content_hash(
    admin_client: TestClient, linked_engine: Engine
) -> None:
    client = admin_client
    person_id, [record_id, *_] = person_with_records(linked_engine)
    scan = b"%PDF-1.4 a death certificate\n"
    for path, page in (
        (f"/records/{record_id}/documents", f"/records/{record_id}/edit"),
        (f"/persons/{person_id}/documents", f"/persons/{person_id}/split"),
    ):
        answer = client.post(
            path,
            data={"note": "scan", "csrf_token": page_csrf(client, page)},
            files={"file": ("certificate.pdf", scan, "application/pdf")},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
    with linked_engine.connect() as conn:
        hashes = list(conn.scalars(select(AttachedDocument.sha256)))
    assert len(hashes) == 2 and len(set(hashes)) == 1
    page = client.get(f"/persons/{person_id}/split").text
    assert page.count(f'href="/documents/{hashes[0]}"') == 2
    assert client.get(f"/documents/{hashes[0]}").content == scan
    assert client.get(f"/documents/{'0' * 64}").status_code == 404

    assert login(client, username("analyst")) == 303
    assert client.get(f"/documents/{hashes[0]}").status_code == 403
    assert client.get(f"/records/{record_id}/edit").status_code == 403
    assert client.get(f"/persons/{person_id}/split").status_code == 403


def test_users_re_enabled_and_tokens(admin_client: TestClient, linked_engine: Engine) -> None:
    client = admin_client
    disable_user(linked_engine, username("viewer"), "test")
    answer = post(client, f"/admin/users/{username('viewer')}/enable", {}, "/admin/users")
    assert answer.status_code == 303  # type: ignore[attr-defined]
    assert login(client, username("viewer"), PASSWORD) == 303

    made = client.post(
        "/account/tokens", data={"name": "script", "csrf_token": page_csrf(client, "/account")}
    )
    token = re.search(r'<code dir="ltr">([^<]+)</code>', made.text)
    assert token is not None
    assert user_for_token(linked_engine, token.group(1)) is not None
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    assert client.get("/api/me", headers=headers).json()["role"] == "viewer"
    token_id = re.search(r"/account/tokens/(\d+)/revoke", made.text)
    assert token_id is not None
    post(client, f"/account/tokens/{token_id.group(1)}/revoke", {}, "/account")
    assert user_for_token(linked_engine, token.group(1)) is None


def test_the_same_changes_through_the_api(admin_client: TestClient, linked_engine: Engine) -> None:
    client = admin_client
    token = client.post(
        "/api/tokens", headers=bearer(linked_engine, "reviewer"), json={"name": "s"}
    )
    assert token.status_code == 201
    reviewer = {"Authorization": f"Bearer {token.json()['token']}"}
    person_id, records = person_with_records(linked_engine)
    parted = client.post(
        f"/api/persons/{person_id}/split", json={"keep": records[:1]}, headers=reviewer
    )
    assert parted.status_code == 200, parted.text
    undone = client.post(
        f"/api/persons/{person_id}/undo",
        json={"action_id": parted.json()["action_id"]},
        headers=reviewer,
    )
    assert undone.status_code == 200
    edited = client.post(
        f"/api/records/{records[0]}/versions",
        json={"fields": {"name": "Synthetic Edited Name", "status": "killed"}, "reason": "typo"},
        headers=reviewer,
    )
    assert edited.status_code == 201 and edited.json()["version"] == 2, edited.text
    versions = client.get(f"/api/records/{records[0]}/versions", headers=reviewer).json()
    assert [v["version"] for v in versions] == [2, 1]
    analyst = bearer(linked_engine, "analyst")
    assert (
        client.post(
            f"/api/persons/{person_id}/split", json={"keep": records[:1]}, headers=analyst
        ).status_code
        == 403
    )
    listed = client.get("/api/tokens", headers=reviewer).json()
    revoked = client.post(f"/api/tokens/{listed[-1]['id']}/revoke", headers=reviewer)
    assert revoked.status_code == 204
    assert client.get("/api/me", headers=reviewer).status_code == 401


def bearer(engine: Engine, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(engine, username(role), 'test')}"}
