"""Group records into persons: machine links rebuilt on every run, human decisions kept.

`link` runs the deterministic rule and the trained Splink model, stores their decisions
with the run, and clusters. `recluster` rebuilds persons from the stored decisions alone,
so a reviewer's decision takes effect at once without re-training. Re-running on the same
records and decisions gives the same persons; persons whose records did not change keep
their ids (see `assign_person_ids`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from marsad.linkage import model as linkage_model
from marsad.linkage.clusters import Clusters, assign_person_ids
from marsad.linkage.deterministic import RULE, LinkableRecord, rule_links
from marsad.linkage.features import LinkageRecord, features_frame
from marsad.linkage.plan import MIN_TRAINING_PAIRS
from marsad.services.audit import record_event
from marsad.services.verify import verify_persons
from marsad.store.models import (
    LinkDecision,
    LinkRun,
    Person,
    PersonSummary,
    Record,
    Source,
    utcnow,
)

LINKER = "marsad link"
ENGINES = ("duckdb", "spark")
OVERSIZED_MARGIN = 2
"""A person with more records than distinct sources plus this margin is flagged for review."""

Progress = Callable[[str], None]


class LinkError(ValueError):
    """Linkage cannot run as asked (unknown engine…)."""


@dataclass(frozen=True)
class ClusterSummary:
    records: int
    persons: int
    machine_links: int
    human_matches: int
    human_non_matches: int
    refused_links: int
    persons_kept: int
    persons_new: int
    flagged: int


@dataclass(frozen=True)
class LinkSummary:
    run_id: int
    engine: str
    rule_links: int
    model_matches: int
    review_pairs: int
    model: str
    """Where the model came from (`linkage.model.Scored.source`)."""
    clusters: ClusterSummary
    match_threshold: float
    review_threshold: float
    rule: str = RULE
    plan: str = ""
    """What the model compared and left out, in one line."""
    splink_warnings: tuple[str, ...] = ()


def linkage_records(conn: Connection) -> list[LinkageRecord]:
    """Every stored record as linkage reads it (also what benchmarks score pairs from)."""
    rows = conn.execute(
        select(
            Record.id,
            Source.name.label("source"),
            Record.name,
            Record.name_first,
            Record.name_father,
            Record.name_grandfather,
            Record.name_family,
            Record.name_mother,
            Record.sex,
            Record.age_min,
            Record.age_max,
            Record.date_of_death,
            Record.pcode,
            Record.pcode_adm1,
            Record.locality,
            Record.status,
        )
        .join(Source, Source.id == Record.source_id)
        .order_by(Record.id)
    )
    return [LinkageRecord(*row) for row in rows]


@contextmanager
def splink_backend(name: str) -> Iterator[Any]:
    """A Splink database API for `name`: in-process DuckDB, or a local Apache Spark session.

    The Spark session is sized for one machine: one partition per core, no web UI, quiet
    logs, bound to the loopback address. Splink's string-similarity functions (Jaro-Winkler,
    Damerau-Levenshtein) are Scala UDFs in a jar shipped with Splink, put on the classpath here.
    """
    if name == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        # DuckDB spills to ".tmp" in the working directory by default: names of the dead in
        # a folder the user never asked for, left behind if the run is killed.
        with tempfile.TemporaryDirectory(prefix="marsad-duckdb-") as spill:
            connection = duckdb.connect(config={"temp_directory": spill})
            # Its progress bar goes to the terminal, over the CLI's own stage line.
            connection.execute("SET enable_progress_bar = false")
            try:
                yield DuckDBAPI(connection=connection)
            finally:
                connection.close()
        return
    if name != "spark":
        raise LinkError(f"unknown linkage engine {name!r}; use one of {', '.join(ENGINES)}")
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise LinkError("the spark engine needs Java 17 or later: install it or set JAVA_HOME")
    from pyspark.sql import SparkSession
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    partitions = os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="marsad-spark-") as checkpoints:
        session = (
            SparkSession.builder.master("local[*]")
            .appName("marsad-link")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.default.parallelism", str(partitions))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.log.level", "ERROR")
            .config("spark.sql.execution.arrow.pyspark.enabled", "false")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        session.sparkContext.setCheckpointDir(checkpoints)
        try:
            yield SparkAPI(spark_session=session, num_partitions_on_repartition=partitions)
        finally:
            session.stop()


def _scored_pair(
    a: int,
    b: int,
    score: float,
    gammas: list[int],
    weights: Iterable[float],
    comparisons: tuple[str, ...],
    review_threshold: float,
) -> dict[str, Any]:
    """A model decision's columns, decided once: match, uncertain (for review), or unlikely
    (kept for estimation's drawn clusterings, never linked nor queued)."""
    if linkage_model.is_machine_match(score, gammas, comparisons):
        decision = "match"
    elif score >= review_threshold:
        decision = "uncertain"
    else:
        decision = "unlikely"
    return {
        "record_a_id": a,
        "record_b_id": b,
        "score": score,
        "gammas": gammas,
        "weights": [float(w) for w in weights],
        "decision": decision,
    }


def link(
    engine: Engine,
    *,
    linker: str = "duckdb",
    user: str = LINKER,
    progress: Progress | None = None,
    trained: dict[str, Any] | None = None,
    review_threshold: float = linkage_model.REVIEW_THRESHOLD,
) -> LinkSummary:
    """Re-link every record: rule, model, then clustering under human decisions.

    The model is trained on the records themselves, or `trained` (a model saved by an
    earlier run, e.g. `marsad link --model-out`) is reused as it is. Pairs scored from
    `review_threshold` up to the match threshold wait for reviewers.
    """
    if linker not in ENGINES:
        raise LinkError(f"unknown linkage engine {linker!r}; use one of {', '.join(ENGINES)}")
    if not 0.0 < review_threshold < linkage_model.MATCH_THRESHOLD:
        raise LinkError(
            f"the review threshold must be above 0 and below the match threshold "
            f"({linkage_model.MATCH_THRESHOLD}); got {review_threshold}"
        )
    say = progress or (lambda _stage: None)
    say("reading records")
    with engine.connect() as conn:
        records = linkage_records(conn)
    rule = rule_links(
        LinkableRecord(
            r.id,
            r.name,
            r.name_first,
            r.name_father,
            r.name_family,
            r.date_of_death,
            r.pcode_adm1,
            r.name_grandfather,
            r.sex,
            r.age_min,
            r.age_max,
            r.source,
        )
        for r in records
    )
    scoring: linkage_model.Scored | None = None
    scored: list[dict[str, Any]] = []
    if len(records) >= 2:
        say("building name keys")
        frame = features_frame(records)
        with splink_backend(linker) as backend:
            scoring = linkage_model.score(
                frame, backend, say, trained, min(review_threshold, linkage_model.DRAW_FLOOR)
            )
        if not scoring.plan.comparisons:
            say("the records share no field to compare: the model links nothing")
        pairs = scoring.pairs
        scored = [
            _scored_pair(
                int(a),
                int(b),
                float(p),
                [int(g) for g in gammas],
                weights,
                scoring.plan.comparisons,
                review_threshold,
            )
            for a, b, p, gammas, weights in zip(
                pairs.unique_id_l,
                pairs.unique_id_r,
                pairs.match_probability,
                pairs.gammas,
                pairs.weights,
                strict=True,
            )
        ]
    matches = sum(1 for s in scored if s["decision"] == "match")
    say("recording decisions")
    with engine.begin() as conn:
        run_id = int(
            conn.execute(
                insert(LinkRun)
                .values(
                    engine=linker,
                    settings={
                        "rule": RULE,
                        "match_threshold": linkage_model.MATCH_THRESHOLD,
                        "review_threshold": review_threshold,
                        "min_training_pairs": MIN_TRAINING_PAIRS,
                        "comparisons": list(scoring.plan.comparisons) if scoring else [],
                        "left_out": dict(scoring.plan.left_out) if scoring else {},
                        "blocking_rules": [list(r) for r in scoring.plan.blocking_rules]
                        if scoring
                        else [],
                        "training_rules": [list(r) for r in scoring.plan.training_rules]
                        if scoring
                        else [],
                        "model_reused": trained is not None,
                        "model": scoring.source if scoring else "none",
                        "splink_warnings": list(scoring.splink_warnings) if scoring else [],
                    },
                    model=scoring.model if scoring and scoring.model else None,
                    summary={},
                    run_by=user,
                )
                .returning(LinkRun.id)
            ).scalar_one()
        )
        conn.execute(delete(LinkDecision).where(LinkDecision.kind != "human"))
        decisions = [
            {
                "record_a_id": a,
                "record_b_id": b,
                "kind": "rule",
                "decision": "match",
                "rule": RULE,
                "score": None,
                "gammas": None,
                "weights": None,
            }
            for a, b in rule
        ] + [{**s, "kind": "model", "rule": None} for s in scored]
        for start in range(0, len(decisions), 5000):
            conn.execute(
                insert(LinkDecision),
                [
                    {**d, "run_id": run_id, "decided_by": user}
                    for d in decisions[start : start + 5000]
                ],
            )
        say("clustering into persons")
        clusters = _recluster(conn, verify_all=True, progress=say)
        summary = LinkSummary(
            run_id=run_id,
            engine=linker,
            rule_links=len(rule),
            model_matches=matches,
            review_pairs=sum(1 for s in scored if s["decision"] == "uncertain"),
            model=scoring.source if scoring else "none",
            clusters=clusters,
            match_threshold=linkage_model.MATCH_THRESHOLD,
            review_threshold=review_threshold,
            plan=scoring.plan.describe() if scoring else "",
            splink_warnings=scoring.splink_warnings if scoring else (),
        )
        conn.execute(
            update(LinkRun)
            .where(LinkRun.id == run_id)
            .values(finished_at=utcnow(), summary=_summary_document(summary))
        )
        detail = {"engine": linker, "records": len(records), "review_pairs": summary.review_pairs}
        record_event(conn, user, "link.run", f"link_run:{run_id}", detail)
    return summary


def run_model(engine: Engine, run_id: int) -> dict[str, Any] | None:
    """The Splink model a run used (None when it ran the rule only)."""
    with engine.connect() as conn:
        model = conn.scalar(select(LinkRun.model).where(LinkRun.id == run_id))
    return dict(model) if model else None


def _summary_document(summary: LinkSummary) -> dict[str, Any]:
    return {
        "rule_links": summary.rule_links,
        "model_matches": summary.model_matches,
        "review_pairs": summary.review_pairs,
        "model": summary.model,
        **asdict(summary.clusters),
    }


def recluster(engine: Engine) -> ClusterSummary:
    """Rebuild persons from the stored decisions, without re-running the model."""
    with engine.begin() as conn:
        return _recluster(conn, verify_all=False)


def _human_decisions(conn: Connection) -> dict[frozenset[int], str]:
    """The latest non-revoked human decision on each pair."""
    rows = conn.execute(
        select(LinkDecision.record_a_id, LinkDecision.record_b_id, LinkDecision.decision)
        .where(LinkDecision.kind == "human", LinkDecision.revoked_at.is_(None))
        .order_by(LinkDecision.decided_at, LinkDecision.id)
    )
    return {frozenset((r.record_a_id, r.record_b_id)): r.decision for r in rows}


def _recluster(
    conn: Connection, verify_all: bool, progress: Progress | None = None
) -> ClusterSummary:
    """Persons from decisions, then their verification: of every person after a link run,
    of the persons whose records changed after a review."""
    rows = conn.execute(select(Record.id, Record.person_id, Record.source_id)).all()
    previous = {r.id: r.person_id for r in rows}
    source_of = {r.id: r.source_id for r in rows}
    clusters = Clusters(previous, source_of)
    human = _human_decisions(conn)
    matches = [tuple(sorted(p)) for p, d in human.items() if d == "match"]
    non_matches = [tuple(sorted(p)) for p, d in human.items() if d == "non_match"]
    for a, b in matches:
        clusters.join(a, b)
    for a, b in non_matches:
        if clusters.find(a) != clusters.find(b):
            clusters.keep_apart(a, b)
    machine = conn.execute(
        select(LinkDecision.record_a_id, LinkDecision.record_b_id)
        .where(LinkDecision.kind.in_(("rule", "model")), LinkDecision.decision == "match")
        .order_by(LinkDecision.kind.desc(), LinkDecision.score.desc(), LinkDecision.id)
    ).all()
    refused = sum(1 for a, b in machine if not clusters.machine_join(a, b))
    groups = clusters.groups()
    next_id = (conn.scalar(select(func.max(Person.id))) or 0) + 1
    assignment, next_id = assign_person_ids(groups, previous, next_id)
    used = set(assignment.values())
    existing = set(conn.scalars(select(Person.id)))
    new_ids = sorted(used - existing)
    if new_ids:
        conn.execute(insert(Person), [{"id": pid} for pid in new_ids])
    changed = [{"rid": rid, "pid": pid} for rid, pid in assignment.items() if previous[rid] != pid]
    if changed:
        conn.execute(
            update(Record).where(Record.id == bindparam("rid")).values(person_id=bindparam("pid")),
            changed,
        )
    stale = sorted(existing - used)
    for start in range(0, len(stale), 500):
        batch = stale[start : start + 500]
        conn.execute(delete(PersonSummary).where(PersonSummary.person_id.in_(batch)))
        conn.execute(delete(Person).where(Person.id.in_(batch)))
    flags = _oversized(groups, assignment, source_of)
    conn.execute(update(Person).where(Person.review_flag.is_not(None)).values(review_flag=None))
    if flags:
        conn.execute(
            update(Person)
            .where(Person.id == bindparam("pid"))
            .values(review_flag=bindparam("flag")),
            [{"pid": pid, "flag": flag} for pid, flag in flags.items()],
        )
    if progress is not None:
        progress("verifying persons")
    if verify_all:
        verify_persons(conn, progress=progress)
    else:
        touched: set[int] = set()
        for c in changed:
            touched.add(c["pid"])
            before = previous[c["rid"]]
            if before is not None:
                touched.add(before)
        verify_persons(conn, sorted(touched - set(stale)), progress=progress)
    return ClusterSummary(
        records=len(previous),
        persons=len(used),
        machine_links=len(machine) - refused,
        human_matches=len(matches),
        human_non_matches=len(non_matches),
        refused_links=refused,
        persons_kept=len(used & existing),
        persons_new=len(new_ids),
        flagged=len(flags),
    )


def _oversized(
    groups: list[list[int]], assignment: dict[int, int], source_of: dict[int, int]
) -> dict[int, str]:
    """Persons with more records than their sources explain: likely wrongly merged."""
    flags = {}
    for group in groups:
        sources = len({source_of[rid] for rid in group})
        if len(group) > sources + OVERSIZED_MARGIN:
            flags[assignment[group[0]]] = (
                f"oversized: {len(group)} records from {sources} sources; check for a wrong merge"
            )
    return flags
