"""Causes of death in English and Arabic, so that "shooting" and "إطلاق نار" are one cause.

Sources write causes as free text in either language; comparing a person's records, or
counting by cause, needs them on one vocabulary. Written by hand because the vocabulary is
the domain's own (the categories monitoring groups in Syria use); a cause not in it is kept
as given, never forced into a category.
"""

from __future__ import annotations

from functools import lru_cache

from marsad.names import normalise_name

CAUSES: dict[str, tuple[str, ...]] = {
    "shooting": ("shooting", "gunshot", "gunfire", "shot", "إطلاق نار", "رصاص", "طلق ناري"),
    "sniper": ("sniper", "sniper fire", "قنص", "قناص", "برصاص قناص"),
    "field execution": (
        "field execution",
        "execution",
        "summary execution",
        "إعدام ميداني",
        "إعدام",
        "تصفية",
    ),
    "shelling": ("shelling", "artillery", "mortar", "قصف", "قصف مدفعي", "قذيفة", "هاون"),
    "airstrike": ("airstrike", "air strike", "aerial bombardment", "غارة جوية", "قصف جوي", "غارة"),
    "explosion": ("explosion", "car bomb", "ied", "انفجار", "سيارة مفخخة", "عبوة ناسفة"),
    "explosive remnants": (
        "explosive remnants",
        "landmine",
        "unexploded ordnance",
        "مخلفات حرب",
        "لغم",
        "ألغام",
    ),
    "torture": ("torture", "death under torture", "تعذيب", "تحت التعذيب"),
    "abduction then killing": (
        "abduction then killing",
        "kidnapped and killed",
        "خطف ثم قتل",
        "خطف وقتل",
    ),
    "stabbing": ("stabbing", "knife", "طعن", "سلاح أبيض"),
    "burning": ("burning", "burned", "حرق", "حرقا"),
    "unknown": ("unknown", "not known", "غير معروف", "مجهول"),
}


def _key(text: str) -> str:
    return " ".join(normalise_name(text).casefold().split())


_BY_KEY = {_key(spelling): term for term, spellings in CAUSES.items() for spelling in spellings}


@lru_cache(maxsize=4096)
def cause_term(text: str | None) -> str | None:
    """The vocabulary's English term for a cause in either language, else the text as given
    (trimmed); None for nothing. Cached: lists write a few causes over and over, and
    verification reads every record's."""
    if text is None or not text.strip():
        return None
    return _BY_KEY.get(_key(text), text.strip())
