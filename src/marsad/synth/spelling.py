"""How one name can be written: script variants, the article, and typing mistakes.

The tables are arrays of strings so that a whole list's names are chosen by numpy indexing;
only typos, which touch a few per cent of records, are made one string at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_LATIN_ARTICLE = re.compile(r"^(?:Al|El)[- ](?=\w)")


def arabic_variants(canonical: str) -> list[str]:
    """Spellings a clerk might type for `canonical`: hamza dropped, ة→ه, ى→ي, عبد joined."""
    steps: tuple[Callable[[str], str], ...] = (
        lambda s: s.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا"),
        lambda s: s[:-1] + "ه" if s.endswith("ة") else s,
        lambda s: s[:-1] + "ي" if s.endswith("ى") else s,
        lambda s: s.replace("ؤ", "و").replace("ئ", "ي"),
        lambda s: s.replace("عبد ", "عبد"),
    )
    out = [canonical]
    combined = canonical
    for step in steps:
        out.append(step(canonical))
        combined = step(combined)
    out.append(combined)
    return list(dict.fromkeys(out))


def strip_latin_article(text: str) -> str:
    """'Al-Ahmad' and 'El Ahmad' → 'Ahmad'; names that merely start with 'Al' are kept."""
    bare = _LATIN_ARTICLE.sub("", text)
    return bare[:1].upper() + bare[1:]


def strip_arabic_article(text: str) -> str:
    return text[2:] if text.startswith("ال") else text


@dataclass(frozen=True)
class NameTable:
    """All spellings of one kind of name (male first names, family names…), as 2-D arrays.

    Row i holds the spellings of name i; columns beyond a row's count repeat its first spelling.
    The `bare` arrays are the same spellings without the article, for lists that drop "al-".
    """

    arabic: npt.NDArray[np.object_]
    arabic_bare: npt.NDArray[np.object_]
    arabic_count: npt.NDArray[np.int64]
    latin: npt.NDArray[np.object_]
    latin_bare: npt.NDArray[np.object_]
    latin_count: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]

    @property
    def size(self) -> int:
        return len(self.weights)


def _pad(rows: Sequence[Sequence[str]]) -> npt.NDArray[np.object_]:
    width = max(len(r) for r in rows)
    out = np.empty((len(rows), width), dtype=object)
    for i, r in enumerate(rows):
        out[i, :] = list(r) + [r[0]] * (width - len(r))
    return out


def build_table(entries: Sequence[str], zipf: float) -> NameTable:
    """Parse "arabic|latin1|latin2…" entries; frequency falls as 1/rank**zipf."""
    arabic_rows: list[list[str]] = []
    arabic_bare_rows: list[list[str]] = []
    latin_rows: list[list[str]] = []
    latin_bare_rows: list[list[str]] = []
    for entry in entries:
        arabic, *latin = entry.split("|")
        has_article = latin[0].startswith("Al-")
        variants = arabic_variants(arabic)
        arabic_rows.append(variants)
        arabic_bare_rows.append([strip_arabic_article(v) if has_article else v for v in variants])
        latin_rows.append(latin)
        latin_bare_rows.append([strip_latin_article(v) if has_article else v for v in latin])
    ranks = np.arange(1, len(entries) + 1, dtype=np.float64)
    weights = ranks**-zipf
    return NameTable(
        arabic=_pad(arabic_rows),
        arabic_bare=_pad(arabic_bare_rows),
        arabic_count=np.array([len(r) for r in arabic_rows], dtype=np.int64),
        latin=_pad(latin_rows),
        latin_bare=_pad(latin_bare_rows),
        latin_count=np.array([len(r) for r in latin_rows], dtype=np.int64),
        weights=weights / weights.sum(),
    )


def typo(text: str, draws: Sequence[float], latin: bool) -> str:
    """One or two character edits (substitute, delete, swap, insert) driven by `draws` in [0, 1).

    `draws` holds seven numbers so the edit is a pure function of them (reproducible per seed).
    """
    if len(text) < 3:
        return text
    alphabet = LATIN_LETTERS if latin else ARABIC_LETTERS
    edits = 2 if draws[0] < 0.2 else 1
    out = text
    for k in range(edits):
        op_draw, pos_draw, char_draw = draws[1 + 3 * k], draws[2 + 3 * k], draws[3 + 3 * k]
        pos = 1 + int(pos_draw * (len(out) - 1))
        char = alphabet[int(char_draw * len(alphabet))]
        if op_draw < 0.4:
            out = out[:pos] + char + out[pos + 1 :]
        elif op_draw < 0.65:
            out = out[:pos] + out[pos + 1 :]
        elif op_draw < 0.85 and pos < len(out) - 1:
            out = out[:pos] + out[pos + 1] + out[pos] + out[pos + 2 :]
        else:
            out = out[:pos] + char + out[pos:]
    return out
