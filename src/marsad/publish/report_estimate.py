"""The estimate's caveats in the report's language: who the identifiability rule left out, how
much of the interval linkage accounts for, and the warnings when the lists look split.

The estimate service records them as figures and codes (`estimate --json`); this module turns
them into sentences for the report, the CLI and the JSON's English `message`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marsad.i18n import format_count, has_text, text, whole_percent
from marsad.publish.report_data import ReportData

SHARES = ("share", "expected")
"""Warning figures that are shares (0-1), shown as percentages."""


def warning_figures(values: Mapping[str, Any], lang: str = "en") -> dict[str, str]:
    """A warning's figures as its sentence shows them: shares as percentages, counts whole."""
    return {
        key: whole_percent(value, lang) if key in SHARES else format_count(value, lang)
        for key, value in values.items()
    }


def warning_text(code: str, values: Mapping[str, Any], lang: str = "en") -> str:
    """A split-lists warning (`warning.<code>`) in plain words, its figures formatted."""
    return text(f"warning.{code}", lang, **warning_figures(values, lang))


def linkage_text(linkage: Mapping[str, Any], lang: str = "en") -> str | None:
    """How the interval carries linkage uncertainty, or why it does not."""
    draws = linkage.get("draws")
    if not draws:
        reason = linkage.get("reason")
        return text(f"linkage.{reason}", lang) if reason else None
    share = linkage.get("width_share")
    if not isinstance(share, int | float):
        return text("estimate.linkage_no_share", lang, draws=format_count(draws, lang))
    return text(
        "estimate.linkage",
        lang,
        draws=format_count(draws, lang),
        share=whole_percent(share, lang),
    )


def _lacking(what: str, lang: str) -> str:
    key = f"identifiable.lacking.{what}"
    return text(key, lang) if has_text(key) else what


def identifiability_context(left: Mapping[str, Any] | None, lang: str) -> dict[str, Any]:
    """The identifiability paragraph and the left-out table (what is lacking: records, persons)."""
    if not left:
        return {"identifiable_text": None, "left_out_rows": [], "waived_texts": []}
    rule = left["rule"]
    sentence = text(
        "estimate.identifiable",
        lang,
        parts=format_count(rule["min_name_parts"], lang),
        date=text(f"precision.{rule['date_precision']}", lang),
        place=text(f"level.{rule['place_level']}", lang),
        records=format_count(left["records"], lang),
        records_out=format_count(left["records_left_out"], lang),
        persons=format_count(left["persons"], lang),
        persons_out=format_count(left["persons_left_out"], lang),
    )
    by_records, by_persons = left["records_by_missing"], left["persons_by_missing"]
    rows = [
        (
            _lacking(what, lang),
            format_count(by_records.get(what, 0), lang),
            format_count(by_persons.get(what, 0), lang),
        )
        for what in sorted({*by_records, *by_persons})
    ]
    waived = [
        text(
            "estimate.waived",
            lang,
            lists=", ".join(sources),
            what=" / ".join(text(f"waived.{w}", lang) for w in requirement),
        )
        for requirement, sources in _by_requirement(left.get("waived", {})).items()
    ]
    return {"identifiable_text": sentence, "left_out_rows": rows, "waived_texts": waived}


def _by_requirement(waived: Mapping[str, list[str]]) -> dict[tuple[str, ...], list[str]]:
    out: dict[tuple[str, ...], list[str]] = {}
    for source, requirements in waived.items():
        out.setdefault(tuple(requirements), []).append(source)
    return out


def estimate_details_context(data: ReportData, lang: str) -> dict[str, Any]:
    return {
        "split_warnings": [
            warning_text(w["code"], w["values"], lang) for w in data.estimate_warnings
        ],
        "linkage_text": linkage_text(data.linkage_uncertainty, lang) if data.estimate else None,
    } | identifiability_context(data.identifiability, lang)
