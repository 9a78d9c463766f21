"""Write a scenario to a folder: one standard-record CSV per list, the truth, and a manifest.

Lists are rendered and written one at a time, so memory stays bounded by the largest list
(a million-person scenario writes in well under 2 GB).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from marsad.synth.missing import TRUTH_COLUMNS, missing_reports
from marsad.synth.people import CAUSES, KILLED, MALE
from marsad.synth.places_data import DISTRICTS, governorates
from marsad.synth.scenario import Scenario, person_id

TRUTH_FILE = "truth.csv"
PEOPLE_FILE = "people.csv"
MANIFEST_FILE = "scenario.json"
INCIDENTS_FILE = "incidents.csv"
PEOPLE_COLUMNS = (
    "person_id",
    "sex",
    "age",
    "date_of_death",
    "governorate_pcode",
    "district_pcode",
    "status",
    "civilian",
    "cause",
    "incident",
    "family_unit",
    "lists",
)


def write_scenario(scenario: Scenario, out_dir: Path) -> list[Path]:
    """Write every file of the scenario into out_dir (created if needed); return their paths.

    Files: <list slug>.csv for each list (the standard columns, or those of its shape),
    truth.csv (source, record_id, person_id — one row per written record), people.csv (true
    attributes of every person, no names), incidents.csv (unnamed reports of the largest mass
    killings, by the first list's source), scenario.json.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    truth_path = out_dir / TRUTH_FILE
    with truth_path.open("w", encoding="utf-8", newline="") as truth_file:
        truth = csv.writer(truth_file, lineterminator="\n")
        truth.writerow(("source", "record_id", "person_id"))
        for source in scenario.lists:
            columns = scenario.records(source.position)
            path = out_dir / source.profile.file_name
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows(zip(*columns.values(), strict=True))
            name = source.profile.source
            ids = columns["record_id"]
            truth.writerows(
                (name, rid, person_id(p)) for rid, p in zip(ids, source.rows.tolist(), strict=True)
            )
            written.append(path)
    written.append(truth_path)
    written.append(_write_people(scenario, out_dir / PEOPLE_FILE))
    reports = scenario.incident_reports()
    if reports:
        incidents = out_dir / INCIDENTS_FILE
        with incidents.open("w", encoding="utf-8", newline="") as f:
            report_writer = csv.DictWriter(f, fieldnames=list(reports[0]), lineterminator="\n")
            report_writer.writeheader()
            report_writer.writerows(reports)
        written.append(incidents)
    manifest = out_dir / MANIFEST_FILE
    text = json.dumps(scenario.manifest(), ensure_ascii=False, indent=2)
    manifest.write_text(text + "\n", encoding="utf-8")
    written.append(manifest)
    return written


def _write_people(scenario: Scenario, path: Path) -> Path:
    """The ground truth per person, for stratified benchmarks (true counts by place, sex…)."""
    pop = scenario.population
    on_lists = np.zeros(pop.size, dtype=np.int64)
    for source in scenario.lists:
        on_lists[source.people] += 1
    gov_codes = np.array([g.pcode for g in governorates()], dtype=object)
    district_codes = np.array([d.pcode for d in DISTRICTS] + [""], dtype=object)
    dates = np.datetime_as_string(pop.dates(), unit="D")
    columns = (
        [person_id(i) for i in range(pop.size)],
        np.where(pop.sex == MALE, "male", "female").tolist(),
        pop.age.tolist(),
        dates.tolist(),
        gov_codes[pop.governorate].tolist(),
        district_codes[pop.district].tolist(),
        np.where(pop.status == KILLED, "killed", "missing").tolist(),
        np.where(pop.civilian, "true", "false").tolist(),
        np.array([c[0] for c in CAUSES], dtype=object)[pop.cause].tolist(),
        [f"INC-{k + 1:04d}" if k >= 0 else "" for k in pop.incident.tolist()],
        pop.unit.tolist(),
        on_lists.tolist(),
    )
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(PEOPLE_COLUMNS)
        writer.writerows(zip(*columns, strict=True))
    return path


MISSING_FILE = "missing-reports.csv"
DETAINEES_FILE = "detainees.csv"
MISSING_TRUTH_FILE = "missing-truth.csv"


def _write_columns(path: Path, columns: dict[str, list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(zip(*columns.values(), strict=True))
    return path


def write_missing(scenario: Scenario, out_dir: Path, cases: int, seed: int) -> list[Path]:
    """Relatives' reports of `cases` sought persons (missing-reports.csv, the standard report
    CSV of docs/formats.md), the detainees' list they may be on (detainees.csv) and the truth
    of each report (missing-truth.csv: `marsad.synth.missing.TRUTH_COLUMNS`)."""
    files = missing_reports(scenario, cases, seed)
    truth = out_dir / MISSING_TRUTH_FILE
    with truth.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(TRUTH_COLUMNS)
        writer.writerows(files.truth)
    return [
        _write_columns(out_dir / MISSING_FILE, files.reports),
        _write_columns(out_dir / DETAINEES_FILE, files.detainees),
        truth,
    ]
