"""Group records into persons: machine links rebuilt on every run, human decisions kept.

`link` runs the deterministic rule and the trained Splink model, stores their decisions
with the run, and clusters. `recluster` rebuilds persons from the stored decisions alone,
so a reviewer's decision takes effect at once without re-training. Re-running on the same
records and decisions gives the same persons; persons whose records did not change keep
their ids (see `assign_person_ids`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
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

from marsad.errors import InputError
from marsad.linkage import learn
from marsad.linkage import model as linkage_model
from marsad.linkage import one_to_one as one_to_one_library
from marsad.linkage import prior as prior_library
from marsad.linkage.clusters import Clusters, assign_person_ids
from marsad.linkage.deterministic import RULE, LinkableRecord, rule_links
from marsad.linkage.explain import model_prior_weight
from marsad.linkage.features import LinkageRecord, features_frame
from marsad.linkage.plan import MIN_TRAINING_PAIRS
from marsad.services.audit import record_event
from marsad.services.engines import ENGINES
from marsad.services.verify import verify_persons
from marsad.store.models import (
    LinkDecision,
    LinkRun,
    Person,
    PersonSummary,
    Record,
    utcnow,
)
from marsad.store.records import record_rows, select_records

LINKER = "marsad link"
OVERSIZED_MARGIN = 2
"""A person with more records than distinct sources plus this margin is flagged for review."""

StageProgress = Callable[[str], None]
"""Told the name of each stage of a run as it starts."""


class LinkError(InputError):
    """Linkage cannot run as asked (unknown engine…)."""


@dataclass(frozen=True)
class LinkSettings:
    """Everything a link run's decisions depend on besides the records and the reviewers'
    decisions; stored with the run (as Splink saves its settings), so any run can be told
    apart and repeated."""

    rule: str
    match_threshold: float
    review_threshold: float
    min_training_pairs: int
    comparisons: tuple[str, ...]
    left_out: dict[str, str]
    """Fields the model did not compare, and why (`linkage.plan.ModelPlan.left_out`)."""
    blocking_rules: tuple[tuple[str, ...], ...]
    training_rules: tuple[tuple[str, ...], ...]
    model_reused: bool
    model: str
    """Where the model came from (`linkage.model.Scored.source`), "none" when not used."""
    splink_warnings: tuple[str, ...]
    reviewers_correction: learn.Correction | None = None
    """What reviewers' decisions taught the model (`learn_from_reviewers`), if anything."""
    learned: str = ""
    """What reviewers' decisions taught the model, or why they taught it nothing, in one line."""
    prior: prior_library.Prior | None = None
    """The prior the model scored with, and how it was set (`linkage.prior`)."""
    one_to_one: tuple[int, ...] = ()
    """The sources whose lists were read as naming each person once, their pairs scored one to
    one (`linkage.one_to_one`); empty when off or fewer than two lists qualify."""

    def as_dict(self) -> dict[str, Any]:
        """The settings as the link run stores them (JSON)."""
        return {
            "rule": self.rule,
            "match_threshold": self.match_threshold,
            "review_threshold": self.review_threshold,
            "min_training_pairs": self.min_training_pairs,
            "comparisons": list(self.comparisons),
            "left_out": dict(self.left_out),
            "blocking_rules": [list(r) for r in self.blocking_rules],
            "training_rules": [list(r) for r in self.training_rules],
            "model_reused": self.model_reused,
            "model": self.model,
            "splink_warnings": list(self.splink_warnings),
            "reviewers_correction": self.reviewers_correction.as_dict()
            if self.reviewers_correction
            else None,
            "learned": self.learned,
            "prior": self.prior.as_dict() if self.prior else None,
            "one_to_one": list(self.one_to_one),
        }


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
    settings: LinkSettings
    plan: str = ""
    """What the model compared and left out, in one line."""
    splink_warnings: tuple[str, ...] = ()
    learned: str = ""
    """What reviewers' decisions taught the model, or why they taught it nothing, in one line."""

    @property
    def prior(self) -> str:
        """How the prior was set, and which lists were linked one to one, in one line."""
        line = self.settings.prior.describe() if self.settings.prior else ""
        if self.settings.one_to_one:
            line += f"; {len(self.settings.one_to_one)} lists without duplicates linked one to one"
        return line

    @property
    def match_threshold(self) -> float:
        return self.settings.match_threshold

    @property
    def review_threshold(self) -> float:
        return self.settings.review_threshold

    @property
    def rule(self) -> str:
        return self.settings.rule


def linkage_records(conn: Connection) -> list[LinkageRecord]:
    """Every stored record as linkage reads it (also what benchmarks score pairs from)."""
    return record_rows(conn.execute(select_records().order_by(Record.id)))


def splink_backend(name: str) -> AbstractContextManager[Any]:
    """A Splink database API for the linkage engine `name` (`services.engines.ENGINES`)."""
    if name not in ENGINES:
        raise LinkError(f"unknown linkage engine {name!r}; use one of {', '.join(ENGINES)}")
    return ENGINES[name]()


SCORE_DIGITS = 12
"""Digits of a match probability kept: far finer than any threshold, coarser than the noise
of floating-point sums done in another order."""


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


@dataclass(frozen=True)
class Learned:
    """The scored pairs a run keeps, and what reviewers' decisions taught the model."""

    pairs: pd.DataFrame
    """linkage.model.SCORED_COLUMNS; match_probability corrected when `correction` is set"""
    correction: learn.Correction | None
    note: str


def learn_from_reviewers(
    scoring: linkage_model.Scored, labels: Mapping[frozenset[int], bool], kept_from: float
) -> Learned:
    """Correct the model's scores by the reviewers' labels (pair -> same person) that fall on
    scored pairs, and keep the pairs whose corrected score reaches `kept_from`.

    The model's log-odds of a pair are its prior plus the stored weights, exactly what an
    explanation adds up, so the corrected score and its explanation agree.
    """
    pairs = scoring.pairs
    uncorrected = Learned(pairs[pairs.match_probability >= kept_from], None, "")
    if pairs.empty or not labels:
        return uncorrected
    gammas = np.vstack(pairs.gammas.to_list()).astype(np.int64)
    weights = np.vstack(pairs.weights.to_list()).astype(float)
    log_odds = model_prior_weight(scoring.model) + weights.sum(axis=1)
    answers = [
        labels.get(frozenset((int(a), int(b))))
        for a, b in zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)
    ]
    labelled = np.array([answer is not None for answer in answers])
    same = np.array([bool(answer) for answer in answers])[labelled]
    correction = learn.fit_correction(
        scoring.plan.comparisons,
        gammas[labelled],
        log_odds[labelled],
        same,
        applies_below=linkage_model.MATCH_THRESHOLD,
    )
    if correction is None:
        matches = int(same.sum())
        return replace(uncorrected, note=learn.too_few(matches, len(same) - matches) or "")
    scored = pairs.assign(
        match_probability=learn.probabilities(log_odds + correction.applied(gammas, log_odds))
    )
    kept = scored[scored.match_probability >= kept_from]
    return Learned(kept, correction, correction.describe())


def one_to_one_scores(
    learned: Learned,
    records: list[LinkageRecord],
    prior: prior_library.Prior,
    review_threshold: float,
) -> tuple[Learned, tuple[int, ...]]:
    """`learned` with the pairs between lists that show no duplicate scored one to one
    (`linkage.one_to_one`), and those lists' sources (none when fewer than two qualify)."""
    pairs = learned.pairs
    if pairs.empty:
        return learned, ()
    source_of = {r.id: r.source_id for r in records}
    sizes: dict[int, int] = {}
    for source in source_of.values():
        sizes[source] = sizes.get(source, 0) + 1
    a = pairs.unique_id_l.to_numpy(dtype=np.int64)
    b = pairs.unique_id_r.to_numpy(dtype=np.int64)
    a_list = np.array([source_of[int(x)] for x in a], dtype=np.int64)
    b_list = np.array([source_of[int(x)] for x in b], dtype=np.int64)
    probability = pairs.match_probability.to_numpy(dtype=float)
    sets = one_to_one_library.lists_read_as_sets(a_list, b_list, probability, review_threshold)
    if len(sets) < 2:
        return learned, ()
    rescored = one_to_one_library.rescore(
        a, b, a_list, b_list, probability, prior.value, sizes, sets
    )
    return replace(learned, pairs=pairs.assign(match_probability=rescored)), tuple(sorted(sets))


def _why_not_learn(labels: Mapping[frozenset[int], bool], learning: bool) -> str | None:
    """Why a run learns nothing from reviewers' `labels` ("" when there are none); None when
    it learns."""
    if not labels:
        return ""
    if not learning:
        return "learning from reviewers' decisions is off"
    same = sum(labels.values())
    return learn.too_few(same, len(labels) - same)


def run_correction(settings: Mapping[str, Any]) -> learn.Correction | None:
    """The correction a link run learned from reviewers' decisions (its settings), if any."""
    stored = settings.get("reviewers_correction")
    return learn.Correction.from_dict(stored) if stored else None


def link(
    engine: Engine,
    *,
    linker: str = "duckdb",
    user: str = LINKER,
    progress: StageProgress | None = None,
    trained: dict[str, Any] | None = None,
    review_threshold: float = linkage_model.REVIEW_THRESHOLD,
    learning: bool = True,
    one_to_one: bool = True,
) -> LinkSummary:
    """Re-link every record: rule, model, then clustering under human decisions.

    The model is trained on the records themselves, or `trained` (a model saved by an
    earlier run, e.g. `marsad link --model-out`) is reused as it is. With `learning`, the
    reviewers' decisions in force correct its scores (`learn_from_reviewers`) once they are
    enough (`marsad.linkage.learn.too_few`), so a pair can rise into the review band or above
    the match threshold, or fall out of them. Pairs scored from `review_threshold` up to the
    match threshold wait for reviewers; those from `linkage_model.DRAW_FLOOR` up to the review
    threshold are kept as unlikely, for estimation's drawn clusterings. With `one_to_one`,
    pairs between lists that show no duplicate are scored one to one (`one_to_one_scores`).
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
        labels = {pair: d == "match" for pair, d in _human_decisions(conn).items()}
    why_not = _why_not_learn(labels, learning)
    kept_from = min(review_threshold, linkage_model.DRAW_FLOOR)
    rule_fields = [f.name for f in fields(LinkableRecord)]
    rule = rule_links(
        LinkableRecord(**{name: getattr(r, name) for name in rule_fields}) for r in records
    )
    scoring: linkage_model.Scored | None = None
    learned = Learned(pd.DataFrame(), None, "")
    scored: list[dict[str, Any]] = []
    sets: tuple[int, ...] = ()
    if len(records) >= 2:
        say("building name keys")
        frame = features_frame(records)
        with splink_backend(linker) as backend:
            scoring = linkage_model.score(frame, backend, say, trained, kept_from)
        if not scoring.plan.comparisons:
            say("the records share no field to compare: the model links nothing")
        if why_not is None:
            say("learning from reviewers' decisions")
        taught = labels if why_not is None else {}
        learned = learn_from_reviewers(scoring, taught, kept_from)
        if why_not:
            learned = replace(learned, note=why_not)
        if one_to_one and scoring.prior is not None:
            learned, sets = one_to_one_scores(learned, records, scoring.prior, review_threshold)
        # In the records' order, with scores to SCORE_DIGITS: DuckDB's threads return pairs in
        # any order and the same pair's score differing in the 15th digit, which reordered
        # near-ties when links are applied most probable first (`make demo`: 14 persons).
        pairs = learned.pairs.sort_values(["unique_id_l", "unique_id_r"], kind="stable")
        scored = [
            _scored_pair(
                int(a),
                int(b),
                round(float(p), SCORE_DIGITS),
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
    plan = scoring.plan if scoring else None
    settings = LinkSettings(
        rule=RULE,
        match_threshold=linkage_model.MATCH_THRESHOLD,
        review_threshold=review_threshold,
        min_training_pairs=MIN_TRAINING_PAIRS,
        comparisons=tuple(plan.comparisons) if plan else (),
        left_out=dict(plan.left_out) if plan else {},
        blocking_rules=tuple(tuple(r) for r in plan.blocking_rules) if plan else (),
        training_rules=tuple(tuple(r) for r in plan.training_rules) if plan else (),
        model_reused=trained is not None,
        model=scoring.source if scoring else "none",
        splink_warnings=tuple(scoring.splink_warnings) if scoring else (),
        reviewers_correction=learned.correction,
        learned=learned.note,
        prior=scoring.prior if scoring else None,
        one_to_one=sets,
    )
    say("recording decisions")
    with engine.begin() as conn:
        run_id = int(
            conn.execute(
                insert(LinkRun)
                .values(
                    engine=linker,
                    settings=settings.as_dict(),
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
            settings=settings,
            plan=scoring.plan.describe() if scoring else "",
            splink_warnings=scoring.splink_warnings if scoring else (),
            learned=learned.note,
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
    conn: Connection, verify_all: bool, progress: StageProgress | None = None
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
