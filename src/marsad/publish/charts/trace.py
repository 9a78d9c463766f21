"""Trace plots of the sampler's chains, to see that they mixed."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from markupsafe import Markup, escape

from marsad.i18n import format_count, text
from marsad.publish.charts import axes, svg


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
    y_ticks = axes.nice_range_ticks(min(values), max(values))
    y = axes.LinearScale(y_ticks[0], y_ticks[-1], base, top)
    last = max(max(len(chain) - 1 for chain in drawn) * every, 1)
    x_ticks = [tick for tick in axes.nice_ticks(last) if tick <= last]
    x = axes.LinearScale(0, last, left, width - right)
    parts = svg.start(
        title,
        width,
        height,
        text("chart.trace_desc", lang, n=format_count(len(drawn), lang)),
    )
    count = partial(format_count, lang=lang)
    for tick in y_ticks:
        parts.append(svg.line(left, y(tick), width - right, y(tick), svg.GRID))
        parts.append(svg.text(left - 6, y(tick) + 4, count(tick), anchor="end", class_="ytick"))
    for tick in x_ticks:
        parts.append(svg.line(x(tick), base, x(tick), base + 4, svg.INK))
        parts.append(svg.text(x(tick), base + 17, count(tick), anchor="middle", class_="xtick"))
    parts.append(svg.text(left - 6, 12, "N", anchor="end", fill=svg.MUTED_INK))
    parts.append(
        svg.text(
            width - right, height - 6, text("chart.sweeps", lang), anchor="end", fill=svg.MUTED_INK
        )
    )
    for number, chain in enumerate(drawn):
        colour = svg.CHAIN_COLOURS[number % len(svg.CHAIN_COLOURS)]
        chain_name = text("chart.chain", lang, n=count(number + 1))
        points = " ".join(
            f"{svg.coord(x(i * every))},{svg.coord(y(v))}" for i, v in enumerate(chain)
        )
        parts.append(
            f'<polyline class="chain" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="1" stroke-opacity="0.8" stroke-linejoin="round">'
            f"<title>{escape(chain_name)}</title></polyline>"
        )
        if len(drawn) > 1:
            key_x = left + 20 + number * 80
            parts.append(svg.line(key_x, 8, key_x + 18, 8, colour, 3))
            parts.append(svg.text(key_x + 23, 12, chain_name))
    parts.append(svg.line(left, top - 4, left, base, svg.INK))
    parts.append(svg.line(left, base, width - right, base, svg.INK))
    parts.append("</svg>")
    return svg.finish(parts, lang)
