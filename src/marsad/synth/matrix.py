"""A matrix of synthetic scenarios fixed in a file: seeds, sizes and list shapes.

benchmarks/scenarios.yaml is one; benchmarks/matrix.py runs it. Fixing the matrix in the repo
before anyone tunes on it is the point: a scenario here is a claim about a real situation,
written down before its figures were seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marsad.synth.scenario import Scenario, generate
from marsad.synth.settings import Settings
from marsad.synth.shapes import ListShape, ShapeError, list_shapes, mapping, read_yaml_file

_KEYS = {"name", "stands_for", "seed", "people", "settings", "lists"}


@dataclass(frozen=True)
class ScenarioSpec:
    """One row of the matrix: what it stands for, and everything `generate` needs."""

    name: str
    stands_for: str
    seed: int
    people: int
    shapes: tuple[ListShape, ...]
    settings: dict[str, Any]

    @property
    def lists(self) -> int:
        return len(self.shapes)

    def generate(self) -> Scenario:
        return generate(self.seed, self.people, self.lists, shapes=self.shapes, **self.settings)


def _count(value: Any, source: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ShapeError(f"{source}: {key}: expected a whole number above 0, got {value!r}")
    return int(value)


def _scenario(data: Any, source: str, key: str, presets: dict[str, ListShape]) -> ScenarioSpec:
    body = mapping(data, source, key)
    for item in body:
        if item not in _KEYS:
            expected = ", ".join(sorted(_KEYS))
            raise ShapeError(f"{source}: {key}.{item}: unknown setting (expected {expected})")
    for item in ("name", "stands_for", "seed", "people", "lists"):
        if item not in body:
            raise ShapeError(f"{source}: {key}.{item}: required")
    settings = mapping(body.get("settings") or {}, source, f"{key}.settings")
    try:
        Settings.from_options(settings)
    except (TypeError, ValueError) as error:
        raise ShapeError(f"{source}: {key}.settings: {error}") from None
    shapes = list_shapes(body["lists"], f"{source}: {key}", presets)
    return ScenarioSpec(
        name=str(body["name"]),
        stands_for=str(body["stands_for"]),
        seed=_count(body["seed"], source, f"{key}.seed"),
        people=_count(body["people"], source, f"{key}.people"),
        shapes=shapes,
        settings=dict(settings),
    )


def read_matrix(path: Path) -> list[ScenarioSpec]:
    """The scenarios of a matrix file (`presets:` of its own, then `scenarios:`)."""
    source = str(path)
    data, presets = read_yaml_file(path, ("presets", "scenarios"))
    items = data.get("scenarios")
    if not isinstance(items, list) or not items:
        raise ShapeError(f"{source}: scenarios: expected a list of scenarios")
    specs = [_scenario(item, source, f"scenarios[{i}]", presets) for i, item in enumerate(items)]
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise ShapeError(f"{source}: scenarios: names must differ")
    return specs
