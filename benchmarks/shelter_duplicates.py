"""Duplicate registrations on the synthetic sites: pairwise precision and recall of the pairs the
linker links, against the scenario's truth (`marsad.synth.shelter`).

    .venv/bin/python -m benchmarks.shelter_duplicates [--seed 1] [--households 400] [--sites 20]

A fresh SQLite store gets the scenario's sites, registrations and movements; `find_pairs` scores
every registration against every other; a pair is found when the model links it (the review
band is counted apart). Also checks that occupancy read from the log equals the scenario's
truth on every site and day.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import time
from itertools import combinations
from pathlib import Path

from sqlalchemy import select

from marsad.services.shelter_members import ingest_registrations
from marsad.services.shelter_movements import ingest_movements, occupancy_series
from marsad.services.shelter_pairs import find_pairs
from marsad.services.shelter_sites import ingest_sites
from marsad.store.db import open_store
from marsad.store.shelter_tables import ShelterMember, ShelterPair
from marsad.synth import shelter as synth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--households", type=int, default=400)
    parser.add_argument("--sites", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="marsad-shelter-dup-") as folder:
        out = Path(folder)
        synth.write_shelter(out, seed=args.seed, sites=args.sites, households=args.households)
        engine = open_store(str(out / "marsad.db"))
        ingest_sites(engine, out / synth.SITE_FILE, "bench")
        teams = [t for t, name in synth.MEMBER_FILES.items() if (out / name).exists()]
        for team in teams:
            ingest_registrations(engine, out / synth.MEMBER_FILES[team], team, "bench")
        ingest_movements(engine, out / synth.MOVEMENT_FILE, "bench")
        started = time.perf_counter()
        found = find_pairs(engine)
        seconds = time.perf_counter() - started
        with (out / synth.TRUTH_FILE).open(encoding="utf-8") as f:
            person = {row["registration_id"]: row["person"] for row in csv.DictReader(f)}
        with engine.connect() as conn:
            rows = conn.execute(select(ShelterMember.id, ShelterMember.registration_ref))
            refs = {int(r.id): r.registration_ref for r in rows}
            pairs = conn.execute(
                select(
                    ShelterPair.member_id, ShelterPair.other_member_id, ShelterPair.probability
                ).where(ShelterPair.other_member_id.is_not(None))
            ).all()
            by_person: dict[str, list[str]] = {}
            for ref, who in person.items():
                by_person.setdefault(who, []).append(ref)
            truth = {
                frozenset(pair) for refs_ in by_person.values() for pair in combinations(refs_, 2)
            }
            linked = {frozenset((refs[a], refs[b])) for a, b, p in pairs if p >= 0.8}
            series = occupancy_series(
                conn, synth.START, synth.START + dt.timedelta(days=synth.DAYS - 1)
            )
        with (out / synth.OCCUPANCY_FILE).open(encoding="utf-8") as f:
            wrong = 0
            for row in csv.DictReader(f):
                day = dt.date.fromisoformat(row["date"])
                got = {o.site_id: o for o in series.on(day)}[row["site_id"]]
                expected = tuple(
                    int(row[k]) for k in ("households", "individuals", "female", "male", "children")
                )
                wrong += (
                    got.households,
                    got.individuals,
                    got.female,
                    got.male,
                    got.children,
                ) != expected
        engine.dispose()
    right = len(linked & truth)
    precision = right / len(linked) if linked else 1.0
    recall = right / len(truth) if truth else 1.0
    print(
        f"{found.members:,} registrations by {len(teams)} teams, {len(truth):,} true duplicate"
        f" pairs: linked {len(linked):,}, precision {precision:.3f}, recall {recall:.3f};"
        f" {found.to_review:,} pairs to review; scored in {seconds:.1f} s;"
        f" occupancy cells differing from the truth: {wrong}"
    )


if __name__ == "__main__":
    main()
