"""Arabic-script names: normalisation for display and search, sound units for keys, and a loose
Latin reading for people who cannot read the script."""

from __future__ import annotations

import re

from marsad.names import tables
from marsad.names.latin import latin_units
from marsad.names.skeleton import Unit, consonant, vowel

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06D5]")
_CONSONANTS = frozenset(tables.ARABIC_CONSONANTS)
_NON_LETTER = re.compile(r"[^\u0621-\u064A\u0671-\u06D3\u06D50-9\s]")


def has_arabic(text: str) -> bool:
    """True when the text contains at least one Arabic-script letter."""
    return _ARABIC_LETTER.search(text) is not None


def fold_arabic(text: str) -> str:
    """Remove diacritics and tatweel, fold alef forms and Persian/Kurdish letters, ASCII digits.

    Keeps ى ة ؤ ئ apart: keys need them (see `tables.ARABIC_DISPLAY_FOLD`).
    """
    out = []
    for ch in text:
        if ch in tables.ARABIC_DIACRITICS:
            continue
        ch = tables.ARABIC_LETTER_FOLD.get(ch, ch)
        out.append(tables.ARABIC_INDIC_DIGITS.get(ch, ch))
    return "".join(out)


def arabic_words(text: str) -> list[str]:
    """Folded words of an Arabic-script string, punctuation treated as a space."""
    return _NON_LETTER.sub(" ", fold_arabic(text)).split()


def split_glued(word: str) -> list[str]:
    """Split compounds typed without a space: عبدالرحمن, ابوبكر, نورالدين."""
    for head in ("عبد", "ابو"):
        if word.startswith(head + tables.ARABIC_ARTICLE) and len(word) > len(head) + 3:
            return [head, word[len(head) :]]
    if word.startswith("ابو") and len(word) >= 6:
        return ["ابو", word[3:]]
    for tail in tables.ARABIC_COMPOUND_TAILS:
        if word.endswith(tail) and len(word) > len(tail) + 1:
            return [word[: -len(tail)], tail]
    return [word]


def _strip_article(word: str) -> str:
    rest = word[2:]
    if (
        word.startswith(tables.ARABIC_ARTICLE)
        and len(rest) >= 2
        and any(ch in _CONSONANTS for ch in rest)
        and word not in tables.ARABIC_NOT_ARTICLE
    ):
        return rest
    return word


def normalise_arabic(text: str) -> str:
    """Display/search form: folded letters, ى→ي ة→ه ؤ→و ئ→ي, compounds spaced as عبد الرحمن."""
    words: list[str] = []
    for word in arabic_words(text):
        words.extend(split_glued(word))
    joined = " ".join(words)
    return "".join(tables.ARABIC_DISPLAY_FOLD.get(ch, ch) for ch in joined)


def _semivowel(word: str, i: int) -> Unit:
    cons, vow = tables.ARABIC_SEMIVOWELS[word[i]]
    nxt = word[i + 1] if i + 1 < len(word) else ""
    final_ha = nxt == "ه" and i + 2 == len(word)
    if i == 0 or final_ha or nxt in tables.ARABIC_VOWEL_LETTERS or nxt in tables.ARABIC_SEMIVOWELS:
        return consonant(cons)
    return vowel(vow)


def _word_units(word: str, part_final: bool) -> list[Unit]:
    """Units of one folded word without article.

    A part-final ح or ه reads as a final vowel, like ة: ه is often typed for ة (فاطمه), and
    Latin writes ة as -a, -ah or -eh, the same -eh as the ح of Saleh.
    """
    units: list[Unit] = []
    last = len(word) - 1
    for i, ch in enumerate(word):
        if ch in ("ه", "ح") and i == last and i > 0 and part_final:
            units.append(vowel("a"))
        elif ch == "ع" and 0 < i < last and word[i + 1] == "ا" and word[i - 1] in _CONSONANTS:
            # Su'ad, Mu'adh, Du'a': Latin always writes this ayn as the glide ou/u (Souad).
            units.append(consonant("w"))
        elif ch in tables.ARABIC_CONSONANTS:
            units.append(consonant(tables.ARABIC_CONSONANTS[ch]))
        elif ch in tables.ARABIC_SEMIVOWELS:
            units.append(_semivowel(word, i))
        elif ch in tables.ARABIC_VOWEL_CLASS:
            units.append(vowel(tables.ARABIC_VOWEL_CLASS[ch]))
    return units


def arabic_part_words(part: str) -> list[str]:
    """The words of one name part with articles removed and glued compounds split.

    Allah keeps its article (الله), every other word loses a leading ال, so الأسعد = أسعد and
    عبد الرحمن = عبدالرحمن = عبد + رحمن.
    """
    words: list[str] = []
    for word in arabic_words(part):
        words.extend(split_glued(word))
    out: list[str] = []
    for word in words:
        if word.endswith(tables.ARABIC_ALLAH) and word != tables.ARABIC_ALLAH:
            out.extend([_strip_article(word[:-4]), tables.ARABIC_ALLAH])
        elif word == tables.ARABIC_ALLAH:
            out.append(word)
        else:
            out.append(_strip_article(word))
    return [w for w in out if w]


def arabic_units(words: list[str]) -> list[Unit]:
    """Units of a whole part; Allah is l + final vowel, like Latin -lah/-la; words the letter
    rules cannot read are read from their listed Latin spelling."""
    units: list[Unit] = []
    for i, word in enumerate(words):
        spelling = tables.ARABIC_KEY_SPELLINGS.get(word)
        if spelling is not None:
            units.extend(latin_units([spelling]))
        elif word == tables.ARABIC_ALLAH:
            units.extend([consonant("l"), vowel("a")])
        else:
            units.extend(_word_units(word, part_final=i == len(words) - 1))
    return units


def _loose_word(word: str) -> str:
    """Letter-by-letter reading; an "a" goes between two consonants unless the first follows a
    written vowel (Halabi, As'ad). Rough by design: short vowels are not in the script."""
    if word in tables.ARABIC_TO_LATIN_WORDS:
        return tables.ARABIC_TO_LATIN_WORDS[word]
    out: list[str] = []
    previous_consonant = False
    previous_after_vowel = False
    after_vowel = False
    for i, ch in enumerate(word):
        if ch in tables.ARABIC_SEMIVOWELS:
            unit = _semivowel(word, i)
            letter, is_vowel = unit.sound, not unit.consonant
        elif ch in ("ا", "ى", "ة") or (ch == "ه" and i == len(word) - 1 and i > 1):
            letter, is_vowel = "a", True
        else:
            letter, is_vowel = tables.ARABIC_TO_LATIN_LETTERS.get(ch, ""), False
        if not letter:
            continue
        if is_vowel:
            previous_consonant, after_vowel = False, True
        else:
            if previous_consonant and not previous_after_vowel:
                out.append("a")
            previous_consonant, previous_after_vowel, after_vowel = True, after_vowel, False
        out.append(letter)
    text = "".join(out).replace("aa", "a")
    return text[:1].upper() + text[1:]


def arabic_to_latin(text: str) -> str:
    """A loose, readable Latin reading of an Arabic name ("Muhammad Ahmad al-Asad").

    For display to readers of Latin script only; never used for matching (keys do that).
    """
    out: list[str] = []
    for word in arabic_words(text):
        for piece in split_glued(word):
            if piece in tables.ARABIC_TO_LATIN_WORDS:
                out.append(tables.ARABIC_TO_LATIN_WORDS[piece])
                continue
            core = _strip_article(piece)
            reading = _loose_word(core)
            if core != piece:
                reading = "al-" + reading
            if reading:
                out.append(reading)
    return " ".join(out)
