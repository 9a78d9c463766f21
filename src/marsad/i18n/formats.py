"""Numbers, shares, dates and place names as Arabic and English readers expect them.

Arabic pages use Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩), the Arabic thousands separator (٬) and
decimal mark (٫), and Arabic month names, as Levantine publications do; English pages use
ASCII digits with commas. Written by hand because Babel would be a large dependency for two
languages and these few rules.

Which digits a language uses is a setting, one per language, applied to everything written
through this module (counts, record lists, dates): `MARSAD_DIGITS_AR` and `MARSAD_DIGITS_EN`,
each `arabic-indic` or `latin` (defaults: Arabic-Indic for Arabic, Latin for English), for
teams whose readers write Arabic with Latin digits, as in the Maghreb.
"""

from __future__ import annotations

import datetime as dt
import os

LANGUAGES = ("ar", "en")
DIGIT_STYLES = ("arabic-indic", "latin")
DEFAULT_DIGITS = {"ar": "arabic-indic", "en": "latin"}

_ARABIC_DIGITS = str.maketrans("0123456789,.", "٠١٢٣٤٥٦٧٨٩٬٫")

ARABIC_MONTHS = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)


def language(value: str | None, default: str = "en") -> str:
    """`value` if it is a supported language, else `default`."""
    return value if value in LANGUAGES else default


def text_direction(lang: str) -> str:
    """The HTML `dir` of a page in `lang`."""
    return "rtl" if lang == "ar" else "ltr"


def digit_style(lang: str) -> str:
    """The digits `lang` is written with: its MARSAD_DIGITS_<LANG> setting, else its default.

    Raises ValueError naming the setting when it holds neither style."""
    setting = f"MARSAD_DIGITS_{lang.upper()}"
    chosen = os.environ.get(setting, "").strip().lower() or DEFAULT_DIGITS.get(lang, "latin")
    if chosen not in DIGIT_STYLES:
        raise ValueError(f"{setting}={chosen!r}: give one of {', '.join(DIGIT_STYLES)}")
    return chosen


def localise_digits(text: str, lang: str) -> str:
    """Replace ASCII digits and separators by the language's own (its digit style)."""
    return text.translate(_ARABIC_DIGITS) if digit_style(lang) == "arabic-indic" else text


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """`12345.6` → "12,346" (en) or "١٢٬٣٤٦" (ar)."""
    return localise_digits(f"{value:,.{decimals}f}", lang)


def format_date(value: dt.date, lang: str) -> str:
    """`2025-03-07` → "7 March 2025" (en) or "٧ آذار ٢٠٢٥" (ar)."""
    if lang == "ar":
        return localise_digits(f"{value.day} {ARABIC_MONTHS[value.month - 1]} {value.year}", lang)
    return f"{value.day} {value.strftime('%B')} {value.year}"


UTC_WORDS = {"ar": "بالتوقيت العالمي", "en": "UTC"}
"""How a time in Coordinated Universal Time is marked in each language."""


def format_moment(moment: dt.datetime, lang: str, seconds: bool = False) -> str:
    """A stored time (UTC; naive values are UTC too) with its zone named: "7 March 2025, 14:05
    UTC" or "٧ آذار ٢٠٢٥، ١٤:٠٥ بالتوقيت العالمي" (with the seconds, for custody logs)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    clock = localise_digits(f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}", lang)
    comma = "،" if lang == "ar" else ","
    zone = UTC_WORDS["ar" if lang == "ar" else "en"]
    return f"{format_date(moment.date(), lang)}{comma} {clock} {zone}"


def format_month(year: int, month: int, lang: str) -> str:
    """A month as a heading: "March 2025" or "آذار ٢٠٢٥"."""
    if lang == "ar":
        return localise_digits(f"{ARABIC_MONTHS[month - 1]} {year}", lang)
    return f"{dt.date(year, month, 1).strftime('%B')} {year}"


def format_partial_date(value: str | None, lang: str) -> str:
    """A date as the store keeps it (YYYY-MM-DD, YYYY-MM or YYYY) at its own precision: "7
    March 2025", "March 2025" or "2025", in `lang`; "" for none."""
    if not value:
        return ""
    if len(value) == 10:
        return format_date(dt.date.fromisoformat(value), lang)
    if len(value) == 7:
        return format_month(int(value[:4]), int(value[5:]), lang)
    return localise_digits(value, lang)


def format_count(value: float, lang: str) -> str:
    """A count rounded to a whole person: 10356.4 → "10,356" (en) or "١٠٬٣٥٦" (ar)."""
    return format_number(round(value), lang)


def whole_percent(share: float, lang: str) -> str:
    """A share as a whole percentage: "95%" or "٩٥٪"."""
    whole = round(share * 100)
    return f"{localise_digits(str(whole), lang)}٪" if lang == "ar" else f"{whole}%"


def format_percent(share: float, lang: str) -> str:
    """A share as a whole percentage; a small but non-zero share reads "<1%", not "0%"."""
    if 0 < share < 0.005:
        return f"<{whole_percent(0.01, lang)}"
    return whole_percent(share, lang)


def local_name(name_en: str, name_ar: str, lang: str) -> str:
    """A place's name in `lang`, English when no Arabic is known."""
    return name_ar if lang == "ar" and name_ar else name_en
