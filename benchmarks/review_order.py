"""How many of the missed links a reviewer finds, by the order of the review queue.

    .venv/bin/python benchmarks/review_order.py --people 100000 --lists 5 --seed 1
    .venv/bin/python benchmarks/review_order.py --people 20000 --review-threshold 0.2

A `marsad synth` scenario is written, ingested and linked as `benchmarks/linkage.py` does. A
reviewer who always answers right (from the scenario's truth) then works through the review queue
in the order reviewers see it (`marsad.services.review.review_queue`) and, on the same pairs, in
the order used before 2026-11-26 (nearest 0.5 first). Accepting a pair merges its two persons;
rejecting one changes nothing, since an uncertain pair is not linked. Printed: pairwise precision
and recall after each number of decisions. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Hashable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.linkage import load, machine, quiet
from marsad.linkage.model import REVIEW_THRESHOLD
from marsad.linkage.quality import pairwise_quality
from marsad.services.demo import ingest_scenario, linked_persons, read_truth
from marsad.services.link import link
from marsad.services.review_queue import ReviewItem, queue_size, review_queue
from marsad.store.db import open_store
from marsad.synth import generate, write_scenario

Key = tuple[str, str]
"""A record as the truth names it: (source, record id)."""


def after_decisions(
    persons: dict[Key, int],
    truth: dict[Key, Hashable],
    queue: Sequence[ReviewItem],
    counts: Sequence[int],
) -> list[tuple[int, float, float]]:
    """(decisions, precision, recall) after the first `count` pairs of `queue`, answered right."""
    parent: dict[int, int] = {}

    def find(person: int) -> int:
        while parent.get(person, person) != person:
            person = parent[person]
        return person

    out = []
    done = 0
    for count in sorted(counts):
        for item in queue[done:count]:
            a = (item.record_a.source, item.record_a.record_id)
            b = (item.record_b.source, item.record_b.record_id)
            if truth.get(a) is not None and truth.get(a) == truth.get(b):
                pa, pb = find(persons[a]), find(persons[b])
                if pa != pb:
                    parent[pb] = pa
        done = min(count, len(queue))
        quality = pairwise_quality(truth, {k: find(p) for k, p in persons.items()})
        out.append((done, quality.precision, quality.recall))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--lists", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--decisions", default="500,1000,2000,5000")
    parser.add_argument("--review-threshold", type=float, default=REVIEW_THRESHOLD)
    args = parser.parse_args()
    quiet()
    print(machine())
    print(f"at start: {load()}")
    with tempfile.TemporaryDirectory(prefix="marsad-review-") as tmp:
        directory = Path(tmp)
        write_scenario(generate(seed=args.seed, people=args.people, lists=args.lists), directory)
        engine = open_store(f"sqlite:///{directory / 'store.db'}")
        ingest_scenario(engine, directory, user="benchmark")
        link(engine, review_threshold=args.review_threshold)
        truth: dict[Key, Hashable] = dict(read_truth(directory / "truth.csv"))
        persons = {k: p for k, p in linked_persons(engine).items() if p is not None}
        waiting = queue_size(engine)
        queue = review_queue(engine, limit=max(waiting, 1))
        before = sorted(queue, key=lambda i: (abs((i.probability or 0.5) - 0.5), i.decision_id))
    right = sum(
        1
        for i in queue
        if truth.get((i.record_a.source, i.record_a.record_id))
        == truth.get((i.record_b.source, i.record_b.record_id))
    )
    print(
        f"scenario: seed {args.seed}, {args.people:,} people, {args.lists} lists; "
        f"review threshold {args.review_threshold}: {waiting:,} pairs waiting, "
        f"{right:,} of them one person"
    )
    asked = [int(c) for c in args.decisions.split(",")] + [len(queue)]
    counts = sorted({min(c, len(queue)) for c in asked})
    start = after_decisions(persons, truth, queue, [0])[0]
    print(f"before review: precision {start[1]:.4f}, recall {start[2]:.4f}")
    print(f"{'decisions':>10}  {'queue order':>24}  {'nearest 0.5 first':>24}")
    for (n, p, r), (_, p0, r0) in zip(
        after_decisions(persons, truth, queue, counts),
        after_decisions(persons, truth, before, counts),
        strict=True,
    ):
        print(f"{n:>10,}  P {p:.4f}  R {r:.4f}       P {p0:.4f}  R {r0:.4f}")
    print(f"at end: {load()}")


if __name__ == "__main__":
    main()
