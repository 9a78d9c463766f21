"""Weeks by governorate: a small multiple of weekly counts per governorate."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial

from markupsafe import Markup

from marsad.i18n import format_count, format_date, localise_digits, text
from marsad.publish.charts import axes, svg
from marsad.publish.charts.weeks import contiguous_weeks, week_label_step


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
        for day, persons in contiguous_weeks(weeks):
            totals.setdefault(day, 0)
            totals[day] += persons
    span = contiguous_weeks(list(totals.items()))
    mondays = [day for day, _ in span]
    index = {day: i for i, day in enumerate(mondays)}
    label_w, right, top, row_h, gap, bottom = 180, 16, 26, 44, 10, 40
    plot_w = width - label_w - right
    height = top + len(rows) * (row_h + gap) + bottom
    series = [(name, dict(contiguous_weeks(weeks))) for name, weeks in rows]
    largest = max((n for _, by_week in series for n in by_week.values()), default=0)
    scale = row_h / max(largest, 1)
    slot = plot_w / max(len(mondays), 1)
    bar_w = slot * 0.8 if slot >= 4 else slot
    parts = svg.start(title, width, height, text("chart.small_multiples_desc", lang))
    parts.append(
        svg.text(
            label_w + plot_w,
            12,
            text("chart.scale_max", lang, n=count(largest)),
            anchor="end",
            fill=svg.MUTED_INK,
        )
    )
    for r, (label, by_week) in enumerate(series):
        base = top + r * (row_h + gap) + row_h
        parts.append(svg.line(label_w, base - row_h, label_w + plot_w, base - row_h, svg.GRID))
        parts.append(
            svg.text(
                label_w - 10,
                base - row_h / 2,
                svg.clip(label, 24),
                anchor="end",
                font_weight="bold",
                class_="row-label",
            )
        )
        parts.append(
            svg.text(
                label_w - 10,
                base - row_h / 2 + 15,
                count(sum(by_week.values())),
                anchor="end",
                fill=svg.MUTED_INK,
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
                svg.rect(
                    x,
                    base - persons * scale,
                    bar_w,
                    persons * scale,
                    cls="bar",
                    fill=svg.BAR,
                    tip=tip,
                )
            )
        parts.append(svg.line(label_w, base, label_w + plot_w, base, svg.INK))
    base = top + len(series) * (row_h + gap) - gap
    step = week_label_step(len(mondays), max(1, plot_w // 70))
    last_year: int | None = None
    for i, monday in enumerate(mondays):
        if i % step:
            continue
        centre = label_w + i * slot + slot / 2
        parts.append(svg.line(centre, base, centre, base + 4, svg.INK))
        parts.append(
            svg.text(
                centre, base + 16, axes.week_label(monday, lang), anchor="middle", class_="xtick"
            )
        )
        if monday.year != last_year:
            year = localise_digits(str(monday.year), lang)
            parts.append(svg.text(centre, base + 30, year, anchor="middle"))
            last_year = monday.year
    parts.append("</svg>")
    return svg.finish(parts, lang)
