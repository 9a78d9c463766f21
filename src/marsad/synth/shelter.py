"""A synthetic displacement with its truth: sites, households registered by field teams, and
the movement log, for the demo, the tests and the benchmarks.

Families flee to sites over the first weeks; some later move to another site, where the team
there registers them again as a new household (another household_id, the names written again:
in the other script, with another spelling of a name or a typo, sometimes without the
grandfather's name). That second registration is the duplicate the linker must find. Some
families go home. A few movements are entered wrongly and later reversed, as the log's rules
say. The truth: which registrations are one person (`shelter_truth.csv`), and every site's
occupancy at the end of every day (`occupancy_truth.csv`), simulated apart from the log.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from marsad.shelter.members import MEMBER_COLUMNS, is_child
from marsad.shelter.movements import MOVEMENT_COLUMNS
from marsad.shelter.sites import SITE_COLUMNS
from marsad.synth.people import name_tables
from marsad.synth.settings import Settings
from marsad.synth.spelling import NameTable, typo

START = dt.date(2025, 3, 6)
DAYS = 120
SITE_FILE = "shelter_sites.csv"
MOVEMENT_FILE = "shelter_movements.csv"
TRUTH_FILE = "shelter_truth.csv"
OCCUPANCY_FILE = "occupancy_truth.csv"
_TYPES = ("collective_centre", "military_base", "camp", "informal", "host_community")
_GOVERNORATES = ("SY06", "SY10", "SY05", "SY01")
TYPOS = 0.03
"""Share of name parts written with a typo (one or two character edits)."""
TEAMS = ("Team A", "Team B", "Team C", "Team D")
"""The registering teams; A and C write names in Arabic script, B and D in Latin letters."""
MEMBER_FILES = {team: f"shelter_registrations_{team[-1].lower()}.csv" for team in TEAMS}
"""One registration file per team."""


@dataclass(frozen=True)
class _Member:
    person: str
    sex: str
    age: int
    first: int
    father: int
    grandfather: int
    family: int
    relationship: str


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _spelled(table: NameTable, index: int, arabic: bool, rng: np.random.Generator) -> str:
    """One spelling of name `index`, in one script, sometimes with a typo."""
    if arabic:
        text = str(table.arabic[index, rng.integers(table.arabic_count[index])])
    else:
        text = str(table.latin[index, rng.integers(table.latin_count[index])])
    if rng.random() < TYPOS:
        text = typo(text, rng.random(7).tolist(), latin=not arabic)
    return text


def write_shelter(
    out_dir: Path, *, seed: int = 1, sites: int = 20, households: int = 400
) -> list[Path]:
    """Write the sites, registrations, movements and their truth into `out_dir`."""
    rng = np.random.default_rng(seed)
    tables = name_tables(Settings())
    out_dir.mkdir(parents=True, exist_ok=True)
    site_rows: list[dict[str, object]] = []
    for s in range(sites):
        governorate = _GOVERNORATES[s % len(_GOVERNORATES)]
        site_rows.append(
            {
                "site_id": f"S{s + 1:03d}",
                "name": f"Site {s + 1}",
                "name_ar": f"موقع {s + 1}",
                "site_type": _TYPES[s % len(_TYPES)],
                "pcode": governorate,
                "capacity_individuals": int(rng.integers(50, 2000)),
                "opened_on": START.isoformat(),
            }
        )
    team_of_site = [TEAMS[s % len(TEAMS)] for s in range(sites)]
    arabic_team = {team: k % 2 == 0 for k, team in enumerate(TEAMS)}

    members: dict[str, list[dict[str, object]]] = {}
    movements: list[dict[str, object]] = []
    truth: list[dict[str, object]] = []
    where = np.full((households, DAYS), -1, dtype=np.int64)
    sizes = np.zeros(households, dtype=np.int64)
    composition: list[tuple[int, int, int]] = []
    registrations = 0

    def register(h: int, people: list[_Member], site: int, day: int, ref: str) -> None:
        nonlocal registrations
        arabic = arabic_team[team_of_site[site]]
        on = (START + dt.timedelta(days=day)).isoformat()
        drop_grandfather = rng.random() < 0.3
        for m in people:
            registrations += 1
            given_age = rng.random() < 0.8
            first_table = tables.male if m.sex == "male" else tables.female
            parts = [
                _spelled(first_table, m.first, arabic, rng),
                _spelled(tables.male, m.father, arabic, rng),
                "" if drop_grandfather else _spelled(tables.male, m.grandfather, arabic, rng),
                _spelled(tables.family, m.family, arabic, rng),
            ]
            reg = f"{team_of_site[site][-1]}-{registrations:06d}"
            members.setdefault(team_of_site[site], []).append(
                {
                    "registration_id": reg,
                    "household_id": ref,
                    "site_id": site_rows[site]["site_id"],
                    "registered_on": on,
                    # Registration forms ask for each part of the name apart.
                    "name_first": parts[0],
                    "name_father": parts[1],
                    "name_grandfather": parts[2],
                    "name_family": parts[3],
                    "sex": m.sex,
                    # The age, or else the year of birth: a child is counted by one of them.
                    "age": m.age if given_age else "",
                    "year_of_birth": "" if given_age else START.year - m.age,
                    "relationship_to_head": m.relationship,
                }
            )
            truth.append({"source": team_of_site[site], "registration_id": reg, "person": m.person})

    def move(ref: str, day: int, event: str, leaves: int, enters: int, n: int) -> None:
        movements.append(
            {
                "movement_id": f"M{len(movements) + 1:07d}",
                "household_id": ref,
                "date": (START + dt.timedelta(days=day)).isoformat(),
                "event": event,
                "from_site": site_rows[leaves]["site_id"] if leaves >= 0 else "",
                "to_site": site_rows[enters]["site_id"] if enters >= 0 else "",
                "individuals": n,
            }
        )

    for h in range(households):
        family = int(rng.choice(tables.family.size, p=tables.family.weights))
        head_first = int(rng.choice(tables.male.size, p=tables.male.weights))
        head_father = int(rng.choice(tables.male.size, p=tables.male.weights))
        grandfather = int(rng.choice(tables.male.size, p=tables.male.weights))
        people = [
            _Member(
                f"P{h}-0",
                "male",
                int(rng.integers(25, 70)),
                head_first,
                head_father,
                grandfather,
                family,
                "head",
            )
        ]
        if rng.random() < 0.85:
            wife = int(rng.choice(tables.female.size, p=tables.female.weights))
            people.append(
                _Member(
                    f"P{h}-1",
                    "female",
                    people[0].age - int(rng.integers(0, 10)),
                    wife,
                    int(rng.choice(tables.male.size, p=tables.male.weights)),
                    int(rng.choice(tables.male.size, p=tables.male.weights)),
                    int(rng.choice(tables.family.size, p=tables.family.weights)),
                    "spouse",
                )
            )
        # Parents do not give two of their children (nor a son and his father) one name.
        names_used = {("male", head_first)}
        for k in range(int(rng.integers(0, 6))):
            sex = "male" if rng.random() < 0.5 else "female"
            table = tables.male if sex == "male" else tables.female
            first = int(rng.choice(table.size, p=table.weights))
            while (sex, first) in names_used:
                first = int(rng.choice(table.size, p=table.weights))
            names_used.add((sex, first))
            people.append(
                _Member(
                    f"P{h}-{k + 2}",
                    sex,
                    int(rng.integers(0, 17)),
                    first,
                    head_first,
                    head_father,
                    family,
                    "child",
                )
            )
        sizes[h] = len(people)
        composition.append(
            (
                sum(m.sex == "female" for m in people),
                sum(m.sex == "male" for m in people),
                sum(is_child(m.age, None, None) for m in people),
            )
        )
        first_site = int(rng.integers(sites))
        arrive = int(rng.integers(0, 30))
        ref = f"H{h + 1:05d}-{team_of_site[first_site][-1]}"
        register(h, people, first_site, arrive, ref)
        move(ref, arrive, "arrival", -1, first_site, len(people))
        where[h, arrive:] = first_site
        if rng.random() < 0.05:
            # A wrong entry and its correction a few days later.
            wrong = int(rng.integers(sites))
            move(ref, arrive + 1, "arrival", -1, wrong, len(people))
            movements.append(
                {
                    "movement_id": f"M{len(movements) + 1:07d}",
                    "date": (START + dt.timedelta(days=arrive + 3)).isoformat(),
                    "reverses": movements[-1]["movement_id"],
                }
            )
        roll = rng.random()
        if roll < 0.25 and sites > 1:
            later = int(rng.integers(arrive + 5, DAYS - 10))
            second = int((first_site + rng.integers(1, sites)) % sites)
            if team_of_site[second] == team_of_site[first_site]:
                move(ref, later, "transfer", first_site, second, len(people))
            else:
                # Registered again by the other site's team, as a new household.
                new_ref = f"H{h + 1:05d}-{team_of_site[second][-1]}"
                move(ref, later, "departure", first_site, -1, len(people))
                register(h, people, second, later, new_ref)
                move(new_ref, later, "arrival", -1, second, len(people))
            where[h, later:] = second
        elif roll < 0.4:
            home = int(rng.integers(arrive + 5, DAYS))
            move(ref, home, "return", first_site, -1, len(people))
            where[h, home:] = -1

    occupancy: list[dict[str, object]] = []
    comp = np.array(composition, dtype=np.int64).reshape(-1, 3)
    for day in range(DAYS):
        at = where[:, day]
        for s in range(sites):
            here = at == s
            occupancy.append(
                {
                    "date": (START + dt.timedelta(days=day)).isoformat(),
                    "site_id": site_rows[s]["site_id"],
                    "households": int(here.sum()),
                    "individuals": int(sizes[here].sum()),
                    "female": int(comp[here, 0].sum()),
                    "male": int(comp[here, 1].sum()),
                    "children": int(comp[here, 2].sum()),
                }
            )
    movements.sort(key=lambda m: (str(m["date"]), str(m["movement_id"])))
    return [
        _write(out_dir / SITE_FILE, SITE_COLUMNS, site_rows),
        *(
            _write(out_dir / MEMBER_FILES[team], MEMBER_COLUMNS, rows)
            for team, rows in sorted(members.items())
        ),
        _write(out_dir / MOVEMENT_FILE, MOVEMENT_COLUMNS, movements),
        _write(out_dir / TRUTH_FILE, ("source", "registration_id", "person"), truth),
        _write(
            out_dir / OCCUPANCY_FILE,
            ("date", "site_id", "households", "individuals", "female", "male", "children"),
            occupancy,
        ),
    ]
