"""The posterior of the population size: a histogram of draws with its median and interval."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial

from markupsafe import Markup, escape

from marsad.i18n import format_count, text, whole_percent
from marsad.publish.charts import axes, svg


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
    ticks = axes.nice_range_ticks(low, high)
    return ticks, axes.nice_step((ticks[-1] - ticks[0]) / max(target_bins, 1))


def _step_path(edges: Sequence[tuple[float, float, float]], base: float) -> str:
    """A closed step outline over (x from, x to, y) pieces, down to the baseline at both ends."""
    if not edges:
        return ""
    points = [f"M{svg.coord(edges[0][0])} {svg.coord(base)}"]
    for x0, x1, y in edges:
        points.append(f"L{svg.coord(x0)} {svg.coord(y)}L{svg.coord(x1)} {svg.coord(y)}")
    points.append(f"L{svg.coord(edges[-1][1])} {svg.coord(base)}Z")
    return "".join(points)


def _mark(x: float, top: float, base: float, cls: str, tip: str) -> str:
    """A vertical line at a value: solid for the median, dashed for the interval ends."""
    dash = "" if cls == "median" else ' stroke-dasharray="5 3"'
    return (
        f'<line class="mark {cls}" x1="{svg.coord(x)}" y1="{svg.coord(top)}" '
        f'x2="{svg.coord(x)}" y2="{svg.coord(base)}" '
        f'stroke="{svg.ACCENT}" stroke-width="2"{dash}><title>{escape(tip)}</title></line>'
    )


def _edge_label(x: float, y: float, text: str, *, side: str, lo: float, hi: float) -> str:
    """A label beside a mark, on `side` ("left"/"right") unless that would leave the chart."""
    room = svg.label_width(text) + 6
    if side == "left" and x - room < lo:
        side = "right"
    elif side == "right" and x + room > hi:
        side = "left"
    if side == "left":
        return svg.text(x - 5, y, text, anchor="end", class_="mark-label", **svg.HALO)
    return svg.text(x + 5, y, text, anchor="start", class_="mark-label", **svg.HALO)


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
    scale = axes.LinearScale(ticks[0], ticks[-1], left, width - right)
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
    parts = svg.start(
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
        parts.append(svg.line(x, top - 6, x, base, svg.GRID))
        parts.append(svg.line(x, base, x, base + 4, svg.INK))
        parts.append(svg.text(x, base + 17, count(tick), anchor="middle", class_="xtick"))
    whole = _step_path(pieces(ticks[0], ticks[-1]), base)
    parts.append(f'<path class="density" d="{whole}" fill="{svg.BAR_LIGHT}"/>')
    inner_lo, inner_hi = lower, upper if finite_upper else ticks[-1]
    if inner_hi - inner_lo < bin_width:
        inner_lo = start + math.floor((inner_lo - start) / bin_width) * bin_width
        inner_hi = start + (math.floor((inner_hi - start) / bin_width) + 1) * bin_width
    inner = _step_path(pieces(inner_lo, inner_hi), base)
    if inner:
        parts.append(f'<path class="density interval" d="{inner}" fill="{svg.BAR}"/>')
    parts.append(svg.line(left, base, width - right, base, svg.INK))
    axis_label = text("chart.total_n", lang)
    parts.append(svg.text(width - right, height - 6, axis_label, anchor="end", fill=svg.MUTED_INK))
    hidden = sum(1 for d in draws if not ticks[0] <= d <= ticks[-1])
    if hidden:
        note = text("chart.extreme", lang, n=count(hidden))
        parts.append(svg.text(left, height - 6, note, fill=svg.MUTED_INK))
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
            svg.text(
                width - right, 14, text("no_upper_bound", lang), anchor="end", class_="mark-label"
            )
        )
    median_text = text("chart.median", lang, n=count(median))
    parts.append(_mark(scale(median), 40, base, "median", median_text))
    half = svg.label_width(median_text) / 2
    centre = min(max(scale(median), left + half), width - right - half)
    parts.append(
        svg.text(centre, 34, median_text, anchor="middle", class_="mark-label", **svg.HALO)
    )
    parts.append("</svg>")
    return svg.finish(parts, lang)
