"""Stores for the data and review pages' tests, built by the real services.

`linked_sqlite_file` ingests a small synthetic scenario and links it (the trained model leaves
uncertain pairs for review) once per test session; each test copies the file. Linking takes a
few seconds, so it is done once, not per test.
"""

from __future__ import annotations

import csv
import shutil
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine

from marsad.services.demo import ingest_scenario
from marsad.services.link import link
from marsad.services.review_queue import queue_size
from marsad.store.db import make_engine, migrate
from marsad.synth import generate, write_scenario

SCENARIO_PEOPLE = 800
SCENARIO_SEED = 3

UPLOAD_COLUMNS = ("record_id", "name", "sex", "date_of_death", "governorate")
GOOD_ROWS = (
    ("up-1", "Synthetic Upload One", "male", "2025-03-07", "Lattakia"),
    ("up-2", "Synthetic Upload Two", "female", "2025-03", "Tartous"),
)
BAD_ROW = ("up-3", "Synthetic Upload Three", "male", "=DATE(2025,2,31)", "Lattakia")
"""A row whose date of death is a spreadsheet formula: it goes to quarantine. (A date that is
only not understood leaves the date unknown and keeps the record.)"""
FIXED_DATE = "2025-02-28"


def write_upload(path: Path, rows: tuple[tuple[str, ...], ...] = (*GOOD_ROWS, BAD_ROW)) -> Path:
    """A small list in the standard columns: two good rows and one the parser refuses."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(UPLOAD_COLUMNS)
        writer.writerows(rows)
    return path


def link_scenario(engine: Engine, directory: Path) -> int:
    """Ingest and link the scenario into `engine`; returns how many pairs wait for review."""
    lists = directory / "lists"
    if not lists.exists():
        write_scenario(generate(seed=SCENARIO_SEED, people=SCENARIO_PEOPLE, lists=3), lists)
    ingest_scenario(engine, lists)
    link(engine)
    return queue_size(engine)


@lru_cache(maxsize=1)
def linked_sqlite_file(base: Path) -> Path:
    """A migrated, linked SQLite store under `base`, built once per session; copy it."""
    directory = base / "linked-store"
    directory.mkdir()
    path = directory / "linked.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    waiting = link_scenario(engine, directory)
    engine.dispose()
    assert waiting >= 4, "the scenario should leave pairs for review"
    return path


def copy_store(source: Path, target: Path) -> str:
    """Copy a SQLite store (with its write-ahead log, if any); returns the copy's URL."""
    for suffix in ("", "-wal", "-shm"):
        found = Path(f"{source}{suffix}")
        if found.exists():
            shutil.copy(found, Path(f"{target}{suffix}"))
    return f"sqlite:///{target}"
