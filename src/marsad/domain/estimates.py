"""Capture histories and population-size estimates, independent of how they were computed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Pattern = tuple[int, ...]
"""One capture pattern: 1 where the list recorded the person, 0 where it did not."""


@dataclass(frozen=True)
class CaptureHistories:
    """How many persons each combination of lists recorded.

    `counts` never holds the all-zero pattern: those are the persons no list recorded,
    which is what estimation is for. Patterns missing from `counts` have count 0.
    """

    lists: tuple[str, ...]
    counts: dict[Pattern, int]

    def __post_init__(self) -> None:
        width = len(self.lists)
        for pattern, count in self.counts.items():
            if len(pattern) != width or any(bit not in (0, 1) for bit in pattern):
                raise ValueError(f"pattern {pattern} does not fit lists {self.lists}")
            if not any(pattern):
                raise ValueError("the all-zero pattern is unobserved by definition")
            if count < 0:
                raise ValueError(f"negative count for pattern {pattern}")

    @property
    def observed(self) -> int:
        return sum(self.counts.values())

    def list_sizes(self) -> dict[str, int]:
        return {
            name: sum(c for p, c in self.counts.items() if p[i])
            for i, name in enumerate(self.lists)
        }


@dataclass
class Estimate:
    """A population size with its interval, the method that produced it and its diagnostics."""

    observed: int
    estimate: float
    interval: tuple[float, float]
    level: float
    method: str
    model: str = ""
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "estimate": self.estimate,
            "interval": [self.interval[0], self.interval[1]],
            "level": self.level,
            "method": self.method,
            "model": self.model,
            "diagnostics": self.diagnostics,
        }
