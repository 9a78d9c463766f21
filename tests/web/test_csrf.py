"""CSRF checks on large bodies: spooled, not held in memory; too large is refused (413)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from marsad.web import csrf
from tests.web.conftest import login, page_csrf, username


def test_a_form_token_in_a_large_multipart_body_is_found(
    client: TestClient, team: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, username("admin"))
    token = page_csrf(client, "/")
    filler = b"x" * (3 * 1024 * 1024)  # beyond the 1 MB kept in memory
    response = client.post(
        "/logout",
        data={"csrf_token": token},
        files={"padding": ("padding.bin", filler)},
        follow_redirects=False,
    )
    assert response.status_code in (302, 303)
    monkeypatch.setattr(csrf, "MAX_BODY", 1024)
    refused = client.post(
        "/logout", data={"csrf_token": token}, files={"padding": ("p.bin", filler)}
    )
    assert refused.status_code == 413


def test_a_wrong_header_token_is_refused_without_reading_the_body(
    client: TestClient, team: dict[str, str]
) -> None:
    login(client, username("admin"))
    response = client.post("/logout", headers={"X-CSRF-Token": "wrong"}, content=b"a=b")
    assert response.status_code == 403
