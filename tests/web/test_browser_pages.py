"""Every page in Arabic, in a real browser (Debian's Chromium), over a store with data: no
English word is left on a page but data (names, sources, users, file names) and codes.

The pages are not listed here: every GET route of the page routers (`web.pages.ROUTERS`) is
visited, so a page added later is checked as soon as it is registered. A route whose path has
a parameter this test cannot fill fails with a message saying so, rather than being skipped.
The review page is also checked at 1280×900: its decision buttons are in view, and its
keyboard shortcuts work.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select

from marsad.services.documents import attach_document
from marsad.services.ingest import ingest_file
from marsad.services.users import ROLES, add_user, create_reset
from marsad.services.verify import verify
from marsad.store.db import make_engine
from marsad.store.models import (
    AuditEvent,
    Import,
    LinkDecision,
    Record,
    Source,
    User,
)
from marsad.store.shelter_tables import ShelterMember, ShelterSite
from marsad.web.pages import ROUTERS
from marsad.web.pages.data import builtin_profiles
from tests.chromium import chromium, press_shortcut
from tests.integration.shelter_helpers import shelter_store
from tests.web.conftest import PASSWORD, EvidenceSeeded, username
from tests.web.linked_store import copy_store, linked_sqlite_file, write_upload
from tests.web.test_browser import serve

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
PROPER_NAMES = ("English", "JSON Lines", "Parquet", "KoBo", "ODK", "P-code", "Mouhammad")
"""Proper names written in Latin letters in Arabic text too: the other language's name on
the language button, formats, OCHA's place codes, the search hint's example spelling."""
COMMAND = re.compile(r"\bmarsad [a-z]+")
"""A command line named in a sentence ("marsad estimate") is code."""
EXAMPLES = {"/search": ("?name=Mouhammad", "?name=أحم", "?date_from=2025-01-01")}
"""Query strings that make a page show more than its empty form."""
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


@pytest.fixture
def engine(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A copy of the linked scenario's store (SQLite): the evidence fixture adds to it."""
    url = copy_store(linked_sqlite_file(tmp_path_factory.getbasetemp()), tmp_path / "store.db")
    made = make_engine(url)
    yield made
    made.dispose()


@dataclass(frozen=True)
class Served:
    url: str
    engine: Engine
    params: dict[str, str]


@pytest.fixture
def served(
    engine: Engine, evidence_seeded: EvidenceSeeded, tracing_seeded: int, tmp_path: Path
) -> Iterator[Served]:
    """The app over the scenario with a quarantined row, statuses, evidence and testimony, a
    missing person's case, shelter sites with households, and a document attached to a record."""
    for role in ROLES:
        add_user(engine, username(role), PASSWORD, role, language="ar")
    ingest_file(engine, write_upload(tmp_path / "field.csv"), "Field team list")
    verify(engine)
    shelter_store(engine, tmp_path)
    document = tmp_path / "register.pdf"
    document.write_bytes(b"%PDF-1.4 a scanned register page")
    sha256 = hashlib.sha256(document.read_bytes()).hexdigest()
    attach_document(engine, document, "register.pdf", "test", record_id=1)
    with engine.connect() as conn:
        person = conn.scalar(
            select(Record.person_id)
            .join(LinkDecision, LinkDecision.record_a_id == Record.id)
            .where(
                Record.person_id.is_not(None),
                LinkDecision.kind == "model",
                LinkDecision.decision == "match",
            )
            .limit(1)
        )
    params = {
        "person_id": str(person),
        "item_id": str(evidence_seeded.item_id),
        "testimony_id": str(evidence_seeded.testimony_id),
        "token": create_reset(engine, username("viewer"), "test"),
        "case_id": str(tracing_seeded),
        "site_id": "S1",
        "household_id": "H1",
        "record_id": "1",
        "sha256": sha256,
        "job_id": "op-none",
    }
    for base in serve(str(engine.url)):
        yield Served(base, engine, params)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def page_paths(params: dict[str, str]) -> list[str]:
    """Every GET path of the page routers, its parameters filled from the store."""
    paths = []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute) or "GET" not in route.methods:
                continue
            path = route.path
            for name in re.findall(r"{(\w+)}", path):
                assert name in params, f"{path}: tell this test how to fill {{{name}}}"
                path = path.replace(f"{{{name}}}", params[name])
            paths.append(path)
            paths += [path + query for query in EXAMPLES.get(route.path, ())]
    return paths


def data_words(engine: Engine) -> set[str]:
    """Every Latin word the store holds as data: names, sources, users, files and their
    columns, audit targets, notes, and the shipped mapping profiles' file names; a page may
    show them in any language (a long one cut short by "…")."""
    words: set[str] = set()
    columns = (
        Record.name,
        Record.name_first,
        Record.name_father,
        Record.name_grandfather,
        Record.name_family,
        Record.name_mother,
        Record.locality,
        Record.district,
        Record.governorate,
        Record.record_id,
        Record.cause,
        Source.name,
        Import.file_name,
        User.username,
        AuditEvent.actor,
        AuditEvent.target,
        LinkDecision.note,
        LinkDecision.decided_by,
        ShelterSite.name,
        ShelterSite.managing_agency,
        ShelterMember.name,
        ShelterMember.name_first,
        ShelterMember.name_family,
    )
    with engine.connect() as conn:
        for column in columns:
            for value in conn.scalars(select(column).distinct()):
                words.update(LATIN_WORD.findall(str(value or "")))
        for header in conn.scalars(select(Import.columns)):
            words.update(LATIN_WORD.findall(" ".join(header)))
    for profile in builtin_profiles():
        words.update(LATIN_WORD.findall(profile))
    return words


def is_code(token: str) -> bool:
    """An identifier, not a word: with digits, an underscore, a dot inside (a file name), an
    @ or a slash, or in capitals (CSV, LCMCR)."""
    return bool(re.search(r"[\d_@/]|\.\w", token)) or token.isupper()


def english_words(text: str, data: set[str]) -> list[str]:
    """The Latin-script words of `text` that are neither data, a code nor a proper name,
    each with the line it stands in (to find it)."""
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    text = COMMAND.sub(" ", text)
    text = re.sub(
        r"([A-Za-z]+)…",
        lambda cut: " " if any(w.startswith(cut.group(1)) for w in data) else cut.group(0),
        text,
    )
    found = []
    for line in text.splitlines():
        for token in re.findall(r"[\w'’.@/-]+", line):
            if not re.search(r"[A-Za-z]", token) or is_code(token.rstrip(".")):
                continue
            words = [w for w in LATIN_WORD.findall(token) if w not in data and not w.isupper()]
            found += [f"{word} «{line.strip()[:80]}»" for word in words]
    return found


def visible_text(page: Page) -> str:
    """What a reader sees: the rendered text (closed disclosures and hidden elements are not
    rendered), and the placeholders, titles and labels of the page's elements."""
    texts = [page.locator("body").inner_text()]
    for attribute in ATTRIBUTES:
        for element in page.locator(f"[{attribute}]").all():
            texts.append(element.get_attribute(attribute) or "")
    texts.append(page.title())
    return "\n".join(texts)


def logged_in(browser: Browser, url: str, role: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{url}/login?lang=ar")
    page.fill("#username", username(role))
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page


def test_no_english_word_on_any_arabic_page(served: Served, browser: Browser) -> None:
    data = data_words(served.engine)
    left: dict[str, list[str]] = {}
    anonymous = browser.new_context().new_page()
    for path in ("/login?lang=ar", f"/reset/{served.params['token']}?lang=ar"):
        anonymous.goto(f"{served.url}{path}")
        words = english_words(visible_text(anonymous), data)
        if words:
            left[path] = words
    anonymous.context.close()
    page = logged_in(browser, served.url, "admin")
    visited = 0
    for path in page_paths(served.params):
        fetched = page.request.get(f"{served.url}{path}")
        assert fetched.status < 500, path
        if "text/html" not in fetched.headers.get("content-type", ""):
            continue  # a file (download, preview) or JSON, not a page
        response = page.goto(f"{served.url}{path}")
        assert response is not None, path
        assert page.get_attribute("html", "dir") == "rtl", path
        visited += 1
        words = english_words(visible_text(page), data)
        if words:
            left[path] = sorted(set(words))
    assert visited >= 12
    assert left == {}, f"English words on Arabic pages: {left}"


def test_review_buttons_in_view_and_keyboard_in_both_languages(
    served: Served, browser: Browser
) -> None:
    for lang in ("ar", "en"):
        page = logged_in(browser, served.url, "reviewer")
        page.goto(f"{served.url}/review?lang={lang}")
        for action in ("accept", "reject", "skip"):
            box = page.locator(f"button[data-action='{action}']").bounding_box()
            assert box is not None, action
            assert box["y"] >= 0 and box["y"] + box["height"] <= 900, (lang, action, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (lang, action, box)
        assert page.locator("#pair thead th").count() >= 3
        first = page.get_attribute("#pair", "data-decision")
        skipped = page.inner_text("#skipped")
        press_shortcut(page, "s")
        expect(page.locator("#skipped")).not_to_have_text(skipped)
        assert page.get_attribute("#pair", "data-decision") != first
        second = page.get_attribute("#pair", "data-decision")
        press_shortcut(page, "a")
        expect(page.locator("button[data-action='undo']")).to_have_count(1)
        assert page.get_attribute("#pair", "data-decision") not in {first, second}
        press_shortcut(page, "u")
        expect(page.locator("#pair")).to_have_attribute("data-decision", str(second))
        page.context.close()


def test_person_page_is_short_with_its_numbers_behind_a_disclosure(
    served: Served, browser: Browser
) -> None:
    """The person page fits in a few screens (it was 5,700 px of weights): the records side by
    side, the link explanations in words, their numbers hidden until asked for."""
    for lang in ("en", "ar"):
        page = logged_in(browser, served.url, "reviewer")
        page.goto(f"{served.url}/persons/{served.params['person_id']}?lang={lang}")
        assert page.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        box = page.locator("main").bounding_box()
        assert box is not None and box["height"] < 2500, box
        assert page.locator("#records thead th[data-record]").count() >= 2
        numbers = page.locator("details.numbers:has(table)").first
        assert not numbers.locator("table").is_visible()
        numbers.locator("summary").click()
        assert numbers.locator("table").is_visible()
        page.context.close()
