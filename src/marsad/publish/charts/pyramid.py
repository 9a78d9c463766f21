"""The age-sex pyramid of the persons recorded."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import partial

from markupsafe import Markup

from marsad.i18n import format_count, localise_digits, text
from marsad.publish.charts import svg
from marsad.publish.report_data import AgeSexCount


def age_band(band: str) -> tuple[int, float] | None:
    """ "15-19" -> (15, 19); "80+" -> (80, inf); anything else (such as "unknown") -> None."""
    match = re.fullmatch(r"(\d+)\s*(?:[-–]\s*(\d+)|\+)", band.strip())
    if match is None:
        return None
    low = int(match.group(1))
    return low, float(match.group(2)) if match.group(2) else math.inf


def age_sex_pyramid(
    rows: Sequence[AgeSexCount], *, title: str, width: int = 760, lang: str = "en"
) -> Markup:
    """A population pyramid: males left, females right, youngest at the bottom, every bar on
    one scale. Bands wholly under 18 are drawn lighter and set off by a dashed line; persons of
    unknown sex are a column of counts; bands of unknown age are left to the caption.
    """
    bands = sorted(
        ((age_band(row.band), row) for row in rows if age_band(row.band) is not None),
        key=lambda item: item[0] or (0, 0.0),
        reverse=True,
    )
    count = partial(format_count, lang=lang)
    top, row_h, bar_h, centre_w, unknown_w, side = 40, 22, 16, 56, 120, 56
    centre = (width - unknown_w) / 2
    half = centre - centre_w / 2 - side
    largest = max((max(row.male, row.female) for _, row in bands), default=0)
    scale = half / max(largest, 1)
    height = top + row_h * len(bands) + 12
    parts = svg.start(title, width, height, text("chart.pyramid_desc", lang))
    parts.append(
        svg.text(
            centre - centre_w / 2 - 4,
            16,
            text("chart.male", lang),
            anchor="end",
            fill=svg.MALE,
            font_weight="bold",
        )
    )
    parts.append(
        svg.text(
            centre + centre_w / 2 + 4,
            16,
            text("chart.female", lang),
            fill=svg.FEMALE,
            font_weight="bold",
        )
    )
    parts.append(svg.text(centre, 16, text("chart.age", lang), anchor="middle", fill=svg.MUTED_INK))
    parts.append(
        svg.text(width - 8, 16, text("chart.sex_unknown", lang), anchor="end", fill=svg.MUTED_INK)
    )
    boundary: float | None = None
    for i, (limits, row) in enumerate(bands):
        y = top + i * row_h
        mid = y + row_h / 2
        child = limits is not None and limits[1] < 18
        if child and boundary is None:
            boundary = y
        tip = text(
            "chart.age_tip",
            lang,
            band=localise_digits(row.band, lang),
            male=count(row.male),
            female=count(row.female),
            unknown=count(row.unknown_sex),
        )
        kind = " child" if child else ""
        male_w, female_w = row.male * scale, row.female * scale
        male_x = centre - centre_w / 2 - male_w
        parts.append(
            svg.rect(
                male_x,
                mid - bar_h / 2,
                male_w,
                bar_h,
                cls=f"bar male{kind}",
                fill=svg.MALE_CHILD if child else svg.MALE,
                tip=tip,
            )
        )
        parts.append(
            svg.rect(
                centre + centre_w / 2,
                mid - bar_h / 2,
                female_w,
                bar_h,
                cls=f"bar female{kind}",
                fill=svg.FEMALE_CHILD if child else svg.FEMALE,
                tip=tip,
            )
        )
        parts.append(svg.text(centre, mid + 4, localise_digits(row.band, lang), anchor="middle"))
        parts.append(svg.text(male_x - 4, mid + 4, count(row.male), anchor="end", font_size="11"))
        parts.append(
            svg.text(
                centre + centre_w / 2 + female_w + 4, mid + 4, count(row.female), font_size="11"
            )
        )
        parts.append(
            svg.text(
                width - 8,
                mid + 4,
                count(row.unknown_sex),
                anchor="end",
                fill=svg.MUTED_INK,
                font_size="11",
            )
        )
    if boundary is not None and boundary > top:
        parts.append(
            f'<line class="boundary" x1="8" y1="{svg.coord(boundary)}" '
            f'x2="{svg.coord(width - unknown_w)}" y2="{svg.coord(boundary)}" '
            f'stroke="{svg.INK}" stroke-width="1" stroke-dasharray="4 3"/>'
        )
        parts.append(
            svg.text(
                8,
                boundary + 14,
                text("chart.under_18", lang),
                fill=svg.MUTED_INK,
                font_style="italic",
            )
        )
    for x in (centre - centre_w / 2, centre + centre_w / 2):
        parts.append(svg.line(x, top - 4, x, height - 8, svg.INK))
    parts.append("</svg>")
    return svg.finish(parts, lang, mirrored=True)
