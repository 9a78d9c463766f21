"""Inline SVG charts for the report, written by hand so the page needs no script and no network.

Each function returns one `<svg>` element as `Markup`: every label is escaped here, so the
template can insert the chart as is. The SVGs are well-formed XML, carry `role="img"` and a
`<title>`, and use a viewBox so they scale with the page. Each bar has its own `<title>`, which
browsers show as a tooltip, and a class (`bar`, `set-bar`) that tests and stylesheets can find.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from marsad.domain.estimates import CaptureHistories, Pattern

INK = "#1f2933"
MUTED_INK = "#5f6b7a"
GRID = "#e1e6ec"
BAR = "#3b6ea5"
BAR_LIGHT = "#a9c1dc"
ACCENT = "#b23a48"
DOT_OFF = "#d5dbe2"

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_count(value: float) -> str:
    """A count with thousands separators, rounded to a whole person: 10356.4 -> "10,356"."""
    return f"{round(value):,}"


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


def week_label(day: datetime.date) -> str:
    """Axis label for a week: its Monday as "5 Feb" (the year goes on a second line)."""
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
        f'font-size="12" fill="{INK}">',
        f"<title>{escape(title)}</title>",
    ]
    if description:
        parts.append(f"<desc>{escape(description)}</desc>")
    return parts


def _text(x: float, y: float, content: str, *, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{escape(val)}"' for key, val in attrs.items()
    )
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{escape(content)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1) -> str:
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{stroke}" stroke-width="{_n(width)}"/>'
    )


def _rect(x: float, y: float, w: float, h: float, *, cls: str, fill: str, tip: str) -> str:
    return (
        f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
        f'fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


def horizontal_bar_chart(
    items: Sequence[tuple[str, int]], *, title: str, axis_label: str = "persons", width: int = 760
) -> Markup:
    """One horizontal bar per (label, value), in the order given, with a count at each bar's end."""
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
        parts.append(_text(x, top - 8, format_count(tick), anchor="middle", class_="xtick"))
    for row, (label, value) in enumerate(items):
        y = top + row * row_h + (row_h - bar_h) / 2
        tip = f"{label}: {format_count(value)}"
        parts.append(_text(label_w - 8, y + bar_h - 3, _clip(label, 24), anchor="end"))
        parts.append(_rect(label_w, y, value * scale, bar_h, cls="bar", fill=BAR, tip=tip))
        parts.append(_text(label_w + value * scale + 4, y + bar_h - 3, format_count(value)))
    parts.append(_line(label_w, top - 4, label_w, height - 8, INK))
    parts.append("</svg>")
    return Markup("".join(parts))


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
    weeks: Sequence[tuple[datetime.date, int]], *, title: str, width: int = 760, height: int = 300
) -> Markup:
    """Vertical bars, one per ISO week from the first to the last week with a death."""
    series = _contiguous_weeks(weeks)
    left, right, top, bottom = 58, 16, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max((count for _, count in series), default=0))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    parts = _open(title, width, height)
    parts.append(_text(left, 12, "persons per week", fill=MUTED_INK))
    for tick in ticks:
        y = base - tick * scale
        parts.append(_line(left, y, left + plot_w, y, GRID))
        parts.append(_text(left - 6, y + 4, format_count(tick), anchor="end", class_="ytick"))
    slot = plot_w / max(len(series), 1)
    bar_w = slot * 0.8 if slot >= 4 else slot
    step = week_label_step(len(series), max(1, plot_w // 70))
    last_year: int | None = None
    for i, (monday, count) in enumerate(series):
        x = left + i * slot + (slot - bar_w) / 2
        tip = f"Week of {monday.isoformat()}: {format_count(count)}"
        parts.append(
            _rect(x, base - count * scale, bar_w, count * scale, cls="bar", fill=BAR, tip=tip)
        )
        if i % step == 0:
            centre = x + bar_w / 2
            parts.append(_line(centre, base, centre, base + 4, INK))
            parts.append(
                _text(centre, base + 16, week_label(monday), anchor="middle", class_="xtick")
            )
            if monday.year != last_year:
                parts.append(_text(centre, base + 30, str(monday.year), anchor="middle"))
                last_year = monday.year
    parts.append(_line(left, base, left + plot_w, base, INK))
    parts.append("</svg>")
    return Markup("".join(parts))


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
    histories: CaptureHistories, *, title: str, max_intersections: int = 20, width: int = 760
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
        "Bars: persons recorded by exactly that combination of lists (dots below). "
        "Right: persons on each list.",
    )
    ticks = nice_ticks(max((count for _, count in shown), default=0), target=4)
    scale = bars_h / ticks[-1]
    base = top + bars_h
    parts.append(_text(matrix_x - 8, 12, "persons in combination", anchor="end", fill=MUTED_INK))
    for tick in ticks:
        y = base - tick * scale
        parts.append(_line(matrix_x, y, matrix_x + col_w * len(shown), y, GRID))
        parts.append(_text(matrix_x - 6, y + 4, format_count(tick), anchor="end", class_="ytick"))
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
        tip = f"{' + '.join(members)} only: {format_count(count)}"
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
                    format_count(count),
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
    parts.append(_text(size_x, matrix_y - 4, "persons on list", fill=MUTED_INK))
    for row, name in enumerate(lists):
        y = matrix_y + row * row_h + 5
        size = sizes[name]
        tip = f"{name}: {format_count(size)}"
        parts.append(
            _rect(size_x, y, size * size_scale, row_h - 10, cls="set-bar", fill=BAR_LIGHT, tip=tip)
        )
        parts.append(_text(size_x + size * size_scale + 4, y + row_h - 14, format_count(size)))
    if hidden_patterns:
        note = (
            f"{format_count(hidden_patterns)} smaller combinations "
            f"({format_count(hidden_persons)} persons) not shown"
        )
        parts.append(_text(matrix_x, height - 10, note, fill=MUTED_INK))
    parts.append("</svg>")
    return Markup("".join(parts))


def interval_chart(
    rows: Sequence[IntervalRow], *, title: str, level: float = 0.95, width: int = 760
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
    parts = _open(title, width, height)
    parts.append(_rect(label_w, 6, 14, 10, cls="legend", fill=BAR_LIGHT, tip="documented"))
    parts.append(_text(label_w + 20, 15, "documented"))
    parts.append(_line(label_w + 110, 11, label_w + 150, 11, ACCENT, 2))
    parts.append(f'<circle cx="{label_w + 130}" cy="11" r="5" fill="{ACCENT}"/>')
    parts.append(_text(label_w + 158, 15, f"estimate, {level:.0%} interval"))
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(_line(x, top - 4, x, height - 8, GRID))
        parts.append(_text(x, top - 10, format_count(tick), anchor="middle", class_="xtick"))
    for i, row in enumerate(rows):
        mid = top + i * row_h + row_h / 2
        parts.append(_text(label_w - 8, mid + 4, _clip(row.label, 28), anchor="end"))
        tip = f"{row.label}: documented {format_count(row.observed)}"
        parts.append(
            _rect(label_w, mid - 7, row.observed * scale, 14, cls="bar", fill=BAR_LIGHT, tip=tip)
        )
        if row.estimate is None:
            parts.append(
                _text(
                    label_w + row.observed * scale + 6,
                    mid + 4,
                    "documented only",
                    fill=MUTED_INK,
                    font_style="italic",
                )
            )
            continue
        parts.append(_interval_mark(row, row.estimate, mid, label_w, scale, axis_end))
    parts.append(_line(label_w, top - 4, label_w, height - 8, INK))
    parts.append("</svg>")
    return Markup("".join(parts))


def _interval_mark(
    row: IntervalRow, estimate: float, mid: float, x0: float, scale: float, axis_end: int
) -> str:
    """The whisker and dot of one estimated row, grouped under one tooltip."""
    lower = row.lower if row.lower is not None else estimate
    upper = row.upper if row.upper is not None else estimate
    open_ended = not math.isfinite(upper) or upper > axis_end
    x_lo, x_hi = x0 + lower * scale, x0 + min(upper, axis_end) * scale
    upper_text = format_count(upper) if math.isfinite(upper) else "no upper bound"
    tip = (
        f"{row.label}: estimate {format_count(estimate)} "
        f"(interval {format_count(lower)}–{upper_text})"
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

    parts = _open(
        title,
        width,
        height,
        f"Histogram of {format_count(len(draws))} posterior draws of the total. Median "
        f"{format_count(median)}; {level:.0%} interval {format_count(lower)} to "
        f"{format_count(upper) if finite_upper else 'no upper bound'}.",
    )
    for tick in ticks:
        x = scale(tick)
        parts.append(_line(x, top - 6, x, base, GRID))
        parts.append(_line(x, base, x, base + 4, INK))
        parts.append(_text(x, base + 17, format_count(tick), anchor="middle", class_="xtick"))
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
    axis_label = "total persons (N)"
    parts.append(_text(width - right, height - 6, axis_label, anchor="end", fill=MUTED_INK))
    hidden = sum(1 for d in draws if not ticks[0] <= d <= ticks[-1])
    if hidden:
        note = f"{format_count(hidden)} extreme draws beyond the axis not shown"
        parts.append(_text(left, height - 6, note, fill=MUTED_INK))
    inside = {"lo": left, "hi": width - right}
    lower_text = f"lower {format_count(lower)}"
    parts.append(_mark(scale(lower), 20, base, "lower", f"{level:.0%} interval, {lower_text}"))
    parts.append(_edge_label(scale(lower), 14, lower_text, side="left", **inside))
    if finite_upper:
        upper_text = f"upper {format_count(upper)}"
        parts.append(_mark(scale(upper), 20, base, "upper", f"{level:.0%} interval, {upper_text}"))
        parts.append(_edge_label(scale(upper), 14, upper_text, side="right", **inside))
    else:
        parts.append(_text(width - right, 14, "no upper bound", anchor="end", class_="mark-label"))
    median_text = f"median {format_count(median)}"
    parts.append(_mark(scale(median), 40, base, "median", median_text))
    half = _label_width(median_text) / 2
    centre = min(max(scale(median), left + half), width - right - half)
    parts.append(_text(centre, 34, median_text, anchor="middle", class_="mark-label", **HALO))
    parts.append("</svg>")
    return Markup("".join(parts))


def trace_chart(
    chains: Sequence[Sequence[float]],
    *,
    every: int,
    title: str,
    width: int = 760,
    height: int = 280,
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
        f"{len(drawn)} chain(s); every line should wander over the same band with no trend.",
    )
    for tick in y_ticks:
        parts.append(_line(left, y(tick), width - right, y(tick), GRID))
        parts.append(_text(left - 6, y(tick) + 4, format_count(tick), anchor="end", class_="ytick"))
    for tick in x_ticks:
        parts.append(_line(x(tick), base, x(tick), base + 4, INK))
        parts.append(_text(x(tick), base + 17, format_count(tick), anchor="middle", class_="xtick"))
    parts.append(_text(left - 6, 12, "N", anchor="end", fill=MUTED_INK))
    parts.append(
        _text(width - right, height - 6, "sweeps after burn-in", anchor="end", fill=MUTED_INK)
    )
    for number, chain in enumerate(drawn):
        colour = CHAIN_COLOURS[number % len(CHAIN_COLOURS)]
        points = " ".join(f"{_n(x(i * every))},{_n(y(v))}" for i, v in enumerate(chain))
        parts.append(
            f'<polyline class="chain" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="1" stroke-opacity="0.8" stroke-linejoin="round">'
            f"<title>Chain {number + 1}</title></polyline>"
        )
        if len(drawn) > 1:
            key_x = left + 20 + number * 80
            parts.append(_line(key_x, 8, key_x + 18, 8, colour, 3))
            parts.append(_text(key_x + 23, 12, f"chain {number + 1}"))
    parts.append(_line(left, top - 4, left, base, INK))
    parts.append(_line(left, base, width - right, base, INK))
    parts.append("</svg>")
    return Markup("".join(parts))
