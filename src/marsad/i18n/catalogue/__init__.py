"""Every phrase Marsad shows a person, in English and Arabic, in one format: a YAML file per part
of the interface, each phrase a key with its `en` and `ar` side by side, so a translator sees
every sentence beside its translation. The web pages, the reports and the CLI read them through
`marsad.i18n.text`.

A key given twice, in one file or in two, is an error when the catalogue is read, never a
silent override; placeholders are `str.format` fields, the same in both languages (a test
checks); callers pass numbers already formatted for the language (`marsad.i18n.formats`).
"""

from __future__ import annotations

from importlib import resources

import yaml

from marsad.domain.strict_yaml import StrictLoader

PARTS = (
    "interface",
    "persons",
    "data_pages",
    "account",
    "evidence",
    "shelter",
    "tracing",
    "report",
    "standards",
    "reasons",
    "linkage",
    "operations",
    "pages",
)
"""The catalogue's files (`<part>.yaml` beside this module), in the order they are read."""


def _read(part: str) -> dict[str, tuple[str, str]]:
    text = resources.files(__package__).joinpath(f"{part}.yaml").read_text(encoding="utf-8")
    phrases = yaml.load(text, Loader=StrictLoader)
    return {str(key): (str(both["en"]), str(both["ar"])) for key, both in phrases.items()}


def _catalogue() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for part in PARTS:
        phrases = _read(part)
        twice = sorted(set(phrases) & set(merged))
        if twice:
            raise KeyError(f"{part}.yaml: phrases defined twice: {', '.join(twice)}")
        merged.update(phrases)
    return merged


CATALOGUE = _catalogue()
"""Key → (English, Arabic)."""
