"""The one way a stored value with a label is shown: `label(field, value, lang)`.

The store keeps codes (`killed`, `male`, `media`, `lcmcr`, `SY04`, `first_key`…) so that every
version reads it alike; a reader sees the words of their language. Pages, the API's HTML and
the reports call this function instead of building catalogue keys in templates, so a value
with no wording is found in one place. Places come from the packaged gazetteer
(`marsad/reference`): a p-code or any known spelling gives the name in `lang`.

A value with no label (a name, a note, a code the catalogue does not know) is returned as
stored: data is shown as it was written, never guessed at.
"""

from __future__ import annotations

import re

from marsad.i18n.catalogue import CATALOGUE
from marsad.i18n.formats import localise_digits

PREFIXES: dict[str, str] = {
    "status": "value.",
    "sex": "value.",
    "civilian": "value.",
    "kind": "kind.",
    "verification": "verification.",
    "method": "method_name.",
    "comparison": "comparison.",
    "review_kind": "review_kind.",
    "field": "field.",
    "audit_action": "audit_action.",
    "job_state": "job_state.",
    "lacking": "lacking.",
    "capture": "capture.",
    "custody_reason": "custody_reason.",
    "relationship": "relationship.",
}
"""Field → the catalogue prefix of its values' labels."""

PLACES = ("governorate", "district")


def _key(value: str) -> str:
    return value.strip().lower().replace(" ", "_").replace("-", "_").replace("'", "")


def _place(field: str, value: str, lang: str) -> str:
    # Imported here: the gazetteer is read by ingest, which itself uses the catalogue.
    from marsad.ingest.places import default_gazetteer

    gazetteer = default_gazetteer()
    code = value.strip()
    governorate = gazetteer.governorate_by_code(code) or gazetteer.governorate(code)
    if field == "governorate" and governorate is not None:
        return governorate.name_ar if lang == "ar" else governorate.name_en
    district = gazetteer.district_by_code(code.upper()) or gazetteer.district(code)
    if district is not None:
        return district.name_ar if lang == "ar" else district.name_en
    if governorate is not None:
        return governorate.name_ar if lang == "ar" else governorate.name_en
    return value


def has_label(field: str, value: object) -> bool:
    """Whether `value` of `field` has wording in the catalogue (places: in the gazetteer)."""
    if value is None or value == "":
        return False
    if field in PLACES:
        return _place(field, str(value), "en") != str(value) or _place(
            field, str(value), "ar"
        ) != str(value)
    prefix = PREFIXES.get(field)
    return prefix is not None and (
        f"{prefix}{value}" in CATALOGUE or f"{prefix}{_key(str(value))}" in CATALOGUE
    )


def label(field: str, value: object, lang: str) -> str:
    """`value` of `field` in `lang`: "killed" → "قُتل", "SY04" → "حمص", "lcmcr" → its name.

    None and "" are "" (a blank stays a blank); a value without a label is returned as stored.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "civilian" if value else "combatant"
    shown = str(value)
    if field in PLACES:
        return _place(field, shown, lang)
    prefix = PREFIXES.get(field)
    if prefix is None:
        return shown
    wording = CATALOGUE.get(f"{prefix}{shown}") or CATALOGUE.get(f"{prefix}{_key(shown)}")
    if wording is None:
        return shown
    return wording[1] if lang == "ar" else wording[0]


_GENERIC_LEVELS = (
    ("is NULL", "level.missing"),
    ("Exact match", "level.same"),
    (">= 0.9", "level.close"),
    ("Damerau", "level.close"),
    (">= 0.75", "level.similar"),
    ("All other", "level.other"),
)
"""Splink's own level names, read by the words they contain: which comparison they belong to
is said by the comparison's noun (`what.<comparison>`)."""


def _slug(text: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def level_words(comparison: str, level: str, lang: str, days_apart: int | None = None) -> str:
    """A linkage comparison's outcome in plain words: ("father_key", "Exact match on
    father_key") → "same father's name"; ("dod", "within 3 days") with `days_apart` 1 →
    "dates one day apart". A level no wording knows is returned as the model names it."""
    what_key = f"what.{comparison}"
    what = CATALOGUE[what_key][1 if lang == "ar" else 0] if what_key in CATALOGUE else comparison
    pick = 1 if lang == "ar" else 0
    if comparison == "dod" and days_apart is not None and level == "within 3 days":
        key = f"level.days_{days_apart}" if days_apart in (0, 1, 2) else "level.days_n"
        return CATALOGUE[key][pick].format(n=localise_digits(str(days_apart), lang))
    specific = CATALOGUE.get(f"level.{comparison}.{_slug(level)}")
    if specific is not None:
        return specific[pick]
    if level == "unknown":
        return CATALOGUE["level.missing"][pick].format(what=what)
    for marker, key in _GENERIC_LEVELS:
        if marker in level:
            return CATALOGUE[key][pick].format(what=what)
    return level


_PARSE_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^required but empty$", "reason.required"),
        (r"^spreadsheet formula, not a value: (?P<value>.*)$", "parse_reason.formula"),
        (r"^not a recognised sex\b[^:]*(: (?P<value>.*))?$", "parse_reason.sex"),
        (r"^not a recognised age(: (?P<value>.*))?$", "parse_reason.age"),
        (r"^not a recognised date(: (?P<value>.*))?$", "parse_reason.date"),
        (r"^not a recognised status\b[^:]*(: (?P<value>.*))?$", "parse_reason.status"),
        (r"^not a recognised civilian status\b[^:]*(: (?P<value>.*))?$", "parse_reason.civilian"),
        (r"^two-digit year; write the year in full(: (?P<value>.*))?$", "parse_reason.two_digit"),
        (r"^negative age(: (?P<value>.*))?$", "parse_reason.negative_age"),
        (r"^age range runs backwards(: (?P<value>.*))?$", "parse_reason.backwards"),
        (r"^unknown governorate: (?P<value>.*)$", "parse_reason.governorate"),
        (r"^no such p-code: (?P<value>.*)$", "parse_reason.pcode"),
        (r"^not an OCHA p-code[^:]*(: (?P<value>.*))?$", "parse_reason.not_pcode"),
    )
)
"""The parser's reasons (`marsad.ingest`), which it writes in English with the value it read
at the end, by the sentence they start with."""


def parse_reason(reason: str, lang: str) -> tuple[str, str | None] | None:
    """A parser's reason in `lang` and the value it names (kept as written), or None when
    no wording knows it (then it is shown as the parser wrote it)."""
    for pattern, key in _PARSE_REASONS:
        found = pattern.match(reason)
        if found is not None:
            value = found.groupdict().get("value")
            return CATALOGUE[key][1 if lang == "ar" else 0], value
    return None


_REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^a reason is required$", "refusal.reason"),
        (r"^no person (?P<value>\d+)$", "refusal.no_person"),
        (r"^status decision (?P<value>\d+) is already revoked$", "refusal.revoked"),
        (r"^no status decision (?P<value>\d+)$", "refusal.no_decision"),
        (r"^a person cannot be merged with itself$", "refusal.merge_itself"),
        (r"^(?P<value>'.*') is the last enabled admin.*$", "refusal.last_admin"),
        (r"^user (?P<value>'.*') already exists$", "refusal.user_exists"),
        (r"^user (?P<value>'.*') is disabled$", "refusal.user_disabled"),
        (r"^no user (?P<value>'.*')$", "refusal.no_user"),
        (r"^a username is .*$", "refusal.username"),
        (r"^this link has been used or has expired.*$", "refusal.link"),
    )
)
"""The services' refusals a page shows (`marsad.errors` messages, written in English for the
CLI and the API), by their wording."""


def refusal_words(message: str, lang: str) -> str | None:
    """A service's refusal in `lang`, the id or name it names kept as written; None when no
    wording knows it (then the page shows it as the service wrote it, marked English)."""
    for pattern, key in _REFUSALS:
        found = pattern.match(message)
        if found is not None:
            value = found.groupdict().get("value") or ""
            return CATALOGUE[key][1 if lang == "ar" else 0].format(value=value)
    return None
