"""Occupancy at scale: 200 sites × 365 days read from a log of 1,000,000 movements on SQLite.

    .venv/bin/python -m benchmarks.shelter [--events 1000000] [--sites 200] [--rounds 3]

A store is made in a temporary directory: the sites, 50,000 households with their registered
members (two to five each), and each household's 20 movements over one year (an arrival, 18
transfers, a departure, on random days), plus 1% of the movements reversed by a correction.
The rows are written straight to the tables (the log's content, not ingest, is what is timed).
Then `occupancy_series` reads the whole log and computes every site on every day, `--rounds`
times; the figure is the median wall time, with the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from marsad.services.shelter_movements import occupancy_series
from marsad.store.db import open_store

FIRST = dt.date(2025, 3, 1)
DAYS = 365
MOVES = 20


def build(engine: Engine, events: int, sites: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    households = events // MOVES
    with engine.begin() as conn:
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(
            "INSERT INTO sources (id, name, kind, created_at)"
            " VALUES (1, 'bench', 'field_team', '2025-01-01')"
        )
        cursor.execute(
            "INSERT INTO imports (id, source_id, file_name, sha256, imported_at, imported_by,"
            " file_format, profile, columns, warnings, rows_total, rows_recorded,"
            " rows_quarantined, rows_already_present) VALUES (1, 1, 'bench', 'x', '2025-01-01',"
            " 'bench', 'csv', '{}', '[]', '[]', 0, 0, 0, 0)"
        )
        cursor.executemany(
            "INSERT INTO shelter_sites (id, site_ref, name, site_type, updated_by, updated_at)"
            " VALUES (?, ?, ?, 'camp', 'bench', '2025-01-01')",
            [(i + 1, f"S{i + 1:03d}", f"site {i + 1}") for i in range(sites)],
        )
        cursor.executemany(
            "INSERT INTO shelter_households (id, household_ref) VALUES (?, ?)",
            [(h + 1, f"H{h + 1}") for h in range(households)],
        )
        sizes = rng.integers(2, 6, households)
        member_household = np.repeat(np.arange(1, households + 1), sizes)
        n = len(member_household)
        cursor.executemany(
            "INSERT INTO raw_rows (id, import_id, row_number, data) VALUES (?, 1, ?, '{}')",
            [(i + 1, i + 2) for i in range(n)],
        )
        sex = np.where(rng.random(n) < 0.5, "female", "male")
        child = rng.random(n) < 0.45
        cursor.executemany(
            "INSERT INTO shelter_members (id, raw_row_id, import_id, source_id, registration_ref,"
            " household_id, site_id, registered_on, name, sex, child, vulnerabilities)"
            " VALUES (?, ?, 1, 1, ?, ?, 1, '2025-03-01', 'x', ?, ?, '[]')",
            [
                (i + 1, i + 1, f"R{i + 1}", int(h), str(s), bool(c))
                for i, (h, s, c) in enumerate(zip(member_household, sex, child, strict=True))
            ],
        )
        days = np.sort(rng.integers(0, DAYS, (households, MOVES)), axis=1)
        at = rng.integers(1, sites + 1, (households, MOVES))
        rows = []
        for h in range(households):
            for k in range(MOVES):
                day = (FIRST + dt.timedelta(days=int(days[h, k]))).isoformat()
                if k == 0:
                    event, leaves, enters = "arrival", None, int(at[h, 0])
                elif k == MOVES - 1:
                    event, leaves, enters = "departure", int(at[h, k - 1]), None
                else:
                    event, leaves, enters = "transfer", int(at[h, k - 1]), int(at[h, k])
                rows.append(
                    (
                        len(rows) + 1,
                        f"M{len(rows) + 1}",
                        h + 1,
                        day,
                        event,
                        leaves,
                        enters,
                        int(sizes[h]),
                    )
                )
        cursor.executemany(
            "INSERT INTO shelter_movements (id, movement_ref, household_id, moved_on, event,"
            " from_site_id, to_site_id, individuals, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'bench', '2025-01-01')",
            rows,
        )
        reversed_ = rng.choice(len(rows), size=len(rows) // 100, replace=False)
        cursor.executemany(
            "INSERT INTO shelter_movements (id, movement_ref, household_id, moved_on, event,"
            " from_site_id, to_site_id, individuals, reverses_id, recorded_by, recorded_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'bench', '2025-01-01')",
            [
                (len(rows) + i + 1, f"C{i + 1}", *rows[int(r)][2:8], int(r) + 1)
                for i, r in enumerate(reversed_)
            ],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="marsad-shelter-bench-") as folder:
        engine = open_store(str(Path(folder) / "marsad.db"))
        started = time.perf_counter()
        build(engine, args.events, args.sites)
        print(f"store built in {time.perf_counter() - started:.1f} s")
        times = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            with engine.connect() as conn:
                series = occupancy_series(conn, FIRST, FIRST + dt.timedelta(days=DAYS - 1))
            times.append(time.perf_counter() - started)
        engine.dispose()
    cells = len(series.site_ids) * series.grid.days
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"occupancy of {len(series.site_ids)} sites × {series.grid.days} days ({cells:,} cells)"
        f" from {args.events:,} movements (+1% corrections):"
        f" median {statistics.median(times):.2f} s"
        f" over {args.rounds} rounds ({', '.join(f'{t:.2f}' for t in times)}); peak memory"
        f" {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
