"""Horizontal bars: one per label, in the order given, with its count."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from markupsafe import Markup

from marsad.i18n import format_count, text
from marsad.publish.charts import axes, svg


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
    ticks = axes.nice_ticks(max((value for _, value in items), default=0))
    scale = plot_w / ticks[-1]
    height = top + row_h * len(items) + 8
    parts = svg.start(title, width, height)
    parts.append(svg.text(label_w + plot_w, 12, axis_label, anchor="end", fill=svg.MUTED_INK))
    for tick in ticks:
        x = label_w + tick * scale
        parts.append(svg.line(x, top - 4, x, height - 8, svg.GRID))
        parts.append(svg.text(x, top - 8, count(tick), anchor="middle", class_="xtick"))
    for row, (label, value) in enumerate(items):
        y = top + row * row_h + (row_h - bar_h) / 2
        tip = f"{label}: {count(value)}"
        parts.append(svg.text(label_w - 8, y + bar_h - 3, svg.clip(label, 24), anchor="end"))
        parts.append(svg.rect(label_w, y, value * scale, bar_h, cls="bar", fill=svg.BAR, tip=tip))
        parts.append(svg.text(label_w + value * scale + 4, y + bar_h - 3, count(value)))
    parts.append(svg.line(label_w, top - 4, label_w, height - 8, svg.INK))
    parts.append("</svg>")
    return svg.finish(parts, lang, mirrored=True)
