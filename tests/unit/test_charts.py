"""Hand-written SVG charts: well-formed, proportional, labelled, escaped."""

from __future__ import annotations

import datetime
import itertools
import math
import random
import statistics
import xml.etree.ElementTree as ET

import pytest

from marsad.domain.estimates import CaptureHistories, Pattern
from marsad.i18n import format_count
from marsad.publish.charts.axes import LinearScale, nice_range_ticks, nice_ticks, week_label
from marsad.publish.charts.bars import horizontal_bar_chart
from marsad.publish.charts.intervals import IntervalRow, interval_chart
from marsad.publish.charts.posterior import histogram, posterior_density_chart
from marsad.publish.charts.trace import trace_chart
from marsad.publish.charts.upset import upset_chart
from marsad.publish.charts.weeks import week_chart, week_label_step


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "svg" and root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    assert root.findtext("title")
    return root


def with_class(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(tag) if cls in el.get("class", "").split()]


def texts(root: ET.Element, cls: str | None = None) -> list[str]:
    return [
        el.text or ""
        for el in root.iter("text")
        if cls is None or cls in el.get("class", "").split()
    ]


def assert_proportional(sizes: list[float], values: list[int]) -> None:
    """Each size is value × one common scale, to within the SVG's 0.1 px rounding."""
    scale = max(sizes) / max(values)
    for size, value in zip(sizes, values, strict=True):
        assert size == pytest.approx(value * scale, abs=0.11)


def test_format_count_groups_thousands_and_rounds() -> None:
    assert format_count(10356.4, "en") == "10,356"
    assert format_count(999, "en") == "999"
    assert format_count(1234567, "en") == "1,234,567"


@pytest.mark.parametrize("maximum", [1, 3, 7, 10, 99, 101, 1234, 10356, 987654])
def test_nice_ticks_cover_the_maximum_in_round_steps(maximum: int) -> None:
    ticks = nice_ticks(maximum)
    assert ticks[0] == 0 and ticks[-1] >= maximum
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert mantissa in (1, 2, 5)
    assert 1 <= len(ticks) - 1 <= 10
    assert ticks[-2] < maximum


def test_nice_ticks_for_nothing_is_a_unit_axis() -> None:
    assert nice_ticks(0) == [0, 1]


def test_horizontal_bars_are_proportional_and_labelled() -> None:
    items = [("Aleppo", 3823), ("Homs", 913), ("Quneitra", 40), ("None", 0)]
    root = parse(horizontal_bar_chart(items, title="By governorate"))
    bars = with_class(root, "rect", "bar")
    assert len(bars) == len(items)
    assert_proportional([float(b.get("width", "")) for b in bars], [v for _, v in items])
    labels = texts(root)
    for label, value in items:
        assert label in labels and format_count(value, "en") in labels
    ticks = texts(root, "xtick")
    assert ticks[0] == "0" and int(ticks[-1].replace(",", "")) >= 3823


def test_labels_are_escaped() -> None:
    svg = horizontal_bar_chart([("<b>Tom & Jerry</b>", 5)], title="a <title> & more")
    assert "<b>" not in svg
    root = parse(svg)
    assert root.findtext("title") == "a <title> & more"
    assert "<b>Tom & Jerry</b>" in texts(root)


def test_week_bars_are_proportional_and_gaps_are_zero_weeks() -> None:
    monday = datetime.date(2024, 1, 1)
    weeks = [(monday, 10), (monday + datetime.timedelta(weeks=1), 25), (monday.replace(day=29), 5)]
    root = parse(week_chart(weeks, title="Weekly"))
    bars = with_class(root, "rect", "bar")
    assert len(bars) == 5
    assert_proportional([float(b.get("height", "")) for b in bars], [10, 25, 0, 0, 5])
    xs = [float(b.get("x", "")) for b in bars]
    assert xs == sorted(xs)


def test_week_axis_labels_name_mondays_in_order() -> None:
    first = datetime.date(2023, 10, 2)
    weeks = [(first + datetime.timedelta(weeks=i), 1 + i % 7) for i in range(40)]
    root = parse(week_chart(weeks, title="Weekly"))
    labels = texts(root, "xtick")
    step = week_label_step(40, 9)
    assert 3 <= len(labels) <= 10
    expected = [week_label(first + datetime.timedelta(weeks=i)) for i in range(0, 40, step)]
    assert labels == expected
    assert "2023" in texts(root) and "2024" in texts(root)


def test_week_label_and_step() -> None:
    assert week_label(datetime.date(2024, 2, 5)) == "5 Feb"
    assert week_label_step(10, 10) == 1
    assert week_label_step(40, 9) in (8, 13)
    for count in (1, 52, 300, 700, 5000):
        assert math.ceil(count / week_label_step(count, 8)) <= 8


def test_a_week_given_mid_week_counts_in_its_iso_week() -> None:
    wednesday = datetime.date(2024, 1, 3)
    root = parse(week_chart([(wednesday, 4), (datetime.date(2024, 1, 1), 6)], title="Weekly"))
    bars = with_class(root, "rect", "bar")
    assert len(bars) == 1
    assert "Week of 1 January 2024: 10" in (bars[0].findtext("title") or "")


def histories() -> CaptureHistories:
    lists = ("A", "B", "C <x>")
    counts: dict[Pattern, int] = {
        (1, 0, 0): 50,
        (0, 1, 0): 30,
        (0, 0, 1): 20,
        (1, 1, 0): 8,
        (1, 1, 1): 4,
        (0, 1, 1): 0,
    }
    return CaptureHistories(lists=lists, counts=counts)


def test_upset_bars_dots_and_list_sizes() -> None:
    data = histories()
    root = parse(upset_chart(data, title="Overlap"))
    bars = with_class(root, "rect", "bar")
    assert len(bars) == 5
    heights = [float(b.get("height", "")) for b in bars]
    assert_proportional(heights, [50, 30, 20, 8, 4])
    assert with_class(root, "circle", "dot") and len(with_class(root, "circle", "dot")) == 5 * 3
    assert len(with_class(root, "circle", "on")) == 1 + 1 + 1 + 2 + 3
    set_bars = with_class(root, "rect", "set-bar")
    sizes = data.list_sizes()
    assert_proportional([float(b.get("width", "")) for b in set_bars], list(sizes.values()))
    assert "C <x>" in texts(root)


def test_upset_keeps_the_largest_combinations_and_says_what_it_left_out() -> None:
    root = parse(upset_chart(histories(), title="Overlap", max_intersections=3))
    assert len(with_class(root, "rect", "bar")) == 3
    assert any("2 smaller combinations (12 persons) not shown" in t for t in texts(root))


def test_interval_chart_marks_estimates_and_documented_only_rows() -> None:
    rows = [
        IntervalRow("All", 7000, 10356.0, 8994.0, 12110.0),
        IntervalRow("Aleppo", 2100, 3050.0, 2700.0, 3602.0),
        IntervalRow("Quneitra", 12),
    ]
    root = parse(interval_chart(rows, title="Strata"))
    bars = with_class(root, "rect", "bar")
    assert_proportional([float(b.get("width", "")) for b in bars], [7000, 2100, 12])
    groups = with_class(root, "g", "interval")
    assert len(groups) == 2
    points = [float(c.get("cx", "")) for g in groups for c in g.iter("circle")]
    assert points[0] > points[1]
    assert "documented only" in texts(root)
    assert int(texts(root, "xtick")[-1].replace(",", "")) >= 12110


def test_interval_without_upper_bound_ends_in_an_arrow() -> None:
    root = parse(interval_chart([IntervalRow("Sparse", 50, 400.0, 120.0, math.inf)], title="S"))
    group = with_class(root, "g", "interval")[0]
    assert group.find("path") is not None
    assert "no upper bound" in (group.findtext("title") or "")


@pytest.mark.parametrize(
    ("low", "high"), [(0.0, 7.0), (18_113.0, 35_777.0), (9_871.0, 10_244.0), (1e6, 3.3e6)]
)
def test_nice_range_ticks_cover_the_range_in_round_steps(low: float, high: float) -> None:
    ticks = nice_range_ticks(low, high)
    assert ticks[0] <= low and ticks[-1] >= high
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    assert step / 10 ** math.floor(math.log10(step)) in (1, 2, 5)
    assert ticks[0] > low - step and ticks[-1] < high + step
    assert 2 <= len(ticks) - 1 <= 10


def test_nice_range_ticks_of_one_value_centre_it() -> None:
    assert nice_range_ticks(5000, 5000) == [4999, 5000, 5001]


def test_histogram_counts_half_open_bins_and_drops_outsiders() -> None:
    assert histogram([0, 1, 1.9, 2, 5, 5.99, 6, -1], 0, 2, 3) == [3, 1, 2]


def draws_of_n(count: int = 3000, seed: int = 5) -> list[float]:
    """Right-skewed posterior-like draws of N (whole numbers), as LCMCR gives."""
    rng = random.Random(seed)
    return [float(round(7820 + rng.lognormvariate(9.5, 0.25))) for _ in range(count)]


def interval_95(draws: list[float]) -> tuple[float, float, float]:
    """The 2.5%, 50% and 97.5% quantiles."""
    cuts = statistics.quantiles(draws, n=40, method="inclusive")
    return cuts[0], cuts[19], cuts[38]


def x_axis(root: ET.Element) -> LinearScale:
    """The chart's own value-to-pixel map, read back from its first and last x tick."""
    ticks = [el for el in root.iter("text") if "xtick" in el.get("class", "").split()]
    first, last = ticks[0], ticks[-1]
    return LinearScale(
        float((first.text or "").replace(",", "")),
        float((last.text or "").replace(",", "")),
        float(first.get("x", "")),
        float(last.get("x", "")),
    )


def mark_x(root: ET.Element, cls: str) -> float:
    (line,) = with_class(root, "line", cls)
    assert line.get("x1") == line.get("x2")
    return float(line.get("x1", ""))


def test_density_marks_median_and_interval_ends_where_they_belong() -> None:
    draws = draws_of_n()
    low, median, high = interval_95(draws)
    root = parse(
        posterior_density_chart(
            draws, median=median, lower=low, upper=high, level=0.95, title="Posterior of N"
        )
    )
    axis = x_axis(root)
    assert axis.start <= min(draws) and axis.end >= high
    for cls, value in (("median", median), ("lower", low), ("upper", high)):
        assert mark_x(root, cls) == pytest.approx(axis(value), abs=0.11)
    labels = texts(root, "mark-label")
    for value in (median, low, high):
        assert any(format_count(value, "en") in label for label in labels)
    assert len(with_class(root, "path", "density")) == 2
    assert len(with_class(root, "path", "interval")) == 1


def test_density_ticks_are_grouped_thousands() -> None:
    draws = draws_of_n(500)
    root = parse(
        posterior_density_chart(
            draws, median=21_000, lower=19_000, upper=25_000, level=0.9, title="N"
        )
    )
    ticks = texts(root, "xtick")
    assert all("," in tick for tick in ticks)
    values = [int(t.replace(",", "")) for t in ticks]
    assert len({b - a for a, b in itertools.pairwise(values)}) == 1 and values[0] < values[-1]


def test_density_of_constant_draws_centres_one_bar_on_the_value() -> None:
    root = parse(
        posterior_density_chart(
            [5000.0] * 40, median=5000, lower=5000, upper=5000, level=0.95, title="N"
        )
    )
    axis = x_axis(root)
    assert texts(root, "xtick") == ["4,999", "5,000", "5,001"]
    assert {mark_x(root, cls) for cls in ("median", "lower", "upper")} == {axis(5000)}
    assert "extreme draws" not in " ".join(texts(root))
    assert len(with_class(root, "path", "interval")) == 1


def test_density_trims_a_long_tail_and_says_how_many_draws_it_left_out() -> None:
    draws = [*draws_of_n(1000), 90_000.0, 120_000.0, 150_000.0]
    low, median, high = interval_95(draws)
    root = parse(
        posterior_density_chart(draws, median=median, lower=low, upper=high, level=0.95, title="N")
    )
    axis = x_axis(root)
    assert axis.end < 90_000
    outside = sum(1 for d in draws if not axis.start <= d <= axis.end)
    assert outside >= 3
    assert f"{outside} extreme draws beyond the axis not shown" in texts(root)


def test_density_without_upper_bound_says_so_and_draws_no_upper_mark() -> None:
    root = parse(
        posterior_density_chart(
            draws_of_n(200), median=21_000, lower=19_000, upper=math.inf, level=0.95, title="N"
        )
    )
    assert not with_class(root, "line", "upper")
    assert "no upper bound" in texts(root, "mark-label")


def chain_points(polyline: ET.Element) -> list[tuple[float, float]]:
    pairs = (p.split(",") for p in polyline.get("points", "").split())
    return [(float(x), float(y)) for x, y in pairs]


def test_trace_has_one_line_per_chain_spanning_the_sweeps() -> None:
    rng = random.Random(9)
    chains = [[20_000 + rng.gauss(0, 900) + 300 * c for _ in range(250)] for c in range(3)]
    root = parse(trace_chart(chains, every=40, title="Trace"))
    lines = with_class(root, "polyline", "chain")
    assert len(lines) == 3
    axis = x_axis(root)
    for line, chain in zip(lines, chains, strict=True):
        points = chain_points(line)
        assert len(points) == len(chain)
        assert points[0][0] == pytest.approx(axis(0), abs=0.11)
        assert points[-1][0] == pytest.approx(axis(249 * 40), abs=0.11)
    assert len({line.get("stroke") for line in lines}) == 3
    assert [t for t in texts(root) if t.startswith("chain ")] == ["chain 1", "chain 2", "chain 3"]
    mean_y = [statistics.mean(y for _, y in chain_points(line)) for line in lines]
    assert mean_y == sorted(mean_y, reverse=True)


def test_trace_of_one_constant_chain_is_a_flat_line_without_legend() -> None:
    root = parse(trace_chart([[7000.0] * 50], every=10, title="Trace"))
    (line,) = with_class(root, "polyline", "chain")
    assert len({y for _, y in chain_points(line)}) == 1
    assert not [t for t in texts(root) if t.startswith("chain ")]
    assert texts(root, "ytick") == ["6,999", "7,000", "7,001"]


def test_trace_needs_draws() -> None:
    with pytest.raises(ValueError, match="at least one chain"):
        trace_chart([[]], every=1, title="Trace")
