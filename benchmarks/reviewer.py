"""A simulated reviewer who answers from the truth: what review, and learning from it, gains.

    .venv/bin/python benchmarks/reviewer.py                        # issue-14, every arm
    .venv/bin/python benchmarks/reviewer.py --scenario palette --decisions 250,500
    .venv/bin/python benchmarks/reviewer.py --orders value --learning on --jobs 1

The scenario (benchmarks/scenarios.yaml, `issue-14` by default) is written, ingested and linked
once. Each arm then starts from a copy of that store, in a fresh child process, and a reviewer
who always answers right (truth.csv) decides the pairs of the review queue in its order,
through the service layer as a reviewer would (`accept` / `reject`), the persons rebuilt once
a session (`recluster`) rather than after each answer: the pairs of a session were chosen
before it began, so only the time differs. After 0, 250, 500, 1,000 and 2,000 decisions the
arm records pairwise precision and recall, the persons found, and the estimate
(`estimate_store`, LCMCR, preset "fast").

An arm is an order and whether the model learns:
- order `value`: `review_queue` as reviewers see it (the answers worth most first), read in
  sessions of 50 pairs as `marsad review` does; `likeliest`: the likeliest match first, the
  queue's order before reviewers taught the model.
  Both put the held-back pairs (first names clearly disagree) last.
- learning `off`: decisions only. `on`: decisions and the correction they teach: `link` re-runs
  at each checkpoint after the first, learns from every decision so far, and re-scores. (Without
  learning, a re-run scores the same pairs the same way, so it is not run.)

Also printed: LCMCR on the true capture histories (as benchmarks/matrix.py computes it) and the
true number killed. Results go to docs/benchmarks.md by hand, with the load printed beside them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.estimation import true_histories  # noqa: E402
from benchmarks.linkage import in_child, load, machine  # noqa: E402
from benchmarks.matrix import MATRIX, quality, summary, timed  # noqa: E402
from marsad.linkage.learn import MIN_EACH, MIN_LABELS, PENALTY  # noqa: E402
from marsad.linkage.model import MATCH_THRESHOLD  # noqa: E402
from marsad.services.demo import ingest_scenario, read_truth  # noqa: E402
from marsad.services.estimate import estimate_histories, estimate_store  # noqa: E402
from marsad.services.link import link, recluster  # noqa: E402
from marsad.services.review import accept, reject  # noqa: E402
from marsad.services.review_queue import ReviewItem, queue_size, review_queue  # noqa: E402
from marsad.store.db import open_store  # noqa: E402
from marsad.store.models import LinkDecision, Record, Source  # noqa: E402
from marsad.synth import write_scenario  # noqa: E402
from marsad.synth.matrix import read_matrix  # noqa: E402

REVIEWER = "simulated reviewer"
SESSION = 50
"""Pairs a `marsad review` session takes from the queue (the command's default), decided in
the order given before the queue is read again."""
ORDERS = ("value", "likeliest")


@dataclass(frozen=True)
class Arm:
    order: str
    learning: bool

    @property
    def name(self) -> str:
        return f"{self.order} order, learning {'on' if self.learning else 'off'}"


def prepare(matrix: Path, scenario: str, folder: Path) -> dict[str, Any]:
    """Synthesise, ingest and link the scenario once; the true-history estimate beside it."""
    spec = next(s for s in read_matrix(matrix) if s.name == scenario)
    list_dir = folder / "lists"
    write_scenario(spec.generate(), list_dir)
    engine = open_store(f"sqlite:///{folder / 'start.db'}")
    ingest_scenario(engine, list_dir, user="benchmark")
    linked, seconds = timed(lambda: link(engine))
    missed = missed_links(engine, list_dir)
    engine.dispose()
    histories, _, killed = true_histories(list_dir)
    fitted, fit_seconds = timed(lambda: estimate_histories(histories, method="lcmcr"))
    return {
        "scenario": scenario,
        "people": spec.people,
        "lists": spec.lists,
        "records": linked.clusters.records,
        "link_seconds": round(seconds, 1),
        "waiting": linked.review_pairs,
        "missed": missed,
        "truth": killed,
        "true_documented_killed": histories.observed,
        "true_history": summary(fitted.total, fit_seconds),
    }


def missed_links(engine: Any, list_dir: Path) -> dict[str, int]:
    """True pairs of records the linkage left in two persons, by the model's decision on them
    (uncertain: waiting for review; unlikely, by score; none: never compared), and how many of
    the waiting pairs are one person: where review and learning can find links."""
    truth = read_truth(list_dir / "truth.csv")
    with engine.connect() as conn:
        records = conn.execute(
            select(Record.id, Record.person_id, Source.name, Record.record_id).join(
                Source, Source.id == Record.source_id
            )
        ).all()
        decided = {
            frozenset((r.record_a_id, r.record_b_id)): (r.decision, r.score)
            for r in conn.execute(
                select(
                    LinkDecision.record_a_id,
                    LinkDecision.record_b_id,
                    LinkDecision.decision,
                    LinkDecision.score,
                ).where(LinkDecision.kind == "model")
            )
        }
    person = {r.id: r.person_id for r in records}
    who = {r.id: truth.get((r.name, r.record_id)) for r in records}
    members: dict[Hashable, list[int]] = {}
    for rid, true_person in who.items():
        if true_person is not None:
            members.setdefault(true_person, []).append(rid)
    missed: Counter[str] = Counter()
    for ids in members.values():
        for a, b in combinations(ids, 2):
            if person[a] is None or person[a] != person[b]:
                decision, score = decided.get(frozenset((a, b)), ("none", None))
                if decision == "unlikely":
                    decision = "unlikely 0.3–0.5" if score >= 0.3 else "unlikely 0.05–0.3"
                missed[decision] += 1
    waiting = [p for p, (d, _) in decided.items() if d == "uncertain"]
    same = sum(
        1 for p in waiting if len({who[r] for r in p}) == 1 and None not in {who[r] for r in p}
    )
    return {**missed, "waiting": len(waiting), "waiting one person": same}


def likeliest_first(engine: Any) -> list[ReviewItem]:
    """The whole queue, likeliest first and held-back pairs last (the order before learning)."""
    items = review_queue(engine, limit=max(queue_size(engine), 1))
    return sorted(items, key=lambda i: (i.held_back, -(i.probability or 0.0), i.decision_id))


def run_arm(
    folder: Path, arm: Arm, checkpoints: list[int], log: Path | None
) -> list[dict[str, Any]]:
    """One arm from a copy of the linked store: decisions in queue order, figures at each
    checkpoint (in a fresh child process), each also appended to `log` (JSON lines)."""
    store = folder / f"{arm.order}-{'on' if arm.learning else 'off'}.db"
    shutil.copyfile(folder / "start.db", store)
    engine = open_store(f"sqlite:///{store}")
    truth: dict[tuple[str, str], Hashable] = dict(read_truth(folder / "lists" / "truth.csv"))
    rows: list[dict[str, Any]] = []
    done = accepted = 0
    started = time.perf_counter()
    learned = ""
    for checkpoint in checkpoints:
        pending: list[ReviewItem] = likeliest_first(engine) if arm.order == "likeliest" else []
        while done < checkpoint:
            if not pending and arm.order == "value":
                recluster(engine)
                pending = review_queue(engine, limit=SESSION)
            if not pending:
                break
            item = pending.pop(0)
            a, b = item.record_a, item.record_b
            same = truth.get((a.source, a.record_id)) == truth.get((b.source, b.record_id))
            decide = accept if same else reject
            decide(engine, a.id, b.id, REVIEWER, rebuild=False)
            done += 1
            accepted += same
        relinked = None
        if arm.learning and done > 0:
            relinked, _ = timed(lambda: link(engine))
            learned = relinked.learned
        else:
            recluster(engine)
        measured = quality(engine, folder / "lists")
        estimate, seconds = timed(
            lambda: estimate_store(engine, method="lcmcr", preset="fast", save=False)
        )
        row = {
            "decisions": done,
            "accepted": accepted,
            **measured,
            "estimate": summary(estimate.total, seconds),
            "waiting": queue_size(engine),
            "machine_matches": None if relinked is None else relinked.model_matches,
            "learned": learned,
            "seconds": round(time.perf_counter() - started),
        }
        rows.append(row)
        if log is not None:
            with log.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"arm": arm.name, "load": load(), **row}) + "\n")
    engine.dispose()
    return rows


def shown(item: dict[str, Any]) -> str:
    return f"{item['estimate']:,.0f} [{item['low']:,.0f}–{item['high']:,.0f}]"


def table(start: dict[str, Any], results: dict[str, list[dict[str, Any]]]) -> str:
    reference = start["true_history"]["estimate"]
    lines = [
        "| arm | decisions | accepted | precision | recall | persons found / true documented"
        " | LCMCR (fast) | vs true-history median | waiting | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, rows in results.items():
        for r in rows:
            error = (r["estimate"]["estimate"] - reference) / reference
            lines.append(
                f"| {name} | {r['decisions']:,} | {r['accepted']:,} | {r['precision']:.4f}"
                f" | {r['recall']:.4f} | {r['persons_found']:,} / {r['true_documented_stored']:,}"
                f" | {shown(r['estimate'])} | {error:+.1%} | {r['waiting']:,} | {r['seconds']:,} |"
            )
    learned = [(name, r["decisions"], r["learned"]) for name, rows in results.items() for r in rows]
    lines += ["", "What each re-link learned:", ""]
    lines += [f"- {name}, {n:,} decisions: {text}" for name, n, text in learned if text]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matrix", type=Path, default=MATRIX, help="a scenario matrix file")
    parser.add_argument("--scenario", default="issue-14", help="a scenario of the matrix")
    parser.add_argument("--decisions", default="250,500,1000,2000", help="checkpoints")
    parser.add_argument("--orders", default=",".join(ORDERS), help="value, likeliest or both")
    parser.add_argument("--learning", default="off,on", help="off, on or both")
    parser.add_argument("--jobs", type=int, default=2, help="arms run at once")
    parser.add_argument("--log", type=Path, help="append each checkpoint's figures (JSON lines)")
    args = parser.parse_args()
    names = {s.name for s in read_matrix(args.matrix)}
    if args.scenario not in names:
        raise SystemExit(f"--scenario: no scenario {args.scenario} in {args.matrix}")
    orders = args.orders.split(",")
    if not set(orders) <= set(ORDERS):
        raise SystemExit(f"--orders: use {', '.join(ORDERS)}")
    learning = args.learning.split(",")
    if not set(learning) <= {"off", "on"}:
        raise SystemExit("--learning: use off, on or off,on")
    arms = [Arm(order, flag == "on") for order in orders for flag in learning]
    checkpoints = sorted({0, *(int(c) for c in args.decisions.split(","))})
    print(machine())
    print(f"at start: {load()}", flush=True)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="marsad-reviewer-") as tmp:
        folder = Path(tmp)
        start = in_child(prepare, args.matrix, args.scenario, folder)
        print(
            f"scenario {start['scenario']}: {start['people']:,} people, {start['lists']} lists, "
            f"{start['records']:,} records; linked in {start['link_seconds']} s, "
            f"{start['waiting']:,} pairs waiting; {load()}",
            flush=True,
        )
        print(
            "true pairs not linked, by the model's decision: "
            + ", ".join(f"{k} {v:,}" for k, v in start["missed"].items()),
            flush=True,
        )

        def one(arm: Arm) -> list[dict[str, Any]]:
            rows = in_child(run_arm, folder, arm, checkpoints, args.log)
            print(
                f"  {arm.name}: done {time.perf_counter() - began:.0f} s since start; {load()}",
                flush=True,
            )
            return rows

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = dict(zip([a.name for a in arms], pool.map(one, arms), strict=True))
    print()
    print(table(start, results))
    print(
        f"\ntruth (killed): {start['truth']:,}; truly documented killed: "
        f"{start['true_documented_killed']:,}; LCMCR on the true capture histories: "
        f"{shown(start['true_history'])}"
    )
    print(
        f"learning: at least {MIN_LABELS} labels, {MIN_EACH} of each answer; penalty {PENALTY}; "
        f"match threshold {MATCH_THRESHOLD}"
    )
    print(f"\n{machine()}\nat end: {load()}; {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
