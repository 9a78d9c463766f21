"""The script-neutral half of a name key: sound units in, ASCII skeleton out.

Both scripts are first read into the same units (consonant classes and vowel classes, see
`tables`); this module turns units into the key, so Arabic and Latin cannot drift apart.

Which vowels survive, and why:
- a word-initial vowel (or ayn/hamza) becomes "a": Ahmad vs Hamid, Akram vs Karam;
- the vowel group just before the last consonant keeps its class (i, u or nothing): this is
  what tells Hassan / Hussein / Hassoun and Samer / Samir apart; other medial vowels are
  dropped because short vowels are not written in Arabic;
- the word-final vowel keeps its class (a, i, u or nothing): Ali / Alaa, Sami / Sameh,
  Jamil / Jamila.
Adjacent t+h and s+h collapse to t and c in both scripts, so Latin "th"/"sh" digraphs and
Arabic تح / سح letter pairs meet (Fathi = فتحي, Ishaq = إسحاق); so does a final d+h to d
(Ridha = رضا).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_FINAL_DH = re.compile(r"dh(?=[aiu]?$)")
"""d+h as the last consonants: the Tunisian "dh" of Ridha, the ض of رضا (Adham keeps its h)."""


class Unit(NamedTuple):
    """One sound: a consonant class, or a vowel class ("" for a silent vowel)."""

    consonant: bool
    sound: str


def consonant(sound: str) -> Unit:
    return Unit(True, sound)


def vowel(sound: str) -> Unit:
    return Unit(False, sound)


def _group_class(units: list[Unit]) -> str:
    sounds = {u.sound for u in units}
    if "i" in sounds:
        return "i"
    if "u" in sounds:
        return "u"
    return ""


def _final_class(units: list[Unit]) -> str:
    for unit in reversed(units):
        if unit.sound:
            return unit.sound
    return ""


def build_skeleton(units: list[Unit]) -> str:
    """Turn the units of one name part into its ASCII key."""
    positions = [i for i, unit in enumerate(units) if unit.consonant]
    if not positions:
        return "a" if units else ""
    out: list[str] = ["a"] if positions[0] > 0 else []
    last = positions[-1]
    previous: int | None = None
    for i in positions:
        if i == last and previous is not None:
            out.append(_group_class(units[previous + 1 : i]))
        out.append(units[i].sound)
        previous = i
    out.append(_final_class(units[last + 1 :]))
    key = "".join(out).replace("th", "t").replace("sh", "c")
    return _FINAL_DH.sub("d", key)
