"""The files a release publishes: the report in both languages and pseudonymised exports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from marsad.services.estimate import EstimateResult
from marsad.services.exports import export_table
from marsad.services.report import write_report

EXPORTS = (
    ("persons", "persons.csv", "csv", ("governorate",)),
    ("counts", "counts-by-governorate.hxl.csv", "hxl", ("governorate",)),
    ("counts", "counts-by-month.csv", "csv", ("month",)),
)


def write_release_files(
    engine: Engine, directory: Path, estimated: EstimateResult | None, user: str, release: str
) -> None:
    """Write the report (English and Arabic HTML) and the pseudonymised exports; the
    report reuses the release's estimate so the samplers run once."""
    by = estimated.settings.get("by", []) if estimated is not None else []
    for lang in ("en", "ar"):
        write_report(
            engine, directory / f"report.{lang}.html", by, estimated, lang=lang, release=release
        )
    for kind, file_name, fmt, group in EXPORTS:
        export_table(engine, kind, directory / file_name, fmt, user=user, by=group)
