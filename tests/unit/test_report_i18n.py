"""The report in two languages: counting standards side by side, Arabic wording, mirrored charts."""

from __future__ import annotations

import dataclasses
import re
import string
import xml.etree.ElementTree as ET

import pytest

from marsad.i18n import CATALOGUE
from marsad.publish.charts.bars import horizontal_bar_chart
from marsad.publish.charts.pyramid import age_band, age_sex_pyramid
from marsad.publish.charts.svg import mirror
from marsad.publish.pdf import local_only_fetcher, shape_arabic, visual_arabic
from marsad.publish.report import render_report
from marsad.publish.report_data import AgeSexCount, IncidentCount, StandardCount
from marsad.publish.report_format import headline_sentence, standard_figure
from tests.unit.test_report import sample_data

STANDARDS = [
    StandardCount("verified", 111),
    StandardCount("estimated", 2100, 1800.0, 2600.0),
    StandardCount("reported", 1383),
    StandardCount("documented", 940),
]


def fields(wording: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(wording) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_message_has_both_languages_with_the_same_fields(key: str) -> None:
    english, arabic = CATALOGUE[key]
    assert english.strip() and arabic.strip()
    assert fields(english) == fields(arabic)


def test_headline_orders_standards_and_says_each_one() -> None:
    assert headline_sentence(STANDARDS) == (
        "1,383 reported · 940 documented · 111 verified · estimated 2,100 (1,800–2,600)"
    )
    arabic = headline_sentence(STANDARDS, "ar")
    assert arabic.startswith("١٬٣٨٣ مُبلَّغ عنهم") and "تقدير ٢٬١٠٠ (١٬٨٠٠–٢٬٦٠٠)" in arabic
    assert not re.search("[0-9]", arabic)
    assert standard_figure(StandardCount("estimated", 5)) == "5 estimated"


def with_new_fields() -> object:
    return dataclasses.replace(
        sample_data(),
        standards=STANDARDS,
        documented_missing={"full name": 31, "date of death": 18},
        incidents=[IncidentCount("confirmed", 4, 12, 19), IncidentCount("weak", 2, 0, 9)],
        age_sex=[AgeSexCount("0-4", 3, 4, 1), AgeSexCount("30-44", 20, 6, 0)],
        definitions={"en": {"corroborated": "Two independent sources agree."}},
        rules_sha256="ab" * 32,
        estimation={"method": "LCMCR", "seed": "7"},
        release="2024-Q2",
    )


def test_new_fields_are_shown_and_headline_replaces_the_legacy_cards() -> None:
    html = render_report(with_new_fields())  # type: ignore[arg-type]
    assert '<p class="headline-text" id="headline-text">1,383 reported · 940 documented' in html
    assert 'id="persons-total"' not in html
    assert "Not documented: counted separately, not dropped" in html
    assert re.search(r"<td>full name</td><td class=\"num\">31</td>", html)
    incidents = html[html.index('<section id="incidents">') :]
    assert "12–19" in incidents and "confirmed" in incidents
    assert "ab" * 32 in html and "Two independent sources agree." in html
    assert "<dt>Seed</dt><dd>7</dd>" in html and "Release 2024-Q2" in html
    assert "Persons documented by age group and sex" in html


def test_arabic_report_is_right_to_left_with_arabic_digits_and_wording() -> None:
    html = render_report(with_new_fields(), "ar")  # type: ignore[arg-type]
    assert html.count('<html lang="ar" dir="rtl">') == 1
    assert "منهجية" in html and "حوادث بلا أسماء" in html
    assert "Methodology" not in html and "Counting standards" not in html
    for governorate in sample_data().persons_by_governorate:
        assert governorate.name_ar in html
    assert "١٬٣٨٣" in html and "٢٬١٠٠" in html


def test_unknown_language_falls_back_to_english() -> None:
    assert '<html lang="en">' in render_report(sample_data(), "fr")


def test_mirror_flips_geometry_and_anchors_but_not_text() -> None:
    svg = str(horizontal_bar_chart([("Aleppo", 30), ("Homs", 10)], title="t"))
    flipped = ET.fromstring(mirror(svg))
    original = ET.fromstring(svg)
    width = float(original.get("width", "0"))
    for before, after in zip(original.iter("rect"), flipped.iter("rect"), strict=True):
        right = float(before.get("x", "0")) + float(before.get("width", "0"))
        assert float(after.get("x", "0")) == pytest.approx(width - right, abs=0.11)
    labels = {t.text: t.get("text-anchor") for t in flipped.iter("text")}
    assert labels["Aleppo"] == "start"


def test_arabic_charts_are_mirrored_and_localised() -> None:
    rows = [AgeSexCount("0-4", 5, 7, 0), AgeSexCount("20-24", 9, 3, 1), AgeSexCount("?", 1, 1, 1)]
    english = ET.fromstring(str(age_sex_pyramid(rows, title="p")))
    arabic = ET.fromstring(str(age_sex_pyramid(rows, title="p", lang="ar")))
    assert len([r for r in english.iter("rect") if "child" in r.get("class", "")]) == 2
    male_en = next(r for r in english.iter("rect") if "male" in r.get("class", "").split())
    male_ar = next(r for r in arabic.iter("rect") if "male" in r.get("class", "").split())
    assert float(male_ar.get("x", "0")) > float(male_en.get("x", "0"))
    assert any(t.text and "٠-٤" in t.text for t in arabic.iter("text"))


def test_age_bands_parse() -> None:
    assert age_band("15-17") == (15, 17.0)
    assert age_band("80+") == (80, float("inf"))
    assert age_band("unknown") is None


def test_arabic_labels_are_shaped_for_the_pdf() -> None:
    assert shape_arabic("لا") == "\ufefb"
    assert shape_arabic("حلب") == "\ufea3\ufee0\ufe90"
    assert visual_arabic("دون ١٨") == "١٨ \ufee5\ufeed\ufea9"
    assert visual_arabic("(٤٥ شخصاً)").startswith("(") and "٤٥" in visual_arabic("٤٥ شخصاً")


def test_pdf_fetcher_refuses_the_network() -> None:
    fetcher = local_only_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.org/font.woff")
