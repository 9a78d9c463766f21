"""Latin-script names: ASCII folding, articles and compounds, and sound units for keys.

Transliterations of one Arabic name differ by system (English, French, Turkish, scholarly) and
by writer; the rules below undo the differences that do not change the name, in a fixed order:
fold to ASCII, drop articles, glue compounds (Abd al-, -al-Din, -Allah), apply whole-word
aliases, collapse doubled letters, then read digraphs before single letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from marsad.names import tables
from marsad.names.skeleton import Unit, consonant, vowel

_SUN_ARTICLE = re.compile(r"^[aeiou](sh|ch|th|dh|[tdrzsn])$")
_GLUED_SUN_ARTICLE = re.compile(r"^[aeiou](sh|ch|th|dh|[tdrzsn])(?=\1)")
_DIN_TAIL = re.compile(r"^(.{2,}?)(?:[aeiou]l|[aeiou]d)?d?d(?:i|ee)ne?$")
_ALLAH_TAIL = re.compile(r"^(.{3,}?)[aeiou]?llah?$")
_ABD = re.compile(r"^abd([aeiou]?)(.*)$")
_IYA_ENDING = re.compile(r"(?<=[iy])(?:eh|ah)$")
_DOUBLE_CONSONANT = re.compile(r"([bcdfghjklmnpqrstvwxyz])\1+")
_DOUBLE_VOWEL = re.compile(r"([aiu])\1+")
_NOT_LETTER = re.compile(r"[^a-z'\s-]")

_VOWELS = frozenset("aeiou")
_SIMPLE = {
    "b": "b",
    "p": "b",
    "d": "d",
    "f": "f",
    "v": "f",
    "h": "h",
    "j": "j",
    "g": "j",
    "k": "k",
    "q": "k",
    "l": "l",
    "m": "m",
    "n": "n",
    "r": "r",
    "s": "s",
    "t": "t",
    "z": "z",
}
_DIGRAPHS = (("sch", "c"), ("sh", "c"), ("ch", "c"), ("kh", "x"), ("gh", "j"), ("dj", "j"))


def fold_latin(text: str) -> str:
    """Lower-case ASCII: accents removed (é→e, ü→u), special letters spelled out (ş→sh),
    every ayn/hamza mark written as an apostrophe."""
    out = []
    for ch in text.lower():
        ch = tables.LATIN_SPECIAL_LETTERS.get(ch, ch)
        if ch in tables.LATIN_APOSTROPHES:
            out.append("'")
            continue
        for piece in unicodedata.normalize("NFKD", ch):
            if not unicodedata.combining(piece):
                out.append(piece)
    return "".join(out)


def normalise_latin(text: str) -> str:
    """Display/search form: folded, apostrophes removed, spaces collapsed, articles as "al-"."""
    words = _NOT_LETTER.sub(" ", fold_latin(text)).replace("'", "").replace("-", " ").split()
    out: list[str] = []
    for i, word in enumerate(words):
        if out and out[-1].endswith("-"):
            out[-1] += word
        elif i + 1 < len(words) and (
            word in tables.LATIN_ARTICLES or _is_sun_article(word, words[i + 1])
        ):
            out.append(word + "-")
        else:
            out.append(word)
    return " ".join(out)


def latin_words(text: str) -> list[str]:
    """Folded words; hyphens and spaces both separate words."""
    return _NOT_LETTER.sub(" ", fold_latin(text)).replace("-", " ").split()


def _is_sun_article(word: str, following: str) -> bool:
    match = _SUN_ARTICLE.match(word)
    return match is not None and following.startswith(match.group(1))


def _strip_glued_article(word: str, first: bool) -> str:
    if word in tables.LATIN_NOT_ARTICLE:
        return word
    rest = word[2:]
    if word[:2] in ("al", "el") and len(rest) >= 3 and any(ch in _SIMPLE for ch in rest):
        return rest
    if not first:
        match = _GLUED_SUN_ARTICLE.match(word)
        if match is not None and len(word) > 4:
            return word[1 + len(match.group(1)) :]
    return word


def _alias(word: str) -> str:
    return tables.LATIN_ALIASES.get(word, word)


def _glue_compound(word: str) -> str:
    """Drop the article inside one glued word: Abdurrahman, Noureddine, Nasrallah."""
    match = _ALLAH_TAIL.match(word)
    if match is not None and word not in tables.LATIN_NOT_ARTICLE:
        word = match.group(1) + "lah"
    match = _DIN_TAIL.match(word)
    if match is not None:
        word = match.group(1) + "din"
    match = _ABD.match(word)
    if match is not None and match.group(2):
        rest = match.group(2)
        if match.group(1):
            sun = _GLUED_SUN_ARTICLE.match("a" + rest)
            if rest.startswith("l") and len(rest) > 2:
                rest = rest[1:]
            elif sun is not None:
                rest = rest[len(sun.group(1)) :]
        word = "abd" + _alias(rest)
    return word


def latin_part_words(part: str) -> list[str]:
    """The words of one name part with articles removed and compounds glued per word.

    "Abd al-Rahman" -> [abd, rahman]; "Nour Eddine" -> [nour, dine]; "al-Asaad" -> [asaad].
    """
    words = [w.strip("'") for w in latin_words(part)]
    words = [w for w in words if w]
    kept: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if following and (word in tables.LATIN_ARTICLES or _is_sun_article(word, following)):
            continue
        kept.append(word)
    out: list[str] = []
    for i, word in enumerate(kept):
        if word in tables.LATIN_ABD_HEADS and i + 1 < len(kept):
            out.append("abd")
            continue
        word = _strip_glued_article(word, first=i == 0)
        out.append(_alias(_glue_compound(word)))
    return out


def _spelling(words: list[str]) -> str:
    """One glued spelling ready for letter reading: -iyeh endings, doubled letters collapsed.

    A word that ends in a vowel and one that starts with one are kept apart by a silent mark,
    so the u of "Abu Ali" stays a vowel, as the waw of أبو علي does, instead of gliding.
    """
    spelled = [_IYA_ENDING.sub("a", w) for w in words if w]
    text = "".join(
        f"'{w}" if k and spelled[k - 1][-1] in _VOWELS and w[0] in _VOWELS else w
        for k, w in enumerate(spelled)
    )
    text = _DOUBLE_CONSONANT.sub(r"\1", text)
    return _DOUBLE_VOWEL.sub(r"\1", text)


def _semivowel_unit(text: str, i: int) -> tuple[Unit, int]:
    """Read y, i, w, u, o, ou at position i: a glide before a vowel, a vowel elsewhere."""
    ch = text[i]
    if text.startswith(("ou", "oo"), i):
        width, sound = 2, "u"
    elif ch == "o":
        width, sound = 1, "u" if i + 1 == len(text) else ""
    elif ch == "i" and text.startswith("iy", i) and i > 0:
        return vowel(""), 1  # Zakariya, Nadiya: the i is the glide's own vowel
    else:
        width, sound = 1, {"u": "u", "w": "u", "i": "i", "y": "i"}[ch]
    nxt = text[i + width] if i + width < len(text) else ""
    if sound in ("u", "") and ch in "ouw":
        glide = nxt in _VOWELS and (ch == "w" or nxt in ("a", "e") or (i == 0 and nxt == "i"))
        if glide or (ch == "w" and i == 0):
            return consonant("w"), width
    if ch in "iy" and i > 0 and nxt in ("a", "o", "u", "'"):
        return consonant("y"), width
    if ch == "y" and i == 0:
        return consonant("y"), width
    return vowel(sound), width


def latin_units(words: list[str]) -> list[Unit]:
    """Units of a whole Latin part, read left to right with digraphs first."""
    text = _spelling(words)
    units: list[Unit] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        digraph = next((d for d in _DIGRAPHS if text.startswith(d[0], i)), None)
        if digraph is not None:
            units.append(consonant(digraph[1]))
            i += len(digraph[0])
        elif text.startswith("dh", i) and (i == 0 or i + 2 == n):
            units.append(consonant("d"))
            i += 2
        elif text.startswith("th", i):
            units.append(consonant("t"))
            i += 2
        elif text.startswith("ph", i):
            units.append(consonant("f"))
            i += 2
        elif text.startswith("ck", i):
            units.append(consonant("k"))
            i += 2
        elif ch == "c":
            units.append(consonant("s" if text[i + 1 : i + 2] in ("e", "i", "y") else "k"))
            i += 1
        elif ch == "x":
            units.extend([consonant("k"), consonant("s")])
            i += 1
        elif ch == "h" and i == n - 1 and i > 0 and text[i - 1] in _VOWELS:
            units.append(vowel("a"))  # Saleh, Fatmeh, Sarah: final h reads like ta marbuta
            i += 1
        elif ch in _SIMPLE:
            units.append(consonant(_SIMPLE[ch]))
            i += 1
        elif text.startswith("ee", i) or text.startswith("ie", i):
            units.append(vowel("i"))
            i += 2
        elif ch == "e" and text[max(0, i - 2) : i].endswith(("a", "a'")) and 0 < i < n - 1:
            units.append(vowel("i"))  # Wael, Raed, Nael: the hamza-i of Wa'il
            i += 1
        elif ch in "iyouw":
            unit, width = _semivowel_unit(text, i)
            units.append(unit)
            i += width
        elif ch == "a":
            units.append(vowel("a"))
            i += 1
        else:
            units.append(vowel(""))
            i += 1
    return units


GERMAN_MIN_SHARE = 0.01
"""A list whose names write "sch" in at least this share of names, and more often than "sh",
spells Arabic the German way (see `respell_german`)."""


def writes_german(names: Iterable[str]) -> bool:
    """Whether a list spells Arabic names the German way: ش as "sch" (Schaaban), not "sh" or
    the French "ch". German spelling reads "ch" as خ and "j" as ي, the reverse of French and
    English, so its keys must be read otherwise (Chalil is Khalil, Jussuf is Yusuf)."""
    total = sch = sh = 0
    for name in names:
        text = name.lower()
        total += 1
        sch += text.count("sch")
        sh += text.count("sh")
    return total > 0 and sch >= GERMAN_MIN_SHARE * total and sch > sh


def respell_german(text: str) -> str:
    """A German spelling respelled the English way: dsch → j, sch → sh, ch → kh, j → y."""
    out = text.lower().replace("dsch", "\0").replace("sch", "sh").replace("ch", "kh")
    return out.replace("j", "y").replace("\0", "j")
