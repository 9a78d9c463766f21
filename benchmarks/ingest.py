"""Ingest throughput: rows/second and peak memory, N standard-CSV rows into SQLite/PostgreSQL.

    .venv/bin/python benchmarks/ingest.py --rows 1000000            # SQLite, in a temp dir
    .venv/bin/python benchmarks/ingest.py --rows 1000000 --postgres # also a throwaway PostgreSQL

Peak memory is the resident-set high-water mark of a fresh child process that does only the
ingest, so it measures the ingest and nothing else. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import csv
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.domain.records import STANDARD_COLUMNS  # noqa: E402

GOVERNORATES = ("Lattakia", "اللاذقية", "Tartous", "طرطوس", "Hama", "Homs", "حمص", "Idlib")
FIRST = ("Mohammad", "محمد", "Ahmad", "أحمد", "Ali", "علي", "Hassan", "Fatima", "فاطمة", "Omar")
FAMILY = ("al-Asaad", "الأسعد", "Haddad", "حداد", "Issa", "Khalil", "خليل", "Darwish", "Saleh")


def write_rows(path: Path, count: int) -> None:
    """A realistic standard CSV: mixed scripts, partial dates, ranges, some empty fields."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STANDARD_COLUMNS)
        for i in range(count):
            first, family = FIRST[i % len(FIRST)], FAMILY[(i // 7) % len(FAMILY)]
            father = FIRST[(i // 3) % len(FIRST)]
            day = 1 + i % 28
            date = f"2025-03-{day:02d}" if i % 5 else "2025-03"
            writer.writerow(
                [
                    f"R-{i:08d}",
                    f"{first} {father} {family}",
                    first,
                    father,
                    "",
                    family,
                    "",
                    "male" if i % 3 else "female",
                    str(i % 90) if i % 4 else "30-40",
                    date,
                    GOVERNORATES[i % len(GOVERNORATES)],
                    "",
                    "",
                    "",
                    "",
                    "killed",
                    "yes" if i % 2 else "",
                    "",
                    "",
                    "",
                ]
            )


CHILD = """
import resource, sys, time
from pathlib import Path
from marsad.services.ingest import ingest_file
from marsad.store.db import open_store
engine = open_store(sys.argv[1])
start = time.perf_counter()
summary = ingest_file(engine, Path(sys.argv[2]), "Benchmark")
seconds = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(summary.rows_recorded, seconds, peak_mb)
"""


def measure(db_url: str, path: Path) -> tuple[int, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, db_url, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        path = directory / "rows.csv"
        write_rows(path, args.rows)
        print(
            f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
            f"python {platform.python_version()}; file {path.stat().st_size / 1e6:.0f} MB"
        )
        targets = [("sqlite", f"sqlite:///{directory / 'bench.db'}")]
        server = None
        if args.postgres:
            from tests.pg import PostgresServer

            server = PostgresServer.start()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sys; from sqlalchemy import create_engine, text; "
                    "e = create_engine(sys.argv[1], isolation_level='AUTOCOMMIT'); "
                    "e.connect().execute(text('CREATE DATABASE bench'))",
                    server.admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                ],
                check=True,
            )
            targets.append(("postgresql", server.url("bench")))
        try:
            for name, url in targets:
                rows, seconds, peak = measure(url, path)
                print(
                    f"{name:>10}: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s,"
                    f" peak RSS {peak:,.0f} MB"
                )
        finally:
            if server is not None:
                server.stop()
    print(f"parent peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
