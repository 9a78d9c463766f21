"""The UpSet plot of capture histories: which combinations of lists recorded how many persons."""

from __future__ import annotations

from functools import partial

from markupsafe import Markup

from marsad.domain.estimates import CaptureHistories, Pattern
from marsad.i18n import format_count, text
from marsad.publish.charts import axes, svg


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
    parts = svg.start(
        title,
        width,
        height,
        text("chart.upset_desc", lang),
    )
    count_text = partial(format_count, lang=lang)
    ticks = axes.nice_ticks(max((count for _, count in shown), default=0), target=4)
    scale = bars_h / ticks[-1]
    base = top + bars_h
    parts.append(
        svg.text(
            matrix_x - 8,
            12,
            text("chart.persons_in_combination", lang),
            anchor="end",
            fill=svg.MUTED_INK,
        )
    )
    for tick in ticks:
        y = base - tick * scale
        parts.append(svg.line(matrix_x, y, matrix_x + col_w * len(shown), y, svg.GRID))
        parts.append(svg.text(matrix_x - 6, y + 4, count_text(tick), anchor="end", class_="ytick"))
    for row, name in enumerate(lists):
        y = matrix_y + row * row_h
        if row % 2 == 0:
            parts.append(
                f'<rect x="0" y="{svg.coord(y)}" width="{svg.coord(width)}" height="{row_h}" '
                'fill="#f4f6f8"/>'
            )
        parts.append(svg.text(name_w - 10, y + row_h / 2 + 4, svg.clip(name, 22), anchor="end"))
    for col, (pattern, count) in enumerate(shown):
        cx = matrix_x + col * col_w + col_w / 2
        bar_w = col_w * 0.7
        members = [lists[i] for i, bit in enumerate(pattern) if bit]
        tip = text("chart.only", lang, lists=" + ".join(members), n=count_text(count))
        parts.append(
            svg.rect(
                cx - bar_w / 2,
                base - count * scale,
                bar_w,
                count * scale,
                cls="bar",
                fill=svg.BAR,
                tip=tip,
            )
        )
        if col_w >= 26 or col % 2 == 0:
            parts.append(
                svg.text(
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
            parts.append(svg.line(cx, y1, cx, y2, svg.INK, 2))
        for row, bit in enumerate(pattern):
            cy = matrix_y + row * row_h + row_h / 2
            cls, fill = ("dot on", svg.INK) if bit else ("dot off", svg.DOT_OFF)
            parts.append(
                f'<circle class="{cls}" cx="{svg.coord(cx)}" cy="{svg.coord(cy)}" '
                f'r="{svg.coord(min(6, col_w / 3))}" '
                f'fill="{fill}"/>'
            )
    parts.append(svg.line(matrix_x, base, matrix_x + col_w * len(shown), base, svg.INK))
    size_x = width - size_w + 10
    size_scale = (size_w - 60) / max(max(sizes.values(), default=0), 1)
    parts.append(
        svg.text(size_x, matrix_y - 4, text("chart.persons_on_list", lang), fill=svg.MUTED_INK)
    )
    for row, name in enumerate(lists):
        y = matrix_y + row * row_h + 5
        size = sizes[name]
        tip = f"{name}: {count_text(size)}"
        parts.append(
            svg.rect(
                size_x, y, size * size_scale, row_h - 10, cls="set-bar", fill=svg.BAR_LIGHT, tip=tip
            )
        )
        parts.append(svg.text(size_x + size * size_scale + 4, y + row_h - 14, count_text(size)))
    if hidden_patterns:
        note = text(
            "chart.hidden_combinations",
            lang,
            patterns=count_text(hidden_patterns),
            persons=count_text(hidden_persons),
        )
        parts.append(svg.text(matrix_x, height - 10, note, fill=svg.MUTED_INK))
    parts.append("</svg>")
    return svg.finish(parts, lang, mirrored=True)
