"""The documented list of vulnerabilities a registration may carry (docs/formats.md).

A closed list, so that counts by vulnerability mean the same thing across teams; the words
are those of the CCCM and protection registration forms in English and Arabic.
"""

from __future__ import annotations

from marsad.ingest.values import fold

VULNERABILITIES: dict[str, str] = {
    "unaccompanied_child": "طفل غير مصحوب",
    "separated_child": "طفل منفصل عن ذويه",
    "disability": "إعاقة",
    "pregnant": "حامل",
    "lactating": "مرضع",
    "chronic_illness": "مرض مزمن",
    "serious_medical_condition": "حالة طبية خطيرة",
    "elderly_alone": "مسن وحيد",
    "female_headed_household": "أسرة تعيلها امرأة",
    "child_headed_household": "أسرة يعيلها طفل",
    "survivor_of_violence": "ناجٍ من العنف",
    "missing_family_member": "فرد مفقود من الأسرة",
}
"""Each vulnerability's code, and its Arabic label (the English label is the code in words)."""

_BY_WORD = (
    {fold(code): code for code in VULNERABILITIES}
    | {fold(code.replace("_", " ")): code for code in VULNERABILITIES}
    | {fold(arabic): code for code, arabic in VULNERABILITIES.items()}
)


def parse_vulnerabilities(value: str) -> tuple[str, ...]:
    """`;`-separated codes (or their Arabic labels) as codes, in the list's order; ValueError
    naming the first word that is not on the list. A space also separates, as KoBo writes the
    answers of a select_multiple question."""
    separator = ";" if ";" in value else " "
    if separator == " " and fold(value) in _BY_WORD:
        return (_BY_WORD[fold(value)],)
    found: set[str] = set()
    for word in value.split(separator):
        if not word.strip():
            continue
        code = _BY_WORD.get(fold(word.strip()))
        if code is None:
            raise ValueError(
                f"{word.strip()!r} is not on the vulnerabilities list (docs/formats.md)"
            )
        found.add(code)
    return tuple(code for code in VULNERABILITIES if code in found)
