"""Persons documented against the estimate and its interval, one row per stratum."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from markupsafe import Markup, escape

from marsad.i18n import format_count, text, whole_percent
from marsad.publish.charts import axes, svg


@dataclass(frozen=True)
class IntervalRow:
    """One row of the interval chart: persons documented and, when estimated, the estimate."""

    label: str
    observed: int
    estimate: float | None = None
    lower: float | None = None
    upper: float | None = None


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
    ticks = axes.nice_ticks(max(finite, default=0))
    axis_end = ticks[-1]
    scale = plot_w / axis_end
    height = top + row_h * len(rows) + 8
    count = partial(format_count, lang=lang)
    documented = text("chart.documented", lang)
    parts = svg.start(title, width, height)
    parts.append(svg.rect(label_w, 6, 14, 10, cls="legend", fill=svg.BAR_LIGHT, tip=documented))
    parts.append(svg.text(label_w + 20, 15, documented))
    parts.append(svg.line(label_w + 110, 11, label_w + 150, 11, svg.ACCENT, 2))
    parts.append(f'<circle cx="{label_w + 130}" cy="11" r="5" fill="{svg.ACCENT}"/>')
    level_text = whole_percent(level, lang)
    parts.append(
        svg.text(label_w + 158, 15, text("chart.estimate_interval", lang, level=level_text))
    )
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(svg.line(x, top - 4, x, height - 8, svg.GRID))
        parts.append(svg.text(x, top - 10, count(tick), anchor="middle", class_="xtick"))
    for i, row in enumerate(rows):
        mid = top + i * row_h + row_h / 2
        parts.append(svg.text(label_w - 8, mid + 4, svg.clip(row.label, 28), anchor="end"))
        tip = text("chart.documented_n", lang, label=row.label, n=count(row.observed))
        parts.append(
            svg.rect(
                label_w, mid - 7, row.observed * scale, 14, cls="bar", fill=svg.BAR_LIGHT, tip=tip
            )
        )
        if row.estimate is None:
            parts.append(
                svg.text(
                    label_w + row.observed * scale + 6,
                    mid + 4,
                    text("chart.documented_only", lang),
                    fill=svg.MUTED_INK,
                    font_style="italic",
                )
            )
            continue
        parts.append(_interval_mark(row, row.estimate, mid, label_w, scale, axis_end, lang))
    parts.append(svg.line(label_w, top - 4, label_w, height - 8, svg.INK))
    parts.append("</svg>")
    return svg.finish(parts, lang, mirrored=True)


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
        svg.line(x_lo, mid, x_hi, mid, svg.ACCENT, 2),
        svg.line(x_lo, mid - 6, x_lo, mid + 6, svg.ACCENT, 2),
    ]
    if open_ended:
        arrow = (
            f"M{svg.coord(x_hi)} {svg.coord(mid - 5)} L{svg.coord(x_hi + 8)} {svg.coord(mid)} "
            f"L{svg.coord(x_hi)} {svg.coord(mid + 5)}Z"
        )
        parts.append(f'<path d="{arrow}" fill="{svg.ACCENT}"/>')
    else:
        parts.append(svg.line(x_hi, mid - 6, x_hi, mid + 6, svg.ACCENT, 2))
    x_est = x0 + min(estimate, axis_end) * scale
    parts.append(
        f'<circle class="point" cx="{svg.coord(x_est)}" cy="{svg.coord(mid)}" r="5" '
        f'fill="{svg.ACCENT}"/>'
    )
    parts.append("</g>")
    return "".join(parts)
