"""A real browser (Debian's Chromium) on the evidence pages, against the app served on
loopback with the test TSA: a file is uploaded with its progress shown, lands on its item page
(with the notice the server left), and the preview of a photo loads; in Arabic, right to
left."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from marsad.store.db import make_engine, migrate
from tests.chromium import chromium
from tests.integration.evidence_helpers import photo
from tests.tsa import TimestampAuthority
from tests.web.conftest import PASSWORD, username
from tests.web.test_browser import run_server

WATCH_PROGRESS = """() => {
  window.seen = { percent: 0, storing: false };
  window.setInterval(() => {
    const bar = document.querySelector("#evidence-progress");
    const storing = document.querySelector("[data-field='storing']");
    if (bar) window.seen.percent = Math.max(window.seen.percent, bar.value);
    if (storing && !storing.hidden) window.seen.storing = true;
  }, 1);
}"""


@pytest.fixture
def served(
    tmp_path: Path, tsa: TimestampAuthority, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The app on loopback over a new store, with the evidence settings `marsad serve` reads."""
    monkeypatch.setenv("MARSAD_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("MARSAD_TSA_URL", tsa.url)
    monkeypatch.setenv("MARSAD_TSA_CERTS", str(tsa.chain))
    url = f"sqlite:///{tmp_path / 'marsad.db'}"
    engine = make_engine(url)
    migrate(engine)
    yield from run_server(url, engine)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def logged_in(browser: Browser, url: str, lang: str) -> Page:
    page = browser.new_context().new_page()
    page.on("pageerror", lambda error: pytest.fail(f"script error: {error}"))
    page.goto(f"{url}/login?lang={lang}")
    page.fill("#username", username("data_entry"))
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_upload_with_progress_then_the_item_page(
    served: str, browser: Browser, tmp_path: Path
) -> None:
    video = tmp_path / "clip.bin"
    video.write_bytes(bytes(range(256)) * (64 * 1024 * 4))  # 64 MiB: sent in many pieces
    page = logged_in(browser, served, "en")
    page.click("header nav a[href='/evidence']")
    page.set_input_files("#evidence-files", str(video))
    page.fill("#evidence-source", "Field team")
    page.fill("#evidence-description", "sent on a messaging app")
    page.evaluate(WATCH_PROGRESS)
    page.click("#evidence-upload button[type=submit]")
    page.wait_for_url("**/evidence/1", timeout=120_000)
    page.locator("#notice").wait_for()
    assert "1 file(s) stored and timestamped." in page.inner_text("#notice")
    assert page.evaluate("window.seen") == {"percent": 100, "storing": True}
    sha256 = hashlib.sha256(video.read_bytes()).hexdigest()
    assert page.inner_text("#sha256") == sha256
    assert "UTC" in page.inner_text("#timestamp")
    page.context.close()


def test_photo_preview_in_arabic(served: str, browser: Browser, tmp_path: Path) -> None:
    page = logged_in(browser, served, "ar")
    page.goto(f"{served}/evidence")
    assert page.get_attribute("html", "dir") == "rtl"
    page.set_input_files("#evidence-files", str(photo(tmp_path / "register.jpg")))
    page.fill("#evidence-source", "مشفى الباسل")
    page.click("#evidence-upload button[type=submit]")
    page.wait_for_url("**/evidence/1", timeout=60_000)
    # Waited for from outside the page: wait_for_function evaluates a string in it, which the
    # pages' CSP forbids (as in test_browser_data).
    preview = page.locator("#preview img")
    preview.wait_for(timeout=30_000)
    width = 0
    for _ in range(300):
        width = preview.evaluate("img => img.complete ? img.naturalWidth : 0")
        if width:
            break
        page.wait_for_timeout(100)
    assert width == 32
    assert "سجل الحيازة" in page.inner_text("#custody")
    assert page.locator("#custody-log tr[data-action='view']").count() >= 1
    page.context.close()
