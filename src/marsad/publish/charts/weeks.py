"""Deaths per week: one bar per ISO week, time left to right in both languages."""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from functools import partial

from markupsafe import Markup

from marsad.i18n import format_count, format_date, localise_digits, text
from marsad.publish.charts import axes, svg


def contiguous_weeks(
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
    series = contiguous_weeks(weeks)
    left, right, top, bottom = 58, 16, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = axes.nice_ticks(max((count for _, count in series), default=0))
    scale = plot_h / ticks[-1]
    base = top + plot_h
    parts = svg.start(title, width, height)
    parts.append(svg.text(left, 12, text("chart.persons_per_week", lang), fill=svg.MUTED_INK))
    for tick in ticks:
        y = base - tick * scale
        parts.append(svg.line(left, y, left + plot_w, y, svg.GRID))
        parts.append(svg.text(left - 6, y + 4, count_text(tick), anchor="end", class_="ytick"))
    slot = plot_w / max(len(series), 1)
    bar_w = slot * 0.8 if slot >= 4 else slot
    step = week_label_step(len(series), max(1, plot_w // 70))
    last_year: int | None = None
    for i, (monday, count) in enumerate(series):
        x = left + i * slot + (slot - bar_w) / 2
        tip = text("chart.week_of", lang, date=format_date(monday, lang), n=count_text(count))
        parts.append(
            svg.rect(
                x, base - count * scale, bar_w, count * scale, cls="bar", fill=svg.BAR, tip=tip
            )
        )
        if i % step == 0:
            centre = x + bar_w / 2
            parts.append(svg.line(centre, base, centre, base + 4, svg.INK))
            parts.append(
                svg.text(
                    centre,
                    base + 16,
                    axes.week_label(monday, lang),
                    anchor="middle",
                    class_="xtick",
                )
            )
            if monday.year != last_year:
                year = localise_digits(str(monday.year), lang)
                parts.append(svg.text(centre, base + 30, year, anchor="middle"))
                last_year = monday.year
    parts.append(svg.line(left, base, left + plot_w, base, svg.INK))
    parts.append("</svg>")
    return svg.finish(parts, lang)
