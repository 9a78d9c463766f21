"""A real browser (Debian's Chromium via Playwright) on the data pages, against the app served
on loopback over a store the real ingest and linkage built: upload a file and watch it import,
fix a quarantined row (in Arabic), review two pairs with the keyboard, and every role finds
only the pages its permissions allow."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select

from marsad.services.exports import quarantine_items
from marsad.services.ingest import ingest_file
from marsad.services.users import ROLES, add_user, can
from marsad.store.db import make_engine
from marsad.store.models import LinkDecision, Record
from marsad.web.app import create_app
from tests.chromium import chromium, press_shortcut
from tests.web.conftest import PASSWORD, username
from tests.web.linked_store import (
    BAD_ROW,
    FIXED_DATE,
    GOOD_ROWS,
    copy_store,
    linked_sqlite_file,
    write_upload,
)
from tests.web.test_browser import free_port


@dataclass(frozen=True)
class Served:
    url: str
    engine: Engine


@pytest.fixture
def served(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The app on loopback over a copy of the linked store, with one quarantined row."""
    url = copy_store(linked_sqlite_file(tmp_path_factory.getbasetemp()), tmp_path / "store.db")
    engine = make_engine(url)
    for role in ROLES:
        add_user(engine, username(role), PASSWORD, role, language="en")
    ingest_file(engine, write_upload(tmp_path / "field.csv"), "Field team list")
    port = free_port()
    config = uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield Served(f"http://127.0.0.1:{port}", engine)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def logged_in(browser: Browser, served: Served, role: str, lang: str = "en") -> Page:
    """A new browser session logged in as `role`; a script error on any page fails the test."""
    page = browser.new_context().new_page()
    page.on("pageerror", lambda error: pytest.fail(f"script error: {error}"))
    page.goto(f"{served.url}/login?lang={lang}")
    page.fill("#username", username(role))
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served.url}/")
    return page


def test_upload_a_file_and_see_it_imported(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    page = logged_in(browser, served, "data_entry")
    page.click("header nav a[href='/sources']")
    rows = tuple((f"browser-{row[0]}", *row[1:]) for row in (*GOOD_ROWS, BAD_ROW))
    page.set_input_files("#upload-file", str(write_upload(tmp_path / "browser.csv", rows)))
    page.fill("#upload-source", "Browser list")
    page.select_option("#upload-kind", "media")
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/sources?job=*")
    done = page.locator("#jobs tr.current[data-state='done']")
    done.wait_for(timeout=30_000)
    assert done.locator("[data-field='recorded']").inner_text().strip() == "2"
    assert done.locator("[data-field='quarantined']").inner_text().strip() == "1"
    # The sources table is drawn with the page; the job may end after it was (the jobs table
    # follows the job, the sources table does not): the next load lists the new source.
    page.reload()
    page.locator("#jobs tr.current[data-state='done']").wait_for(timeout=30_000)
    assert "Browser list" in page.inner_text("#source-list")
    jobs = page.evaluate("fetch('/sources/jobs').then(response => response.json())")
    assert [(j["file"], j["state"], j["recorded"]) for j in jobs["jobs"]] == [
        ("browser.csv", "done", 2)
    ]
    page.click("#jobs tr.current [data-field='quarantined'] a")
    expect(page.locator("section.quarantined-row")).to_have_count(1)  # once the page is there
    page.context.close()


def test_fix_a_quarantined_row_in_arabic(served: Served, browser: Browser) -> None:
    page = logged_in(browser, served, "data_entry", lang="ar")
    page.goto(f"{served.url}/quarantine")
    assert page.get_attribute("html", "dir") == "rtl"
    row = page.locator("section.quarantined-row")
    assert row.count() == 1
    assert "تاريخ الوفاة" in row.locator(".reasons").inner_text()
    date = row.locator("input[data-field='date_of_death']")
    assert date.get_attribute("aria-invalid") == "true"
    assert date.input_value() == BAD_ROW[3]
    date.fill(FIXED_DATE)
    row.locator("button[type=submit]").click()
    page.locator("#notice").wait_for()
    assert page.locator("#quarantine-empty").is_visible()
    assert list(quarantine_items(served.engine)) == []
    with served.engine.connect() as conn:
        fixed = conn.scalar(select(Record.date_of_death).where(Record.record_id == BAD_ROW[0]))
    assert fixed == FIXED_DATE
    page.context.close()


def decision_shown(page: Page) -> str:
    value = page.get_attribute("#pair", "data-decision")
    assert value is not None
    return value


def test_review_two_pairs_with_the_keyboard(served: Served, browser: Browser) -> None:
    page = logged_in(browser, served, "reviewer")
    page.goto(f"{served.url}/review")
    assert page.inner_text("#decided-today").strip() == "0"
    first = decision_shown(page)
    press_shortcut(page, "a")
    page.wait_for_selector("#notice")
    assert page.inner_text("#decided-today").strip() == "1"
    second = decision_shown(page)
    assert second != first
    press_shortcut(page, "r")
    expect(page.locator("#decided-today")).to_have_text("2")  # no page eval: the CSP forbids it
    assert decision_shown(page) not in {first, second}
    page.fill("#note", "rs")
    assert page.inner_text("#decided-today").strip() == "2", "no shortcut while typing a note"
    with served.engine.connect() as conn:
        decided = conn.execute(
            select(LinkDecision.decision, LinkDecision.decided_by)
            .where(LinkDecision.kind == "human")
            .order_by(LinkDecision.id)
        ).all()
    assert [tuple(d) for d in decided] == [
        ("match", username("reviewer")),
        ("non_match", username("reviewer")),
    ]
    page.context.close()


def test_each_role_finds_only_its_pages(served: Served, browser: Browser) -> None:
    for role in ROLES:
        page = logged_in(browser, served, role)
        for path, permission in (
            ("/sources", "ingest"),
            ("/quarantine", "ingest"),
            ("/entry", "ingest"),
            ("/review", "review"),
        ):
            allowed = can(role, permission)
            assert page.locator(f"header nav a[href='{path}']").count() == int(allowed), role
            response = page.goto(f"{served.url}{path}")
            assert response is not None
            assert response.status == (200 if allowed else 403), (role, path)
        page.context.close()


def test_no_page_breaks_the_content_security_policy(served: Served, browser: Browser) -> None:
    """Chromium enforces the CSP on every page an admin opens, in both languages: no inline
    script or style is refused (the review queue's weight bars, the dashboard's charts, the
    upload page's progress script all come from the package)."""
    for lang in ("en", "ar"):
        page = logged_in(browser, served, "admin", lang=lang)
        refused: list[str] = []
        page.on("console", lambda message, seen=refused: seen.append(message.text))
        for path in ("/", "/review", "/sources", "/quarantine", "/entry", "/admin/users"):
            page.goto(f"{served.url}{path}")
            page.wait_for_load_state("load")
        page.goto(f"{served.url}/account")
        assert page.locator("#change-password").count() == 1
        violations = [text for text in refused if "Content Security Policy" in text]
        assert violations == [], violations
        page.goto(f"{served.url}/review")
        assert page.locator("#weights svg rect").count() >= 1
        page.context.close()
