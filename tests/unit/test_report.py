"""The HTML report: self-contained, escaped, every section present, charts that parse."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import itertools
import random
import re
import statistics
import xml.etree.ElementTree as ET
from importlib.resources import files
from typing import Any

import pytest

from marsad.domain.estimates import CaptureHistories, Estimate
from marsad.publish.report import render_report
from marsad.publish.report_data import (
    GovernorateCount,
    ReportData,
    SourceSummary,
    StratumEstimate,
    WeekCount,
)
from marsad.publish.report_format import (
    diagnostic_rows,
    format_interval,
    rhat_note,
    share_documented,
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
    assert "2 October 2023" in time


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
    assert "7 July 2024" in methodology and "0.1.0" in methodology


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


def lcmcr_estimate(
    chains: int = 2, rhat: float | None = 1.004, constant: bool = False, **extra: Any
) -> Estimate:
    """An estimate shaped like `lcmcr.summarise` output, with a trace of right-skewed draws."""
    rng = random.Random(17)
    trace = [
        [7820 if constant else round(7820 + rng.lognormvariate(9.5, 0.2)) for _ in range(600)]
        for _ in range(chains)
    ]
    pooled = sorted(n for chain in trace for n in chain)
    cuts = statistics.quantiles(pooled, n=40, method="inclusive")
    low, median, high = cuts[0], cuts[19], cuts[38]
    diagnostics: dict[str, Any] = {
        "lists": list(LISTS),
        "K": 10,
        "burn_in": 10_000,
        "samples": 5_000,
        "thin": 20,
        "chains": chains,
        "seed": 20240801,
        "rhat": rhat,
        "ess": 1234.56,
        "ess_tail": 87.4,
        "mean": statistics.fmean(pooled),
        "quantiles": {"2.5": low, "50": median, "97.5": high},
        "mean_alpha": 0.61234,
        "seconds": 8.93,
        "trace": trace,
        "trace_every": 180,
        "notes": ["Gibbs sampler: every draw is accepted, so there is no acceptance rate"],
        **extra,
    }
    return Estimate(7820, median, (low, high), 0.95, "lcmcr", "LCMCR K=10", diagnostics)


def with_estimate(estimate: Estimate) -> ReportData:
    return dataclasses.replace(sample_data(), estimate=estimate)


def outside_svg(html: str) -> str:
    return re.sub(r"<svg\b.*?</svg>", "", html, flags=re.S)


def test_lcmcr_diagnostics_never_appear_as_raw_lists() -> None:
    estimate = lcmcr_estimate()
    html = render_report(with_estimate(estimate))
    assert "[[" not in html and "{'" not in html and "['" not in html
    assert "LCMCR (Bayesian latent-class model), model LCMCR K=10" in html
    text = outside_svg(html)
    assert not re.search(r"\d(?:\.\d+)?(?:, ?\d+(?:\.\d+)?){12,}", text)
    first = estimate.diagnostics["trace"][0]
    assert ", ".join(str(n) for n in first[:4]) not in html
    assert " ".join(str(n) for n in first[:4]) not in html
    methodology = section(html, "methodology")
    assert "Network A, UN office, Hospital &lt;B&gt;, Field team" in methodology
    assert "2.5%: " in methodology and "97.5%: " in methodology
    assert "20240801" in methodology and "8.9 s" in methodology


def test_lcmcr_estimate_shows_density_and_trace() -> None:
    estimate = lcmcr_estimate(chains=3)
    charts = svgs(render_report(with_estimate(estimate)))
    density = charts["Posterior distribution of the total number of persons"]
    assert len(with_class(density, "line", "median")) == 1
    assert len(with_class(density, "line", "lower")) == len(with_class(density, "line", "upper"))
    trace = charts["Draws of the total by chain (trace plot)"]
    lines = with_class(trace, "polyline", "chain")
    assert len(lines) == 3
    assert [len(line.get("points", "").split()) for line in lines] == [600] * 3
    last_tick = with_class(trace, "text", "xtick")[-1].text or ""
    assert 599 * 180 / 2 < int(last_tick.replace(",", "")) <= 599 * 180


def test_trace_caption_counts_the_draws_and_the_thinning() -> None:
    estimate = section(render_report(with_estimate(lcmcr_estimate(chains=2))), "estimate")
    flat = re.sub(r"\s+", " ", estimate)
    assert "histogram of 1,200 posterior draws" in flat
    assert "(2 chains, one draw kept every 180 sweeps)" in flat
    assert "sum of the strata" not in flat
    summed = lcmcr_estimate(strata_estimated=3, interval_combination="posterior draws added")
    flat = re.sub(r"\s+", " ", section(render_report(with_estimate(summed)), "estimate"))
    assert "each draw is the sum of the strata&#39;s draws" in flat


@pytest.mark.parametrize(
    ("rhat", "shown", "meaning"),
    [
        (1.0031, "1.003", "below 1.01: the chains agree"),
        (1.0437, "1.044", "roughly agree"),
        (1.318, "1.318", "above 1.1: the chains disagree; run longer (--preset hrdag)"),
        (None, "undefined", "all draws of N are equal"),
    ],
)
def test_rhat_is_shown_with_three_decimals_and_what_it_means(
    rhat: float | None, shown: str, meaning: str
) -> None:
    html = render_report(with_estimate(lcmcr_estimate(rhat=rhat)))
    start = html.index('id="convergence"')
    convergence = html[start : html.index("</dl>", start)]
    row = re.search(r"<dt>R-hat</dt><dd>(.*?)</dd>", convergence, re.S)
    assert row is not None
    assert f"<strong>{shown}</strong>" in row.group(1) and meaning in row.group(1)
    assert rhat_note(rhat) in row.group(1)


def test_rhat_notes_differ_by_band() -> None:
    notes = [rhat_note(value) for value in (1.001, 1.05, 1.2, None)]
    assert len(set(notes)) == 4
    assert "disagree" in notes[2] and "disagree" not in notes[0]


def test_effective_sample_sizes_are_whole_numbers_with_a_verdict() -> None:
    html = render_report(with_estimate(lcmcr_estimate(chains=2)))
    convergence = section(html, "estimate")
    assert "<strong>1,235</strong>" in convergence and "1234.56" not in html
    assert "<strong>87</strong>" in convergence
    assert "enough for a stable median" in convergence
    assert "too few for stable interval ends (200 or more wanted)" in convergence


def test_constant_draws_render_without_error() -> None:
    html = render_report(with_estimate(lcmcr_estimate(rhat=None, constant=True)))
    charts = svgs(html)
    density = charts["Posterior distribution of the total number of persons"]
    xs = {line.get("x1") for line in density.iter("line") if "mark" in line.get("class", "")}
    assert len(xs) == 1
    assert "7,820" in [el.text for el in with_class(density, "text", "xtick")]


def dga_estimate() -> Estimate:
    graphs = [("[A,B][C]", 0.61), ("[A,B,C]", 0.3), ("[A][B][C]", 0.09), ("[A,C][B]", 3e-29)]
    return Estimate(
        observed=7820,
        estimate=11_000.0,
        interval=(9_500.0, 13_900.0),
        level=0.95,
        method="dga",
        model="average of 8 decomposable graphs",
        diagnostics={
            "lists": ["A", "B", "C"],
            "list_sizes": {"A": 4000, "B": 3000, "C": 2500},
            "delta": 0.0625,
            "prior": "1/N",
            "n_graphs": 8,
            "top_graphs": [
                {"graph": g, "cliques": [["A", "B"], ["C"]], "weight": w} for g, w in graphs
            ],
            "grid": {
                "rule": "default",
                "missing": [0, 2_097_152],
                "totals": [7820, 2_104_972],
                "points": 2_097_153,
            },
            "posterior": {"mean": 11_024.0027, "sd": 3_639.53, "mode": 10_870},
            "tail_mass": 8.12e-05,
            "warnings": [],
        },
    )


def test_dga_shows_its_top_graphs_and_no_raw_structures() -> None:
    html = render_report(with_estimate(dga_estimate()))
    table = html[html.index('<table id="top-graphs">') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r"<tr><td>(.*?)</td><td class=\"num\">(.*?)</td></tr>", table)
    assert rows == [
        ("[A,B][C]", "61.0%"),
        ("[A,B,C]", "30.0%"),
        ("[A][B][C]", "9.0%"),
        ("[A,C][B]", "&lt;0.1%"),
    ]
    assert "[[" not in html and "{'" not in html and "['" not in html
    methodology = section(html, "methodology")
    assert "N from 7,820 to 2,104,972 on 2,097,153 points (default)" in methodology
    assert "Mean: 11,024 · SD: 3,640 · Mode: 10,870" in methodology
    assert "8.1e-05" in methodology
    assert "Trace" not in " ".join(svgs(html)) and 'id="convergence"' not in html


def loglinear_estimate() -> Estimate:
    models = [("[12,13]", 101.25, 0.7, 10_400.4), ("[12,23]", 103.0, 0.29, 11_020.0)]
    return Estimate(
        observed=7820,
        estimate=10_400.4,
        interval=(9_100.0, 12_300.0),
        level=0.95,
        method="loglinear",
        model="[12,13]",
        diagnostics={
            "lists": ["Network A", "UN <office>"],
            "criterion": "bic",
            "best": {"model": "[12,13]", "estimate": 10_400.4, "df": 3, "bic": 101.25},
            "top_models": [
                {"model": m, "bic": c, "weight": w, "estimate": e, "deviance": 2.0, "df": 3}
                for m, c, w, e in models
            ],
            "warnings": [],
        },
    )


def test_loglinear_shows_its_top_models_with_criterion_weight_and_estimate() -> None:
    html = render_report(with_estimate(loglinear_estimate()))
    table = html[html.index('<table id="top-models">') :]
    table = table[: table.index("</table>")]
    assert '<th class="num">BIC</th>' in table
    assert "numbered 1 = Network A, 2 = UN &lt;office&gt;." in re.sub(r"\s+", " ", html)
    cells = re.findall(r"<td(?: class=\"num\")?>(.*?)</td>", table)
    assert cells == ["[12,13]", "101.2", "70.0%", "10,400", "[12,23]", "103.0", "29.0%", "11,020"]
    methodology = section(html, "methodology")
    best = "Best model</dt><dd>Model: [12,13] · Estimate: 10,400 · DF: 3 · BIC: 101.2</dd>"
    assert best in methodology
    assert "{" not in outside_svg(html).split("<body>")[1]


def test_diagnostic_rows_leave_out_what_is_not_text_sized() -> None:
    estimate = Estimate(
        10,
        12.0,
        (11.0, 14.0),
        0.95,
        "test",
        diagnostics={
            "short": ["x", "y"],
            "long": list(range(40)),
            "nested": {"a": {"b": 1}},
            "matrix": [[1, 2], [3, 4]],
            "tiny": 0.000123,
            "flag": True,
            "missing": None,
        },
    )
    assert diagnostic_rows(estimate) == [
        ("Short", "x, y"),
        ("Tiny", "0.00012"),
        ("Flag", "yes"),
        ("Missing", "undefined"),
    ]


LEFT_OUT: dict[str, Any] = {
    "rule": {"min_name_parts": 2, "date_precision": "month", "place_level": "governorate"},
    "records": 2000,
    "records_left_out": 120,
    "records_by_missing": {"date of death": 100, "name parts": 20},
    "persons": 1400,
    "persons_left_out": 17,
    "persons_by_missing": {"date of death": 15, "no one record meets every requirement": 2},
}
SPLIT = {"code": "split_singletons", "values": {"share": 0.81, "expected": 0.74}, "message": "-"}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_estimate_section_says_who_was_left_out_linkage_share_and_split_lists(lang: str) -> None:
    data = dataclasses.replace(
        sample_data(),
        identifiability=LEFT_OUT,
        linkage_uncertainty={"draws": 20, "width_share": 0.23},
        estimate_warnings=[SPLIT],
    )
    html = section(render_report(data, lang=lang), "estimate")
    shown = re.sub(r"<[^>]+>", " ", html)
    if lang == "en":
        assert "1,383" not in shown
        assert "20 clusterings" in shown and "23% of the interval" in shown
        assert "17 of 1,400 persons" in shown and "120" in shown
        assert "81% of persons are on one list only" in shown and "imply 74%" in shown
        assert "no one record meets every requirement" in shown
    else:
        assert "٢٣٪" in shown and "٨١٪" in shown and "٧٤٪" in shown and "١٬٤٠٠" in shown
        ours = html[html.index('id="split-warnings"') : html.index("</table>")]
        assert not re.search("[0-9]", re.sub(r"<[^>]+>", " ", ours))
    assert 'id="split-warnings"' in html and 'id="left-out"' in html


def test_estimate_section_says_why_the_interval_has_no_linkage_uncertainty() -> None:
    data = dataclasses.replace(
        sample_data(), linkage_uncertainty={"draws": 0, "width_share": None, "reason": "none"}
    )
    html = section(render_report(data), "estimate")
    assert "no model link decisions" in html and 'id="split-warnings"' not in html
