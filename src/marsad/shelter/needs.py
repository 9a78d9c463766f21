"""Needs assessments: what a site lacks, sector by sector, as a key informant judges it on a day.

Severity runs 1 (no or minimal need) to 5 (catastrophic), as the humanitarian needs overviews'
severity scale does; the sectors are those of the coordination clusters the numbers go to.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTORS = ("shelter", "food", "water", "health", "protection", "education")
SEVERITIES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Assessment:
    """One sector's needs at one site on one day."""

    site_id: str
    assessed_on: str
    sector: str
    severity: int
    note: str | None = None
    informant: str | None = None


def check_assessment(sector: str, severity: int) -> str | None:
    """Why an assessment cannot be recorded, or None."""
    if sector not in SECTORS:
        return f"sector {sector!r} is not one of {', '.join(SECTORS)}"
    if severity not in SEVERITIES:
        return f"severity {severity} is not from 1 to 5"
    return None
