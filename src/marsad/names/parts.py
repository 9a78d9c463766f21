"""Reading a full-name string into first, father, grandfather and family name.

Arab names in casualty lists are usually written as a chain: own name, father's name,
grandfather's name, family name. Compounds count as one part (Abd al-Rahman, Abu Bakr,
Nour al-Din, Saif al-Islam, عبد الرحمن, نور الدين), "bin/ibn/بن/ابن" connectors are skipped.
Conventions: 2 parts = first + family; 3 = first + father + family; 4 = first + father +
grandfather + family; more = first + father + grandfather + the rest joined as the family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.names import tables
from marsad.names.arabic import fold_arabic, has_arabic, split_glued
from marsad.names.latin import fold_latin

_SEPARATORS = re.compile(r"[\s,;/|]+")
_ARABIC_NON_LETTER = re.compile(r"[^\u0621-\u064A\u0671-\u06D3\u06D5]+")
_LATIN_SUN_ARTICLE = re.compile(r"^[aeiou](sh|ch|th|dh|[tdrzsn])$")
_LATIN_TAIL_WITH_ARTICLE = re.compile(
    r"^(?:[aeiou]l-?|[aeiou](sh|ch|th|dh|[tdrzsn])-?(?=\1))(din|dine|deen|islam|haq|abidin|lah)$"
)
_LATIN_GLUED_TAILS = frozenset(
    ["eddine", "eddin", "uddin", "addin", "iddin", "eddeen", "uddeen", "allah", "ullah"]
)


@dataclass(frozen=True)
class NameParts:
    """The parts of one person's name; any part may be missing."""

    first: str | None = None
    father: str | None = None
    grandfather: str | None = None
    family: str | None = None


def _arabic_tokens(full_name: str) -> list[tuple[str, str]]:
    """(display, folded) pairs; glued compounds split at the same place in both."""
    stripped = "".join(ch for ch in full_name if ch not in tables.ARABIC_DIACRITICS)
    out: list[tuple[str, str]] = []
    for word in _ARABIC_NON_LETTER.split(stripped):
        if not word:
            continue
        folded = fold_arabic(word)
        cut = len(split_glued(folded)[0])
        if cut < len(folded):
            out.extend([(word[:cut], folded[:cut]), (word[cut:], folded[cut:])])
        else:
            out.append((word, folded))
    return out


def _group_arabic(tokens: list[tuple[str, str]]) -> list[str]:
    parts: list[str] = []
    i = 0
    while i < len(tokens):
        display, folded = tokens[i]
        has_next = i + 1 < len(tokens)
        if folded in tables.ARABIC_CONNECTORS and parts and has_next:
            i += 1
            continue
        words = [display]
        i += 1
        if (folded == "عبد" or folded in tables.ARABIC_KUNYA_HEADS) and has_next:
            words.append(tokens[i][0])
            i += 1
        while i < len(tokens) and tokens[i][1] in tables.ARABIC_COMPOUND_TAILS:
            words.append(tokens[i][0])
            i += 1
        parts.append(" ".join(words))
    return parts


def _latin_is_article(folded: str, following: str) -> bool:
    if folded in tables.LATIN_ARTICLES:
        return True
    match = _LATIN_SUN_ARTICLE.match(folded)
    return match is not None and following.startswith(match.group(1))


def _latin_is_tail(folded: str, previous_was_article: bool) -> bool:
    if folded in _LATIN_GLUED_TAILS or _LATIN_TAIL_WITH_ARTICLE.match(folded):
        return True
    return previous_was_article and folded in tables.LATIN_COMPOUND_TAILS


def _group_latin(tokens: list[str]) -> list[str]:
    folded = [fold_latin(t).strip("'.") for t in tokens]
    parts: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        has_next = i + 1 < n
        if folded[i] in tables.LATIN_CONNECTORS and parts and has_next:
            i += 1
            continue
        words = [tokens[i]]
        head = folded[i]
        i += 1
        takes_next = head in tables.LATIN_KUNYA_HEADS or (
            head in tables.LATIN_ABD_HEADS and head not in ("abdo", "abdu", "abdou")
        )
        if head in tables.LATIN_ARTICLES or _latin_is_article(head, folded[i] if has_next else ""):
            takes_next = has_next
        if takes_next and i < n:
            if i + 1 < n and _latin_is_article(folded[i], folded[i + 1]):
                words.append(tokens[i])
                i += 1
            words.append(tokens[i])
            i += 1
        while i < n:
            if i + 1 < n and _latin_is_article(folded[i], folded[i + 1]):
                if _latin_is_tail(folded[i + 1], previous_was_article=True):
                    words.extend(tokens[i : i + 2])
                    i += 2
                    continue
                break
            if _latin_is_tail(folded[i], previous_was_article=False):
                words.append(tokens[i])
                i += 1
                continue
            break
        parts.append(" ".join(words))
    return parts


def _assign(parts: list[str]) -> NameParts:
    if not parts:
        return NameParts()
    if len(parts) == 1:
        return NameParts(first=parts[0])
    if len(parts) == 2:
        return NameParts(first=parts[0], family=parts[1])
    if len(parts) == 3:
        return NameParts(first=parts[0], father=parts[1], family=parts[2])
    return NameParts(
        first=parts[0], father=parts[1], grandfather=parts[2], family=" ".join(parts[3:])
    )


def parse_name_parts(full_name: str) -> NameParts:
    """Split a full name in either script into its parts, keeping each part's spelling."""
    if has_arabic(full_name):
        return _assign(_group_arabic(_arabic_tokens(full_name)))
    tokens = [t for t in _SEPARATORS.split(full_name.strip()) if t.strip("'.-")]
    return _assign(_group_latin(tokens))
