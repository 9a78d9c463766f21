"""Inline SVG charts for the report, written by hand so the page needs no script and no network.

Each function returns one `<svg>` element as `Markup`: every label is escaped here, so the
template can insert the chart as is. The SVGs are well-formed XML, carry `role="img"` and a
`<title>`, and use a viewBox so they scale with the page. Each bar has its own `<title>`, which
browsers show as a tooltip, and a class (`bar`, `set-bar`) that tests and stylesheets can find.
"""

from __future__ import annotations

import datetime
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup, escape

from marsad.domain.estimates import CaptureHistories, Pattern
from marsad.i18n import (
    ARABIC_MONTHS,
    format_count,
    format_date,
    localise_digits,
    text,
    text_direction,
    whole_percent,
)
from marsad.publish.report_data import AgeSexCount

INK = "#1f2933"
MUTED_INK = "#5f6b7a"
GRID = "#e1e6ec"
BAR = "#2b6a99"
BAR_LIGHT = "#a9c4dc"
ACCENT = "#d55e00"
DOT_OFF = "#d5dbe2"
MALE, MALE_CHILD = "#0072b2", "#8ec1e3"
FEMALE, FEMALE_CHILD = "#e69f00", "#f5d28a"
"""Blue against vermillion and orange (Okabe–Ito): told apart by colour-blind readers and in
greyscale, since the pairs also differ in lightness."""

FONTS = "Noto Sans, Noto Sans Arabic, Arial, sans-serif"
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def nice_step(raw: float) -> int:
    """The smallest whole step of 1, 2 or 5 times a power of ten that is at least `raw`."""
    if raw <= 1 or not math.isfinite(raw):
        return 1
    power: float = 10.0 ** math.floor(math.log10(raw))
    return max(1, round(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)))


def nice_ticks(maximum: float, target: int = 5) -> list[int]:
    """Whole-number axis ticks from 0 past `maximum`, spaced 1, 2 or 5 times a power of ten.

    The last tick is the axis end, so bars never overflow it; about `target` intervals.
    """
    if maximum <= 0 or not math.isfinite(maximum):
        return [0, 1]
    step = nice_step(maximum / max(target, 1))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def nice_range_ticks(low: float, high: float, target: int = 5) -> list[int]:
    """Whole-number ticks from at or below `low` to at or above `high`, in round steps.

    For axes that need not start at zero, such as a posterior of N. A range narrower than one
    (constant draws) is widened by one on each side, so the value sits mid-axis.
    """
    if high - low < 1:
        centre = round((low + high) / 2)
        return [centre - 1, centre, centre + 1]
    step = nice_step((high - low) / max(target, 1))
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    return list(range(start, end + 1, step))


def week_label(day: datetime.date, lang: str = "en") -> str:
    """Axis label for a week: its Monday as "5 Feb" (the year goes on a second line)."""
    if lang == "ar":
        return localise_digits(f"{day.day} {ARABIC_MONTHS[day.month - 1]}", lang)
    return f"{day.day} {MONTHS[day.month - 1]}"


@dataclass(frozen=True)
class IntervalRow:
    """One row of the interval chart: persons documented and, when estimated, the estimate."""

    label: str
    observed: int
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None


def _n(value: float) -> str:
    """A coordinate with at most one decimal, so the SVG stays short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clip(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _open(title: str, width: float, height: float, description: str = "") -> list[str]:
    parts = [
        f'<svg class="chart" viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" '
        f'height="{_n(height)}" role="img" preserveAspectRatio="xMinYMin meet" '
        f'font-size="12" font-family="{FONTS}" direction="ltr" fill="{INK}">',
        f"<title>{escape(title)}</title>",
    ]
    if description:
        parts.append(f"<desc>{escape(description)}</desc>")
    return parts


def _text(x: float, y: float, content: str, *, anchor: str = "start", **attrs: str) -> str:
    """A label; Arabic is isolated right-to-left, so anchors keep their left-to-right meaning
    and a trailing bracket or digit stays where an Arabic reader expects it."""
    extra = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{escape(val)}"' for key, val in attrs.items()
    )
    if ARABIC_LETTER.search(content):
        content = f"\u2067{content}\u2069"
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{escape(content)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{stroke}" stroke-width="{_n(width)}"/>'
    )


def _finish(parts: list[str], lang: str, *, mirrored: bool = False) -> Markup:
    """The chart as markup; a category chart is mirrored for a right-to-left language."""
    svg = "".join(parts)
    return Markup(mirror(svg) if mirrored and text_direction(lang) == "rtl" else svg)


_PATH_POINT = re.compile(r"([ML])(-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)")
_FLIP_ANCHOR = {"start": "end", "end": "start"}


def mirror(svg: str) -> str:
    """Flip a chart left to right, text kept readable: for Arabic, labels go on the right and
    bars grow leftwards. Knows the shapes this module draws (rect, line, circle, text, path of
    absolute M/L/Z, polyline)."""
    root = ET.fromstring(svg)
    width = float(root.get("viewBox", "0 0 0 0").split()[2])

    def flip(value: str | None) -> str:
        return _n(width - float(value or 0))

    for element in root.iter():
        attrs = element.attrib
        if element.tag == "rect":
            attrs["x"] = _n(width - float(attrs.get("x", 0)) - float(attrs.get("width", 0)))
        elif element.tag == "line":
            attrs["x1"], attrs["x2"] = flip(attrs.get("x1")), flip(attrs.get("x2"))
        elif element.tag == "circle":
            attrs["cx"] = flip(attrs.get("cx"))
        elif element.tag == "text":
            attrs["x"] = flip(attrs.get("x"))
            anchor = attrs.get("text-anchor", "start")
            attrs["text-anchor"] = _FLIP_ANCHOR.get(anchor, anchor)
        elif element.tag == "path":
            attrs["d"] = _PATH_POINT.sub(
                lambda m: f"{m.group(1)}{flip(m.group(2))} {m.group(3)}", attrs.get("d", "")
            )
        elif element.tag == "polyline":
            attrs["points"] = " ".join(
                f"{flip(x)},{y}" for x, y in (p.split(",") for p in attrs.get("points", "").split())
            )
    return ET.tostring(root, encoding="unicode")


def _rect(x: float, y: float, w: float, h: float, *, cls: str, fill: str, tip: str) -> str:
    return (
        f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
        f'fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def horizontal_bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    axis_label: str | None = None,
    width: int = 760,
    lang: str = "en",
) -> Markup:
    """One horizontal bar per (label, value), in the order given, with a count at each bar's end.

    In Arabic the chart is mirrored: labels on the right, bars growing leftwards.
    """
    count = partial(format_count, lang=lang)
    axis_label = axis_label if axis_label is not None else text("chart.persons", lang)
    label_w, right, top, row_h, bar_h = 170, 64, 34, 24, 16
    plot_w = width - label_w - right
    ticks = nice_ticks(max((value for _, value in items), default=0))
    scale = plot_w / ticks[-1]
    height = top + row_h * len(items) + 8
    parts = _open(title, width, height)
    parts.append(_text(label_w + plot_w, 12, axis_label, anchor="end", fill=MUTED_INK))
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(_line(x, top - 4, x, height - 8, GRID))
        parts.append(_text(x, top - 8, count(tick), anchor="middle", class_="xtick"))
    for row, (label, value) in enumerate(items):
        y = top + row * row_h + (row_h - bar_h) / 2
        tip = f"{label}: {count(value)}"
        parts.append(_text(label_w - 8, y + bar_h - 3, _clip(label, 24), anchor="end"))
        parts.append(_rect(label_w, y, value * scale, bar_h, cls="bar", fill=BAR, tip=tip))
        parts.append(_text(label_w + value * scale + 4, y + bar_h - 3, count(value)))
    parts.append(_line(label_w, top - 4, label_w, height - 8, INK))
    parts.append("</svg>")
    return _finish(parts, lang, mirrored=True)


def _contiguous_weeks(
    weeks: Sequence[tuple[datetime.date, int]],
) -> list[tuple[datetime.date, int]]:
    """Every ISO week from the first to the last, with 0 where no one is recorded."""
    totals: dict[datetime.date, int] = {}
    for day, count in weeks:
        monday = day - datetime.timedelta(days=day.weekday())
        totals[monday] = totals.get(monday, 0) + count
    if not totals:
        return []
    first, last = min(totals), max(totals)
    span = (last - first).days // 7 + 1
    mondays = [first + datetime.timedelta(weeks=i) for i in range(span)]
    return [(monday, totals.get(monday, 0)) for monday in mondays]


def week_label_step(count: int, room: int) -> int:
    """Label every n-th week, n from a calendar-friendly series, so at most `room` labels fit."""
    for step in (1, 2, 4, 8, 13, 26, 52):
        if math.ceil(count / step) <= room:
            return step
    return 52 * math.ceil(count / (52 * max(room, 1)))


def week_chart(
    weeks: Sequence[tuple[datetime.date, int]],
    *,
    title: str,
    width: int = 760,
    height: int = 300,
    lang: str = "en",
) -> Markup:
    """Vertical bars, one per ISO week from the first to the last week with a death.

    Time runs left to right in both languages, as in Arabic statistical publications.
    """
    count_text = partial(format_count, lang=lang)
    series = _contiguous_weeks(weeks)
    left, right, top, bottom = 58, 16, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max((count for _, count in series), default=0))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    parts = _open(title, width, height)
    parts.append(_text(left, 12, text("chart.persons_per_week", lang), fill=MUTED_INK))
    for tick in ticks:
        y = base - tick * scale
        parts.append(_line(left, y, left + plot_w, y, GRID))
        parts.append(_text(left - 6, y + 4, count_text(tick), anchor="end", class_="ytick"))
    slot = plot_w / max(len(series), 1)
    bar_w = slot * 0.8 if slot >= 4 else slot
    step = week_label_step(len(series), max(1, plot_w // 70))
    last_year: int | None = None
    for i, (monday, count) in enumerate(series):
        x = left + i * slot + (slot - bar_w) / 2
        tip = text("chart.week_of", lang, date=format_date(monday, lang), n=count_text(count))
        parts.append(
            _rect(x, base - count * scale, bar_w, count * scale, cls="bar", fill=BAR, tip=tip)
        )
        if i % step == 0:
            centre = x + bar_w / 2
            parts.append(_line(centre, base, centre, base + 4, INK))
            parts.append(
                _text(centre, base + 16, week_label(monday, lang), anchor="middle", class_="xtick")
            )
            if monday.year != last_year:
                year = localise_digits(str(monday.year), lang)
                parts.append(_text(centre, base + 30, year, anchor="middle"))
                last_year = monday.year
    parts.append(_line(left, base, left + plot_w, base, INK))
    parts.append("</svg>")
    return _finish(parts, lang)


def largest_intersections(
    histories: CaptureHistories, limit: int
) -> tuple[list[tuple[Pattern, int]], int, int]:
    """The `limit` most common capture patterns, then how many patterns and persons are left out."""
    ranked = sorted(
        ((pattern, count) for pattern, count in histories.counts.items() if count > 0),
        key=lambda item: (-item[1], sum(item[0]), tuple(-bit for bit in item[0])),
    )
    rest = ranked[limit:]
    return ranked[:limit], len(rest), sum(count for _, count in rest)


def upset_chart(
    histories: CaptureHistories,
    *,
    title: str,
    max_intersections: int = 20,
    width: int = 760,
    lang: str = "en",
) -> Markup:
    """An UpSet plot: a bar per combination of lists (largest first) over a dot matrix saying
    which lists the combination is, and each list's size on the right.
    """
    shown, hidden_patterns, hidden_persons = largest_intersections(histories, max_intersections)
    lists = histories.lists
    name_w, size_w, top, bars_h, row_h = 160, 150, 26, 170, 24
    matrix_x = name_w
    col_w = min(34.0, (width - name_w - size_w) / max(len(shown), 1))
    matrix_y = top + bars_h + 14
    footer = 22 if hidden_patterns else 0
    height = matrix_y + row_h * len(lists) + footer + 8
    sizes = histories.list_sizes()
    parts = _open(
        title,
        width,
        height,
        text("chart.upset_desc", lang),
    )
    count_text = partial(format_count, lang=lang)
    ticks = nice_ticks(max((count for _, count in shown), default=0), target=4)
    scale = bars_h / ticks[-1]
    base = top + bars_h
    parts.append(
        _text(
            matrix_x - 8,
            12,
            text("chart.persons_in_combination", lang),
            anchor="end",
            fill=MUTED_INK,
        )
    )
    for tick in ticks:
        y = base - tick * scale
        parts.append(_line(matrix_x, y, matrix_x + col_w * len(shown), y, GRID))
        parts.append(_text(matrix_x - 6, y + 4, count_text(tick), anchor="end", class_="ytick"))
    for row, name in enumerate(lists):
        y = matrix_y + row * row_h
        if row % 2 == 0:
            parts.append(
                f'<rect x="0" y="{_n(y)}" width="{_n(width)}" height="{row_h}" fill="#f4f6f8"/>'
            )
        parts.append(_text(name_w - 10, y + row_h / 2 + 4, _clip(name, 22), anchor="end"))
    for col, (pattern, count) in enumerate(shown):
        cx = matrix_x + col * col_w + col_w / 2
        bar_w = col_w * 0.7
        members = [lists[i] for i, bit in enumerate(pattern) if bit]
        tip = text("chart.only", lang, lists=" + ".join(members), n=count_text(count))
        parts.append(
            _rect(
                cx - bar_w / 2,
                base - count * scale,
                bar_w,
                count * scale,
                cls="bar",
                fill=BAR,
                tip=tip,
            )
        )
        if col_w >= 26 or col % 2 == 0:
            parts.append(
                _text(
                    cx,
                    base - count * scale - 4,
                    count_text(count),
                    anchor="middle",
                    font_size="10",
                )
            )
        rows_in = [row for row, bit in enumerate(pattern) if bit]
        if len(rows_in) > 1:
            y1 = matrix_y + rows_in[0] * row_h + row_h / 2
            y2 = matrix_y + rows_in[-1] * row_h + row_h / 2
            parts.append(_line(cx, y1, cx, y2, INK, 2))
        for row, bit in enumerate(pattern):
            cy = matrix_y + row * row_h + row_h / 2
            cls, fill = ("dot on", INK) if bit else ("dot off", DOT_OFF)
            parts.append(
                f'<circle class="{cls}" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(min(6, col_w / 3))}" '
                f'fill="{fill}"/>'
            )
    parts.append(_line(matrix_x, base, matrix_x + col_w * len(shown), base, INK))
    size_x = width - size_w + 10
    size_scale = (size_w - 60) / max(max(sizes.values(), default=0), 1)
    parts.append(_text(size_x, matrix_y - 4, text("chart.persons_on_list", lang), fill=MUTED_INK))
    for row, name in enumerate(lists):
        y = matrix_y + row * row_h + 5
        size = sizes[name]
        tip = f"{name}: {count_text(size)}"
        parts.append(
            _rect(size_x, y, size * size_scale, row_h - 10, cls="set-bar", fill=BAR_LIGHT, tip=tip)
        )
        parts.append(_text(size_x + size * size_scale + 4, y + row_h - 14, count_text(size)))
    if hidden_patterns:
        note = text(
            "chart.hidden_combinations",
            lang,
            patterns=count_text(hidden_patterns),
            persons=count_text(hidden_persons),
        )
        parts.append(_text(matrix_x, height - 10, note, fill=MUTED_INK))
    parts.append("</svg>")
    return _finish(parts, lang, mirrored=True)


def interval_chart(
    rows: Sequence[IntervalRow],
    *,
    title: str,
    level: float = 0.95,
    width: int = 760,
    lang: str = "en",
) -> Markup:
    """Per row, persons documented (bar) against the estimate (dot) and its interval (whisker).

    Rows without an estimate show the documented bar only. An interval with no finite upper
    bound runs to the axis end and ends in an arrow.
    """
    label_w, right, top, row_h = 190, 70, 52, 32
    plot_w = width - label_w - right
    finite = [
        value
        for row in rows
        for value in (row.observed, row.estimate, row.lower, row.upper)
        if value is not None and math.isfinite(value)
    ]
    ticks = nice_ticks(max(finite, default=0))
    axis_end = ticks[-1]
    scale = plot_w / axis_end
    height = top + row_h * len(rows) + 8
    count = partial(format_count, lang=lang)
    documented = text("chart.documented", lang)
    parts = _open(title, width, height)
    parts.append(_rect(label_w, 6, 14, 10, cls="legend", fill=BAR_LIGHT, tip=documented))
    parts.append(_text(label_w + 20, 15, documented))
    parts.append(_line(label_w + 110, 11, label_w + 150, 11, ACCENT, 2))
    parts.append(f'<circle cx="{label_w + 130}" cy="11" r="5" fill="{ACCENT}"/>')
    level_text = whole_percent(level, lang)
    parts.append(_text(label_w + 158, 15, text("chart.estimate_interval", lang, level=level_text)))
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(_line(x, top - 4, x, height - 8, GRID))
        parts.append(_text(x, top - 10, count(tick), anchor="middle", class_="xtick"))
    for i, row in enumerate(rows):
        mid = top + i * row_h + row_h / 2
        parts.append(_text(label_w - 8, mid + 4, _clip(row.label, 28), anchor="end"))
        tip = text("chart.documented_n", lang, label=row.label, n=count(row.observed))
        parts.append(
            _rect(label_w, mid - 7, row.observed * scale, 14, cls="bar", fill=BAR_LIGHT, tip=tip)
        )
        if row.estimate is None:
            parts.append(
                _text(
                    label_w + row.observed * scale + 6,
                    mid + 4,
                    text("chart.documented_only", lang),
                    fill=MUTED_INK,
                    font_style="italic",
                )
            )
            continue
        parts.append(_interval_mark(row, row.estimate, mid, label_w, scale, axis_end, lang))
    parts.append(_line(label_w, top - 4, label_w, height - 8, INK))
    parts.append("</svg>")
    return _finish(parts, lang, mirrored=True)


def _interval_mark(
    row: IntervalRow,
    estimate: float,
    mid: float,
    x0: float,
    scale: float,
    axis_end: int,
    lang: str = "en",
) -> str:
    """The whisker and dot of one estimated row, grouped under one tooltip."""
    lower = row.lower if row.lower is not None else estimate
    upper = row.upper if row.upper is not None else estimate
    open_ended = not math.isfinite(upper) or upper > axis_end
    x_lo, x_hi = x0 + lower * scale, x0 + min(upper, axis_end) * scale
    count = partial(format_count, lang=lang)
    upper_text = count(upper) if math.isfinite(upper) else text("no_upper_bound", lang)
    tip = text(
        "chart.estimate_tip",
        lang,
        label=row.label,
        n=count(estimate),
        low=count(lower),
        high=upper_text,
    )
    parts = [
        f'<g class="interval"><title>{escape(tip)}</title>',
        _line(x_lo, mid, x_hi, mid, ACCENT, 2),
        _line(x_lo, mid - 6, x_lo, mid + 6, ACCENT, 2),
    ]
    if open_ended:
        arrow = f"M{_n(x_hi)} {_n(mid - 5)} L{_n(x_hi + 8)} {_n(mid)} L{_n(x_hi)} {_n(mid + 5)}Z"
        parts.append(f'<path d="{arrow}" fill="{ACCENT}"/>')
    else:
        parts.append(_line(x_hi, mid - 6, x_hi, mid + 6, ACCENT, 2))
    x_est = x0 + min(estimate, axis_end) * scale
    parts.append(f'<circle class="point" cx="{_n(x_est)}" cy="{_n(mid)}" r="5" fill="{ACCENT}"/>')
    parts.append("</g>")
    return "".join(parts)


CHAIN_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
"""Okabe–Ito colours, told apart by colour-blind readers; chains past the seventh reuse them."""


@dataclass(frozen=True)
class LinearScale:
    """Data values `start`..`end` onto pixels `left`..`right` (an axis from nice ticks)."""

    start: float
    end: float
    left: float
    right: float

    def __call__(self, value: float) -> float:
        return self.left + (value - self.start) * (self.right - self.left) / (self.end - self.start)


def _label_width(text: str, font_size: float = 12) -> float:
    """A generous guess at a label's width, to keep labels inside the chart."""
    return 0.62 * font_size * len(text)


def histogram(values: Sequence[float], start: float, width: int, bins: int) -> list[int]:
    """Counts of `values` in `bins` bins of `width` from `start`; values outside are not counted.

    Bins are half-open, [edge, edge + width).
    """
    counts = [0] * bins
    for value in values:
        index = math.floor((value - start) / width)
        if 0 <= index < bins:
            counts[index] += 1
    return counts


def density_axis(
    draws: Sequence[float], lower: float, upper: float, target_bins: int = 60
) -> tuple[list[int], int]:
    """The x ticks and the bin width for a posterior histogram.

    The axis spans all draws and the interval, except a long tail: it stops one interval width
    beyond each interval end, so a few extreme draws cannot squash the bulk into a sliver.
    """
    if math.isfinite(upper):
        span = upper - lower
        low = max(min(min(draws), lower), lower - span)
        high = max(min(max(draws), upper + span), upper)
    else:
        low, high = min(min(draws), lower), max(draws)
    ticks = nice_range_ticks(low, high)
    return ticks, nice_step((ticks[-1] - ticks[0]) / max(target_bins, 1))


def _step_path(edges: Sequence[tuple[float, float, float]], base: float) -> str:
    """A closed step outline over (x from, x to, y) pieces, down to the baseline at both ends."""
    if not edges:
        return ""
    points = [f"M{_n(edges[0][0])} {_n(base)}"]
    for x0, x1, y in edges:
        points.append(f"L{_n(x0)} {_n(y)}L{_n(x1)} {_n(y)}")
    points.append(f"L{_n(edges[-1][1])} {_n(base)}Z")
    return "".join(points)


HALO = {"stroke": "#fff", "stroke_width": "4", "paint_order": "stroke"}
"""A white outline under a label, so a line behind it does not cut through the letters."""


def _mark(x: float, top: float, base: float, cls: str, tip: str) -> str:
    """A vertical line at a value: solid for the median, dashed for the interval ends."""
    dash = "" if cls == "median" else ' stroke-dasharray="5 3"'
    return (
        f'<line class="mark {cls}" x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(base)}" '
        f'stroke="{ACCENT}" stroke-width="2"{dash}><title>{escape(tip)}</title></line>'
    )


def _edge_label(x: float, y: float, text: str, *, side: str, lo: float, hi: float) -> str:
    """A label beside a mark, on `side` ("left"/"right") unless that would leave the chart."""
    room = _label_width(text) + 6
    if side == "left" and x - room < lo:
        side = "right"
    elif side == "right" and x + room > hi:
        side = "left"
    if side == "left":
        return _text(x - 5, y, text, anchor="end", class_="mark-label", **HALO)
    return _text(x + 5, y, text, anchor="start", class_="mark-label", **HALO)


def posterior_density_chart(
    draws: Sequence[float],
    *,
    median: float,
    lower: float,
    upper: float,
    level: float,
    title: str,
    width: int = 760,
    height: int = 260,
    lang: str = "en",
) -> Markup:
    """A histogram of posterior draws of N, the interval shaded darker, the median and the
    interval ends marked and labelled. An infinite upper end is said in words, not drawn.
    """
    if not draws:
        raise ValueError("a posterior density needs at least one draw")
    left, right, top, bottom = 32, 32, 52, 44
    base = height - bottom
    ticks, bin_width = density_axis(draws, lower, upper)
    scale = LinearScale(ticks[0], ticks[-1], left, width - right)
    start = ticks[0] - 0.5
    bins = math.ceil((ticks[-1] + 0.5 - start) / bin_width)
    counts = histogram(draws, start, bin_width, bins)
    y_scale = (base - top) / max(max(counts), 1)
    finite_upper = math.isfinite(upper)

    def pieces(lo: float, hi: float) -> list[tuple[float, float, float]]:
        out = []
        for i, count in enumerate(counts):
            x0 = max(start + i * bin_width, lo)
            x1 = min(start + (i + 1) * bin_width, hi)
            if x1 > x0:
                out.append((scale(x0), scale(x1), base - count * y_scale))
        return out

    count = partial(format_count, lang=lang)
    level_text = whole_percent(level, lang)
    parts = _open(
        title,
        width,
        height,
        text(
            "chart.density_desc",
            lang,
            draws=count(len(draws)),
            median=count(median),
            level=level_text,
            low=count(lower),
            high=count(upper) if finite_upper else text("no_upper_bound", lang),
        ),
    )
    for tick in ticks:
        x = scale(tick)
        parts.append(_line(x, top - 6, x, base, GRID))
        parts.append(_line(x, base, x, base + 4, INK))
        parts.append(_text(x, base + 17, count(tick), anchor="middle", class_="xtick"))
    whole = _step_path(pieces(ticks[0], ticks[-1]), base)
    parts.append(f'<path class="density" d="{whole}" fill="{BAR_LIGHT}"/>')
    inner_lo, inner_hi = lower, upper if finite_upper else ticks[-1]
    if inner_hi - inner_lo < bin_width:
        inner_lo = start + math.floor((inner_lo - start) / bin_width) * bin_width
        inner_hi = start + (math.floor((inner_hi - start) / bin_width) + 1) * bin_width
    inner = _step_path(pieces(inner_lo, inner_hi), base)
    if inner:
        parts.append(f'<path class="density interval" d="{inner}" fill="{BAR}"/>')
    parts.append(_line(left, base, width - right, base, INK))
    axis_label = text("chart.total_n", lang)
    parts.append(_text(width - right, height - 6, axis_label, anchor="end", fill=MUTED_INK))
    hidden = sum(1 for d in draws if not ticks[0] <= d <= ticks[-1])
    if hidden:
        note = text("chart.extreme", lang, n=count(hidden))
        parts.append(_text(left, height - 6, note, fill=MUTED_INK))
    inside = {"lo": left, "hi": width - right}
    lower_text = text("chart.lower", lang, n=count(lower))
    lower_tip = text("chart.interval_end", lang, level=level_text, text=lower_text)
    parts.append(_mark(scale(lower), 20, base, "lower", lower_tip))
    parts.append(_edge_label(scale(lower), 14, lower_text, side="left", **inside))
    if finite_upper:
        upper_text = text("chart.upper", lang, n=count(upper))
        upper_tip = text("chart.interval_end", lang, level=level_text, text=upper_text)
        parts.append(_mark(scale(upper), 20, base, "upper", upper_tip))
        parts.append(_edge_label(scale(upper), 14, upper_text, side="right", **inside))
    else:
        parts.append(
            _text(
                width - right, 14, text("no_upper_bound", lang), anchor="end", class_="mark-label"
            )
        )
    median_text = text("chart.median", lang, n=count(median))
    parts.append(_mark(scale(median), 40, base, "median", median_text))
    half = _label_width(median_text) / 2
    centre = min(max(scale(median), left + half), width - right - half)
    parts.append(_text(centre, 34, median_text, anchor="middle", class_="mark-label", **HALO))
    parts.append("</svg>")
    return _finish(parts, lang)


def trace_chart(
    chains: Sequence[Sequence[float]],
    *,
    every: int,
    title: str,
    width: int = 760,
    height: int = 280,
    lang: str = "en",
) -> Markup:
    """One line per chain: the kept draws of N against sweeps after burn-in (draw index × `every`).

    Chains that mix overlap as one band; a chain stuck apart from the others shows as its own.
    """
    drawn = [list(chain) for chain in chains if chain]
    if not drawn:
        raise ValueError("a trace plot needs at least one chain with draws")
    left, right, top, bottom = 64, 32, 34, 44
    base = height - bottom
    values = [v for chain in drawn for v in chain]
    y_ticks = nice_range_ticks(min(values), max(values))
    y = LinearScale(y_ticks[0], y_ticks[-1], base, top)
    last = max(max(len(chain) - 1 for chain in drawn) * every, 1)
    x_ticks = [tick for tick in nice_ticks(last) if tick <= last]
    x = LinearScale(0, last, left, width - right)
    parts = _open(
        title,
        width,
        height,
        text("chart.trace_desc", lang, n=format_count(len(drawn), lang)),
    )
    count = partial(format_count, lang=lang)
    for tick in y_ticks:
        parts.append(_line(left, y(tick), width - right, y(tick), GRID))
        parts.append(_text(left - 6, y(tick) + 4, count(tick), anchor="end", class_="ytick"))
    for tick in x_ticks:
        parts.append(_line(x(tick), base, x(tick), base + 4, INK))
        parts.append(_text(x(tick), base + 17, count(tick), anchor="middle", class_="xtick"))
    parts.append(_text(left - 6, 12, "N", anchor="end", fill=MUTED_INK))
    parts.append(
        _text(width - right, height - 6, text("chart.sweeps", lang), anchor="end", fill=MUTED_INK)
    )
    for number, chain in enumerate(drawn):
        colour = CHAIN_COLOURS[number % len(CHAIN_COLOURS)]
        chain_name = text("chart.chain", lang, n=count(number + 1))
        points = " ".join(f"{_n(x(i * every))},{_n(y(v))}" for i, v in enumerate(chain))
        parts.append(
            f'<polyline class="chain" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="1" stroke-opacity="0.8" stroke-linejoin="round">'
            f"<title>{escape(chain_name)}</title></polyline>"
        )
        if len(drawn) > 1:
            key_x = left + 20 + number * 80
            parts.append(_line(key_x, 8, key_x + 18, 8, colour, 3))
            parts.append(_text(key_x + 23, 12, chain_name))
    parts.append(_line(left, top - 4, left, base, INK))
    parts.append(_line(left, base, width - right, base, INK))
    parts.append("</svg>")
    return _finish(parts, lang)


def age_band(band: str) -> tuple[int, float] | None:
    """ "15-19" -> (15, 19); "80+" -> (80, inf); anything else (such as "unknown") -> None."""
    match = re.fullmatch(r"(\d+)\s*(?:[-–]\s*(\d+)|\+)", band.strip())
    if match is None:
        return None
    low = int(match.group(1))
    return low, float(match.group(2)) if match.group(2) else math.inf


def age_sex_pyramid(
    rows: Sequence[AgeSexCount], *, title: str, width: int = 760, lang: str = "en"
) -> Markup:
    """A population pyramid: males left, females right, youngest at the bottom, every bar on
    one scale. Bands wholly under 18 are drawn lighter and set off by a dashed line; persons of
    unknown sex are a column of counts; bands of unknown age are left to the caption.
    """
    bands = sorted(
        ((age_band(row.band), row) for row in rows if age_band(row.band) is not None),
        key=lambda item: item[0] or (0, 0.0),
        reverse=True,
    )
    count = partial(format_count, lang=lang)
    top, row_h, bar_h, centre_w, unknown_w, side = 40, 22, 16, 56, 120, 56
    centre = (width - unknown_w) / 2
    half = centre - centre_w / 2 - side
    largest = max((max(row.male, row.female) for _, row in bands), default=0)
    scale = half / max(largest, 1)
    height = top + row_h * len(bands) + 12
    parts = _open(title, width, height, text("chart.pyramid_desc", lang))
    parts.append(
        _text(
            centre - centre_w / 2 - 4,
            16,
            text("chart.male", lang),
            anchor="end",
            fill=MALE,
            font_weight="bold",
        )
    )
    parts.append(
        _text(
            centre + centre_w / 2 + 4,
            16,
            text("chart.female", lang),
            fill=FEMALE,
            font_weight="bold",
        )
    )
    parts.append(_text(centre, 16, text("chart.age", lang), anchor="middle", fill=MUTED_INK))
    parts.append(
        _text(width - 8, 16, text("chart.sex_unknown", lang), anchor="end", fill=MUTED_INK)
    )
    boundary: float | None = None
    for i, (limits, row) in enumerate(bands):
        y = top + i * row_h
        mid = y + row_h / 2
        child = limits is not None and limits[1] < 18
        if child and boundary is None:
            boundary = y
        tip = text(
            "chart.age_tip",
            lang,
            band=localise_digits(row.band, lang),
            male=count(row.male),
            female=count(row.female),
            unknown=count(row.unknown_sex),
        )
        kind = " child" if child else ""
        male_w, female_w = row.male * scale, row.female * scale
        male_x = centre - centre_w / 2 - male_w
        parts.append(
            _rect(
                male_x,
                mid - bar_h / 2,
                male_w,
                bar_h,
                cls=f"bar male{kind}",
                fill=MALE_CHILD if child else MALE,
                tip=tip,
            )
        )
        parts.append(
            _rect(
                centre + centre_w / 2,
                mid - bar_h / 2,
                female_w,
                bar_h,
                cls=f"bar female{kind}",
                fill=FEMALE_CHILD if child else FEMALE,
                tip=tip,
            )
        )
        parts.append(_text(centre, mid + 4, localise_digits(row.band, lang), anchor="middle"))
        parts.append(_text(male_x - 4, mid + 4, count(row.male), anchor="end", font_size="11"))
        parts.append(
            _text(centre + centre_w / 2 + female_w + 4, mid + 4, count(row.female), font_size="11")
        )
        parts.append(
            _text(
                width - 8,
                mid + 4,
                count(row.unknown_sex),
                anchor="end",
                fill=MUTED_INK,
                font_size="11",
            )
        )
    if boundary is not None and boundary > top:
        parts.append(
            f'<line class="boundary" x1="8" y1="{_n(boundary)}" x2="{_n(width - unknown_w)}" '
            f'y2="{_n(boundary)}" stroke="{INK}" stroke-width="1" stroke-dasharray="4 3"/>'
        )
        parts.append(
            _text(
                8, boundary + 14, text("chart.under_18", lang), fill=MUTED_INK, font_style="italic"
            )
        )
    for x in (centre - centre_w / 2, centre + centre_w / 2):
        parts.append(_line(x, top - 4, x, height - 8, INK))
    parts.append("</svg>")
    return _finish(parts, lang, mirrored=True)


def governorate_weeks_chart(
    rows: Sequence[tuple[str, Sequence[tuple[datetime.date, int]]]],
    *,
    title: str,
    width: int = 760,
    lang: str = "en",
) -> Markup:
    """Small multiples: one row of weekly bars per (label, weeks), every row on the same weeks
    and the same scale, so heights compare down the page. The row's total sits by its label.
    """
    count = partial(format_count, lang=lang)
    totals: dict[datetime.date, int] = {}
    for _, weeks in rows:
        for day, persons in _contiguous_weeks(weeks):
            totals.setdefault(day, 0)
            totals[day] += persons
    span = _contiguous_weeks(list(totals.items()))
    mondays = [day for day, _ in span]
    index = {day: i for i, day in enumerate(mondays)}
    label_w, right, top, row_h, gap, bottom = 180, 16, 26, 44, 10, 40
    plot_w = width - label_w - right
    height = top + len(rows) * (row_h + gap) + bottom
    series = [(name, dict(_contiguous_weeks(weeks))) for name, weeks in rows]
    largest = max((n for _, by_week in series for n in by_week.values()), default=0)
    scale = row_h / max(largest, 1)
    slot = plot_w / max(len(mondays), 1)
    bar_w = slot * 0.8 if slot >= 4 else slot
    parts = _open(title, width, height, text("chart.small_multiples_desc", lang))
    parts.append(
        _text(
            label_w + plot_w,
            12,
            text("chart.scale_max", lang, n=count(largest)),
            anchor="end",
            fill=MUTED_INK,
        )
    )
    for r, (label, by_week) in enumerate(series):
        base = top + r * (row_h + gap) + row_h
        parts.append(_line(label_w, base - row_h, label_w + plot_w, base - row_h, GRID))
        parts.append(
            _text(
                label_w - 10,
                base - row_h / 2,
                _clip(label, 24),
                anchor="end",
                font_weight="bold",
                class_="row-label",
            )
        )
        parts.append(
            _text(
                label_w - 10,
                base - row_h / 2 + 15,
                count(sum(by_week.values())),
                anchor="end",
                fill=MUTED_INK,
                class_="row-total",
            )
        )
        for day, persons in by_week.items():
            if not persons:
                continue
            x = label_w + index[day] * slot + (slot - bar_w) / 2
            tip = text(
                "chart.week_governorate_tip",
                lang,
                name=label,
                date=format_date(day, lang),
                n=count(persons),
            )
            parts.append(
                _rect(
                    x, base - persons * scale, bar_w, persons * scale, cls="bar", fill=BAR, tip=tip
                )
            )
        parts.append(_line(label_w, base, label_w + plot_w, base, INK))
    base = top + len(series) * (row_h + gap) - gap
    step = week_label_step(len(mondays), max(1, plot_w // 70))
    last_year: int | None = None
    for i, monday in enumerate(mondays):
        if i % step:
            continue
        centre = label_w + i * slot + slot / 2
        parts.append(_line(centre, base, centre, base + 4, INK))
        parts.append(
            _text(centre, base + 16, week_label(monday, lang), anchor="middle", class_="xtick")
        )
        if monday.year != last_year:
            year = localise_digits(str(monday.year), lang)
            parts.append(_text(centre, base + 30, year, anchor="middle"))
            last_year = monday.year
    parts.append("</svg>")
    return _finish(parts, lang)
