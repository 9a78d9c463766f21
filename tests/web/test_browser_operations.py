"""The whole job of a documentation team in a real browser (Debian's Chromium via Playwright),
in English and in Arabic, against the app served on loopback over a new SQLite store: upload
two lists → link → review ten pairs → verify → estimate → download the report and a
pseudonymised export → release → verify the release. Nothing is done behind the browser's
back: every step is a page, a form or a keyboard shortcut."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select

from marsad.services.demo import ingest_scenario, scenario_lists
from marsad.services.operation_jobs import RUNNING
from marsad.services.users import add_user
from marsad.store.db import make_engine, migrate
from marsad.store.models import Record
from marsad.store.web_tables import OperationJob
from marsad.synth import generate, write_scenario
from tests.chromium import chromium, press_shortcut
from tests.web.conftest import PASSWORD
from tests.web.test_browser import run_server

JOB_SECONDS = 240
REVIEWED = 10


@dataclass(frozen=True)
class Served:
    url: str
    engine: Engine
    lists: Path


@pytest.fixture(params=["en", "ar"])
def served(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    """A store holding one list of a synthetic scenario (800 people, three lists: estimation
    needs three), served on loopback; an admin who reads the interface in the language of the
    test; the scenario's other two lists on disk, to upload."""
    monkeypatch.setenv("MARSAD_OUTPUT_DIR", str(tmp_path / "outputs"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    migrate(engine)
    add_user(engine, "documenter", PASSWORD, "admin", language=request.param)
    lists = tmp_path / "lists"
    write_scenario(generate(seed=3, people=800, lists=3), lists)
    ingest_scenario(engine, lists, only=1)
    for url_served in run_server(url, engine):
        yield Served(url_served, engine, lists)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def upload(page: Page, served: Served, path: Path, source: str, kind: str) -> None:
    page.goto(f"{served.url}/sources")
    page.set_input_files("#upload-file", str(path))
    page.fill("#upload-source", source)
    page.select_option("#upload-kind", kind)
    page.click("#upload button[type=submit]")
    page.wait_for_url("**/sources?job=*")
    page.locator("#jobs tr.current[data-state='done']").wait_for(timeout=JOB_SECONDS * 1000)


def links_settled(served: Served, uploads: int) -> None:
    """Wait for the link jobs the uploads started: they run beside the page's own jobs, and
    one ending after verification would (rightly) mark the counts as out of date."""
    deadline = time.monotonic() + JOB_SECONDS
    while True:
        with served.engine.connect() as conn:
            states = list(
                conn.scalars(select(OperationJob.state).where(OperationJob.kind == "link"))
            )
        if len(states) >= uploads and RUNNING not in states:
            return
        assert time.monotonic() < deadline, f"the uploads' links did not end: {states}"
        time.sleep(0.5)


def run(page: Page, served: Served, kind: str, fields: dict[str, str] | None = None) -> None:
    """Start an operation from its form on the operations page and wait for its result."""
    page.goto(f"{served.url}/operations")
    for selector, value in (fields or {}).items():
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
    page.click(f"#start-{kind}")
    page.wait_for_url("**/jobs/*")
    ended = page.locator("#job-state[data-state='done'], #job-state[data-state='failed']")
    ended.wait_for(timeout=JOB_SECONDS * 1000)
    assert page.get_attribute("#job-state", "data-state") == "done", page.inner_text("main")


def download(page: Page, folder: Path) -> Path:
    with page.expect_download() as started:
        page.click("#download")
    saved = folder / started.value.suggested_filename
    started.value.save_as(saved)
    return saved


def test_the_whole_job_in_the_browser(served: Served, browser: Browser, tmp_path: Path) -> None:
    page = browser.new_context(accept_downloads=True).new_page()
    page.on("pageerror", lambda error: pytest.fail(f"script error: {error}"))
    page.goto(f"{served.url}/login")
    page.fill("#username", "documenter")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served.url}/")
    lang = page.get_attribute("html", "lang")
    assert lang in ("en", "ar")
    assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")

    for item in scenario_lists(served.lists)[1:3]:
        upload(page, served, served.lists / item["file"], item["source"], item["kind"])
    links_settled(served, uploads=2)

    # Link, with a wide review band so that the queue holds more than ten pairs.
    run(page, served, "link", {"#link-review_threshold": "0.05"})
    review_pairs = int(
        page.get_attribute("#job-result [data-key='review_pairs']", "data-value") or 0
    )
    assert review_pairs >= REVIEWED

    page.goto(f"{served.url}/review")
    for n in range(1, REVIEWED + 1):
        press_shortcut(page, "a" if n == 1 else "r")
        expect(page.locator("#decided-today")).to_have_text(str(n) if lang == "en" else arabic(n))

    run(page, served, "verify")
    run(page, served, "estimate", {"#estimate-method": "loglinear", "#estimate-preset": "fast"})
    assert page.locator("#job-result [data-key='estimate']").count() == 1

    run(page, served, "report")
    report = download(page, tmp_path)
    assert report.suffix == ".html" and "<html" in report.read_text(encoding="utf-8").lower()

    run(page, served, "export", {"#export-kind": "records"})
    exported = download(page, tmp_path)
    with served.engine.connect() as conn:
        names = set(conn.scalars(select(Record.name)))
    with exported.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and not names & {value for row in rows for value in row.values()}

    run(page, served, "release", {"#release-name": f"first-{lang}", "#release-method": "loglinear"})
    run(page, served, "release_check", {"#release_check-name": f"first-{lang}"})
    assert page.get_attribute("#job-result [data-key='identical']", "data-value") == "True"

    page.goto(f"{served.url}/")
    assert page.get_attribute("#fresh-counts", "data-stale") == "no"
    page.context.close()


def arabic(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
