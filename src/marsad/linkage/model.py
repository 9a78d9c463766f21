"""The probabilistic linkage model: Splink settings from a plan, training, and prediction.

Fellegi–Sunter is Splink's job; this module only says what to compare (`comparisons`, chosen
per run by `plan`) and how to train. Every comparison reads the ASCII columns of
`marsad.linkage.features`.

Parameters come from three places, in this order of precedence: EM on the records themselves
(when there are enough of them), the saved model of an earlier run (`marsad link --model`), and
the default model shipped with the package (`default_model.json`, learned on the scenario
matrix), which also starts EM. u, how often two different people agree by chance, is always
estimated on the records being linked: it depends on how common names are in *these* lists.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any, cast

import numpy as np
import pandas as pd
from splink import Linker, SettingsCreator, block_on
from splink.internals.database_api import DatabaseAPISubClass

from marsad.errors import InputError
from marsad.linkage import comparisons as comparison_library
from marsad.linkage import em
from marsad.linkage import prior as prior_library
from marsad.linkage.explain import DEFAULT_PRIOR, default_m, default_u
from marsad.linkage.plan import TRAINING_BLOCK_RECORDS, ModelPlan, plan_model, trained_by

MATCH_THRESHOLD = 0.8
"""Pairs at or above this match probability are linked by the machine."""
REVIEW_THRESHOLD = 0.5
"""Pairs between this and MATCH_THRESHOLD go to the review queue. A team with more reviewers'
time may lower it for a run (`marsad link --review-threshold`): more pairs, more links found."""
DRAW_FLOOR = 0.05
"""Pairs scored below the review threshold but at or above this are kept too, as "unlikely":
never linked nor queued, but estimation draws clusterings from them (a pair at 0.2 is one
person one time in five, and leaving every such pair out would split those persons in every
drawn clustering)."""
TRAINING_RECORDS = 200_000
"""Training reads a seeded random sample of at most this many records. The pairs EM must hold
grow with the square of the records (a mass-killing spike puts thousands of deaths on one day
and place): on 117,571 records, training on all of them peaks at about 2.7 GB, so lists of a
million records train on a sample. Smaller samples train worse: on that scenario a 30,000-record
sample left the model scoring 3,900 pairs above 0.5 instead of 60,800."""
PRIOR_SAMPLE = 50_000
"""The prior is estimated on a seeded random sample of at most this many records (see
`estimate_prior`): the share of pairs that match is the same in a uniform sample as in the
whole, and a sample's blocked pairs fit in memory at any size."""
PRIOR_ITERATIONS = 200
FIRST_NAME_DISAGREES = 0
"""The first-name comparison's level (Splink's gamma) for a clear disagreement: not the same
key, not a typo, not a rare spelling of a common name."""
DEFAULT_MODEL = "default_model.json"
EM_STRENGTH = 100.0
"""Pseudo-pairs of the default model's m that EM's estimate is drawn toward (`linkage.em`)."""


class ModelShapeError(InputError):
    """A saved model that this version of Marsad cannot read as its own."""


SCORED_COLUMNS = ("unique_id_l", "unique_id_r", "match_probability", "gammas", "weights")


@dataclass(frozen=True)
class Scored:
    """Every blocked pair at or above the review threshold, and the model that scored them."""

    pairs: pd.DataFrame
    """SCORED_COLUMNS"""
    model: dict[str, Any]
    """Splink's JSON of the model; empty when the records share no field to compare."""
    plan: ModelPlan
    source: str
    """Where the model's m came from: "trained" (EM on these records), "saved" (an earlier
    run's model), "default" (the shipped model: too few records to train) or "none" (the
    records share no field to compare)."""
    splink_warnings: tuple[str, ...] = field(default=())
    prior: prior_library.Prior | None = None
    """The prior the pairs were scored with, and how it was set."""


def is_machine_match(score: float, gammas: list[int], comparisons: tuple[str, ...]) -> bool:
    """Whether the machine links a scored pair: at MATCH_THRESHOLD or above, unless the first
    names clearly disagree — then however much else agrees, a reviewer decides."""
    if score < MATCH_THRESHOLD:
        return False
    if "first_key" not in comparisons:
        return True
    return gammas[comparisons.index("first_key")] != FIRST_NAME_DISAGREES


def model_comparisons(model: dict[str, Any]) -> tuple[str, ...]:
    """The comparisons of a saved model, in the order of its comparison vectors."""
    return tuple(str(c["output_column_name"]) for c in model["comparisons"])


def settings(plan: ModelPlan) -> SettingsCreator:
    """The model's settings. Intermediate columns stay off here: training would carry them
    for every blocked pair; prediction turns them on (see `score`)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparison_library.build(plan.comparisons),
        blocking_rules_to_generate_predictions=[block_on(*r) for r in plan.blocking_rules],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def default_model() -> dict[str, Any]:
    """The shipped model: m and u of every level of every comparison, by label."""
    text = resources.files("marsad.linkage").joinpath(DEFAULT_MODEL).read_text(encoding="utf-8")
    return cast(dict[str, Any], json.loads(text))


def _levels(comparison: dict[str, Any]) -> list[str]:
    return [str(lv.get("label_for_charts")) for lv in comparison["comparison_levels"]]


def with_parameters(
    plan: ModelPlan, dialect: str, source: dict[str, Any], *, name: str
) -> dict[str, Any]:
    """The plan's settings in `dialect`, carrying the m and u of `source` (a saved model).

    A saved model's SQL is in the dialect of the engine that trained it (DuckDB quotes
    names with "", Spark with ``; Jaro-Winkler is jaro_winkler_similarity in one and
    jaro_winkler in the other), so only its parameters move between engines and runs.
    """
    fresh = settings(plan).create_settings_dict(dialect)
    if "probability_two_random_records_match" in source:
        fresh["probability_two_random_records_match"] = source[
            "probability_two_random_records_match"
        ]
    saved = {c["output_column_name"]: c for c in source["comparisons"]}
    for comparison in fresh["comparisons"]:
        column = comparison["output_column_name"]
        old = saved.get(column)
        if old is None:
            continue
        if _levels(old) != _levels(comparison):
            raise ModelShapeError(
                f"{name}: its {column!r} comparison has the levels {_levels(old)}, this version "
                f"of Marsad has {_levels(comparison)}; link without --model to train a new one"
            )
        pairs = zip(comparison["comparison_levels"], old["comparison_levels"], strict=True)
        for level, old_level in pairs:
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    level[key] = old_level[key]
    return fresh


def plan_for_saved(plan: ModelPlan, model: dict[str, Any]) -> ModelPlan:
    """`plan` narrowed to the comparisons a saved model has: those it lacks cannot be scored."""
    known = set(model_comparisons(model))
    lacking = tuple(c for c in plan.comparisons if c not in known)
    return replace(
        plan,
        comparisons=tuple(c for c in plan.comparisons if c in known),
        left_out=plan.left_out
        + tuple((c, "the saved model has no such comparison") for c in lacking),
        training_rules=(),
        untrained=(),
    )


def comparison_levels(
    pairs: pd.DataFrame, model: dict[str, Any], names: tuple[str, ...] | None = None
) -> np.ndarray[Any, Any]:
    """The comparison vector (one level per comparison in `names`, by default all the
    model's) of each scored pair.

    Splink's predictions carry each comparison's Bayes factor but not its level; the level is
    the one whose m/u equals that factor (a null level has factor 1 and value -1).
    """
    names = model_comparisons(model) if names is None else names
    out = np.full((len(pairs), len(names)), -1, dtype=np.int64)
    for j, name in enumerate(names):
        levels = _non_null(_comparison(model, name))
        candidates = [
            (value, lv["m_probability"] / lv["u_probability"])
            for value, lv in enumerate(levels)
            if lv.get("m_probability") and lv.get("u_probability")
        ]
        if not candidates:
            continue
        factors = np.log(pairs[f"bf_{name}"].to_numpy(dtype=float))
        values = np.array([v for v, _ in candidates])
        logs = np.log(np.array([bf for _, bf in candidates]))
        nearest = np.abs(factors[:, None] - logs[None, :]).argmin(axis=1)
        exact = np.isclose(factors, logs[nearest], rtol=0, atol=1e-9)
        out[:, j] = np.where(exact, values[nearest], -1)
    return out


def comparison_weights(pairs: pd.DataFrame, names: tuple[str, ...]) -> np.ndarray[Any, Any]:
    """Each comparison's match weight (log2 Bayes factor) for each pair, term-frequency
    adjustments included: exactly what Splink added up, so explanations match the score."""
    out = np.zeros((len(pairs), len(names)))
    for j, name in enumerate(names):
        factor = pairs[f"bf_{name}"].to_numpy(dtype=float)
        if f"bf_tf_adj_{name}" in pairs:
            factor = factor * pairs[f"bf_tf_adj_{name}"].to_numpy(dtype=float)
        out[:, j] = np.round(np.log2(factor), 3)
    return out


def mark_small_blocks(frame: pd.DataFrame, rules: tuple[tuple[str, ...], ...]) -> pd.DataFrame:
    """`frame` with a 0/1 column `small_block_i` per training rule i: 1 when the record's block
    under that rule holds at most TRAINING_BLOCK_RECORDS records."""
    return frame.assign(
        **{
            f"small_block_{i}": (
                frame.groupby(list(columns), dropna=False)[columns[0]].transform("size")
                <= TRAINING_BLOCK_RECORDS
            ).astype(int)
            for i, columns in enumerate(rules)
        }
    )


def fit(
    sample: pd.DataFrame,
    plan: ModelPlan,
    db_api: DatabaseAPISubClass,
    say: Callable[[str], None],
    start: dict[str, Any],
    strength: float = EM_STRENGTH,
) -> dict[str, Any]:
    """u by random sampling; m by EM in each training session, from and toward the m of
    `start` (`marsad.linkage.em`); comparisons no session trains keep the m of `start`."""
    marked = mark_small_blocks(sample, plan.training_rules)
    begin = with_parameters(plan, db_api.sql_dialect.sql_dialect_str, start, name="the start")
    linker = Linker(cast(Any, marked), begin, db_api, set_up_basic_logging=False)
    linker.table_management.invalidate_cache()
    say("estimating u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=1)
    model = _every_level_set(dict(linker.misc.save_model_to_json()))
    learned: dict[str, list[np.ndarray[Any, Any]]] = {}
    for i, columns in enumerate(plan.training_rules):
        say(f"EM training blocked on {' + '.join(columns)}")
        names = trained_by(columns, plan.comparisons)
        agree = " AND ".join(f"l.{column} = r.{column}" for column in columns)
        patterns = _patterns(marked, model, names, f"{agree} AND l.small_block_{i} = 1", db_api)
        levels = [_levels_of(model, name) for name in names]
        m, _share = em.map_em(patterns, levels, strength)
        for name, estimate in zip(names, m, strict=True):
            learned.setdefault(name, []).append(estimate)
    for name, estimates in learned.items():
        _set_m(model, name, np.mean(estimates, axis=0))
    # The sessions' tables (a sample, with training columns) must not be scored from.
    linker.table_management.invalidate_cache()
    return model


def _comparison(model: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in model["comparisons"] if c["output_column_name"] == name)


def _non_null(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """The comparison's non-null levels, ordered by comparison vector value (0 first)."""
    return [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")][::-1]


def _every_level_set(model: dict[str, Any]) -> dict[str, Any]:
    """`model` with Splink's default m and u written into every level that has none (a model
    started from Splink's own values), so every level's Bayes factor can be told apart."""
    for comparison in model["comparisons"]:
        levels = _non_null(comparison)
        m0, u0 = default_m(len(levels)), default_u(len(levels))
        for value, level in enumerate(levels):
            level.setdefault("m_probability", m0[value])
            level.setdefault("u_probability", u0[value])
    return model


def _levels_of(model: dict[str, Any], name: str) -> em.Levels:
    levels = _non_null(_comparison(model, name))
    return em.Levels(
        m=np.array([float(lv["m_probability"]) for lv in levels]),
        u=np.array([float(lv["u_probability"]) for lv in levels]),
        fixed=np.array([bool(lv.get("fix_m_probability")) for lv in levels]),
    )


def _set_m(model: dict[str, Any], name: str, m: np.ndarray[Any, Any]) -> None:
    for level, value in zip(_non_null(_comparison(model, name)), m, strict=True):
        if not level.get("fix_m_probability"):
            level["m_probability"] = float(value)


def _patterns(
    marked: pd.DataFrame,
    model: dict[str, Any],
    names: tuple[str, ...],
    rule: str,
    db_api: DatabaseAPISubClass,
) -> em.Patterns:
    """The distinct comparison vectors of the pairs `rule` blocks, over `names`, with counts.

    Splink computes each pair's comparisons; the database counts the patterns, so only the
    few thousand distinct vectors reach Python."""
    settings = {
        **model,
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule}],
        "retain_intermediate_calculation_columns": True,
    }
    linker = Linker(cast(Any, marked), settings, db_api, set_up_basic_logging=False)
    predictions = linker.inference.predict()
    factors = ", ".join(f"bf_{name}" for name in names)
    counted = linker.misc.query_sql(
        f"SELECT {factors}, count(*) AS pairs FROM {predictions.physical_name} GROUP BY {factors}"
    )
    predictions.drop_table_from_database_and_remove_from_cache()
    gammas = comparison_levels(counted, model, names)
    return em.Patterns(gammas=gammas, counts=counted["pairs"].to_numpy(dtype=float))


def estimate_prior(
    frame: pd.DataFrame, model: dict[str, Any], plan: ModelPlan, db_api: DatabaseAPISubClass
) -> prior_library.Prior:
    """The probability that two random records match, given the model's m and u, and how it
    was set (`marsad.linkage.prior`).

    EM for the prior alone: with each blocked pair's Bayes factor fixed, the prior is the
    expected number of matching pairs over the number of all pairs, and that expectation
    depends on the prior; iterate to the fixed point. Pairs no blocking rule compares count
    as non-matches. Unlike a deterministic rule with an assumed recall, it needs no field to
    be present (on the default scenario it gave 5.08e-5 for a truth of 5.29e-5, where the rule
    on first, father's and family name and date gave 3.66e-5). When the lists do not identify
    it (`prior.likelihood_ratio` below `prior.CHI2_1_95`), it is set from the pairs across
    lists that agree on every field beyond chance (`prior.alike_beyond_chance`).
    """
    sample = frame
    if len(frame) > PRIOR_SAMPLE:
        sample = frame.sample(n=PRIOR_SAMPLE, random_state=2).sort_values("unique_id")
    pairs = len(sample) * (len(sample) - 1) / 2
    start = float(model["probability_two_random_records_match"])
    settings = with_parameters(plan, db_api.sql_dialect.sql_dialect_str, model, name="the model")
    settings["retain_intermediate_calculation_columns"] = True
    linker = Linker(cast(Any, sample), settings, db_api, set_up_basic_logging=False)
    predictions = linker.inference.predict()
    alike, across = _alike_across(model, plan)
    read = linker.misc.query_sql(
        f"SELECT match_weight, {alike} AS alike, {across} AS across "
        f"FROM {predictions.physical_name}"
    )
    linker.table_management.invalidate_cache()
    predictions.drop_table_from_database_and_remove_from_cache()
    weights = read["match_weight"].to_numpy(dtype=float)
    bayes = weights - np.log2(start / (1 - start))
    prior = start
    for _ in range(PRIOR_ITERATIONS):
        odds = np.log2(prior / (1 - prior)) + bayes
        expected = float((1 / (1 + np.exp2(-odds))).sum())
        updated = min(max(expected / pairs, 1e-12), 0.5)
        converged = abs(updated - prior) <= 1e-6 * prior
        prior = updated
        if converged:
            break
    ratio = prior_library.likelihood_ratio(np.exp2(bayes), pairs, prior)
    if ratio >= prior_library.CHI2_1_95 or "lists" not in plan.comparisons:
        return prior_library.Prior(prior, prior_library.ESTIMATED, ratio)
    overlap = prior_library.alike_beyond_chance(
        int((read["alike"].astype(bool) & read["across"].astype(bool)).sum()),
        {str(k): int(v) for k, v in sample["source"].value_counts().items()},
        _carried_by_list(sample, plan),
        _top_u(model, plan),
    )
    if overlap <= prior * pairs:
        return prior_library.Prior(prior, prior_library.ESTIMATED, ratio)
    return prior_library.Prior(
        min(overlap / pairs, 0.5), prior_library.OVERLAP, ratio, prior, overlap
    )


def _agreeing(plan: ModelPlan) -> tuple[str, ...]:
    """The comparisons whose strongest level is agreement (all but the lists')."""
    return tuple(c for c in plan.comparisons if c != "lists")


def _alike_across(model: dict[str, Any], plan: ModelPlan) -> tuple[str, str]:
    """SQL: whether a predicted pair agrees on every field both records carry (each
    comparison at its strongest level, or null), and whether its records are on two lists.
    Splink's predictions carry Bayes factors, not levels: a level is told by its factor, as
    in `comparison_levels` (the null level's is 1)."""

    def at(name: str, level: int) -> str:
        parameters = _non_null(_comparison(model, name))[level]
        factor = float(parameters["m_probability"]) / float(parameters["u_probability"])
        return f"abs(bf_{name} - {factor!r}) <= {1e-9 * factor!r}"

    tests = [f"(bf_{name} = 1 OR {at(name, -1)})" for name in _agreeing(plan)]
    across = at("lists", 0) if "lists" in plan.comparisons else "FALSE"
    return "(" + (" AND ".join(tests) or "TRUE") + ")", across


def _carried_by_list(sample: pd.DataFrame, plan: ModelPlan) -> dict[str, dict[str, float]]:
    """Each list's share of records that carry each agreeing comparison's field."""
    needs = {name: comparison_library.BY_NAME[name].needs for name in _agreeing(plan)}
    return {
        str(source): {name: float(group[column].notna().mean()) for name, column in needs.items()}
        for source, group in sample.groupby("source")
    }


def _top_u(model: dict[str, Any], plan: ModelPlan) -> dict[str, float]:
    """u of each agreeing comparison's strongest level: how often two people agree on it."""
    return {
        name: float(_non_null(_comparison(model, name))[-1]["u_probability"])
        for name in _agreeing(plan)
    }


def train(
    frame: pd.DataFrame, db_api: DatabaseAPISubClass, say: Callable[[str], None]
) -> tuple[dict[str, Any], ModelPlan, bool, prior_library.Prior]:
    """Train a model for the records of `frame`; the model as JSON, its plan, whether EM
    ran (False: the lists hold too few pairs for any training session,
    `plan.MIN_TRAINING_PAIRS`, so the default model's m is used with u and the prior
    estimated on these records; on samples of 100 to 3,000 records of the scenario matrix, EM
    drawn toward the default model linked as well as the default model or slightly better at
    every size, benchmarks/small_lists.py, so the number of pairs, not of records, decides),
    and how its prior was set (`estimate_prior`)."""
    sample = frame
    if len(frame) > TRAINING_RECORDS:
        say(f"sampling {TRAINING_RECORDS:,} records for training")
        sample = frame.sample(n=TRAINING_RECORDS, random_state=1).sort_values("unique_id")
    plan = plan_model(sample, train=True)
    say(plan.describe())
    with_em = bool(plan.training_rules)
    if not with_em:
        say(f"{len(frame):,} records are too few to train on: the default model is used")
    elif plan.untrained:
        labels = ", ".join(comparison_library.BY_NAME[c].label for c in plan.untrained)
        say(f"no training session could learn {labels}: the default model's values are used")
    model = fit(sample, plan, db_api, say, default_model())
    say("estimating the prior")
    prior = estimate_prior(frame, model, plan, db_api)
    say(prior.describe())
    model["probability_two_random_records_match"] = prior.value
    return model, plan, with_em, prior


def score(
    frame: pd.DataFrame,
    db_api: DatabaseAPISubClass,
    say: Callable[[str], None],
    trained: dict[str, Any] | None = None,
    review_threshold: float = REVIEW_THRESHOLD,
) -> Scored:
    """Score every blocked pair of `frame`, training the model on `frame` itself unless a
    `trained` model (Splink JSON from an earlier run) is given to reuse."""
    plan = plan_model(frame, train=False)
    if not plan.comparisons:
        return Scored(pd.DataFrame(columns=SCORED_COLUMNS), {}, plan, "none")
    with splink_warnings() as caught:
        if trained is None:
            model, plan, with_em, prior = train(frame, db_api, say)
            source, name = model, "the trained model"
            origin = "trained" if with_em else "default"
        else:
            plan = plan_for_saved(plan, trained)
            say(plan.describe())
            source, name, origin = trained, "the saved model", "saved"
            prior = prior_library.Prior(
                float(trained.get("probability_two_random_records_match") or DEFAULT_PRIOR),
                prior_library.SAVED,
            )
        scoring = with_parameters(plan, db_api.sql_dialect.sql_dialect_str, source, name=name)
        # Each comparison's Bayes factor is needed to explain a decision.
        scoring["retain_intermediate_calculation_columns"] = True
        linker = Linker(cast(Any, frame), scoring, db_api, set_up_basic_logging=False)
        linker.table_management.invalidate_cache()
        say("scoring pairs")
        predictions = linker.inference.predict(threshold_match_probability=review_threshold)
        scored = predictions.as_pandas_dataframe()
        used = dict(linker.misc.save_model_to_json())
    pairs = scored[["unique_id_l", "unique_id_r", "match_probability"]].copy()
    pairs["gammas"] = list(comparison_levels(scored, used))
    pairs["weights"] = list(comparison_weights(scored, plan.comparisons))
    return Scored(pairs, used, plan, origin, summarise(caught), prior)


@contextmanager
def splink_warnings() -> Iterator[list[str]]:
    """Collect what Splink (and the libraries under it) warn about, instead of letting it
    reach the terminal line by line; `summarise` turns it into a few lines for the user."""
    caught: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record.getMessage())

    logger = logging.getLogger("splink")
    handler = Collect(level=logging.WARNING)
    was_propagating = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as raised:
            warnings.simplefilter("always")
            yield caught
        caught.extend(str(w.message) for w in raised)
    finally:
        logger.removeHandler(handler)
        logger.propagate = was_propagating


_NOT_OBSERVED = re.compile(r"^Level (.+) on comparison (\S+) not observed in dataset")


def summarise(messages: list[str]) -> tuple[str, ...]:
    """A few lines for what Splink warned about: levels that EM saw no pair at (the default
    model's m stays there), then every other warning once, with how often it came."""
    unseen: Counter[str] = Counter()
    other: Counter[str] = Counter()
    for message in messages:
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        if lines and lines[0].rstrip(":").upper() == "WARNING":
            lines = lines[1:]
        if not lines:
            continue
        match = _NOT_OBSERVED.match(lines[0])
        if match is not None:
            unseen[match.group(2)] += 1
        else:
            other[" ".join(lines[0].split())] += 1
    out = []
    if unseen:
        where = ", ".join(f"{name} ×{n}" for name, n in sorted(unseen.items()))
        out.append(
            f"{sum(unseen.values())} comparison levels were not seen in training ({where}); "
            "they keep the default model's values"
        )
    out.extend(f"{text} (×{n})" if n > 1 else text for text, n in other.most_common())
    return tuple(out)
