"""Issue 18: tracing the missing against 100,000 persons, beside a Primero-style baseline.

    .venv/bin/python benchmarks/tracing.py --people 130000 --cases 10000 --seed 18

A scenario (`marsad synth`'s generator, 4 lists) and relatives' reports of --cases sought
persons (`marsad.synth.missing`: half killed and on a list, a quarter killed and on none, the
detained on a detainees' list, the sheltered on none) are written into --work, the lists and
the detainees' list ingested into a fresh SQLite store and linked (`marsad link`), then the
reports ingested (`marsad missing ingest`) and every case matched (`match_cases`, timed).
Figures, against the truth (missing-truth.csv, truth.csv; detainees DA-n are D n):
- recall@5: cases whose sought person is in the store with that person among the top 5;
- precision among candidates with probability >= 0.9 (a candidate is right when one of its
  records is the sought person's);
- no-list cases (sought on no list: unlisted dead, sheltered) without a candidate >= 0.9;
- the time to match all cases, and the process's peak memory.
The baseline (benchmarks/tracing_baseline.py) ranks the same cases against the same persons;
its "likely" candidates stand for its confident ones. The store is kept in --work, so a second
run re-does only the matching (--reingest: the reports' ingest too). Prints one JSON object;
docs/benchmarks.md has the results.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import func, select, text  # noqa: E402

from benchmarks.linkage import load, peak_mb  # noqa: E402
from benchmarks.tracing_baseline import Baseline, Person, Query  # noqa: E402
from marsad.services.demo import ingest_scenario, read_truth  # noqa: E402
from marsad.services.ingest import ingest_file  # noqa: E402
from marsad.services.link import link  # noqa: E402
from marsad.services.tracing_cases import readable_cases  # noqa: E402
from marsad.services.tracing_ingest import ingest_reports  # noqa: E402
from marsad.services.tracing_match import match_cases  # noqa: E402
from marsad.services.tracing_pools import person_rows  # noqa: E402
from marsad.store.db import open_store  # noqa: E402
from marsad.store.models import LinkRun  # noqa: E402
from marsad.store.tracing_tables import MissingReport  # noqa: E402
from marsad.synth import generate, write_scenario  # noqa: E402
from marsad.synth.missing import DETAINEES  # noqa: E402
from marsad.synth.write import DETAINEES_FILE, MISSING_FILE, MISSING_TRUTH_FILE, write_missing  # noqa: E402

CONFIDENT = 0.9
IN_STORE = ("killed", "detained")
NO_LIST = ("unlisted", "sheltered")


def forget_reports(engine: Any) -> None:
    """Remove the reports, their cases and their import, to ingest them again (after a change
    to ingest or grouping) without linking the lists again."""
    with engine.begin() as conn:
        imports = list(conn.scalars(select(MissingReport.import_id).distinct()))
        for table in ("tracing_candidates", "tracing_steps", "missing_reports", "tracing_cases"):
            conn.execute(text(f"DELETE FROM {table}"))
        for import_id in imports:
            conn.execute(text("DELETE FROM quarantine WHERE import_id = :i"), {"i": import_id})
            conn.execute(text("DELETE FROM raw_rows WHERE import_id = :i"), {"i": import_id})
            conn.execute(text("DELETE FROM imports WHERE id = :i"), {"i": import_id})


def prepare(work: Path, people: int, cases: int, seed: int, again: bool) -> Any:
    if not (work / MISSING_FILE).exists():
        work.mkdir(parents=True, exist_ok=True)
        scenario = generate(seed=seed, people=people, lists=4)
        write_scenario(scenario, work)
        write_missing(scenario, work, cases, seed)
    engine = open_store(str(work / "marsad.db"))
    if again:
        forget_reports(engine)
    with engine.connect() as conn:
        ready = conn.scalar(select(func.count()).select_from(MissingReport))
        linked = conn.scalar(select(func.count()).select_from(LinkRun))
    if not linked:
        ingest_scenario(engine, work)
        ingest_file(engine, work / DETAINEES_FILE, DETAINEES.source, kind="monitoring_group")
        link(engine)
    if not ready:
        ingest_reports(engine, work / MISSING_FILE, "Tracing desk", "benchmark")
    return engine


def truth_of_records(work: Path) -> dict[tuple[str, str], str]:
    truth = read_truth(work / "truth.csv")
    with (work / DETAINEES_FILE).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            truth[(DETAINEES.source, row["record_id"])] = "D" + row["record_id"][3:].rjust(7, "0")
    return truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=130_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--work", type=Path, default=Path("/tmp/marsad-tracing-bench"))
    parser.add_argument(
        "--reingest", action="store_true", help="ingest the reports again (the lists stay linked)"
    )
    args = parser.parse_args()
    work = args.work / f"p{args.people}-c{args.cases}-s{args.seed}"
    started = time.perf_counter()
    engine = prepare(work, args.people, args.cases, args.seed, args.reingest)
    prepared = time.perf_counter() - started

    with (work / MISSING_TRUTH_FILE).open(encoding="utf-8") as handle:
        report_truth = {r["report_id"]: (r["sought"], r["fate"]) for r in csv.DictReader(handle)}
    record_truth = truth_of_records(work)
    with engine.connect() as conn:
        rows = person_rows(conn)
        views = readable_cases(conn, "internal")
    persons_true: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        who = record_truth.get((row.record.source, row.record.record_id))
        if who:
            persons_true[row.candidate_id].add(who)
    persons = len({r.candidate_id for r in rows})

    cases: dict[int, tuple[str, str]] = {}
    mixed = 0
    for view in views:
        sought = {report_truth[r.report_ref] for r in view.reports}
        mixed += len(sought) > 1
        cases[view.case_id] = sorted(sought)[0]
    in_store = {c for c, (who, fate) in cases.items() if fate in IN_STORE}
    no_list = {c for c, (who, fate) in cases.items() if fate in NO_LIST}

    before = time.perf_counter()
    matches = match_cases(engine, "benchmark")
    seconds = time.perf_counter() - before

    def figures(ranked: dict[int, list[tuple[int, float, bool]]]) -> dict[str, Any]:
        hits = sum(
            any(cases[c][0] in persons_true[p] for p, _, _ in ranked.get(c, [])[:5])
            for c in in_store
        )
        confident = [(c, p) for c, cands in ranked.items() for p, _, sure in cands if sure]
        right = sum(cases[c][0] in persons_true[p] for c, p in confident)
        clear = sum(not any(sure for _, _, sure in ranked.get(c, [])) for c in no_list)
        return {
            "recall_at_5": round(hits / max(len(in_store), 1), 4),
            "confident_candidates": len(confident),
            "precision_confident": round(right / max(len(confident), 1), 4),
            "no_list_without_confident": round(clear / max(len(no_list), 1), 4),
        }

    marsad = figures(
        {
            m.case_id: [
                (c.person_id, c.probability, c.probability >= CONFIDENT) for c in m.candidates
            ]
            for m in matches
        }
    )

    by_person: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_person[row.candidate_id].append(row.record)
    ids = sorted(by_person)
    baseline = Baseline(
        [
            Person(
                " ".join(r.name for r in by_person[p]),
                " ".join(r.name_mother or "" for r in by_person[p]),
                frozenset(r.sex for r in by_person[p] if r.sex),
                tuple(r.age_min for r in by_person[p] if r.age_min is not None),
            )
            for p in ids
        ]
    )
    before_baseline = time.perf_counter()
    ranked_baseline: dict[int, list[tuple[int, float, bool]]] = {}
    for view in views:
        best: dict[int, tuple[float, bool]] = {}
        for r in view.reports:
            age = r.age_min
            if age is None and r.birth_year_max is not None and r.last_seen_date:
                age = int(r.last_seen_date[:4]) - r.birth_year_max
            for i, score, likely in baseline.rank(Query(r.name, r.name_mother, r.sex, age)):
                p = ids[i]
                if p not in best or score > best[p][0]:
                    best[p] = (score, likely)
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])[:20]
        ranked_baseline[view.case_id] = [(p, s, likely) for p, (s, likely) in ranked]
    baseline_seconds = time.perf_counter() - before_baseline

    print(
        json.dumps(
            {
                "people": args.people,
                "seed": args.seed,
                "persons": persons,
                "cases": len(cases),
                "cases_mixing_two_sought": mixed,
                "cases_in_store": len(in_store),
                "cases_on_no_list": len(no_list),
                "prepare_seconds": round(prepared, 1),
                "match_seconds": round(seconds, 1),
                "marsad": marsad,
                "baseline": {**figures(ranked_baseline), "seconds": round(baseline_seconds, 1)},
                "peak_mb": round(peak_mb()),
                "load": load(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
