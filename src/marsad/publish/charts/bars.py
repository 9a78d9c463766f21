"""Horizontal bars: one per label, in the order given, with its count."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from markupsafe import Markup

from marsad.i18n import format_count, text
from marsad.publish.charts.axes import nice_ticks
from marsad.publish.charts.svg import (
    BAR,
    GRID,
    INK,
    MUTED_INK,
    clip,
    svg_finish,
    svg_line,
    svg_open,
    svg_rect,
    svg_text,
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
    parts = svg_open(title, width, height)
    parts.append(svg_text(label_w + plot_w, 12, axis_label, anchor="end", fill=MUTED_INK))
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(svg_line(x, top - 4, x, height - 8, GRID))
        parts.append(svg_text(x, top - 8, count(tick), anchor="middle", class_="xtick"))
    for row, (label, value) in enumerate(items):
        y = top + row * row_h + (row_h - bar_h) / 2
        tip = f"{label}: {count(value)}"
        parts.append(svg_text(label_w - 8, y + bar_h - 3, clip(label, 24), anchor="end"))
        parts.append(svg_rect(label_w, y, value * scale, bar_h, cls="bar", fill=BAR, tip=tip))
        parts.append(svg_text(label_w + value * scale + 4, y + bar_h - 3, count(value)))
    parts.append(svg_line(label_w, top - 4, label_w, height - 8, INK))
    parts.append("</svg>")
    return svg_finish(parts, lang, mirrored=True)
