"""The report as people will see it: HTML in headless Chromium and PDF through poppler."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page

from marsad.publish.pdf import render_pdf
from marsad.publish.report import render_report
from marsad.publish.report_data import ReportData
from marsad.publish.report_format import headline_sentence

ARABIC_DIGITS = re.compile("[\u0660-\u0669]")
PDF_SECTIONS = {
    "en": ["Sources", "Persons documented", "Over time", "Incidents without names", "Methodology"],
    "ar": ["المصادر", "عبر الزمن", "تداخل القوائم", "تقدير العدد الكلي", "المنهجية"],
}
"""Arabic headings without the lam-alef ligature, which pdftotext gives back letters swapped."""
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SECTIONS = {
    "en": ["Sources", "Persons documented", "Over time", "Incidents without names", "Methodology"],
    "ar": ["المصادر", "الأشخاص الموثَّقون", "عبر الزمن", "حوادث بلا أسماء", "المنهجية"],
}


def not_blank(png: Path) -> bool:
    """An image with real content: its grey levels vary, it is not one flat colour."""
    histogram = Image.open(png).convert("L").histogram()
    pixels = sum(histogram)
    mean = sum(level * n for level, n in enumerate(histogram)) / pixels
    variance = sum(n * (level - mean) ** 2 for level, n in enumerate(histogram)) / pixels
    return variance > 25


def open_report(browser: Browser, data: ReportData, lang: str, tmp_path: Path) -> Page:
    path = tmp_path / f"report-{lang}.html"
    path.write_text(render_report(data, lang), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())
    page.goto(path.as_uri())
    return page


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_html_report_in_chromium(
    browser: Browser, report_data: ReportData, lang: str, tmp_path: Path
) -> None:
    page = open_report(browser, report_data, lang, tmp_path)
    try:
        headline = page.inner_text("#headline-text")
        assert headline == headline_sentence(report_data.standards, lang)
        figures = [page.inner_text(f"#standard-{s.key} .value") for s in report_data.standards]
        assert all(figure in headline for figure in figures)
        if lang == "en":
            assert "2,397 reported · 940 documented" in headline
            assert "estimated 3,521 (3,050–4,212)" in headline
        else:
            assert "٢٬٣٩٧ مُبلَّغ عنهم" in headline and "تقدير ٣٬٥٢١ (٣٬٠٥٠–٤٬٢١٢)" in headline
            assert page.get_attribute("html", "dir") == "rtl"
            assert page.eval_on_selector("body", "b => getComputedStyle(b).direction") == "rtl"
            assert not re.search(r"[0-9]", headline)
            assert ARABIC_DIGITS.search(page.inner_text("#methodology"))
        headings = page.locator("h2").all_inner_texts()
        assert all(section in headings for section in SECTIONS[lang])
        boxes = [svg.bounding_box() for svg in page.locator("svg.chart").all()]
        assert len(boxes) == 6
        assert all(box and box["width"] > 100 and box["height"] > 50 for box in boxes)
        methodology = page.inner_text("#methodology")
        assert report_data.rules_sha256 in methodology
        assert all(source.name in methodology for source in report_data.sources)
        assert page.locator("#estimation dd").count() == len(report_data.estimation)
        shot = tmp_path / f"report-{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert not_blank(shot)
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pdf_report(report_data: ReportData, lang: str, tmp_path: Path) -> None:
    out = tmp_path / f"report-{lang}.pdf"
    render_pdf(report_data, out, lang)
    assert out.read_bytes().startswith(b"%PDF")
    extracted = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", " ", BIDI_CONTROLS.sub("", extracted))
    assert all(section in flat for section in PDF_SECTIONS[lang])
    figures = ["2,397", "940", "111", "3,521"] if lang == "en" else ["٢٬٣٩٧", "٩٤٠", "١١١"]
    assert all(figure in flat for figure in figures)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(out), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) >= 4
    assert all(not_blank(image) for image in images[:4])
