"""A rule-based transliterator: Latin spellings made from the Arabic script form alone.

The hand tables of names_data.py are also what Marsad's name module was built beside, so lists
spelled only from them test linkage on spellings it has seen. A writer who transliterates by
rule (a registry clerk, a form's software, a volunteer who does not know the usual spelling)
reads the Arabic letters one by one through the conventions of a school (English, French,
German, scholarly) and guesses the short vowels, which Arabic script does not write. This module
does the same, with no list of names: each convention is a table of letters plus a few habits
(how the article, عبد and the guessed vowels are written).

Vowel guessing, as writers do it: a guessed short vowel goes between two consonants, except
that one closed syllable is allowed after a written vowel (أحمد → Ahmad, not Ahamad); a word-
initial م before a consonant takes the participle's u/o (محمد → Mohamad); ي or و between
consonants is a long vowel (of two in a row, the second: درويش → Darwish), a consonantal ي
takes a guessed i (رياض → Riyad), and ي second in a longer word is the diphthong ay (حيدر →
Haydar).
The guesses are often not the usual spelling (حسين → Hasin); that is the point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_HARAKAT = re.compile("[\u064b-\u0652\u0670\u0640]")
_VOWEL_LETTERS = frozenset("اأإآىة")


@dataclass(frozen=True)
class Convention:
    """How one school of transliteration writes Arabic letters and guessed vowels."""

    name: str
    letters: dict[str, str]
    """Consonant letters (and ع, ء written inside a word)."""
    short: str = "a"
    """The guessed short vowel between two consonants."""
    short_last: str = "a"
    """The guessed short vowel before a word's last consonant (French "Ahmed")."""
    initial_mu: str = "o"
    """The guessed vowel after a word-initial م followed by a consonant."""
    long_a: str = "a"
    long_u: str = "ou"
    long_i: str = "i"
    final_i: str = "i"
    diphthong: str = "ay"
    hamza_i: str = "e"
    """ئ inside a word (Wael, Raed)."""
    hamza_u: str = "u"
    """ؤ inside a word (Fuad, Luay)."""
    ta_marbuta: str = "a"
    initial_i: str = "I"
    """A word-initial إ."""
    article: str = "Al-"
    abd: str = "Abdul "
    """عبد before a name with the article: "Abdul Rahman", "Abdel Rahman", "Abd al-Rahman"."""
    abdallah: str = "Abdullah"
    double_s: bool = False
    """Write س between vowels as "ss" (French "Hassan", not "Hasan")."""
    extra: dict[str, str] = field(default_factory=dict)


_COMMON = {
    "ب": "b",
    "ت": "t",
    "د": "d",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ف": "f",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ح": "h",
    "و": "w",
    "ي": "y",
}

CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention(
            name="rule-english",
            letters=_COMMON
            | {"ث": "th", "ج": "j", "خ": "kh", "ذ": "dh", "ش": "sh", "ظ": "z", "ع": "'"}
            | {"غ": "gh", "ق": "q", "ء": "'"},
            initial_mu="o",
            long_u="u",
            final_i="i",
        ),
        Convention(
            name="rule-french",
            letters=_COMMON
            | {"ث": "th", "ج": "dj", "خ": "kh", "ذ": "dh", "ش": "ch", "ظ": "z", "ع": ""}
            | {"غ": "gh", "ق": "k", "ء": "", "و": "ou"},
            short_last="e",
            initial_mu="ou",
            long_u="ou",
            final_i="i",
            diphthong="ei",
            hamza_u="ou",
            article="El-",
            abd="Abdel ",
            abdallah="Abdallah",
            double_s=True,
        ),
        Convention(
            name="rule-german",
            letters=_COMMON
            | {"ث": "th", "ج": "dsch", "خ": "ch", "ذ": "dh", "ش": "sch", "ظ": "z", "ع": "'"}
            | {"غ": "gh", "ق": "q", "ء": "'", "ز": "s", "ي": "j"},
            initial_mu="u",
            long_u="u",
            diphthong="ei",
            hamza_u="u",
            article="al-",
            abd="Abd al-",
            abdallah="Abdallah",
            double_s=True,
        ),
        Convention(
            name="rule-academic",
            letters=_COMMON
            | {"ث": "th", "ج": "j", "خ": "kh", "ذ": "dh", "ش": "sh", "ظ": "z", "ع": "'"}
            | {"غ": "gh", "ق": "q", "ء": "'"},
            initial_mu="u",
            long_u="u",
            hamza_i="'i",
            hamza_u="'u",
            article="al-",
            abd="Abd al-",
            abdallah="Abd Allah",
        ),
    )
}
"""The rule conventions a list shape can name (`transliteration: rule-french`)."""


def _units(word: str) -> list[tuple[str, str]]:
    """The letters of one word as (kind, letter): "C" consonant, "V" written vowel, "W" glide
    letter (و or ي) whose role depends on its neighbours."""
    out: list[tuple[str, str]] = []
    for i, ch in enumerate(word):
        if ch in "وي":
            out.append(("W", ch))
        elif ch in _VOWEL_LETTERS or (ch in "ئؤ" and i > 0) or (ch == "ع" and i == 0):
            out.append(("V", ch))
        elif ch.strip():
            out.append(("C", ch))
    return out


def _word(word: str, c: Convention) -> str:
    """One Arabic word (no article) in the convention, capitalised."""
    units = _units(word)
    pieces: list[str] = []
    kinds: list[str] = []
    """What each piece is: "C" consonant, "V" written vowel, "v" guessed vowel."""
    last_consonant = max((i for i, (k, _) in enumerate(units) if k != "V"), default=-1)
    for i, (kind, ch) in enumerate(units):
        after = units[i + 1][0] if i + 1 < len(units) else None
        before = kinds[-1] if kinds else None
        if kind == "W":
            is_vowel = before == "C" and after in ("C", None)
            if ch == "ي" and i == 1 and len(units) >= 4 and after == "C" and before == "C":
                pieces.append(c.diphthong)
                kinds.append("V")
                continue
            if is_vowel:
                text = (c.final_i if after is None else c.long_i) if ch == "ي" else c.long_u
                pieces.append(text)
                kinds.append("V")
                continue
            kind = "C"
        if kind == "V":
            pieces.append(_vowel(ch, i, after, c))
            kinds.append("V")
            continue
        if before == "C":
            if ch == "ي":
                guessed = "i"
            elif len(kinds) == 1:
                guessed = c.initial_mu if units[0][1] == "م" else c.short
            elif _closes_syllable(kinds, units, i):
                guessed = ""
            else:
                guessed = c.short_last if i == last_consonant else c.short
            if guessed:
                pieces.append(guessed)
                kinds.append("v")
        pieces.append(c.extra.get(ch, c.letters.get(ch, "")))
        kinds.append("C")
    text = "".join(pieces)
    if c.double_s:
        text = re.sub(r"(?<=[aeiou])s(?=[aeiou])", "ss", text)
    text = re.sub(r"^'+|'+$", "", text)
    return text[:1].upper() + text[1:]


def _closes_syllable(kinds: list[str], units: list[tuple[str, str]], i: int) -> bool:
    """Whether the consonant before unit i can close a syllable (no vowel guessed between):
    after a written short vowel (the initial A of أحمد), or after a guessed vowel when a
    written long vowel follows (منصور → Mansur); never after a long vowel."""
    if len(kinds) < 2 or kinds[-2] == "C":
        return False
    if kinds[-2] == "V":
        return len(kinds) == 2
    after = [kind for kind, _ in units[i + 1 : i + 3]]
    if not after:
        return False
    return after[0] == "V" or (after[0] == "W" and after[1:] != ["V"])


def _vowel(ch: str, index: int, after: str | None, c: Convention) -> str:
    if index == 0:
        return c.initial_i if ch == "إ" else "A"
    if ch == "ة":
        return c.ta_marbuta
    if ch == "ئ":
        return c.hamza_i
    if ch == "ؤ":
        return c.hamza_u
    if ch == "ى":
        return "a"
    return c.long_a


@lru_cache(maxsize=65_536)
def transliterate(arabic: str, convention: str) -> str:
    """`arabic` (one or more words) written in Latin letters by `convention`'s rules."""
    c = CONVENTIONS[convention]
    words = _HARAKAT.sub("", arabic).split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else ""
        if word == "عبد" and following.startswith("ال"):
            out.append(_abd(following, c))
            i += 2
            continue
        if word.startswith("عبدال") and len(word) > 5:
            out.append(_abd(word[3:], c))
        elif word in ("الله", "اله"):
            out.append("Allah")
        elif word.startswith("ال") and len(word) > 3:
            out.append(c.article + _word(word[2:], c))
        else:
            out.append(_word(word, c))
        i += 1
    return " ".join(w for w in out if w)


def _abd(rest: str, c: Convention) -> str:
    """عبد with the following article-word: a compound each school writes its own way."""
    if rest in ("الله", "اله"):
        return c.abdallah
    return c.abd + _word(rest[2:], c)
