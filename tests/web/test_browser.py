"""A real browser (Debian's Chromium via Playwright) against `marsad serve`'s app on loopback:
every role logs in, in Arabic and in English, and reads the dashboard."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser
from sqlalchemy import Engine

from marsad.services.counts import totals
from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.users import ROLES, add_user
from marsad.store.db import make_engine, migrate
from marsad.web.app import create_app
from tests.chromium import chromium
from tests.integration.helpers import person, write_csv
from tests.web.conftest import PASSWORD, seed

ARABIC = "محمد أحمد علي"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path / 'marsad.db'}"
    engine = make_engine(url)
    migrate(engine)
    yield url, engine
    engine.dispose()


def run_server(url: str, engine: Engine) -> Iterator[str]:
    """The app on a free loopback port, with one user per role, until the test ends."""
    for role in ROLES:
        add_user(engine, f"{role}-user", PASSWORD, role, language="en")
    yield from serve(url)


def serve(url: str) -> Iterator[str]:
    """The app over the store at `url` on a free loopback port, until the test ends."""
    port = free_port()
    config = uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(sqlite_store: tuple[str, Engine]) -> Iterator[str]:
    url, engine = sqlite_store
    seed(engine)
    yield from run_server(url, engine)


@pytest.fixture
def linked_server(sqlite_store: tuple[str, Engine], tmp_path: Path) -> Iterator[str]:
    """A store made by the real services: two lists ingested and linked."""
    url, engine = sqlite_store
    a = write_csv(tmp_path / "a.csv", [person("a1", ARABIC, "2025-03-07", sex="male")])
    b = write_csv(
        tmp_path / "b.csv",
        [person("b1", ARABIC, "2025-03-07", sex="male"), person("b2", "سعيد", "2025-03")],
    )
    ingest_file(engine, a, "Group A", kind="monitoring_group")
    ingest_file(engine, b, "Hospital B", kind="hospital")
    link(engine)
    yield from run_server(url, engine)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_every_role_reads_the_dashboard_in_both_languages(server: str, browser: Browser) -> None:
    for role in ROLES:
        for lang, direction, records in (("ar", "rtl", "٣"), ("en", "ltr", "3")):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{server}/login?lang={lang}")
            assert page.get_attribute("html", "dir") == direction
            page.fill("#username", f"{role}-user")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{server}/")
            assert page.get_attribute("html", "lang") == lang
            assert page.get_attribute("html", "dir") == direction
            assert page.inner_text("#records-total").strip() == records
            assert page.locator("#sources tbody tr").count() == 2
            admin_link = page.locator("header nav a[href='/admin/users']").count()
            assert admin_link == (1 if role == "admin" else 0)
            context.close()


def test_latin_search_in_the_arabic_interface_opens_the_person_and_the_dashboard(
    linked_server: str, browser: Browser, sqlite_store: tuple[str, Engine]
) -> None:
    with sqlite_store[1].connect() as conn:
        headline = totals(conn)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{linked_server}/login?lang=ar")
    page.fill("#username", "reviewer-user")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{linked_server}/")
    page.click("header nav a[href='/search']")
    assert page.get_attribute("html", "dir") == "rtl"
    page.fill("#q-name", "Mouhammad")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#results")
    assert page.locator("#results tbody.hit").count() == 1
    assert ARABIC in page.inner_text("#results")
    page.click("#results a.person-link")
    page.wait_for_selector("#records")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("#records thead th[data-record]").count() == 2
    assert page.inner_text("#verification-status").strip() in {"معزَّز", "متحقَّق منه"}
    page.click("header nav a[href='/']")
    page.wait_for_selector("#count-reported")
    digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    for standard in ("reported", "documented", "corroborated", "verified"):
        shown = page.inner_text(f"#count-{standard}").strip()
        assert shown == str(getattr(headline, standard)).translate(digits), standard
    assert headline.reported == 2
    assert page.locator("#weeks svg").count() == 1
    context.close()
