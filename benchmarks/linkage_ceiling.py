"""How far any classifier could get on a scenario's lists: the model beside one trained on truth.

    .venv/bin/python benchmarks/linkage_ceiling.py --people 100000 --lists 5 --seed 1
    .venv/bin/python benchmarks/linkage_ceiling.py --people 20000 --synth typos=0 ...

The linkage targets (precision 0.99, recall 0.98) are a question about the lists as much as about
the model: where two records of one person say no more than two namesakes' records do, nothing
can link the one pair and not the other. This script puts a number on that. The scenario is
written and ingested as `benchmarks/linkage.py` does; every pair the blocking rules compare is
scored by Marsad's model (trained by EM, as `marsad link` does) down to `--floor`, and each pair
gets the levels and match weights of every comparison. Then a gradient-boosted classifier
(scikit-learn) is **trained on the scenario's truth** — which no real deployment has — with
two-fold cross-fitting, so each pair is scored by a classifier that never saw it:

- *the model's weights, combined freely*: the same comparisons, without the Fellegi–Sunter
  assumption that they add up independently;
- *everything*: also which two lists, the gaps in age and date, how common the first name is,
  and each record's competition (how many candidates it has in the other list, whether this pair
  is its best, the best other score).

Printed: for the model and each classifier, the highest pairwise recall at which precision is
still at least 0.99 / 0.98 / 0.97 / 0.95 over the scored pairs (before clustering, against every
true pair of the stored records); then clustered quality at a range of thresholds, pairs joined
in descending score order by Marsad's own clustering rule (`marsad.linkage.clusters`), without
the deterministic rule's links or the first-name veto. scikit-learn is a development dependency
(`.[dev]`), not one of Marsad's. Results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.linkage import load, machine, quiet, synth_options
from marsad.linkage import model as linkage_model
from marsad.linkage.clusters import Clusters
from marsad.linkage.features import features_frame
from marsad.linkage.quality import pairwise_quality
from marsad.services.demo import ingest_scenario, read_truth
from marsad.services.link import linkage_records, splink_backend
from marsad.store.db import open_store
from marsad.store.models import Record, Source
from marsad.synth import generate, write_scenario

Key = tuple[str, str]
PRECISIONS = (0.99, 0.98, 0.97, 0.95)
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
CONTENDER = 0.01
"""A pair scored above this counts as a candidate in a record's competition."""


def scored_pairs(db_url: str, floor: float) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, Key]]:
    """Every blocked pair scored at least `floor`, one column per comparison's level and
    weight; the records' features; each record's (source, record id) as the truth names it."""
    engine = open_store(db_url)
    with engine.connect() as conn:
        frame = features_frame(linkage_records(conn))
        keys = {
            int(rid): (str(source), str(record_id))
            for rid, source, record_id in conn.execute(
                select(Record.id, Source.name, Record.record_id).join(
                    Source, Source.id == Record.source_id
                )
            )
        }
    with splink_backend("duckdb") as backend:
        scored = linkage_model.score(frame, backend, lambda _: None, None, floor)
    pairs = scored.pairs
    gammas = np.vstack(pairs.gammas.to_numpy())
    weights = np.vstack(pairs.weights.to_numpy())
    out = pd.DataFrame(
        {
            "l": pairs.unique_id_l.astype(int).to_numpy(),
            "r": pairs.unique_id_r.astype(int).to_numpy(),
            "p": pairs.match_probability.to_numpy(dtype=float),
        }
    )
    for j, name in enumerate(scored.plan.comparisons):
        out[f"level_{name}"] = gammas[:, j]
        out[f"weight_{name}"] = weights[:, j]
    return out, frame.set_index("unique_id"), keys


def with_context(pairs: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Pair features beyond the comparisons, and each record's competition in the other list."""
    out = pairs.copy()
    source_l = records.source.reindex(out.l).to_numpy()
    source_r = records.source.reindex(out.r).to_numpy()
    codes = {name: i for i, name in enumerate(sorted(set(records.source)))}
    low = np.array([min(codes[a], codes[b]) for a, b in zip(source_l, source_r, strict=True)])
    high = np.array([max(codes[a], codes[b]) for a, b in zip(source_l, source_r, strict=True)])
    out["lists"] = low * len(codes) + high
    out["one_list"] = (low == high).astype(int)
    for column in ("first_count", "age_min", "age_max", "dod_day_number"):
        for side in ("l", "r"):
            out[f"{column}_{side}"] = records[column].reindex(out[side]).to_numpy(dtype=float)
    out["age_gap"] = np.maximum(
        0, np.maximum(out.age_min_l, out.age_min_r) - np.minimum(out.age_max_l, out.age_max_r)
    )
    out["day_gap"] = (out.dod_day_number_l - out.dod_day_number_r).abs()
    out["source_l"], out["source_r"] = source_l, source_r
    for side, other in (("l", "source_r"), ("r", "source_l")):
        scores = out.groupby([side, other]).p
        out[f"candidates_{side}"] = scores.transform(lambda s: int((s > CONTENDER).sum()))
        best = scores.transform("max")
        second = scores.transform(lambda s: s.nlargest(2).iloc[-1] if len(s) > 1 else 0.0)
        out[f"is_best_{side}"] = (out.p >= best).astype(int)
        out[f"best_other_{side}"] = np.where(out.p >= best, second, best)
    return out.drop(columns=["source_l", "source_r"])


def cross_fitted(features: pd.DataFrame, labels: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each pair's probability from a classifier trained on the other half of the pairs."""
    fold = np.random.default_rng(0).integers(0, 2, len(features))
    scores = np.zeros(len(features))
    for held_out in (0, 1):
        train = fold != held_out
        classifier = HistGradientBoostingClassifier(
            max_iter=400, max_leaf_nodes=63, random_state=0
        ).fit(features[train], labels[train])
        scores[~train] = classifier.predict_proba(features[~train])[:, 1]
    return scores


def best_recall(
    scores: np.ndarray[Any, Any], labels: np.ndarray[Any, Any], true_pairs: int
) -> list[float]:
    """For each precision in PRECISIONS, the highest recall any score threshold reaches with it."""
    order = np.argsort(-scores, kind="stable")
    correct = np.cumsum(labels[order])
    precision = correct / np.arange(1, len(order) + 1)
    recall = correct / true_pairs
    return [float(recall[precision >= p].max(initial=0.0)) for p in PRECISIONS]


def clustered(
    pairs: pd.DataFrame,
    scores: np.ndarray[Any, Any],
    threshold: float,
    keys: dict[int, Key],
    sources: dict[int, str],
    truth: dict[Key, str],
) -> tuple[float, float]:
    """Pairwise precision and recall of the persons Marsad's clustering makes of the pairs
    scored at least `threshold`, joined best first."""
    clusters = Clusters(keys, sources)
    above = np.flatnonzero(scores >= threshold)
    for i in above[np.argsort(-scores[above], kind="stable")]:
        clusters.machine_join(int(pairs.l.iat[i]), int(pairs.r.iat[i]))
    persons = {keys[rid]: clusters.find(rid) for rid in keys}
    quality = pairwise_quality(truth, persons)
    return quality.precision, quality.recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--lists", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--floor", type=float, default=1e-4, help="lowest model score kept")
    parser.add_argument("--synth", action="append", default=[], metavar="OPTION=VALUE")
    parser.add_argument(
        "--pairs-out", type=Path, help="also write the scored pairs, features and truth (Parquet)"
    )
    args = parser.parse_args()
    options = synth_options(args.synth)
    quiet()
    print(machine())
    print(f"at start: {load()}")
    with tempfile.TemporaryDirectory(prefix="marsad-ceiling-") as tmp:
        directory = Path(tmp)
        start = time.perf_counter()
        write_scenario(
            generate(seed=args.seed, people=args.people, lists=args.lists, **options), directory
        )
        db_url = f"sqlite:///{directory / 'ceiling.db'}"
        ingest_scenario(open_store(db_url), directory, user="benchmark")
        pairs, records, keys = scored_pairs(db_url, args.floor)
        truth = read_truth(directory / "truth.csv")
    print(f"scenario, ingest and scoring: {time.perf_counter() - start:.1f} s")
    sources = {rid: key[0] for rid, key in keys.items()}
    person = {rid: truth.get(key) for rid, key in keys.items()}
    labels = np.array(
        [
            person[a] is not None and person[a] == person[b]
            for a, b in zip(pairs.l, pairs.r, strict=True)
        ]
    )
    true_pairs = pairwise_quality(truth, {key: truth.get(key) for key in keys.values()}).true_pairs
    print(
        f"scenario: seed {args.seed}, {args.people:,} people, {args.lists} lists"
        + (f", synth {options}" if options else "")
        + f"; {len(keys):,} records, {true_pairs:,} true pairs; {len(pairs):,} pairs scored "
        f">= {args.floor:g}, holding {int(labels.sum()):,} true pairs "
        f"({labels.sum() / true_pairs:.4f})"
    )
    start = time.perf_counter()
    features = with_context(pairs, records)
    weights = [c for c in features.columns if c.startswith("weight_")]
    everything = [c for c in features.columns if c not in ("l", "r")]
    methods = {
        "Marsad's model (EM, no truth)": pairs.p.to_numpy(),
        "its weights combined, trained on truth": cross_fitted(features[weights], labels),
        "everything, trained on truth": cross_fitted(features[everything], labels),
    }
    print(f"classifiers: {time.perf_counter() - start:.1f} s")
    if args.pairs_out:
        features.assign(truth=labels, **{f"score {n}": v for n, v in methods.items()}).to_parquet(
            args.pairs_out
        )
    header = " ".join(f"P>={p:<5}" for p in PRECISIONS)
    print(f"pairs, highest recall at precision:  {header}")
    for name, scores in methods.items():
        row = " ".join(f"{r:8.4f}" for r in best_recall(scores, labels, true_pairs))
        print(f"  {name:<38} {row}")
    print("clustered (Marsad's clustering rule, no rule links): threshold, precision, recall")
    for name, scores in methods.items():
        print(f"  {name}")
        for threshold in THRESHOLDS:
            precision, recall = clustered(pairs, scores, threshold, keys, sources, truth)
            print(f"    {threshold:<5} {precision:.4f} {recall:.4f}")
    print(f"at end: {load()}")


if __name__ == "__main__":
    main()
