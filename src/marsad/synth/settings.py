"""The knobs of a synthetic scenario, with defaults that look like the 2025 Syrian-coast lists."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Settings:
    """Every option of `generate`; multipliers (1.0 = default) scale the per-list rates."""

    start: str = "2025-01-01"
    """First day of the period; deaths fall over `days` days from here."""
    days: int = 365
    spike_share: float = 0.5
    """Share of deaths in the 6–10 March 2025 spike (outside incidents, 70% of which fall in it);
    the rest is a background and a decaying tail."""
    family_share: float = 0.45
    """Share of people killed together with relatives (households, brothers)."""
    incident_share: float = 0.35
    """Share of family units that die in a mass-killing incident (shared date, place, id)."""
    missing_share: float = 0.04
    """Share of people whose true status is missing rather than killed."""
    first_name_zipf: float = 1.0
    family_name_zipf: float = 0.8
    coverage: float = 1.0
    """Multiplier on each list's capture rate."""
    heterogeneity: float = 1.0
    """Multiplier on capture log-odds by governorate, sex, age and incident (0 = homogeneous)."""
    correlation: float = 1.0
    """Multiplier on the person-level visibility shared by all lists (positive dependence)."""
    copy_rate: float = 1.0
    """Multiplier on the share of a copied list that the copying list takes over."""
    typos: float = 1.0
    duplicates: float = 1.0
    name_variation: float = 1.0
    """Multiplier on spelling variants, dropped articles and dropped name parts."""
    missing_fields: float = 1.0
    partial_dates: float = 1.0
    date_shifts: float = 1.0
    errors: float = 1.0
    """Multiplier on sex and age recording errors."""

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Settings:
        """Build from keyword options; an unknown name is an error, not silently ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"unknown synth option(s): {', '.join(unknown)}")
        settings = cls(**options)
        for f in fields(cls):
            value = getattr(settings, f.name)
            if isinstance(value, int | float) and value < 0:
                raise ValueError(f"synth option {f.name} must be >= 0")
        for name in ("spike_share", "family_share", "incident_share", "missing_share"):
            if getattr(settings, name) > 1:
                raise ValueError(f"synth option {name} must be <= 1")
        if settings.days < 60:
            raise ValueError("synth option days must be >= 60")
        return settings

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
