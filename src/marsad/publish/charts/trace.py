"""Trace plots of the sampler's chains, to see that they mixed."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from markupsafe import Markup, escape

from marsad.i18n import format_count, text
from marsad.publish.charts.axes import LinearScale, nice_range_ticks, nice_ticks
from marsad.publish.charts.svg import (
    CHAIN_COLOURS,
    GRID,
    INK,
    MUTED_INK,
    coord,
    svg_finish,
    svg_line,
    svg_open,
    svg_text,
)


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
    parts = svg_open(
        title,
        width,
        height,
        text("chart.trace_desc", lang, n=format_count(len(drawn), lang)),
    )
    count = partial(format_count, lang=lang)
    for tick in y_ticks:
        parts.append(svg_line(left, y(tick), width - right, y(tick), GRID))
        parts.append(svg_text(left - 6, y(tick) + 4, count(tick), anchor="end", class_="ytick"))
    for tick in x_ticks:
        parts.append(svg_line(x(tick), base, x(tick), base + 4, INK))
        parts.append(svg_text(x(tick), base + 17, count(tick), anchor="middle", class_="xtick"))
    parts.append(svg_text(left - 6, 12, "N", anchor="end", fill=MUTED_INK))
    parts.append(
        svg_text(
            width - right, height - 6, text("chart.sweeps", lang), anchor="end", fill=MUTED_INK
        )
    )
    for number, chain in enumerate(drawn):
        colour = CHAIN_COLOURS[number % len(CHAIN_COLOURS)]
        chain_name = text("chart.chain", lang, n=count(number + 1))
        points = " ".join(f"{coord(x(i * every))},{coord(y(v))}" for i, v in enumerate(chain))
        parts.append(
            f'<polyline class="chain" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="1" stroke-opacity="0.8" stroke-linejoin="round">'
            f"<title>{escape(chain_name)}</title></polyline>"
        )
        if len(drawn) > 1:
            key_x = left + 20 + number * 80
            parts.append(svg_line(key_x, 8, key_x + 18, 8, colour, 3))
            parts.append(svg_text(key_x + 23, 12, chain_name))
    parts.append(svg_line(left, top - 4, left, base, INK))
    parts.append(svg_line(left, base, width - right, base, INK))
    parts.append("</svg>")
    return svg_finish(parts, lang)
