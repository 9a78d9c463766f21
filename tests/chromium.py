"""Debian's Chromium, headless, as every browser test launches it (never a downloaded one)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
"""As root, without a sandbox; no background connections (the machine's network is closed)."""


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def press_shortcut(page: Page, key: str) -> None:
    """Press a page's keyboard shortcut once its deferred scripts have run. A page drawn after a
    decision shows its text before its script listens for keys, and a key pressed in that moment
    is lost: the next `expect` then waits for a decision that was never sent."""
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press(key)
