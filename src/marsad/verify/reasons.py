"""The sentences that explain a verification status, in English and Arabic, from the catalogue.

Reasons are stored as English sentences (person_summaries.verification_reasons), so that a
store written by any version still reads the same. The rules build each sentence here from a
template and its values (`english`); a page recognises a stored sentence by its template and
says it again in the reader's language (`reason_in`, `pieces_in`). Values a person typed — a
reviewer's note or user name — and the rule's own code are carried over as they are, and so
are record numbers, which the person page shows in ASCII digits beside the records they name;
counts are written as Arabic readers count (a dual, and the noun agreeing with the number).
A sentence no template knows, such as one from an older version, is returned unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any, NamedTuple

from marsad.i18n import format_number
from marsad.i18n.catalogue import CATALOGUE
from marsad.verify.evidence import DATE_PRECISIONS, PLACE_LEVELS

_PREFIX = "reason_sentence."
REASONS: dict[str, tuple[str, str]] = {
    key.removeprefix(_PREFIX): both for key, both in CATALOGUE.items() if key.startswith(_PREFIX)
}
"""Every reason sentence: key → (English template, Arabic template), from the catalogue's
reasons.yaml; fields are named in FIELDS."""

_NAME_WORDS = {
    "name_first": "first",
    "name_father": "father",
    "name_grandfather": "grandfather",
    "name_family": "family",
}
_FIELD_WORDS_AR = {
    "name_first": "الاسم الأول",
    "name_father": "اسم الأب",
    "name_grandfather": "اسم الجد",
    "name_family": "اسم العائلة",
    "sex": "الجنس",
    "age": "العمر",
}
_STATUS_AR = {"reported": "مُبلَّغ عنه", "corroborated": "معزَّز", "verified": "متحقَّق منه"}
"""The person pages' own words for the statuses (the catalogue's verification.*)."""
_DATE_AR = dict(zip(DATE_PRECISIONS, ("السنة", "الشهر", "اليوم"), strict=True))
_PLACE_AR = dict(zip(PLACE_LEVELS, ("المحافظة", "المنطقة", "الناحية", "البلدة"), strict=True))

_RECORD_AR = ("سجل واحد", "سجلان", "سجلات", "سجلاً", "سجل")
_SOURCE_GENITIVE_AR = ("مصدر واحد", "مصدرين", "مصادر", "مصدراً", "مصدر")
_INDEPENDENT_AR = (
    "مصدر مستقل واحد",
    "مصدران مستقلان",
    "مصادر مستقلة",
    "مصدراً مستقلاً",
    "مصدر مستقل",
)
"""A counted noun's Arabic forms: one, two, 3–10, 11–99 (by the last two digits), and the rest
(100, 101, 1000…), where the noun is singular. The sources of "reported" follow the
preposition من, hence the genitive dual مصدرين."""


class Piece(NamedTuple):
    """Part of a translated sentence; `free` marks a value carried over as it was (a note, a
    user name, record numbers), which a page isolates so it keeps its own direction."""

    text: str
    free: bool


def join_words(items: Sequence[str], conjunction: str) -> str:
    """ "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def set_words(fields: Sequence[str]) -> str:
    """ "first, father and family name" for a field set; never a value, only field names."""
    names = [_NAME_WORDS[f] for f in fields if f in _NAME_WORDS]
    others = [f for f in fields if f not in _NAME_WORDS]
    parts = [join_words(names, "and") + " name"] if names else []
    return join_words(parts + others, "and")


def options_words(sets: Sequence[Sequence[str]]) -> str:
    """Field sets as alternatives: "first and family name; or first and family name and age"."""
    return "; or ".join(set_words(s) for s in sets)


def options_in(sets: Sequence[Sequence[str]], lang: str) -> str:
    """Field sets as alternatives, in `lang` (field names only, never a value)."""
    if lang != "ar":
        return options_words(sets)
    return "؛ أو ".join(" و".join(_FIELD_WORDS_AR[f] for f in fields) for fields in sets)


def independent_sources(n: int, lang: str) -> str:
    """ "2 independent sources", or in Arabic the counted noun ("مصدران مستقلان")."""
    if lang == "ar":
        return _counted(n, _INDEPENDENT_AR)
    return f"{n} independent source{'' if n == 1 else 's'}"


def precision_word(precision: str, lang: str) -> str:
    """A date precision (day, month, year) as a word of `lang`."""
    return _DATE_AR[precision] if lang == "ar" else precision


def level_word(level: str, lang: str) -> str:
    """A place level (governorate, district…) as a word of `lang`."""
    return _PLACE_AR[level] if lang == "ar" else level


def conjoined(items: Sequence[str], lang: str) -> str:
    """ "a, b and c" in `lang`."""
    if lang != "ar":
        return join_words(items, "and")
    if len(items) <= 1:
        return "".join(items)
    return "، ".join(items[:-1]) + " و" + items[-1]


@dataclass(frozen=True)
class _Kind:
    """How one field is written in English, matched in an English sentence, and said in Arabic
    from the English text matched (None: not a value this kind knows)."""

    pattern: str
    english: Callable[[Any], str]
    arabic: Callable[[str], tuple[Piece, ...] | None]


def _plain(text: str | None) -> tuple[Piece, ...] | None:
    return None if text is None else (Piece(text, False),)


def _counted(n: int, forms: tuple[str, str, str, str, str]) -> str:
    one, two, few, many, other = forms
    if n == 1:
        return one
    if n == 2:
        return two
    noun = few if 3 <= n % 100 <= 10 else many if 11 <= n % 100 <= 99 else other
    return f"{format_number(n, 'ar')} {noun}"


def _count(noun: str | None, forms: tuple[str, str, str, str, str]) -> _Kind:
    """A number with its noun ("2 records") or bare (noun None); in Arabic always with its noun."""

    def english(n: int) -> str:
        return str(n) if noun is None else f"{n} {noun}{'' if n == 1 else 's'}"

    pattern = r"\d+" if noun is None else rf"\d+ {re.escape(noun)}s?"
    return _Kind(pattern, english, lambda text: _plain(_counted(int(text.split(" ")[0]), forms)))


def _choice(words: dict[str, str]) -> _Kind:
    return _Kind("|".join(map(re.escape, words)), str, lambda text: _plain(words.get(text)))


def _ids_english(ids: Sequence[int]) -> str:
    return ("record " if len(ids) == 1 else "records ") + ", ".join(map(str, ids))


def _ids_arabic(text: str) -> tuple[Piece, ...]:
    word, numbers = text.split(" ", 1)
    return (Piece("السجل " if word == "record" else "السجلات ", False), Piece(numbers, True))


def _set_arabic(text: str) -> str | None:
    fields = []
    for token in re.split(r", | and ", text):
        name = token.removesuffix(" name")
        field = next((f for f, w in _NAME_WORDS.items() if w == name), token)
        if field not in _FIELD_WORDS_AR:
            return None
        fields.append(field)
    if set_words(fields) != text:
        return None
    return " و".join(_FIELD_WORDS_AR[f] for f in fields)


def _options_arabic(text: str) -> tuple[Piece, ...] | None:
    sets = [_set_arabic(part) for part in text.split("; or ")]
    return None if None in sets else _plain("؛ أو ".join(s for s in sets if s is not None))


_FREE = _Kind(".*?", str, lambda text: (Piece(text, True),))

FIELDS: dict[str, _Kind] = {
    "records": _count("record", _RECORD_AR),
    "sources": _count("source", _SOURCE_GENITIVE_AR),
    "independent": _count("independent source", _INDEPENDENT_AR),
    "needed": _count(None, _INDEPENDENT_AR),
    "ids": _Kind(r"records? \d+(?:, \d+)*", _ids_english, _ids_arabic),
    "fields": _Kind(".+?", set_words, lambda text: _plain(_set_arabic(text))),
    "options": _Kind(".+", options_words, _options_arabic),
    "precision": _choice(_DATE_AR),
    "best_precision": _choice(_DATE_AR),
    "level": _choice(_PLACE_AR),
    "best_level": _choice(_PLACE_AR),
    "status": _choice(_STATUS_AR),
    "note": _FREE,
    "user": _FREE,
    "reason": _FREE,
    "rule": _FREE,
}
"""Each template field by name: the same name is the same kind of value in every template."""


def _parts(template: str) -> list[tuple[str, str | None]]:
    """(literal text, field name or None) in order."""
    return [(literal, name) for literal, name, _, _ in Formatter().parse(template)]


def _compile(template: str) -> re.Pattern[str]:
    regex = "".join(
        re.escape(literal) + (f"(?P<{name}>{FIELDS[name].pattern})" if name else "")
        for literal, name in _parts(template)
    )
    return re.compile(regex, re.DOTALL)


_PATTERNS = {key: _compile(en) for key, (en, _) in REASONS.items()}


def english(key: str, **values: Any) -> str:
    """The stored English sentence of reason `key` with its values (record ids as a sequence of
    ints, counts as ints, field sets as tuples of field names, the rest as text)."""
    template = REASONS[key][0]
    return template.format(**{name: FIELDS[name].english(v) for name, v in values.items()})


def pieces_in(text: str, language: str) -> tuple[Piece, ...] | None:
    """A stored sentence in `language` as pieces, or None when `language` is English or no
    template knows the sentence (the caller then shows it as it is)."""
    if language != "ar":
        return None
    for key, pattern in _PATTERNS.items():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        pieces: list[Piece] = []
        for literal, name in _parts(REASONS[key][1]):
            pieces.append(Piece(literal, False))
            if name is not None:
                said = FIELDS[name].arabic(match[name])
                if said is None:
                    return None
                pieces.extend(said)
        return _merged(pieces)
    return None


def reason_in(text: str, language: str) -> str:
    """A stored (English) sentence in `language`; unchanged when English or unrecognised."""
    pieces = pieces_in(text, language)
    return text if pieces is None else "".join(p.text for p in pieces)


def _merged(pieces: Sequence[Piece]) -> tuple[Piece, ...]:
    """Adjacent plain pieces joined and empty ones dropped, so a page wraps only the values."""
    out: list[Piece] = []
    for piece in pieces:
        if not piece.text:
            continue
        if out and not piece.free and not out[-1].free:
            out[-1] = Piece(out[-1].text + piece.text, False)
        else:
            out.append(piece)
    return tuple(out)
