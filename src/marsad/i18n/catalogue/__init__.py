"""Every phrase Marsad shows a person, in English and Arabic, in one format: key → (English,
Arabic). The web pages, the reports and the CLI read it through `marsad.i18n.text`.

The phrases are kept in one module per part of the interface, so a translator sees every
sentence beside its translation; a key defined in two modules is an error at import, never a
silent override. Placeholders are `str.format` fields, the same in both languages (a test
checks); callers pass numbers already formatted for the language (`marsad.i18n.formats`).
"""

from __future__ import annotations

from collections.abc import Mapping

from marsad.i18n.catalogue import account, data_pages, interface, persons, report, standards


def _merged(*parts: Mapping[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for part in parts:
        twice = sorted(set(part) & set(merged))
        if twice:
            raise KeyError(f"phrases defined twice in the catalogue: {', '.join(twice)}")
        merged.update(part)
    return merged


CATALOGUE = _merged(
    interface.PHRASES,
    persons.PHRASES,
    data_pages.PHRASES,
    account.PHRASES,
    report.PHRASES,
    standards.PHRASES,
)
