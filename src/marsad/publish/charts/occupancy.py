"""A site's occupancy over time: individuals at the end of each day, one line, time left to
right in both languages (as the weekly chart)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial
from html import escape

from markupsafe import Markup

from marsad.i18n import format_count, format_date, text
from marsad.publish.charts import axes, svg


def occupancy_chart(
    days: Sequence[tuple[datetime.date, int]],
    *,
    title: str,
    width: int = 760,
    height: int = 260,
    lang: str = "en",
) -> Markup:
    """Individuals present at the end of each day, from the first day to the last."""
    if not days:
        raise ValueError("an occupancy chart needs at least one day")
    count = partial(format_count, lang=lang)
    left, right, top, bottom = 58, 16, 24, 40
    base = height - bottom
    y_ticks = axes.nice_ticks(max(n for _, n in days))
    y = axes.LinearScale(0, y_ticks[-1], base, top)
    last = max(len(days) - 1, 1)
    x = axes.LinearScale(0, last, left, width - right)
    parts = svg.start(title, width, height, text("chart.occupancy_desc", lang))
    parts.append(svg.text(left, 12, text("chart.individuals", lang), fill=svg.MUTED_INK))
    for tick in y_ticks:
        parts.append(svg.line(left, y(tick), width - right, y(tick), svg.GRID))
        parts.append(svg.text(left - 6, y(tick) + 4, count(tick), anchor="end", class_="ytick"))
    for i in sorted({0, last // 2, last}):
        parts.append(svg.line(x(i), base, x(i), base + 4, svg.INK))
        label = format_date(days[min(i, len(days) - 1)][0], lang)
        parts.append(svg.text(x(i), base + 17, label, anchor="middle", class_="xtick"))
    points = " ".join(f"{svg.coord(x(i))},{svg.coord(y(n))}" for i, (_, n) in enumerate(days))
    latest = text("chart.occupancy_latest", lang, n=count(days[-1][1]))
    parts.append(
        f'<polyline class="occupancy" points="{points}" fill="none" stroke="{svg.BAR}" '
        f'stroke-width="2" stroke-linejoin="round"><title>{escape(latest)}</title></polyline>'
    )
    parts.append(svg.line(left, base, width - right, base, svg.INK))
    parts.append("</svg>")
    return svg.finish(parts, lang)
