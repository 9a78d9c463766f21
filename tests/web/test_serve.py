"""`marsad serve` for a team: several worker processes on PostgreSQL, as the README says to run
it — the real command, not the app in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from marsad.services.users import add_user, create_token
from tests.web.test_browser import free_port

MARSAD = str(Path(sys.executable).with_name("marsad"))


def wait_until_serving(server: subprocess.Popen[bytes], base: str) -> None:
    """Wait for the workers to answer; a server that died or never came up fails with its output."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.communicate()[0].decode("utf-8", "replace")
            pytest.fail(f"marsad serve exited with {server.returncode}:\n{output}")
        try:
            if httpx.get(f"{base}/login", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.25)
    pytest.fail("marsad serve did not answer within 180 s")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_several_workers_on_postgresql_share_sessions_and_tokens(
    db_url: str, engine: Engine
) -> None:
    add_user(engine, "lead", "a long enough password", "admin", language="ar")
    token = create_token(engine, "lead", "script", "test")
    port = free_port()
    server = subprocess.Popen(
        [MARSAD, "serve", "--db", db_url, "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, base)
        with httpx.Client(base_url=base) as client:
            page = client.get("/login")
            assert 'dir="rtl"' in page.text
            token_field = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            logged_in = client.post(
                "/login",
                data={
                    "username": "lead",
                    "password": "a long enough password",
                    "csrf_token": token_field,
                },
            )
            assert logged_in.status_code == 303
            # Many requests spread over both workers: the session signed by one holds in all.
            assert all(client.get("/").status_code == 200 for _ in range(20))
            assert client.get("/search", params={"name": "Mouhammad"}).status_code == 200
        me = [
            httpx.get(f"{base}/api/me", headers={"Authorization": f"Bearer {token}"})
            for _ in range(10)
        ]
        assert {r.status_code for r in me} == {200}
        assert httpx.get(f"{base}/api/me").status_code == 401
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode("utf-8", "replace")
    assert "Started parent process" in output or "Application startup complete" in output
    access = [line for line in output.splitlines() if '"GET /search' in line]
    assert access and not [line for line in access if "Mouhammad" in line or "?" in line]
