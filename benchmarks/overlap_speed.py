"""Issue 21: how fast a party encodes a large list, and a linkage unit links encoded lists.

    .venv/bin/python benchmarks/overlap_speed.py encode --records 1000000
    .venv/bin/python benchmarks/overlap_speed.py link --people 100000 --lists 5

`encode`: a list of --records rows in the standard CSV, made of the lists of a `marsad synth`
scenario (--people, seed 1) written again and again with new record ids until it is long
enough, is encoded by `marsad.services.overlap.encode_file` (reading, parsing as ingest does,
name keys, encoding, writing), timed whole. Its names repeat as often as a real list's of that
length would repeat them, roughly: the scenario's name pool is that of one population.

`link`: the lists of a `marsad synth` scenario (--people, --lists, seed 1), each encoded by its
party, are linked by `link_files` (reading the encoded files, blocking, scoring, clustering,
writing the histories and each party's units), timed whole.

Prints one JSON object with the seconds, the process's peak memory and the load average.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.linkage import load, peak_mb  # noqa: E402
from marsad.domain.records import STANDARD_COLUMNS  # noqa: E402
from marsad.services.overlap import encode_file, link_files, make_secret  # noqa: E402
from marsad.synth import generate, write_scenario  # noqa: E402


def scenario(people: int, lists: int) -> tuple[Path, list[dict[str, Any]]]:
    folder = Path(f"/tmp/marsad-overlap-speed-{people}-{lists}")
    if not (folder / "scenario.json").exists():
        write_scenario(generate(seed=1, people=people, lists=lists), folder)
    manifest = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))["lists"]
    return folder, manifest


def secret(folder: Path) -> Path:
    path = folder / "secret.key"
    if not path.exists():
        make_secret(path)
    return path


def long_list(folder: Path, manifest: list[dict[str, Any]], records: int) -> Path:
    """One CSV of `records` rows: the scenario's lists over and over, record ids made unique."""
    out = folder / f"long-{records}.csv"
    if out.exists():
        return out
    rows = []
    for item in manifest:
        with (folder / item["file"]).open(newline="", encoding="utf-8") as handle:
            rows.extend({c: r.get(c, "") for c in STANDARD_COLUMNS} for r in csv.DictReader(handle))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(STANDARD_COLUMNS))
        writer.writeheader()
        for n in range(records):
            row = dict(rows[n % len(rows)])
            row["record_id"] = f"{row['record_id']}-{n // len(rows)}"
            writer.writerow(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["encode", "link"])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--lists", type=int, default=5)
    args = parser.parse_args()
    folder, manifest = scenario(args.people, args.lists)
    key = secret(folder)
    report: dict[str, Any] = {"what": args.what, "people": args.people}
    if args.what == "encode":
        path = long_list(folder, manifest, args.records)
        started = time.perf_counter()
        summary = encode_file(path, key, folder / "long.encoded.csv", label="long")
        report |= {"records": summary.records, "rejected": summary.rejected}
    else:
        paths = []
        for item in manifest:
            paths.append(folder / f"{item['file']}.encoded.csv")
            encode_file(folder / item["file"], key, paths[-1], label=item["source"])
        started = time.perf_counter()
        summary = link_files(paths, folder / "histories.csv", pairs_out=folder / "units")
        report |= {
            "lists": summary.lists,
            "records": sum(summary.lists.values()),
            "pairs_compared": summary.pairs_compared,
            "persons": summary.persons,
        }
    report |= {
        "seconds": round(time.perf_counter() - started, 1),
        "peak_mb": round(peak_mb()),
        "load": load(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
