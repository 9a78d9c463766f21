"""Plain Splink, set up as a careful user without Arabic-aware name handling would set it up.

The yardstick for Marsad's linkage in benchmarks/linkage.py: the same parsed records, linked on
the full `name` column exactly as written (Arabic script and Latin mixed) with Splink's own
name comparison, the other fields as parsed, EM trained on the data, Marsad's match threshold,
and Splink's own clustering. What Marsad adds (name parts, cross-script keys, the first-name
rule, p-code places, the deterministic rule) is left out on purpose.

The "transliterated" variant goes one step further, as a careful user would: Arabic script is
written in Latin letters by a letter-for-letter table copied from a transliteration standard,
names and governorates are lower-cased and stripped of accents and punctuation, and the first and
last words of the name are compared apart, term-frequency adjusted. It knows nothing of Arabic
names: not the vowels the script leaves out, nor alef forms, the article or ta marbuta.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, cast

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from sqlalchemy import Engine, select

from marsad.linkage.model import MATCH_THRESHOLD
from marsad.store.models import Record, Source

COLUMNS = (
    "unique_id",
    "source",
    "record_id",
    "name",
    "sex",
    "age",
    "date_of_death",
    "governorate",
)


def baseline_records(engine: Engine) -> pd.DataFrame:
    """The stored records with the columns the baseline compares (COLUMNS).

    Age is one number: the stated age, or the middle of a stated range.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Record.id,
                Source.name,
                Record.record_id,
                Record.name,
                Record.sex,
                Record.age_min,
                Record.age_max,
                Record.date_of_death,
                Record.governorate,
            )
            .join(Source, Source.id == Record.source_id)
            .order_by(Record.id)
        ).all()
    frame = pd.DataFrame.from_records(
        [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5] if r[6] is None or r[5] is None else (r[5] + r[6]) / 2,
                r[7],
                r[8],
            )
            for r in rows
        ],
        columns=list(COLUMNS),
    )
    frame["age"] = frame["age"].astype("Float64")
    return frame


LETTERS = str.maketrans(
    {
        "ا": "a", "أ": "a", "إ": "i", "آ": "aa", "ء": "'", "ؤ": "'", "ئ": "'", "ب": "b",
        "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
        "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "'",
        "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
        "ة": "a", "و": "w", "ي": "y", "ى": "a",
    }
)  # fmt: skip
"""Arabic letters as a letter-for-letter transliteration table writes them."""


def generic_latin(text: str | None) -> str | None:
    """`text` in lower-case ASCII letters by LETTERS, accents and punctuation dropped."""
    if not text:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(LETTERS))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z ]+", "", plain.replace("-", " ")).split()
    return " ".join(words) or None


def transliterated(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (from `baseline_records`) with the transliterated name, its first and last
    words, and the transliterated governorate."""
    latin = frame["name"].map(generic_latin)
    words = latin.str.split()
    return frame.assign(
        name_latin=latin,
        first_word=words.str[0],
        last_word=words.map(lambda w: w[-1] if isinstance(w, list) and len(w) > 1 else None),
        governorate_latin=frame["governorate"].map(generic_latin),
    )


def _age() -> Any:
    return cl.CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.NullLevel("age"),
            cll.ExactMatchLevel("age"),
            cll.AbsoluteDifferenceLevel("age", 2),
            cll.AbsoluteDifferenceLevel("age", 5),
            cll.ElseLevel(),
        ],
        comparison_description="age",
    )


def transliterated_settings(prior: float | None = None) -> SettingsCreator:
    """Splink's name comparison on the transliterated first and last words and whole name."""
    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("first_word").configure(term_frequency_adjustments=True),
            cl.NameComparison("last_word").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("name_latin", [0.9, 0.8]),
            cl.ExactMatch("sex"),
            _age(),
            cl.LevenshteinAtThresholds("date_of_death", [1, 2]),
            cl.JaroWinklerAtThresholds("governorate_latin", [0.85]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_word", "last_word"),
            block_on("first_word", "date_of_death"),
            block_on("last_word", "date_of_death"),
        ],
    )
    if prior is not None:
        creator.probability_two_random_records_match = prior
    return creator


def settings(prior: float | None = None) -> SettingsCreator:
    """Splink's name comparison on the raw name, the other fields as they are; `prior` is the
    probability that two random records match, when it is known rather than estimated."""
    age = _age()
    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("name").configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex"),
            age,
            cl.LevenshteinAtThresholds("date_of_death", [1, 2]),
            cl.ExactMatch("governorate"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("name"),
            block_on("substr(name, 1, 4)", "date_of_death"),
            block_on("date_of_death", "governorate", "sex", "age"),
        ],
    )
    if prior is not None:
        creator.probability_two_random_records_match = prior
    return creator


def link_baseline(
    frame: pd.DataFrame,
    say: Callable[[str], None],
    prior: float | None = None,
    generic: bool = False,
) -> tuple[pd.Series, int]:
    """Cluster `frame` (from `baseline_records`): unique_id → cluster id, and the number of
    pairs at or above the threshold. With `generic`, names are transliterated first (the
    "transliterated" variant).

    Without a `prior`, it is estimated as Splink's tutorials do: pairs with the same name and
    date, taken to be 70% of the true matches.
    """
    if generic:
        frame = transliterated(frame)
        name, place = ("first_word", "last_word"), "governorate_latin"
        creator = transliterated_settings(prior)
    else:
        name, place = ("name",), "governorate"
        creator = settings(prior)
    linker = Linker(cast(Any, frame), creator, DuckDBAPI(), set_up_basic_logging=False)
    if prior is None:
        say("estimating the prior")
        linker.training.estimate_probability_two_random_records_match(
            [block_on(*name, "date_of_death")], recall=0.7
        )
    say("estimating u by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=5_000_000, seed=1)
    say(f"EM training blocked on {' + '.join(name)}")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on(*name))
    say(f"EM training blocked on date_of_death + {place} + sex + age")
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_death", place, "sex", "age")
    )
    say("scoring pairs")
    predictions = linker.inference.predict(threshold_match_probability=MATCH_THRESHOLD)
    pairs = int(predictions.as_duckdbpyrelation().count("*").fetchall()[0][0])
    say("clustering")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=MATCH_THRESHOLD
    )
    assigned = clusters.as_duckdbpyrelation().df()
    return assigned.set_index("unique_id")["cluster_id"], pairs
