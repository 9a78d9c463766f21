"""The probabilistic linkage model: Splink settings, training by EM, and prediction.

Fellegi–Sunter is Splink's job; this module only says what to compare and how to train.
Every comparison reads the ASCII columns of `marsad.linkage.features`.

Two domain facts shape the model:
- Relatives killed together share father's, grandfather's and family name, date and place;
  only the first name tells brothers apart. So a clear first-name disagreement carries a fixed,
  strong weight against a match that EM may not dilute (EM on such data would otherwise learn
  that first names often disagree within "matches" made of siblings). Even that weight is
  outvoted when a family's rare names, date, place and ages all agree — brothers, twins — so
  such a pair is never a machine match: it goes to reviewers (`is_machine_match`).
- Agreeing on "Mohammad" says less than agreeing on a rare family name: name comparisons are
  term-frequency adjusted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.database_api import DatabaseAPISubClass

from marsad.errors import InputError

MATCH_THRESHOLD = 0.8
"""Pairs at or above this match probability are linked by the machine."""
REVIEW_THRESHOLD = 0.5
"""Pairs between this and MATCH_THRESHOLD go to the review queue. A team with more reviewers'
time may lower it for a run (`marsad link --review-threshold`): more pairs, more links found."""
FIRST_NAME_DISAGREE_M = 1e-5
"""m for a clear first-name disagreement: how often one person's first name is recorded as
an unrelated name. Fixed, not trained (see module docstring)."""
RARE_SPELLING = 2
"""A first-name key written by at most this many records of the lists being linked is rare."""
COMMON_SPELLING = 10
"""A first-name key written by at least this many records is a name the lists know."""
VOWEL_VARIANT_SIMILARITY = 0.8
"""Jaro-Winkler of two spellings, from which keys differing only in vowels across scripts are
read as one name."""


def _name(column: str, *, term_frequency: bool, extra: tuple[Any, ...] = ()) -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=term_frequency),
            cll.JaroWinklerLevel(column, 0.9),
            cll.JaroWinklerLevel(column, 0.75),
            *extra,
            cll.ElseLevel(),
        ],
        comparison_description=f"name part {column}",
    )


def _two_part_family() -> Any:
    """A two-part name ("Ali Mohammad") reads as first + family, but is often first +
    father's name: its "family" then equals the other record's father's name."""
    return cll.CustomLevel(
        "(father_key_l IS NULL AND family_key_l = father_key_r) "
        "OR (father_key_r IS NULL AND family_key_r = father_key_l)",
        label_for_charts="equals the other's father's name (two-part name)",
    )


def _father_left_out() -> Any:
    """A name of three parts whose writer left out the father's name reads the grandfather's
    name as the father's: it then equals the other record's grandfather's name."""
    return cll.CustomLevel(
        "(grandfather_key_l IS NULL AND father_key_l = grandfather_key_r) "
        "OR (grandfather_key_r IS NULL AND father_key_r = grandfather_key_l)",
        label_for_charts="equals the other's grandfather's name (father left out)",
    )


def _rare_spelling(edits: int) -> Any:
    """A first name that the lists write at most RARE_SPELLING times, `edits` key edits from
    one they write at least COMMON_SPELLING times: a slip of the pen more often than a
    brother, whose name is a name the lists know."""
    return cll.And(
        cll.CustomLevel(
            f"least(first_count_l, first_count_r) <= {RARE_SPELLING} "
            f"AND greatest(first_count_l, first_count_r) >= {COMMON_SPELLING}"
        ),
        cll.DamerauLevenshteinLevel("first_key", edits),
    ).configure(label_for_charts=f"rare spelling {edits} key edit(s) from a common name")


def _vowels_across_scripts() -> Any:
    """One first name in Arabic script, one in Latin letters, whose keys differ only in
    vowels (`features.consonants`) and whose spellings are alike: Huda / هدى (Jaro-Winkler
    0.85), not Hassan / حسين (0.68). Without this level such a pair met the first-name veto."""
    return cll.And(
        cll.ExactMatchLevel("first_consonants"),
        cll.JaroWinklerLevel("first_latin", VOWEL_VARIANT_SIMILARITY),
        cll.CustomLevel("first_arabic_l <> first_arabic_r"),
    ).configure(label_for_charts="vowels written otherwise across scripts")


def _first_name() -> ComparisonCreator:
    """First names: equal keys, a typo (one key edit and near-identical spelling), one name
    whose vowels the two scripts write differently, a rare spelling close to a common name,
    or not."""
    return cl.CustomComparison(
        output_column_name="first_key",
        comparison_levels=[
            cll.NullLevel("first_key"),
            cll.ExactMatchLevel("first_key", term_frequency_adjustments=True),
            cll.And(
                cll.DamerauLevenshteinLevel("first_key", 1),
                cll.JaroWinklerLevel("first_latin", 0.88),
            ).configure(label_for_charts="typo (one key edit, similar spelling)"),
            _vowels_across_scripts(),
            _rare_spelling(1),
            _rare_spelling(2),
            cll.ElseLevel().configure(m_probability=FIRST_NAME_DISAGREE_M, fix_m_probability=True),
        ],
        comparison_description="first name",
    )


def _date() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="dod",
        comparison_levels=[
            cll.NullLevel("dod"),
            cll.ExactMatchLevel("dod", term_frequency_adjustments=True).configure(
                label_for_charts="same full date"
            ),
            cll.CustomLevel(
                "abs(dod_day_number_l - dod_day_number_r) <= 3",
                label_for_charts="within 3 days",
            ),
            cll.CustomLevel(
                "(length(dod_l) = 7 OR length(dod_r) = 7) AND dod_month_l = dod_month_r",
                label_for_charts="same month, one side month only",
            ),
            cll.CustomLevel(
                "(length(dod_l) = 4 OR length(dod_r) = 4) AND dod_year_l = dod_year_r",
                label_for_charts="same year, one side year only",
            ),
            cll.CustomLevel("dod_month_l = dod_month_r", label_for_charts="same month, days apart"),
            cll.ElseLevel(),
        ],
        comparison_description="date of death",
    )


def _place() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.CustomLevel(
                "adm1_l IS NULL OR adm1_r IS NULL", label_for_charts="unknown"
            ).configure(is_null_level=True),
            cll.CustomLevel(
                "locality_key_l = locality_key_r AND adm1_l = adm1_r",
                label_for_charts="same locality",
            ),
            cll.CustomLevel(
                "adm2_l = adm2_r AND (locality_key_l IS NULL OR locality_key_r IS NULL)",
                label_for_charts="same district",
            ),
            cll.CustomLevel(
                "adm1_l = adm1_r AND (locality_key_l IS NULL OR locality_key_r IS NULL)",
                label_for_charts="same governorate",
            ),
            cll.CustomLevel("adm1_l = adm1_r", label_for_charts="same governorate, other locality"),
            cll.ElseLevel(),
        ],
        comparison_description="place of death (p-code hierarchy)",
    )


def _age() -> ComparisonCreator:
    mid_l = "(age_min_l + coalesce(age_max_l, age_min_l + 20)) / 2.0"
    mid_r = "(age_min_r + coalesce(age_max_r, age_min_r + 20)) / 2.0"
    exact = (
        "age_max_l IS NOT NULL AND age_max_r IS NOT NULL AND age_max_l = age_min_l "
        "AND age_max_r = age_min_r"
    )
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.CustomLevel("age_min_l IS NULL OR age_min_r IS NULL").configure(
                is_null_level=True, label_for_charts="unknown"
            ),
            cll.CustomLevel(f"{exact} AND age_min_l = age_min_r", label_for_charts="same age"),
            cll.CustomLevel(
                f"{exact} AND abs(age_min_l - age_min_r) <= 1", label_for_charts="within 1 year"
            ),
            cll.CustomLevel(
                f"{exact} AND abs(age_min_l - age_min_r) <= 5", label_for_charts="within 5 years"
            ),
            cll.CustomLevel(
                "age_min_l <= coalesce(age_max_r, 200) AND age_min_r <= coalesce(age_max_l, 200)",
                label_for_charts="ranges overlap",
            ),
            cll.CustomLevel(f"abs({mid_l} - {mid_r}) <= 10", label_for_charts="within 10 years"),
            cll.ElseLevel(),
        ],
        comparison_description="age (with tolerance)",
    )


def _lists() -> ComparisonCreator:
    """Whether the two records come from one list. A list names a person once, save for its few
    duplicates, so a pair within one list is far less often one person than a pair across
    lists with the same names, date and place: most such pairs are namesakes or relatives."""
    return cl.CustomComparison(
        output_column_name="lists",
        comparison_levels=[
            # Every record has its list; the null level only keeps Splink from warning.
            cll.NullLevel("source"),
            cll.CustomLevel("source_l = source_r", label_for_charts="same list"),
            cll.ElseLevel().configure(label_for_charts="different lists"),
        ],
        comparison_description="the records' lists",
    )


def comparisons() -> list[ComparisonCreator | dict[str, Any]]:
    return [
        _first_name(),
        _name("father_key", term_frequency=True, extra=(_father_left_out(),)),
        _name("grandfather_key", term_frequency=True),
        _name("family_key", term_frequency=True, extra=(_two_part_family(),)),
        _name("mother_key", term_frequency=True),
        cl.ExactMatch("sex"),
        _age(),
        _date(),
        _place(),
        cl.ExactMatch("status"),
        _lists(),
    ]


def blocking_rules() -> list[BlockingRuleCreator | dict[str, Any]]:
    """Chosen for recall: each rule catches links that the others miss.

    A typo in the first name is caught by father + family; in the family name by first +
    father; partial or shifted dates by the name rules; a missing father by first + family.
    """
    return [
        block_on("first_key", "family_key"),
        block_on("first_key", "father_key"),
        block_on("first_key", "second_key"),
        block_on("father_key", "family_key", "adm1"),
        block_on("first_key", "dod", "adm1"),
        block_on("family_key", "dod"),
    ]


TRAINING_RULES = (
    ("first_key", "family_key"),
    ("dod", "adm2", "sex"),
)
"""EM sessions: each trains every comparison but the columns it blocks on."""
TRAINING_BLOCK_RECORDS = 40
"""EM reads only the blocks of at most this many sample records. Namesake pairs grow with the
square of a block and matches only with its size, so the few blocks of the commonest names
("Mohammad" + "Ali", or everyone who died on the worst day in one district) hold most pairs and
almost no matches. On a million records EM on whole blocks settled on another split than the
persons (agreeing on the father's name worth 0.5 bits instead of 4); capped, it learns the same
weights as on 100,000 records. The cap leaves out pairs, not comparisons: every level is still
seen in the smaller blocks."""
TRAINING_RECORDS = 200_000
"""Training reads a seeded random sample of at most this many records. The pairs EM must hold
grow with the square of the records (a mass-killing spike puts thousands of deaths on one day
and place): on 117,571 records, training on all of them peaks at about 2.7 GB, so lists of a
million records train on a sample. Smaller samples train worse: on that scenario a 30,000-record
sample left the model scoring 3,900 pairs above 0.5 instead of 60,800."""


def settings() -> SettingsCreator:
    """The model's settings. Intermediate columns stay off here: training would carry them
    for every blocked pair; prediction turns them on (see `train_and_predict`)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=blocking_rules(),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


COMPARISON_NAMES = (
    "first_key",
    "father_key",
    "grandfather_key",
    "family_key",
    "mother_key",
    "sex",
    "age",
    "dod",
    "place",
    "status",
    "lists",
)
"""Output column names of `comparisons()`, in order; `gammas` lists follow this order."""


FIRST_NAME_DISAGREES = 0
"""The first-name comparison's level (Splink's gamma) for a clear disagreement: not the same
key, not a typo, not a rare spelling of a common name."""


def is_machine_match(score: float, gammas: list[int]) -> bool:
    """Whether the machine links a scored pair: at MATCH_THRESHOLD or above, unless the first
    names clearly disagree — then however much else agrees, a reviewer decides."""
    first = gammas[COMPARISON_NAMES.index("first_key")]
    return score >= MATCH_THRESHOLD and first != FIRST_NAME_DISAGREES


def _level_bayes_factors(model: dict[str, Any]) -> dict[str, list[tuple[int, float]]]:
    """Per comparison, (comparison vector value, Bayes factor m/u) of each non-null level."""
    out: dict[str, list[tuple[int, float]]] = {}
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        out[comparison["output_column_name"]] = [
            (len(levels) - 1 - i, lv["m_probability"] / lv["u_probability"])
            for i, lv in enumerate(levels)
            if lv.get("m_probability") and lv.get("u_probability")
        ]
    return out


def comparison_levels(pairs: pd.DataFrame, model: dict[str, Any]) -> np.ndarray[Any, Any]:
    """The comparison vector (one level per comparison) of each scored pair.

    Splink's DuckDB predictions carry each comparison's Bayes factor but not its level; the
    level is the one whose m/u equals that factor (a null level has factor 1 and value -1).
    """
    levels = _level_bayes_factors(model)
    out = np.full((len(pairs), len(COMPARISON_NAMES)), -1, dtype=np.int64)
    for j, name in enumerate(COMPARISON_NAMES):
        candidates = levels[name]
        if not candidates:
            continue
        factors = np.log(pairs[f"bf_{name}"].to_numpy(dtype=float))
        values = np.array([v for v, _ in candidates])
        logs = np.log(np.array([bf for _, bf in candidates]))
        nearest = np.abs(factors[:, None] - logs[None, :]).argmin(axis=1)
        exact = np.isclose(factors, logs[nearest], rtol=0, atol=1e-9)
        out[:, j] = np.where(exact, values[nearest], -1)
    return out


def with_parameters(trained: dict[str, Any], dialect: str) -> dict[str, Any]:
    """This module's settings, written in `dialect`, carrying the parameters of `trained`.

    A saved model's SQL is in the dialect of the engine that trained it (DuckDB quotes
    names with "", Spark with ``; Jaro-Winkler is jaro_winkler_similarity in one and
    jaro_winkler in the other), so only its trained parameters move between engines.
    """
    fresh = settings().create_settings_dict(dialect)
    fresh["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    saved = {c["output_column_name"]: c["comparison_levels"] for c in trained["comparisons"]}
    for comparison in fresh["comparisons"]:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        old = saved.get(name, [])
        if [lv["label_for_charts"] for lv in old] != [lv["label_for_charts"] for lv in levels]:
            raise InputError(f"the saved model's {name!r} comparison differs from this version's")
        for level, old_level in zip(levels, old, strict=True):
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    level[key] = old_level[key]
    return fresh


def comparison_weights(pairs: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Each comparison's match weight (log2 Bayes factor) for each pair, term-frequency
    adjustments included: exactly what Splink added up, so explanations match the score."""
    out = np.zeros((len(pairs), len(COMPARISON_NAMES)))
    for j, name in enumerate(COMPARISON_NAMES):
        factor = pairs[f"bf_{name}"].to_numpy(dtype=float)
        if f"bf_tf_adj_{name}" in pairs:
            factor = factor * pairs[f"bf_tf_adj_{name}"].to_numpy(dtype=float)
        out[:, j] = np.round(np.log2(factor), 3)
    return out


def mark_small_blocks(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a 0/1 column `small_block_i` per training rule i: 1 when the record's block
    under that rule holds at most TRAINING_BLOCK_RECORDS records."""
    return frame.assign(
        **{
            f"small_block_{i}": (
                frame.groupby(list(columns), dropna=False)[columns[0]].transform("size")
                <= TRAINING_BLOCK_RECORDS
            ).astype(int)
            for i, columns in enumerate(TRAINING_RULES)
        }
    )


def train(
    frame: pd.DataFrame, db_api: DatabaseAPISubClass, say: Callable[[str], None]
) -> dict[str, Any]:
    """Estimate the model's parameters on a seeded sample of `frame`; the model as JSON."""
    sample = frame
    if len(frame) > TRAINING_RECORDS:
        say(f"sampling {TRAINING_RECORDS:,} records for training")
        sample = frame.sample(n=TRAINING_RECORDS, random_state=1).sort_values("unique_id")
    # Progress goes through `say`; Splink's own INFO log would repeat it line by line.
    linker = Linker(
        cast(Any, mark_small_blocks(sample)), settings(), db_api, set_up_basic_logging=False
    )
    say("estimating the prior")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_key", "father_key", "family_key", "dod")], recall=0.6
    )
    say("estimating u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=1)
    for i, columns in enumerate(TRAINING_RULES):
        say(f"EM training blocked on {' + '.join(columns)}")
        agree = " AND ".join(f"l.{column} = r.{column}" for column in columns)
        linker.training.estimate_parameters_using_expectation_maximisation(
            f"{agree} AND l.small_block_{i} = 1", estimate_without_term_frequencies=True
        )
    return dict(linker.misc.save_model_to_json())


def train_and_predict(
    frame: pd.DataFrame,
    db_api: DatabaseAPISubClass,
    say: Callable[[str], None],
    trained: dict[str, Any] | None = None,
    review_threshold: float = REVIEW_THRESHOLD,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score every blocked pair of `frame`, training the model by EM on `frame` itself
    unless a `trained` model (Splink JSON from an earlier run) is given to reuse.

    Returns the pairs at or above `review_threshold` (unique_id_l, unique_id_r,
    match_probability, gammas) and the model used, as JSON.
    """
    if trained is None:
        trained = train(frame, db_api, say)
    scoring = with_parameters(trained, db_api.sql_dialect.sql_dialect_str)
    # Each comparison's Bayes factor is needed to explain a decision.
    scoring["retain_intermediate_calculation_columns"] = True
    # Splink's hints say table names, but it takes data frames on every backend.
    linker = Linker(cast(Any, frame), scoring, db_api, set_up_basic_logging=False)
    say("scoring pairs")
    predictions = linker.inference.predict(threshold_match_probability=review_threshold)
    scored = predictions.as_pandas_dataframe()
    pairs = scored[["unique_id_l", "unique_id_r", "match_probability"]].copy()
    pairs["gammas"] = list(comparison_levels(scored, trained))
    pairs["weights"] = list(comparison_weights(scored))
    return pairs, trained
