"""Headless Chromium on the tracing case page, in Arabic and in English: a relative's report in
Latin letters matched to a killed person recorded in Arabic script, the candidate side by side
with the sought person, the reasons in words, and a step taken from the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from sqlalchemy import Engine

from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.tracing_ingest import ingest_report_entry
from marsad.services.tracing_match import match_cases
from tests.chromium import chromium
from tests.integration.helpers import person, write_csv
from tests.web.conftest import PASSWORD
from tests.web.test_browser import run_server, sqlite_store  # noqa: F401  (a fixture)

KILLED = "محمد أحمد الحسن"


@pytest.fixture
def tracing_server(sqlite_store: tuple[str, Engine], tmp_path: Path) -> Iterator[str]:  # noqa: F811
    url, engine = sqlite_store
    rows = [
        person("a1", KILLED, "2025-03-07", sex="male", age="34", name_mother="فاطمة"),
        person("a2", "علي حسين العلي", "2025-03-08", sex="male", age="20", name_mother="زينب"),
    ]
    ingest_file(engine, write_csv(tmp_path / "a.csv", rows), "Group A", kind="monitoring_group")
    link(engine)
    cells = {"report_id": "R-1", "name": "Mohammad Ahmad Al-Hasan", "consent_scope": "partners",
             "name_mother": "Fatima", "year_of_birth": "1991", "sex": "male"}  # fmt: skip
    ingest_report_entry(engine, cells, "Tracing desk", "test")
    match_cases(engine, "test")
    yield from run_server(url, engine)


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_case_page_in_both_languages(tracing_server: str, browser: Browser) -> None:
    for lang, direction, reason in (
        ("ar", "rtl", "اسم الأم نفسه"),
        ("en", "ltr", "same mother's name"),
    ):
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{tracing_server}/login?lang={lang}")
        page.fill("#username", "tracing-user")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{tracing_server}/")
        page.click("header nav a[href='/tracing']")
        assert page.get_attribute("html", "dir") == direction
        page.click("#tracing-cases a[href='/tracing/cases/1']")
        page.wait_for_selector("#side-by-side")
        sought = page.inner_text("#side-by-side tr[data-field='name'] td:nth-of-type(1)")
        found = page.inner_text("#side-by-side tr[data-field='name'] td:nth-of-type(2)")
        assert sought == "Mohammad Ahmad Al-Hasan" and found == KILLED
        assert "1991" in page.inner_text("#side-by-side tr[data-field='born']")
        assert reason in page.inner_text("#side-by-side tr[data-field='why']")
        context.close()
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{tracing_server}/login?lang=en")
    page.fill("#username", "tracing-user")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{tracing_server}/")
    page.goto(f"{tracing_server}/tracing/cases/1")
    page.fill("#confirm_detained-where", "Adra prison")
    page.click("#act-confirm_detained button[type=submit]")
    page.wait_for_selector("#notice")
    assert "confirmed_detained" in page.inner_text("#notice")
    assert "Adra prison" in page.inner_text("#case-history")
    context.close()
