"""Parsers for single cell values: sex, age, date of death, status, civilian.

Each parser takes the raw string of one cell and returns the canonical value, or None when the
cell is empty or says "unknown" in one of the ways monitors write it. A value that is present but
cannot be read raises ValueError with a short reason meant for the person fixing the row; the
caller quotes the value itself. Parsers are memoised because the same few hundred spellings
repeat across hundreds of thousands of rows.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

_FOLD = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Persian digits
        **dict.fromkeys("أإآٱ", "ا"),
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ء": None,
        "ـ": None,  # tatweel
        "٫": ".",  # Arabic decimal separator
        "٬": ",",  # Arabic thousands separator
        "،": ",",
        "؍": "/",  # Arabic date separator
        **dict.fromkeys(map(chr, range(0x064B, 0x0660)), None),  # harakat, hamza and madda marks
        "\u0670": None,
        **dict.fromkeys(map(chr, range(0x0300, 0x0370)), None),  # Latin accents, once decomposed
        **dict.fromkeys("\u200b\u200c\u200d\u200e\u200f\ufeff", None),
    }
)


def fold(text: str) -> str:
    """Fold a value for vocabulary lookup: digits, hamza/alef, ta marbuta, accents, case and
    spacing.

    Used as the key of every lookup table in ingest, so that "أنثى", "انثى" and "انثي",
    "Female " and "female", or "Février" and "fevrier" find the same entry. Compatibility
    forms (Arabic presentation forms pasted from a PDF, full-width digits) read as the letters
    and digits they show.
    """
    text = text.casefold().translate(_FOLD)
    if not text.isascii() and not unicodedata.is_normalized("NFKD", text):
        text = unicodedata.normalize("NFKD", text).casefold().translate(_FOLD)
    return " ".join(text.split())


_UNKNOWN = frozenset(
    fold(marker)
    for marker in (
        "",
        "-",
        "--",
        "---",
        "?",
        "??",
        "???",
        ".",
        "unknown",
        "unk",
        "unk.",
        "not known",
        "n/a",
        "na",
        "n.a.",
        "none",
        "null",
        "nil",
        "nan",
        "not available",
        "غير معروف",
        "غير معروفة",
        "غير معلوم",
        "غير محدد",
        "غير محددة",
        "لا يوجد",
        "لا يعرف",
        "مجهول",
        "مجهولة",
    )
)


_UNKNOWN_LONGEST = max(map(len, _UNKNOWN))


@lru_cache(maxsize=4096)
def is_unknown(value: str) -> bool:
    """True for an empty cell or one of the usual ways of writing "unknown"."""
    return len(value) <= 4 * _UNKNOWN_LONGEST and fold(value) in _UNKNOWN


_SEX = {
    fold(k): v
    for keys, v in (
        (
            (
                "m",
                "m.",
                "male",
                "man",
                "men",
                "boy",
                "h",  # homme
                "h.",
                "homme",
                "hommes",
                "masculin",
                "masc",
                "masc.",
                "garçon",
                "ذ",
                "ذكر",
                "ذكور",
                "مذكر",
                "رجل",
                "طفل",
                "ولد",
                "صبي",
                "شاب",
            ),
            "male",
        ),
        (
            (
                "f",
                "f.",
                "female",
                "woman",
                "women",
                "girl",
                "femme",
                "femmes",
                "féminin",
                "fém",
                "fém.",
                "fille",
                "أ",
                "أنثى",
                "إناث",
                "مؤنث",
                "امرأة",
                "نساء",
                "طفلة",
                "بنت",
                "فتاة",
                "سيدة",
                "شابة",
            ),
            "female",
        ),
    )
    for k in keys
}
"""Folded spellings of sex: English, French (H/F), Arabic and their one-letter forms; `fold`
makes "انثى", "انثي" and "أنثى" (or "feminin" and "féminin") one entry."""


@lru_cache(maxsize=1024)
def parse_sex(value: str) -> str | None:
    """Read sex as "male" or "female"."""
    key = fold(value)
    if key in _UNKNOWN:
        return None
    sex = _SEX.get(key)
    if sex is None:
        raise ValueError("not a recognised sex (expected male/female, H/F, ذكر/أنثى)")
    return sex


def alternation(words: Iterable[str]) -> str:
    """A regular-expression alternation of words as `fold` leaves them (ى→ي, أ→ا, é→e),
    longest first, so that "years old" is tried before "years"."""
    folded = {fold(w) for w in words}
    return "|".join(re.escape(w) for w in sorted(folded, key=lambda w: (-len(w), w)))


_DECADES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (20, ("twenties", "vingtaine", "عشرين")),
    (30, ("thirties", "trentaine", "ثلاثين")),
    (40, ("forties", "quarantaine", "أربعين")),
    (50, ("fifties", "cinquantaine", "خمسين")),
    (60, ("sixties", "soixantaine", "ستين")),
    (70, ("seventies", "سبعين")),
    (80, ("eighties", "ثمانين")),
    (90, ("nineties", "تسعين")),
)
"""Decades of age in words; the Arabic stem last (see `_arabic_decade`)."""


def _arabic_decade(stem: str) -> tuple[str, ...]:
    """The plurals of an Arabic decade stem, with and without the article: عشرين gives
    عشرينات, العشرينات, عشرينيات, العشرينيات."""
    return tuple(f"{article}{stem}{ending}" for article in ("", "ال") for ending in ("ات", "يات"))


_AGE_WORDS: dict[str, tuple[int, int | None]] = {
    fold(word): ages
    for words, ages in (
        (("child", "kid", "minor", "enfant", "mineur", "طفل", "طفلة", "قاصر", "قاصرة"), (0, 17)),
        (("teen", "teens", "teenager", "adolescent", "adolescente", "مراهق", "مراهقة"), (13, 19)),
        (("adult", "adulte", "بالغ", "بالغة", "راشد", "راشدة"), (18, None)),
        (
            (
                *("elderly", "senior", "old", "âgé", "âgée", "personne âgée", "vieux", "vieille"),
                *("مسن", "مسنة", "كبير السن", "كبيرة السن", "عجوز"),
            ),
            (60, None),
        ),
        (("infant", "baby", "bébé", "nourrisson", "رضيع", "رضيعة"), (0, 1)),
        (("newborn", "new born", "nouveau-né", "مولود", "مولودة", "حديث الولادة"), (0, 0)),
        *(
            ((*words[:-1], *_arabic_decade(words[-1])), (decade, decade + 9))
            for decade, words in _DECADES
        ),
    )
    for word in words
}
"""Ages in words (English, French, Arabic), each as the range of years it stands for."""

_AGE_UNITS: dict[str, str] = {
    fold(word): kind
    for kind, words in (
        (
            "years",
            (
                *("y", "yr", "yrs", "year", "years", "yo", "y/o", "y.o.", "y.o", "years old"),
                *("year old", "yrs old", "an", "ans"),
                *("سنة", "سنوات", "سنين", "عام", "عاما", "أعوام", "اعوم"),
            ),
        ),
        (
            "months",
            (
                *("mo", "mos", "month", "months", "months old", "month old", "mois"),
                *("شهر", "شهور", "أشهر", "شهرا"),
            ),
        ),
        (
            "days",
            (
                *("d", "day", "days", "days old", "week", "weeks", "wk", "wks", "jour", "jours"),
                *("semaine", "semaines", "يوم", "أيام", "أسبوع", "أسابيع"),
            ),
        ),
    )
    for word in words
}
"""Units an age is written in: months and days count as completed years (0 for "6 months")."""

_AGE_HEDGES_BEFORE = (
    *("about", "around", "approximately", "approx", "approx.", "roughly", "circa", "ca.", "c."),
    *("~", "≈", "±", "+/-", "aged", "age", "in his", "in her", "in their", "in the", "early"),
    *("mid", "mid-", "late", "environ", "vers", "près de", "âgé de", "âgée de", "dans la"),
    *("dans sa", "la", "une", "حوالي", "حوالى", "نحو", "قرابة", "تقريبا", "زهاء", "ما يقارب"),
    *("في", "عمره", "عمرها", "العمر", "بعمر", "في عمر", "بسن", "في سن"),
)
"""Words around an age that only say it is approximate or whose age it is ("in his 30s")."""
_AGE_HEDGES_AFTER = (
    *("approx", "approx.", "approximately", "or so", "ish", "?", "environ", "تقريبا"),
    *("من العمر", "من عمره", "من عمرها"),
)
_HEDGE_BEFORE = re.compile(rf"^(?:(?:{alternation(_AGE_HEDGES_BEFORE)})\s*)+")
_HEDGE_AFTER = re.compile(rf"(?:\s*(?:{alternation(_AGE_HEDGES_AFTER)}))+$")
_UNIT = rf"(?:\s*(?P<unit>{alternation(_AGE_UNITS)}))?"
_NUM = r"\d{1,4}(?:\.\d+)?"
_AGE_ONE = re.compile(rf"(?P<n>{_NUM}){_UNIT}")
_BETWEEN = alternation(("between", "entre", "بين", "من"))
_TO = alternation(("-", "–", "—", "to", "and", "à", "et", "إلى", "حتى", "و"))
_AGE_RANGE = re.compile(rf"(?:(?:{_BETWEEN})\s*)?(?P<a>{_NUM})\s*(?:{_TO})\s*(?P<b>{_NUM}){_UNIT}")
_AGE_DECADE = re.compile(r"(?P<n>\d{1,3}0)\s*'?s")
_AGE_PLUS = re.compile(rf"(?P<n>{_NUM})\s*\+{_UNIT}")
MAX_AGE = 120


def _years(number: str, unit: str | None) -> int:
    n = float(number)
    kind = _AGE_UNITS.get(unit or "", "years")
    if kind == "months":
        return int(n // 12)
    if kind == "days":
        return 0
    return int(n)


def _check_age(n: int) -> int:
    if n > MAX_AGE:
        raise ValueError(f"age above {MAX_AGE}")
    return n


@lru_cache(maxsize=1024)
def parse_age(value: str) -> tuple[int, int | None] | None:
    """Read an age as (age_min, age_max); equal when exact, age_max None when open-ended.

    Months and days count as completed years ("6 months" is age 0), as in a death record.
    A hedge ("about 30", "~30", "in his 30s", "حوالي ٣٠") reads as the age it hedges: lists
    give ages as estimates anyway, and a decade is already a range.
    """
    key = fold(value)
    if key in _UNKNOWN:
        return None
    key = _HEDGE_AFTER.sub("", _HEDGE_BEFORE.sub("", key)) or key
    if key in _AGE_WORDS:
        return _AGE_WORDS[key]
    if m := _AGE_ONE.fullmatch(key):
        n = _check_age(_years(m["n"], m["unit"]))
        return (n, n)
    if m := _AGE_RANGE.fullmatch(key):
        low = _check_age(_years(m["a"], m["unit"]))
        high = _check_age(_years(m["b"], m["unit"]))
        if low > high:
            raise ValueError("age range runs backwards")
        return (low, high)
    if m := _AGE_DECADE.fullmatch(key):
        low = _check_age(int(m["n"]))
        return (low, min(low + 9, MAX_AGE))
    if m := _AGE_PLUS.fullmatch(key):
        return (_check_age(_years(m["n"], m["unit"])), None)
    if key.startswith("-") and key[1:].strip()[:1].isdigit():
        raise ValueError("negative age")
    raise ValueError("not a recognised age")


_MONTHS: tuple[tuple[str, ...], ...] = (
    ("january", "jan", "janvier", "janv", "يناير", "كانون الثاني", "كانون ثاني", "جانفي"),
    ("february", "feb", "février", "févr", "fév", "فبراير", "شباط", "فيفري"),
    ("march", "mar", "mars", "مارس", "آذار"),
    ("april", "apr", "avril", "avr", "أبريل", "إبريل", "نيسان", "أفريل"),
    ("may", "mai", "مايو", "أيار", "ماي"),
    ("june", "jun", "juin", "يونيو", "يونيه", "حزيران", "جوان"),
    ("july", "jul", "juillet", "juil", "يوليو", "يوليه", "تموز", "جويلية", "يوليوز"),
    ("august", "aug", "août", "أغسطس", "آب", "أوت", "غشت"),
    ("september", "sep", "sept", "septembre", "سبتمبر", "أيلول", "شتنبر"),
    ("october", "oct", "octobre", "أكتوبر", "تشرين الأول", "تشرين أول"),
    ("november", "nov", "novembre", "نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر"),
    ("december", "dec", "décembre", "déc", "ديسمبر", "كانون الأول", "كانون أول", "دجنبر"),
)
"""Month names in English and French (with their abbreviations) and in Arabic: the Syriac
names of the Levant and Iraq (كانون الثاني، شباط، آذار…), the Egyptian and Gulf names
(يناير، فبراير، مارس…) and the Maghrebi ones (جانفي، فيفري، أفريل…)."""

_MONTH_NAMES: dict[str, int] = {
    fold(name): number for number, names in enumerate(_MONTHS, start=1) for name in names
}
_MONTH_WORD = re.compile(rf"(?<![\w])({alternation(_MONTH_NAMES)})\.?(?![\w])")
_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_TIME = re.compile(r"[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th|er)\b")  # 7th, 1er
_SEPARATORS = re.compile(r"[\s/.,\-]+")
_ERA = re.compile(r"(?<=\d)\s*م$")  # "2025م": the Arabic abbreviation for the Common Era
_EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1900, 2100


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}")
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"no day {day} in {calendar.month_name[month]} {year}")
    return f"{year:04d}-{month:02d}-{day:02d}"


def _token_kind(token: str) -> str:
    """Y: a four-digit year, n: a one- or two-digit number, M: a month name, ?: anything else."""
    if token.isdigit():
        return "Y" if len(token) == 4 else "n" if len(token) <= 2 else "?"
    if token[0] == "m" and token[1:].isdigit():
        return "M"
    return "?"


def _day_month(first: int, second: int, day_first: bool) -> tuple[int, int]:
    """Order two numbers as (day, month); a number above 12 can only be the day."""
    if first > 12 >= second:
        return first, second
    if second > 12 >= first:
        return second, first
    return (first, second) if day_first else (second, first)


@lru_cache(maxsize=4096)
def parse_date(value: str, day_first: bool = True) -> str | None:
    """Read a date as ISO `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, keeping a partial date partial.

    `day_first` settles only truly ambiguous dates such as 07/03/2025; 13/03/2025 and
    03/13/2025 read the same either way. A five-digit number is an Excel date serial.
    """
    key = fold(value)
    if key in _UNKNOWN:
        return None
    if m := _ISO.fullmatch(key):
        year, month, day = m.groups()
        return _iso(int(year), int(month) if month else None, int(day) if day else None)
    key = _ERA.sub("", _TIME.sub("", key))
    if key.isdigit() and len(key) == 5:
        serial = _EXCEL_EPOCH + timedelta(days=int(key))
        return _iso(serial.year, serial.month, serial.day)
    key = _MONTH_WORD.sub(lambda m: f" m{_MONTH_NAMES[m[1]]} ", _ORDINAL.sub("", key))
    tokens = [t for t in _SEPARATORS.split(key) if t]
    shape = "".join(map(_token_kind, tokens))
    nums = [int(t.lstrip("m")) if shape[i] != "?" else 0 for i, t in enumerate(tokens)]
    if shape == "Y":
        return _iso(nums[0])
    if shape in ("Yn", "YM"):
        return _iso(nums[0], nums[1])
    if shape in ("nY", "MY"):
        return _iso(nums[1], nums[0])
    if shape in ("Ynn", "YMn"):
        return _iso(nums[0], nums[1], nums[2])
    if shape == "nnY":
        day, month = _day_month(nums[0], nums[1], day_first)
        return _iso(nums[2], month, day)
    if shape == "nMY":
        return _iso(nums[2], nums[1], nums[0])
    if shape == "MnY":
        return _iso(nums[2], nums[0], nums[1])
    if shape in ("nnn", "nMn", "Mnn"):
        raise ValueError("two-digit year; write the year in full")
    raise ValueError("not a recognised date")


_STATUS = {
    fold(k): v
    for keys, v in (
        (
            (
                "killed",
                "dead",
                "deceased",
                "died",
                "death",
                "kia",
                "martyr",
                "tué",
                "tuée",
                "mort",
                "morte",
                "décédé",
                "décédée",
                "exécuté",
                "قتيل",
                "قتيلة",
                "شهيد",
                "شهيدة",
                "مقتول",
                "مقتولة",
                "متوفى",
                "متوفي",
                "متوفاة",
                "قتل",
                "استشهد",
            ),
            "killed",
        ),
        (
            (
                "missing",
                "disappeared",
                "mia",
                "disparu",
                "disparue",
                "مفقود",
                "مفقودة",
                "مختفي",
                "مختفى",
                "مختفية",
                "مختفي قسريا",
                "مغيب",
            ),
            "missing",
        ),
        (
            (
                "injured",
                "wounded",
                "hurt",
                "blessé",
                "blessée",
                "جريح",
                "جريحة",
                "مصاب",
                "مصابة",
                "جرح",
            ),
            "injured",
        ),
        (
            (
                "detained",
                "arrested",
                "imprisoned",
                "abducted",
                "détenu",
                "détenue",
                "arrêté",
                "arrêtée",
                "enlevé",
                "enlevée",
                "معتقل",
                "معتقلة",
                "محتجز",
                "محتجزة",
                "مخطوف",
                "مخطوفة",
                "اعتقل",
            ),
            "detained",
        ),
    )
    for k in keys
}


@lru_cache(maxsize=512)
def parse_status(value: str) -> str | None:
    """Read a status as killed, missing, injured or detained; None lets the caller default it."""
    key = fold(value)
    if key in _UNKNOWN:
        return None
    status = _STATUS.get(key)
    if status is None:
        raise ValueError("not a recognised status (expected killed/missing/injured/detained)")
    return status


_CIVILIAN = {
    fold(k): v
    for keys, v in (
        (
            (
                "yes",
                "y",
                "true",
                "t",
                "1",
                "civilian",
                "civ",
                "non-combatant",
                "noncombatant",
                "oui",
                "civil",
                "civile",
                "مدني",
                "مدنية",
                "نعم",
            ),
            True,
        ),
        (
            (
                "no",
                "n",
                "false",
                "f",
                "0",
                "combatant",
                "non-civilian",
                "military",
                "fighter",
                "soldier",
                "armed",
                "non",
                "combattant",
                "combattante",
                "militaire",
                "soldat",
                "عسكري",
                "عسكرية",
                "مقاتل",
                "مقاتلة",
                "مسلح",
                "لا",
            ),
            False,
        ),
    )
    for k in keys
}


@lru_cache(maxsize=512)
def parse_civilian(value: str) -> bool | None:
    """Read whether the person was a civilian (True) or a combatant (False)."""
    key = fold(value)
    if key in _UNKNOWN:
        return None
    civilian = _CIVILIAN.get(key)
    if civilian is None:
        raise ValueError("not a recognised civilian status (expected yes/no, مدني/عسكري)")
    return civilian
