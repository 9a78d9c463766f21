"""A whole synthetic scenario: the true population and the lists that partly record it.

`generate` is pure and cheap in memory: it draws people and who each list captured, and keeps
numbers, not strings. `Scenario.records` renders one list's rows on demand, from its own random
stream, so lists can be written one at a time and the result does not depend on call order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from marsad.errors import InputError
from marsad.synth.lists import PALETTE, ListProfile, capture, rows_with_duplicates
from marsad.synth.people import CHILD, HEAD, Population, make_population
from marsad.synth.places_data import governorates
from marsad.synth.render import render
from marsad.synth.settings import Settings
from marsad.synth.shapes import ListShape, shaped_profile
from marsad.synth.shaping import Shaping

_POPULATION, _VISIBILITY, _CAPTURE, _RENDER, _INCIDENTS, _SHAPE, _GREAT = 0, 1, 2, 3, 4, 5, 6


def _rng(seed: int, *key: int) -> np.random.Generator:
    """An independent PCG64 stream for one stage (and list) of one seed."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def person_id(index: int) -> str:
    return f"P{index + 1:07d}"


@dataclass(frozen=True)
class SourceList:
    """One list: its profile, and the true person behind each of its rows, in file order."""

    position: int
    profile: ListProfile
    rows: npt.NDArray[np.int64]
    shape: ListShape | None = None
    """How the list is written; None writes every standard column the profile's way."""

    @property
    def people(self) -> npt.NDArray[np.int64]:
        """Distinct true persons on this list."""
        return np.unique(self.rows)


@dataclass(frozen=True)
class Scenario:
    seed: int
    settings: Settings
    population: Population
    lists: tuple[SourceList, ...]

    @property
    def people(self) -> int:
        return self.population.size

    def documented(self) -> npt.NDArray[np.bool_]:
        """For each true person, whether at least one list recorded them."""
        on_any = np.zeros(self.people, dtype=bool)
        for source in self.lists:
            on_any[source.rows] = True
        return on_any

    @property
    def documented_people(self) -> int:
        return int(self.documented().sum())

    def incident_reports(self, count: int = 12) -> list[dict[str, str]]:
        """Reports of the largest mass killings as a monitoring group first hears of them:
        no names, a range of deaths around the true number, a grade of how well supported
        the report is (the incidents CSV of docs/formats.md)."""
        rng = _rng(self.seed, _INCIDENTS)
        pop = self.population
        hit = pop.incident >= 0
        if not hit.any():
            return []
        ids, sizes = np.unique(pop.incident[hit], return_counts=True)
        order = np.argsort(-sizes, kind="stable")[:count]
        dates = pop.dates()
        names = [g.name_en for g in governorates()]
        grades = ("confirmed", "fair", "weak", "contested", "discounted")
        reports = []
        for n, index in enumerate(order):
            members = np.flatnonzero(pop.incident == ids[index])
            true = int(sizes[index])
            low = max(1, int(true * rng.uniform(0.6, 1.0)))
            high = max(low, round(true * rng.uniform(1.0, 1.5)))
            first = members[0]
            reports.append(
                {
                    "incident_id": f"INC-{n + 1:03d}",
                    "date": str(dates[first]),
                    "governorate": names[pop.governorate[first]],
                    "killed_min": str(low),
                    "killed_max": str(high),
                    "grade": grades[int(rng.choice(5, p=[0.35, 0.3, 0.2, 0.1, 0.05]))],
                    "description": "bodies reported after an attack (synthetic)",
                }
            )
        return reports

    @cached_property
    def great_grandfather(self) -> npt.NDArray[np.int16]:
        """Each person's great-grandfather (index in the male names), for five-part names;
        siblings share their father's grandfather. Drawn from its own stream, so it is only
        drawn when a shape asks for it and nothing else moves."""
        pop = self.population
        rng = _rng(self.seed, _GREAT)
        table = pop.names.male
        own = rng.choice(table.size, size=pop.size, p=table.weights)
        units = int(pop.unit.max()) + 1 if pop.size else 0
        by_unit = rng.choice(table.size, size=units, p=table.weights)
        heads = np.flatnonzero(pop.role == HEAD)
        by_unit[pop.unit[heads]] = pop.grandfather[heads]
        child = pop.role == CHILD
        own[child] = by_unit[pop.unit[child]]
        return np.asarray(own, dtype=np.int16)

    def records(self, position: int) -> dict[str, list[str]]:
        """The columns of one list's file (same output for the same seed, always)."""
        source = self.lists[position]
        rng = _rng(self.seed, _RENDER, source.position)
        shaping = None
        if source.shape is not None:
            stream = _rng(self.seed, _SHAPE, source.position)
            shaping = Shaping(source.shape, stream, self.great_grandfather)
        return render(rng, source.profile, self.population, source.rows, self.settings, shaping)

    def manifest(self) -> dict[str, Any]:
        """The content of scenario.json."""
        return {
            "seed": self.seed,
            "people": self.people,
            "lists": [
                {
                    "source": s.profile.source,
                    "kind": s.profile.kind,
                    "file": s.profile.file_name,
                    "records": len(s.rows),
                    "copies": self._source_name(s.profile.copies),
                    **self._shape_entry(s),
                }
                for s in self.lists
            ],
            "documented_people": self.documented_people,
            "incidents": {"file": "incidents.csv", "source": self.lists[0].profile.source},
            "settings": self.settings.as_dict(),
        }

    @staticmethod
    def _shape_entry(source: SourceList) -> dict[str, Any]:
        if source.shape is None:
            return {}
        return {"shape": source.shape.as_dict(), "columns": list(source.shape.columns())}

    def _source_name(self, slug: str | None) -> str | None:
        for s in self.lists:
            if s.profile.slug == slug:
                return s.profile.source
        return None


def generate(
    seed: int,
    people: int,
    lists: int,
    shapes: Sequence[ListShape] | None = None,
    **options: Any,
) -> Scenario:
    """Draw a scenario: `people` true persons, recorded by the first `lists` sources of PALETTE.

    Options are the fields of `Settings`. `shapes`, one per list, say how each list is written
    (shapes.py); without them every list writes every standard column its profile's way. The
    population does not depend on `lists` or shapes, and list k is the same whatever the
    number of lists after it.
    """
    if seed < 0:
        raise InputError("seed must be >= 0")
    if people < 1:
        raise InputError("people must be >= 1")
    if not 1 <= lists <= len(PALETTE):
        raise InputError(f"lists must be between 1 and {len(PALETTE)}")
    if shapes is not None and len(shapes) != lists:
        raise InputError(f"{len(shapes)} shapes given for {lists} lists")
    settings = Settings.from_options(options)
    population = make_population(_rng(seed, _POPULATION), people, settings)
    visibility = _rng(seed, _VISIBILITY).standard_normal(people)
    captured: dict[str, npt.NDArray[np.bool_]] = {}
    chosen: list[SourceList] = []
    for position, palette_profile in enumerate(PALETTE[:lists]):
        shape = shapes[position] if shapes is not None else None
        profile = palette_profile if shape is None else shaped_profile(palette_profile, shape)
        rng = _rng(seed, _CAPTURE, position)
        copied = captured.get(profile.copies) if profile.copies else None
        on_list = capture(rng, profile, population, visibility, copied, settings)
        captured[profile.slug] = on_list
        rows = rows_with_duplicates(rng, on_list, profile, settings)
        chosen.append(SourceList(position=position, profile=profile, rows=rows, shape=shape))
    return Scenario(seed=seed, settings=settings, population=population, lists=tuple(chosen))
