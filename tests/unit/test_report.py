"""The HTML report: self-contained, escaped, every section present, charts that parse."""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import xml.etree.ElementTree as ET
from importlib.resources import files

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.publish.report import format_interval, render_report, share_documented
from marsad.publish.report_data import (
    GovernorateCount,
    ReportData,
    SourceSummary,
    StratumEstimate,
    WeekCount,
)

SECTIONS = ("sources", "persons", "time", "overlap", "estimate", "methodology")
TRICKY_SOURCE = 'Al-Amal <Rescue> & "Partners"'
LISTS = ("Network A", "UN office", "Hospital <B>", "Field team")


def spread(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, the rounding remainder on the largest share."""
    parts = [total * w // sum(weights) for w in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


def governorates(total: int = 7000) -> list[GovernorateCount]:
    text = files("marsad").joinpath("reference/syria_admin1.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    counts = spread(total, [3 + (i * 7) % 19 for i in range(len(rows))])
    return [
        GovernorateCount(row["pcode"], row["name_en"], row["name_ar"], count)
        for row, count in zip(rows, counts, strict=True)
    ]


def capture_histories() -> CaptureHistories:
    patterns = [p for p in itertools.product((0, 1), repeat=len(LISTS)) if any(p)]
    counts = {p: 1400 // (sum(p) ** 3) + 9 * i for i, p in enumerate(patterns)}
    return CaptureHistories(lists=LISTS, counts=counts)


def an_estimate(observed: int, total: float, low: float, high: float) -> Estimate:
    return Estimate(
        observed=observed,
        estimate=total,
        interval=(low, high),
        level=0.95,
        method="log-linear",
        model="[12][13][234]",
        diagnostics={"warnings": ["Sparse <cells> in 2 patterns"], "aic": 123.456, "df": 4},
    )


def sample_data() -> ReportData:
    histories = capture_histories()
    persons = histories.observed
    undated = 1187
    weekly = spread(persons - undated, [20 + (i * 37) % 180 for i in range(40)])
    weeks = [
        WeekCount(datetime.date(2023, 10, 2) + datetime.timedelta(weeks=i), count)
        for i, count in enumerate(weekly)
    ]
    strata = [
        StratumEstimate("Aleppo", 2100, an_estimate(2100, 3050.2, 2700.0, 3601.9), ""),
        StratumEstimate("Homs", 1400, an_estimate(1400, 1800.0, 1550.5, 2210.0), ""),
        StratumEstimate("Idleb", 900, an_estimate(900, 1300.0, 1000.0, 1900.0), ""),
        StratumEstimate("Quneitra", 12, None, "Too few persons on two or more lists (3)."),
    ]
    return ReportData(
        title="Civilian deaths in Syria, October 2023 – July 2024",
        generated_at=datetime.datetime(2024, 8, 1, 9, 30, tzinfo=datetime.UTC),
        data_cutoff=datetime.date(2024, 7, 7),
        store="SQLite file marsad.db",
        sources=[
            SourceSummary("Network A", "monitoring group", None, 3, 5210, 41),
            SourceSummary("UN office", "UN office", None, 1, 2980, 3),
            SourceSummary("Hospital <B>", "hospital", None, 2, 1734, 120),
            SourceSummary("Field team", "field team", None, 4, 1022, 0),
            SourceSummary(TRICKY_SOURCE, "media outlet", "Network A", 1, 310, 7),
        ],
        records_total=11256,
        quarantined_total=171,
        persons_total=persons,
        persons_by_governorate=governorates(persons - 312),
        persons_no_governorate=312,
        persons_by_week=weeks,
        persons_undated=undated,
        persons_by_sex=dict(
            zip(("male", "female", "unknown"), spread(persons, [65, 22, 13]), strict=True)
        ),
        persons_children=1234,
        capture_histories=histories,
        estimate=an_estimate(persons, 10356.4, 8994.2, 12110.3),
        strata=strata,
        linkage={"rule": "splink-v1", "records_linked": 11256, "threshold": 0.92},
        version="0.1.0",
    )


def empty_data() -> ReportData:
    return ReportData(
        title="Nothing yet",
        generated_at=datetime.datetime(2024, 8, 1, 9, 30),
        data_cutoff=None,
        store="SQLite file empty.db",
        sources=[],
        records_total=0,
        quarantined_total=0,
        persons_total=0,
        persons_by_governorate=[],
        persons_no_governorate=0,
        persons_by_week=[],
        persons_undated=0,
        persons_by_sex={},
        persons_children=0,
        capture_histories=None,
        estimate=None,
        strata=[],
        linkage={},
        version="0.1.0",
    )


def svgs(html: str) -> dict[str, ET.Element]:
    """Every inline SVG, parsed as XML, keyed by its title."""
    parsed = [ET.fromstring(chunk) for chunk in re.findall(r"<svg\b.*?</svg>", html, re.S)]
    return {svg.findtext("title", ""): svg for svg in parsed}


def with_class(svg: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in svg.iter(tag) if cls in el.get("class", "").split()]


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.S)
    assert match, section_id
    return match.group(1)


def test_headline_figures_are_formatted() -> None:
    data = sample_data()
    html = render_report(data)
    assert data.estimate is not None
    headline = html[html.index('class="headline"') : html.index('id="sources"')]
    assert f"{data.persons_total:,}" in headline
    assert "11,256" in headline
    assert "10,356 (95% interval 8,994–12,110)" in headline
    assert "log-linear" in headline and "[12][13][234]" in headline
    share = round(100 * data.estimate.observed / data.estimate.estimate)
    assert f"{share}% (95% interval " in headline
    assert headline.index("Persons documented") < headline.index("Estimated total")


def test_every_section_is_present_in_reading_order() -> None:
    html = render_report(sample_data())
    positions = [html.index(f'<section id="{name}">') for name in SECTIONS]
    assert positions == sorted(positions)


def test_document_is_self_contained() -> None:
    html = render_report(sample_data())
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html and '<meta charset="utf-8">' in html
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<script[^>]*\bsrc=", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert "url(" not in html and "@font-face" not in html and "@import" not in html
    assert "Noto Naskh Arabic" in html
    assert "@media print" in html


def test_charts_parse_and_have_one_bar_per_datum() -> None:
    data = sample_data()
    charts = svgs(render_report(data))
    assert len(charts) == 4
    for svg in charts.values():
        assert svg.get("role") == "img" and svg.get("viewBox")
    by_governorate = charts["Persons documented by governorate"]
    assert len(with_class(by_governorate, "rect", "bar")) == 14
    weekly = charts["Persons documented per ISO week"]
    assert len(with_class(weekly, "rect", "bar")) == 40
    assert data.capture_histories is not None
    upset = charts["Persons by the combination of lists that recorded them"]
    assert len(with_class(upset, "rect", "bar")) == len(data.capture_histories.counts)
    assert len(with_class(upset, "rect", "set-bar")) == len(LISTS)
    strata = charts["Persons documented and estimated, by stratum"]
    assert len(with_class(strata, "rect", "bar")) == 1 + len(data.strata)
    assert len(with_class(strata, "g", "interval")) == 1 + 3


def test_governorate_table_has_both_scripts_and_missing_row() -> None:
    data = sample_data()
    persons = section(render_report(data), "persons")
    for governorate in data.persons_by_governorate:
        assert governorate.name_ar in persons and governorate.pcode in persons
    assert "No governorate recorded" in persons and "312" in persons
    assert '<strong id="children-total">1,234</strong>' in persons
    assert f"{data.persons_by_sex['male']:,}" in persons


def test_time_section_notes_undated_persons() -> None:
    time = section(render_report(sample_data()), "time")
    assert '<strong id="undated-total">1,187</strong>' in time
    assert "2023-10-02" in time


def test_special_characters_are_escaped_everywhere() -> None:
    html = render_report(sample_data())
    assert "Al-Amal &lt;Rescue&gt; &amp; &#34;Partners&#34;" in html
    assert "<Rescue>" not in html and "<B>" not in html and "<cells>" not in html
    assert "Hospital &lt;B&gt;" in section(html, "overlap")
    assert "copies Network A" in section(html, "sources")


def test_documented_only_stratum_says_why() -> None:
    html = render_report(sample_data())
    estimate = section(html, "estimate")
    assert "Too few persons on two or more lists (3)." in estimate
    assert "not estimated" in estimate
    assert "documented only" in estimate
    assert "3,050 (95% interval 2,700–3,602)" in estimate


def test_methodology_shows_linkage_assumptions_and_warnings() -> None:
    methodology = section(render_report(sample_data()), "methodology")
    assert "splink-v1" in methodology and "11,256" in methodology
    assert "Records linked" in methodology
    for phrase in ("Closed population", "Perfect matching", "interaction"):
        assert phrase in methodology
    assert "Sparse &lt;cells&gt; in 2 patterns" in methodology
    assert "Aleppo: Sparse" in methodology
    assert "2024-07-07" in methodology and "0.1.0" in methodology


def test_empty_data_renders_sentences_instead_of_charts() -> None:
    html = render_report(empty_data())
    for name in SECTIONS:
        assert f'<section id="{name}">' in html
    assert "<svg" not in html
    assert "Not estimated" in html
    assert "no weekly series" in section(html, "time")
    assert "No capture histories" in section(html, "overlap")
    assert "No source has been imported" in section(html, "sources")
    assert "not recorded" in section(html, "methodology")


def test_estimate_without_strata_or_weeks() -> None:
    data = sample_data()
    partial = ReportData(
        **{**data.__dict__, "persons_by_week": [], "strata": [], "capture_histories": None}
    )
    charts = svgs(render_report(partial))
    assert "Persons documented per ISO week" not in charts
    strata = charts["Persons documented and estimated, by stratum"]
    assert len(with_class(strata, "rect", "bar")) == 1


def test_open_interval_is_said_in_words() -> None:
    estimate = an_estimate(50, 400.0, 120.0, float("inf"))
    assert format_interval(estimate) == "400 (95% interval 120–no upper bound)"
    share = share_documented(estimate)
    assert share is not None and share.startswith("12% (95% interval 0–42%)")
