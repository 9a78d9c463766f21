"""The SVG every chart is drawn with: colours, fonts, elements and mirroring for Arabic.

Every label is escaped here, so a chart is safe to insert as is; Arabic labels are isolated
right-to-left; coordinates keep at most one decimal so the SVG stays short.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup, escape

from marsad.i18n import text_direction

INK = "#1f2933"
MUTED_INK = "#5f6b7a"
GRID = "#e1e6ec"
BAR = "#2b6a99"
BAR_LIGHT = "#a9c4dc"
ACCENT = "#d55e00"
DOT_OFF = "#d5dbe2"
MALE, MALE_CHILD = "#0072b2", "#8ec1e3"
FEMALE, FEMALE_CHILD = "#e69f00", "#f5d28a"
"""Blue against vermillion and orange (Okabe–Ito): told apart by colour-blind readers and in
greyscale, since the pairs also differ in lightness."""


FONTS = "Noto Sans, Noto Sans Arabic, Arial, sans-serif"
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def coord(value: float) -> str:
    """A coordinate with at most one decimal, so the SVG stays short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def clip(label: str, width: int) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def start(title: str, width: float, height: float, description: str = "") -> list[str]:
    parts = [
        f'<svg class="chart" viewBox="0 0 {coord(width)} {coord(height)}" width="{coord(width)}" '
        f'height="{coord(height)}" role="img" preserveAspectRatio="xMinYMin meet" '
        f'font-size="12" font-family="{FONTS}" direction="ltr" fill="{INK}">',
        f"<title>{escape(title)}</title>",
    ]
    if description:
        parts.append(f"<desc>{escape(description)}</desc>")
    return parts


def text(x: float, y: float, content: str, *, anchor: str = "start", **attrs: str) -> str:
    """A label; Arabic is isolated right-to-left, so anchors keep their left-to-right meaning
    and a trailing bracket or digit stays where an Arabic reader expects it."""
    extra = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{escape(val)}"' for key, val in attrs.items()
    )
    if ARABIC_LETTER.search(content):
        content = f"\u2067{content}\u2069"
    return (
        f'<text x="{coord(x)}" y="{coord(y)}" text-anchor="{anchor}"{extra}>'
        f"{escape(content)}</text>"
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1) -> str:
    return (
        f'<line x1="{coord(x1)}" y1="{coord(y1)}" x2="{coord(x2)}" y2="{coord(y2)}" '
        f'stroke="{stroke}" stroke-width="{coord(width)}"/>'
    )


def finish(parts: list[str], lang: str, *, mirrored: bool = False) -> Markup:
    """The chart as markup; a category chart is mirrored for a right-to-left language."""
    svg = "".join(parts)
    return Markup(mirror(svg) if mirrored and text_direction(lang) == "rtl" else svg)


_PATH_POINT = re.compile(r"([ML])(-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)")
_FLIP_ANCHOR = {"start": "end", "end": "start"}


def mirror(svg: str) -> str:
    """Flip a chart left to right, text kept readable: for Arabic, labels go on the right and
    bars grow leftwards. Knows the shapes the charts draw (rect, line, circle, text, path of
    absolute M/L/Z, polyline)."""
    root = ET.fromstring(svg)
    width = float(root.get("viewBox", "0 0 0 0").split()[2])

    def flip(value: str | None) -> str:
        return coord(width - float(value or 0))

    for element in root.iter():
        attrs = element.attrib
        if element.tag == "rect":
            attrs["x"] = coord(width - float(attrs.get("x", 0)) - float(attrs.get("width", 0)))
        elif element.tag == "line":
            attrs["x1"], attrs["x2"] = flip(attrs.get("x1")), flip(attrs.get("x2"))
        elif element.tag == "circle":
            attrs["cx"] = flip(attrs.get("cx"))
        elif element.tag == "text":
            attrs["x"] = flip(attrs.get("x"))
            anchor = attrs.get("text-anchor", "start")
            attrs["text-anchor"] = _FLIP_ANCHOR.get(anchor, anchor)
        elif element.tag == "path":
            attrs["d"] = _PATH_POINT.sub(
                lambda m: f"{m.group(1)}{flip(m.group(2))} {m.group(3)}", attrs.get("d", "")
            )
        elif element.tag == "polyline":
            attrs["points"] = " ".join(
                f"{flip(x)},{y}" for x, y in (p.split(",") for p in attrs.get("points", "").split())
            )
    return ET.tostring(root, encoding="unicode")


def rect(x: float, y: float, w: float, h: float, *, cls: str, fill: str, tip: str) -> str:
    return (
        f'<rect class="{cls}" x="{coord(x)}" y="{coord(y)}" width="{coord(w)}" height="{coord(h)}" '
        f'fill="{fill}"><title>{escape(tip)}</title></rect>'
    )


CHAIN_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
"""Okabe–Ito colours, told apart by colour-blind readers; chains past the seventh reuse them."""


def label_width(text: str, font_size: float = 12) -> float:
    """A generous guess at a label's width, to keep labels inside the chart."""
    return 0.62 * font_size * len(text)


HALO = {"stroke": "#fff", "stroke_width": "4", "paint_order": "stroke"}
"""A white outline under a label, so a line behind it does not cut through the letters."""
