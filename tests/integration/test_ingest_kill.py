"""A kill mid-way through a file leaves the store exactly as it was before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import Engine

from marsad.services.ingest import ingest_file
from tests.integration.helpers import counts, person, write_csv

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from marsad.services.ingest import ingest_file
    from marsad.store.db import open_store

    def report(rows):
        print(rows, flush=True)

    ingest_file(open_store(sys.argv[1]), Path(sys.argv[2]), "Monitoring group", progress=report)
    print("finished", flush=True)
    """
)


def test_killed_ingest_leaves_the_store_as_before(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    ingest_file(
        engine, write_csv(tmp_path / "first.csv", [person("K-0", "Ali Hassan")]), "Monitoring group"
    )
    before = counts(engine)
    rows = (person(f"K-{i}", f"Person {i} Hassan", age=str(i % 90)) for i in range(1, 30_001))
    big = write_csv(tmp_path / "big.csv", rows)
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, db_url, str(big)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout is not None
    seen = 0
    for line in process.stdout:
        assert line.strip() != "finished", "the ingest ended before it could be killed"
        seen = int(line)
        if seen >= 4_000:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert seen >= 4_000
    assert counts(engine) == before
    summary = ingest_file(engine, big, "Monitoring group")
    assert summary.rows_recorded == 30_000, "the file can be ingested again after the kill"
