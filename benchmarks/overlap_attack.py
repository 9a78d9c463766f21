"""Issue 21: a frequency attack on encoded lists, by a linkage unit without the secret.

    .venv/bin/python benchmarks/overlap_attack.py --people 20000 --seed 1

The attacker is the linkage unit: it holds every party's encoded file and the schema (filter
length, hash counts, blocking rules), not the secret. It also knows how names are distributed:
a plaintext reference list drawn from the same generator with another seed (a stronger
position than a real attacker's census or phone book). It runs the frequency-alignment attack
of Kuzu et al. (2011) and Christen et al. (2017) on every grouping of records an encoded file
allows:
- identical names filters (records whose encoded name parts are all equal);
- each blocking rule with the first name (records that share a keyed token).
Groups are ranked by size and aligned, rank for rank, with the reference's values of the same
fields ranked by frequency; each of the --top largest groups is given the first name of the
value aligned with it. A record's first name is re-identified when the guess is its own.

Printed, per grouping and for the best of them: the share of records whose first name is
re-identified, the share of the lists' distinct first names re-identified for at least one
record, and, for scale, the share a guess of the reference's commonest first name for every
record gets right. Pattern-mining attacks on single bit positions (Christen et al. 2018) are not
run here: docs/methodology.md says why the default schema leaves them open.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from benchmarks.linkage import load  # noqa: E402
from marsad.linkage.features import features_frame  # noqa: E402
from marsad.overlap.compare import names_keys  # noqa: E402
from marsad.overlap.encoding import _BLOCKING_COLUMNS, _FEATURE_COLUMNS  # noqa: E402
from marsad.overlap.schema import NAME_PARTS, load_schema  # noqa: E402
from marsad.services.overlap import encode_file, make_secret, read_encoded, read_list  # noqa: E402
from marsad.synth import generate, write_scenario  # noqa: E402


def frame_of(folder: Path) -> tuple[pd.DataFrame, list[tuple[str, Path]]]:
    """Every list of a written scenario, read as `marsad overlap encode` reads it."""
    manifest = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))["lists"]
    frames = []
    files = []
    for item in manifest:
        _ids, records, _rejected = read_list(folder / item["file"], item["source"], None)
        frames.append(features_frame(records))
        files.append((item["source"], folder / item["file"]))
    return pd.concat(frames, ignore_index=True), files


def values(frame: pd.DataFrame, fields: tuple[str, ...]) -> list[tuple[str, ...] | None]:
    columns = [frame[_BLOCKING_COLUMNS[field]].astype(object).tolist() for field in fields]
    return [
        None if any(v is None or v is pd.NA or v != v for v in row) else tuple(map(str, row))
        for row in zip(*columns, strict=True)
    ]


def align(groups: list[Any], reference: list[tuple[str, ...] | None], top: int) -> dict[Any, str]:
    """The first name guessed for each of the `top` largest groups: that of the reference value
    of the same frequency rank."""
    sizes = Counter(g for g in groups if g is not None)
    ranked_values = [v for v, _ in Counter(r for r in reference if r is not None).most_common(top)]
    return {
        group: value[0]
        for (group, _), value in zip(sizes.most_common(top), ranked_values, strict=False)
    }


def score(groups: list[Any], truth: list[str | None], guesses: dict[Any, str]) -> dict[str, Any]:
    right = [
        g in guesses and t is not None and guesses[g] == t
        for g, t in zip(groups, truth, strict=True)
    ]
    named = [t for t in truth if t is not None]
    revealed = {t for t, ok in zip(truth, right, strict=True) if ok}
    return {
        "records_reidentified": round(sum(right) / len(named), 4),
        "first_names_reidentified": round(len(revealed) / len(set(named)), 4),
        "first_names_revealed": sorted(revealed)[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--lists", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=100, help="Groups the attacker aligns.")
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    work = args.work or Path(f"/tmp/marsad-overlap-attack-{args.people}-{args.seed}")
    target, reference = work / "target", work / "reference"
    for folder, seed in ((target, args.seed), (reference, args.seed + 1000)):
        if not (folder / "scenario.json").exists():
            write_scenario(generate(seed=seed, people=args.people, lists=args.lists), folder)
    schema = load_schema()
    secret = work / "secret.key"
    if not secret.exists():
        make_secret(secret)
    truth_frame, files = frame_of(target)
    reference_frame, _ = frame_of(reference)
    encoded = []
    for label, path in files:
        out = work / f"{path.stem}.encoded.csv"
        encode_file(path, secret, out, label=label)
        encoded.append(read_encoded(out, schema))
    truth = [None if v is None else str(v) for v in truth_frame["first_key"].tolist()]
    results: dict[str, Any] = {}

    names = np.concatenate([names_keys(e.names, e.parts) for e in encoded]).tolist()
    columns = [_FEATURE_COLUMNS[part] for part in NAME_PARTS]
    reference_names = [
        None if row[0] is None else tuple("" if x is None else str(x) for x in row)
        for row in reference_frame[columns].itertuples(index=False)
    ]
    results["names filters"] = score(names, truth, align(names, reference_names, args.top))
    blocks = np.concatenate([e.blocks for e in encoded])
    for r, rule in enumerate(schema.blocking_rules):
        if rule[0] != "first":
            continue
        tokens = [None if t < 0 else int(t) for t in blocks[:, r].tolist()]
        guesses = align(tokens, values(reference_frame, rule), args.top)
        results[f"tokens {'+'.join(rule)}"] = score(tokens, truth, guesses)
    commonest = Counter(
        v for v in reference_frame["first_key"].tolist() if v is not None
    ).most_common(1)[0][0]
    named = [t for t in truth if t is not None]
    best = max(results, key=lambda k: results[k]["records_reidentified"])
    print(
        json.dumps(
            {
                "people": args.people,
                "seed": args.seed,
                "records": len(truth),
                "distinct_first_names": len(set(named)),
                "top_groups_aligned": args.top,
                "schema": schema.label,
                "attacks": results,
                "best": best,
                "commonest_first_name_guess": round(
                    sum(t == commonest for t in named) / len(named), 4
                ),
                "load": load(),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
