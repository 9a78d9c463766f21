"""Axes shared by the charts: round ticks, linear scales and week labels."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from marsad.i18n import ARABIC_MONTHS, localise_digits

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def nice_step(raw: float) -> int:
    """The smallest whole step of 1, 2 or 5 times a power of ten that is at least `raw`."""
    if raw <= 1 or not math.isfinite(raw):
        return 1
    power: float = 10.0 ** math.floor(math.log10(raw))
    return max(1, round(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)))


def nice_ticks(maximum: float, target: int = 5) -> list[int]:
    """Whole-number axis ticks from 0 past `maximum`, spaced 1, 2 or 5 times a power of ten.

    The last tick is the axis end, so bars never overflow it; about `target` intervals.
    """
    if maximum <= 0 or not math.isfinite(maximum):
        return [0, 1]
    step = nice_step(maximum / max(target, 1))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def nice_range_ticks(low: float, high: float, target: int = 5) -> list[int]:
    """Whole-number ticks from at or below `low` to at or above `high`, in round steps.

    For axes that need not start at zero, such as a posterior of N. A range narrower than one
    (constant draws) is widened by one on each side, so the value sits mid-axis.
    """
    if high - low < 1:
        centre = round((low + high) / 2)
        return [centre - 1, centre, centre + 1]
    step = nice_step((high - low) / max(target, 1))
    start = math.floor(low / step) * step
    end = math.ceil(high / step) * step
    return list(range(start, end + 1, step))


def week_label(day: datetime.date, lang: str = "en") -> str:
    """Axis label for a week: its Monday as "5 Feb" (the year goes on a second line)."""
    if lang == "ar":
        return localise_digits(f"{day.day} {ARABIC_MONTHS[day.month - 1]}", lang)
    return f"{day.day} {MONTHS[day.month - 1]}"


@dataclass(frozen=True)
class LinearScale:
    """Data values `start`..`end` onto pixels `left`..`right` (an axis from nice ticks)."""

    start: float
    end: float
    left: float
    right: float

    def __call__(self, value: float) -> float:
        return self.left + (value - self.start) * (self.right - self.left) / (self.end - self.start)
