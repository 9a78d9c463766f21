"""Match open cases against every candidate pool with the linkage model's probabilities.

Each report of each case readable by the audience is compared with every record of every pool
(`marsad.services.tracing_pools`) that agrees with it on two name parts, by Splink with the
comparisons of `marsad.tracing.compare.TRACING_COMPARISONS` and their m and u from the store's
latest link run (the shipped default model for a comparison that run did not use). The prior
is counted, not learned: one sought person in SHARE_ON_LISTS is on some list, once, among the
pools' candidates. A candidate keeps the best probability over the case's reports and its
records, and the reasons of that pair in plain words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from splink import Linker
from sqlalchemy import Connection, Engine, delete, insert, select

from marsad.linkage import model as linkage_model
from marsad.linkage.features import features_frame
from marsad.linkage.plan import ModelPlan
from marsad.names.arabic import has_arabic
from marsad.services.link import splink_backend
from marsad.services.tracing_cases import CaseView, readable_cases, record_step
from marsad.services.tracing_pools import POOLS, PoolRow
from marsad.store.models import LinkRun
from marsad.store.tracing_tables import TracingCandidate
from marsad.tracing import workflow
from marsad.tracing.compare import (
    BLOCKING_RULES,
    TRACING_COMPARISONS,
    Sought,
    level_labels,
    record_for_tracing,
    sought_row,
    why,
)

SHARE_ON_LISTS = 0.5
"""The prior share of sought persons who are on some list: half (the synthetic benchmark's
own share is another; see docs/methodology.md, Tracing)."""
CANDIDATE_FLOOR = 0.01
"""Candidates below this probability are not kept."""
MOST_CANDIDATES = 20


@dataclass(frozen=True)
class Candidate:
    """A person (or a pool's member) who may be the sought one."""

    person_id: int
    pool: str
    status: str
    probability: float
    records: tuple[tuple[str, str], ...]
    why: tuple[str, ...]


@dataclass(frozen=True)
class CaseMatch:
    case_id: int
    report_ids: tuple[str, ...]
    candidates: tuple[Candidate, ...]

    def as_dict(self, words: Callable[[str], str]) -> dict[str, Any]:
        """The JSON shape of `marsad missing match --json`; `words` turns reasons' catalogue
        keys into words."""
        return {
            "case_id": self.case_id,
            "report_ids": list(self.report_ids),
            "candidates": [
                {
                    "person_id": c.person_id,
                    "status": c.status,
                    "probability": c.probability,
                    "records": [{"source": s, "record_id": r} for s, r in c.records],
                    "why": [words(k) for k in c.why],
                }
                for c in self.candidates
            ],
        }


def match_model(conn: Connection) -> tuple[dict[str, Any], str]:
    """The m and u to score with: the latest link run's comparisons, completed by the shipped
    model's for those it lacks; and where they came from ("link run N" or "default")."""
    default = linkage_model.default_model()
    row = conn.execute(
        select(LinkRun.id, LinkRun.model)
        .where(LinkRun.model.is_not(None), LinkRun.finished_at.is_not(None))
        .order_by(LinkRun.id.desc())
        .limit(1)
    ).first()
    if row is None or not row.model:
        return default, "default"
    saved = {c["output_column_name"]: c for c in row.model["comparisons"]}
    merged = dict(default)
    merged["comparisons"] = [saved.get(c["output_column_name"], c) for c in default["comparisons"]]
    return merged, f"link run {row.id}"


def _sought(view: CaseView) -> list[Sought]:
    return [
        Sought(
            r.id,
            r.name,
            r.name_first,
            r.name_father,
            r.name_grandfather,
            r.name_family,
            r.name_mother,
            r.sex,
            r.birth_year_min,
            r.birth_year_max,
        )
        for r in view.reports
    ]


def _settings(model: dict[str, Any], candidates: int) -> dict[str, Any]:
    known = set(linkage_model.model_comparisons(model))
    plan = ModelPlan(
        comparisons=tuple(c for c in TRACING_COMPARISONS if c in known),
        left_out=(),
        blocking_rules=BLOCKING_RULES,
        training_rules=(),
        untrained=(),
    )
    settings = linkage_model.with_parameters(plan, "duckdb", model, name="the link run's model")
    settings["link_type"] = "link_only"
    settings["probability_two_random_records_match"] = SHARE_ON_LISTS / max(candidates, 1)
    settings["retain_intermediate_calculation_columns"] = True
    return settings


def score(
    sought: list[Sought],
    rows: list[PoolRow],
    candidates: int,
    model: dict[str, Any],
    engine: str = "duckdb",
) -> pd.DataFrame:
    """Every blocked (report, pool row) pair at or above CANDIDATE_FLOOR: columns `sought`
    and `row` (indexes into the lists), `probability` and `why` (catalogue keys).
    `candidates` is how many candidates the rows stand for (the prior's denominator)."""
    columns = ["sought", "row", "probability", "why"]
    if not sought or not rows:
        return pd.DataFrame(columns=columns)
    frame = features_frame(
        [sought_row(s, -(i + 1)) for i, s in enumerate(sought)]
        + [record_for_tracing(r.record, i + 1) for i, r in enumerate(rows)]
    )
    left, right = frame[frame.unique_id < 0], frame[frame.unique_id > 0]
    settings = _settings(model, candidates)
    with splink_backend(engine) as db_api, linkage_model.splink_warnings():
        linker = Linker(
            cast(Any, [left, right]),
            settings,
            db_api,
            input_table_aliases=["sought", "candidates"],
            set_up_basic_logging=False,
        )
        predictions = linker.inference.predict(threshold_match_probability=CANDIDATE_FLOOR)
        scored = predictions.as_pandas_dataframe()
        used = dict(linker.misc.save_model_to_json())
    if scored.empty:
        return pd.DataFrame(columns=columns)
    comparisons = linkage_model.model_comparisons(used)
    gammas = linkage_model.comparison_levels(scored, used, comparisons)
    labels = level_labels(used)
    ids_l = scored["unique_id_l"].to_numpy(dtype="int64")
    ids_r = scored["unique_id_r"].to_numpy(dtype="int64")
    out = []
    for k, (a, b) in enumerate(zip(ids_l, ids_r, strict=True)):
        s, r = (-a - 1, b - 1) if a < 0 else (-b - 1, a - 1)
        differ = has_arabic(sought[s].name) != has_arabic(rows[r].record.name)
        out.append(
            (s, r, float(scored["match_probability"].iat[k]),
             why(labels, comparisons, list(gammas[k]), differ))
        )  # fmt: skip
    return pd.DataFrame(out, columns=columns)


def rank_candidates(
    views: list[CaseView], sought: list[Sought], rows: list[PoolRow], pools: list[str],
    pairs: pd.DataFrame,
) -> list[CaseMatch]:  # fmt: skip
    """Each case's candidates, best first: one per (pool, candidate), with the best
    probability over the case's reports and the candidate's records."""
    case_of = {}
    for view in views:
        for report in view.reports:
            case_of[report.id] = view.case_id
    records: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for row, pool in zip(rows, pools, strict=True):
        records.setdefault((pool, row.candidate_id), []).append(
            (row.record.source, row.record.record_id)
        )
    best: dict[int, dict[tuple[str, int], tuple[float, list[str], str]]] = {}
    for s, r, p, reasons in pairs.itertuples(index=False):
        row = rows[r]
        key = (pools[r], row.candidate_id)
        found = best.setdefault(case_of[sought[s].report_id], {})
        if key not in found or p > found[key][0]:
            found[key] = (p, reasons, row.status)
    out = []
    for view in views:
        found = best.get(view.case_id, {})
        ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0][0], kv[0][1]))
        out.append(
            CaseMatch(
                view.case_id,
                tuple(r.report_ref for r in view.reports),
                tuple(
                    Candidate(
                        cid, pool, status, round(p, 6), tuple(records[(pool, cid)]), tuple(reasons)
                    )
                    for (pool, cid), (p, reasons, status) in ranked[:MOST_CANDIDATES]
                ),
            )
        )
    return out


def _store(conn: Connection, matches: list[CaseMatch], views: list[CaseView], actor: str) -> None:
    state = {v.case_id: v.state for v in views}
    ids = [m.case_id for m in matches]
    for start in range(0, len(ids), 5000):
        conn.execute(
            delete(TracingCandidate).where(TracingCandidate.case_id.in_(ids[start : start + 5000]))
        )
    rows = [
        {
            "case_id": m.case_id,
            "rank": rank,
            "person_id": c.person_id,
            "pool": c.pool,
            "status": c.status,
            "probability": c.probability,
            "records": [{"source": s, "record_id": r} for s, r in c.records],
            "why": list(c.why),
        }
        for m in matches
        for rank, c in enumerate(m.candidates, start=1)
    ]
    if rows:
        conn.execute(insert(TracingCandidate), rows)
    for m in matches:
        top = m.candidates[0].probability if m.candidates else 0.0
        if state[m.case_id] == "open" and top >= workflow.POSSIBLE_MATCH:
            step = workflow.apply("open", [], actor, "possible_match", {"probability": top})
            record_step(conn, m.case_id, step)


def match_cases(
    engine: Engine,
    actor: str,
    *,
    audience: str = "internal",
    case_ids: list[int] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> list[CaseMatch]:
    """Score every open case readable by `audience` (or those of `case_ids`) against every
    pool, keep each case's candidates, and mark an open case with a candidate at or above
    `workflow.POSSIBLE_MATCH` as a possible match (a step by `actor`)."""
    with engine.connect() as conn:
        views = readable_cases(conn, audience, case_ids=case_ids, states=("open", "possible_match"))
        model, origin = match_model(conn)
        rows: list[PoolRow] = []
        pools: list[str] = []
        for name, pool in POOLS.items():
            loaded = pool.load(conn)
            rows += loaded
            pools += [name] * len(loaded)
    say(f"{len(views):,} cases against {len(rows):,} records; model: {origin}")
    sought = [s for v in views for s in _sought(v)]
    candidates = len({(pool, r.candidate_id) for pool, r in zip(pools, rows, strict=True)})
    pairs = score(sought, rows, candidates, model)
    matches = rank_candidates(views, sought, rows, pools, pairs)
    with engine.begin() as conn:
        _store(conn, matches, views, actor)
    return matches
