"""The report as an A4 PDF, rendered by WeasyPrint from the same HTML, with no network.

The HTML names its fonts only (it must stay one small file); the PDF embeds the Noto fonts
packaged under `marsad/assets/fonts`, so Arabic shapes the same on every machine. WeasyPrint
may only read file: and data: URLs: a report of killed people is never built by fetching.

WeasyPrint lays out SVG text one character at a time, so Arabic chart labels would come out
unjoined and left to right. Before rendering, `visual_arabic` rewrites them as browsers would
draw them: joined (Unicode presentation forms) and in visual order. Only the PDF gets this;
the HTML keeps the logical text that screen readers and search need.
"""

from __future__ import annotations

import html
import re
from importlib.resources import as_file, files
from pathlib import Path

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from marsad.publish.report import render_report
from marsad.publish.report_data import ReportData

FONTS = (
    ("Noto Sans", "NotoSans-Regular.ttf", 400),
    ("Noto Sans", "NotoSans-Bold.ttf", 700),
    ("Noto Sans Arabic", "NotoSansArabic-Regular.ttf", 400),
    ("Noto Sans Arabic", "NotoSansArabic-Bold.ttf", 700),
)

PAGE_CSS = """
@page {
  size: A4;
  margin: 18mm 15mm 20mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; color: #5f6b7a; }
}
@page :first { @bottom-center { content: none; } }
"""

ARABIC_PAGE_CSS = """
@page {
  @bottom-center { content: counter(page, arabic-indic) " / " counter(pages, arabic-indic); }
}
"""


_DUAL = {
    "\u0626": 0xFE89, "\u0628": 0xFE8F, "\u062a": 0xFE95, "\u062b": 0xFE99, "\u062c": 0xFE9D,
    "\u062d": 0xFEA1, "\u062e": 0xFEA5, "\u0633": 0xFEB1, "\u0634": 0xFEB5, "\u0635": 0xFEB9,
    "\u0636": 0xFEBD, "\u0637": 0xFEC1, "\u0638": 0xFEC5, "\u0639": 0xFEC9, "\u063a": 0xFECD,
    "\u0641": 0xFED1, "\u0642": 0xFED5, "\u0643": 0xFED9, "\u0644": 0xFEDD, "\u0645": 0xFEE1,
    "\u0646": 0xFEE5, "\u0647": 0xFEE9, "\u064a": 0xFEF1,
}  # fmt: skip
"""Letters that join on both sides: code point of the isolated form; final, initial and
medial forms follow it."""

_RIGHT = {
    "\u0622": 0xFE81, "\u0623": 0xFE83, "\u0624": 0xFE85, "\u0625": 0xFE87, "\u0627": 0xFE8D,
    "\u0629": 0xFE93, "\u062f": 0xFEA9, "\u0630": 0xFEAB, "\u0631": 0xFEAD, "\u0632": 0xFEAF,
    "\u0648": 0xFEED, "\u0649": 0xFEEF,
}  # fmt: skip
"""Letters that join only to the letter before them: isolated form, then final form."""

_LAM_ALEF = {"\u0622": 0xFEF5, "\u0623": 0xFEF7, "\u0625": 0xFEF9, "\u0627": 0xFEFB}
_MARKS = re.compile("[\u064b-\u0652\u0670\u2066-\u2069]")
_KEEP_ORDER = re.compile("[0-9\u0660-\u0669A-Za-z][0-9\u0660-\u0669A-Za-z.,\u066b\u066c]*")
_MIRROR = str.maketrans("()[]«»", ")(][»«")
_ARABIC = re.compile("[\u0600-\u06ff]")
_SVG_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")


def _joins_next(char: str) -> bool:
    return char in _DUAL or char == "\u0640"


def _joins(char: str) -> bool:
    return char in _DUAL or char in _RIGHT or char == "\u0640"


def shape_arabic(line: str) -> str:
    """Arabic letters replaced by their joined presentation forms, in logical order."""
    letters = _MARKS.sub("", line)
    shaped = []
    i = 0
    while i < len(letters):
        char = letters[i]
        before = letters[i - 1] if i else ""
        after = letters[i + 1] if i + 1 < len(letters) else ""
        joined_before = _joins_next(before)
        if char == "\u0644" and after in _LAM_ALEF:
            shaped.append(chr(_LAM_ALEF[after] + (1 if joined_before else 0)))
            i += 2
            continue
        if char in _DUAL:
            form = (1 if joined_before else 0) + (2 if _joins(after) else 0)
            shaped.append(chr(_DUAL[char] + form))
        elif char in _RIGHT:
            shaped.append(chr(_RIGHT[char] + (1 if joined_before else 0)))
        else:
            shaped.append(char)
        i += 1
    return "".join(shaped)


def visual_arabic(line: str) -> str:
    """A right-to-left label as it is seen from left to right: shaped, reversed, with numbers
    and Latin words kept in their own order and brackets mirrored."""
    shaped = shape_arabic(line)
    pieces: list[str] = []
    position = 0
    for match in _KEEP_ORDER.finditer(shaped):
        pieces.extend(shaped[position : match.start()])
        pieces.append(match.group())
        position = match.end()
    pieces.extend(shaped[position:])
    return "".join(reversed(pieces)).translate(_MIRROR)


def _visual_svg_text(match: re.Match[str]) -> str:
    content = html.unescape(match.group(2))
    if not _ARABIC.search(content):
        return match.group(0)
    return f"{match.group(1)}{html.escape(visual_arabic(content), quote=False)}{match.group(3)}"


def for_weasyprint(document: str) -> str:
    """The report with its SVG labels in visual order, for WeasyPrint's SVG renderer."""
    return _SVG_TEXT.sub(_visual_svg_text, document)


LOCAL_PROTOCOLS = frozenset({"file", "data"})


def local_only_fetcher() -> URLFetcher:
    """WeasyPrint's fetcher, allowed file: and data: URLs only; anything else is refused."""
    return URLFetcher(allowed_protocols=LOCAL_PROTOCOLS, allow_redirects=False)


def font_faces(font_dir: Path) -> str:
    """@font-face rules for the packaged fonts, as file: URLs under `font_dir`."""
    rules = []
    for family, filename, weight in FONTS:
        url = (font_dir / filename).resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{url}"); '
            f"font-weight: {weight}; font-style: normal; }}"
        )
    return "\n".join(rules)


def render_pdf(data: ReportData, out: Path, lang: str = "en") -> None:
    """Write the report in `lang` to `out` as an A4 PDF with page numbers and embedded fonts."""
    page = for_weasyprint(render_report(data, lang))
    with as_file(files("marsad").joinpath("assets", "fonts")) as font_dir:
        fonts = FontConfiguration()
        fetcher = local_only_fetcher()
        css = [font_faces(Path(font_dir)), PAGE_CSS, ARABIC_PAGE_CSS if lang == "ar" else ""]
        sheets = [CSS(string=sheet, font_config=fonts, url_fetcher=fetcher) for sheet in css]
        document = HTML(string=page, base_url=Path(font_dir).as_uri(), url_fetcher=fetcher)
        document.write_pdf(out, stylesheets=sheets, font_config=fonts)
