"""Explaining a scored pair from its comparison vector: by hand, and against Splink itself."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from marsad.linkage.explain import explain, weight_to_probability
from marsad.linkage.learn import REVIEWERS, Correction


def level(label: str, m: float | None = None, u: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"sql_condition": "x", "label_for_charts": label}
    if m is not None:
        out["m_probability"] = m
    if u is not None:
        out["u_probability"] = u
    return out


NULL = {"sql_condition": "x IS NULL", "label_for_charts": "null", "is_null_level": True}

MODEL: dict[str, Any] = {
    "probability_two_random_records_match": 0.01,
    "comparisons": [
        {
            "output_column_name": "first_name",
            "comparison_levels": [
                NULL,
                level("exact", 0.9, 0.01),
                level("close", 0.07, 0.09),
                level("other", 0.03, 0.9),
            ],
        },
        {
            "output_column_name": "date_of_death",
            "comparison_levels": [NULL, level("same day", 0.8, 0.05), level("other", 0.2, 0.95)],
        },
    ],
}


def test_levels_count_down_from_the_first_non_null_level() -> None:
    result = explain(MODEL, [2, 0], None)
    first, date = result.contributions
    assert (first.comparison, first.level, first.gamma) == ("first_name", "exact", 2)
    assert (date.comparison, date.level) == ("date_of_death", "other")
    assert first.weight == pytest.approx(math.log2(0.9 / 0.01))
    assert date.weight == pytest.approx(math.log2(0.2 / 0.95))
    assert explain(MODEL, [0, 1], None).contributions[0].level == "other"
    assert explain(MODEL, [1, 1], None).contributions[0].level == "close"


def test_prior_total_and_probability() -> None:
    result = explain(MODEL, [2, 1], None)
    prior = math.log2(0.01 / 0.99)
    total = prior + math.log2(0.9 / 0.01) + math.log2(0.8 / 0.05)
    assert result.prior_weight == pytest.approx(prior)
    assert result.total_weight == pytest.approx(total)
    assert result.probability == pytest.approx(2**total / (1 + 2**total))


def test_a_null_level_has_no_weight_and_adds_nothing() -> None:
    result = explain(MODEL, [-1, 1], 0.42)
    assert result.contributions[0].weight is None
    assert result.contributions[0].level == "null"
    assert result.total_weight == pytest.approx(math.log2(0.01 / 0.99) + math.log2(0.8 / 0.05))
    assert result.probability == 0.42


def test_what_reviewers_taught_is_a_contribution_of_its_own_and_counts_in_the_total() -> None:
    correction = Correction(
        comparisons=("first_name", "date_of_death"),
        constant=-0.25,
        levels={"first_name": {1: 0.5}, "date_of_death": {-1: 1.0, 1: -2.0}},
        matches=30,
        non_matches=25,
        applies_below=0.8,
    )
    plain = explain(MODEL, [1, 1], None)
    taught = explain(MODEL, [1, 1], None, correction=correction)
    assert taught.contributions[:2] == plain.contributions
    learned = taught.contributions[-1]
    assert (learned.comparison, learned.gamma) == (REVIEWERS, None)
    assert learned.level == "55 decisions"
    assert learned.weight == pytest.approx(-0.25 + 0.5 - 2.0)
    assert taught.total_weight == pytest.approx(plain.total_weight - 1.75)
    assert taught.probability == pytest.approx(weight_to_probability(taught.total_weight))
    linked = explain(MODEL, [2, 1], 0.999, [9.0, 4.0], correction)
    assert len(linked.contributions) == 2, "the model links it: no correction applies"


def test_a_vector_that_does_not_fit_the_model_is_refused() -> None:
    with pytest.raises(ValueError, match="2 comparisons"):
        explain(MODEL, [1], None)
    with pytest.raises(ValueError, match="first_name"):
        explain(MODEL, [3, 1], None)


def test_weight_to_probability_at_the_extremes() -> None:
    assert weight_to_probability(0.0) == 0.5
    assert weight_to_probability(math.inf) == 1.0
    assert weight_to_probability(-math.inf) == 0.0
    assert weight_to_probability(5000.0) == 1.0
    assert weight_to_probability(-5000.0) == 0.0
    assert weight_to_probability(-3.0) == pytest.approx(1 / 9)


def test_weights_match_splink_predictions_from_the_saved_model() -> None:
    """Untrained levels (saved without m or u) take Splink's defaults, as Splink reads them."""

    def rows(families: list[str | None], count: int, start: int = 0) -> pd.DataFrame:
        firsts = ["ali", "omar", "sami", "rami", None]
        dates = ["2025-01-01", "2025-01-02", None]
        return pd.DataFrame(
            [
                {
                    "unique_id": start + i,
                    "first": firsts[i % 5],
                    "family": families[(i * 3) % len(families)],
                    "dod": dates[(i * 7) % 3],
                    "month": "2025-01",
                }
                for i in range(count)
            ]
        )

    training = rows(["asaad", "asad", "haddad", "khalil", None], 40)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.ExactMatch("first"),
            cl.LevenshteinAtThresholds("family", [1, 2]),
            cl.ExactMatch("dod"),
        ],
        blocking_rules_to_generate_predictions=[block_on("month")],
        probability_two_random_records_match=0.02,
    )
    trained = Linker(training, settings, db_api=DuckDBAPI())
    trained.training.estimate_u_using_random_sampling(max_pairs=5_000)
    model = trained.misc.save_model_to_json()
    family_levels = model["comparisons"][1]["comparison_levels"]
    assert "u_probability" not in family_levels[3]
    later = pd.concat([training, rows(["asaaad"], 5, start=100)], ignore_index=True)
    reloaded = Linker(later, model, db_api=DuckDBAPI())
    predictions = reloaded.inference.predict().as_pandas_dataframe()
    assert {-1, 0, 1, 2, 3} <= set(predictions["gamma_family"])
    gamma_columns = ["gamma_first", "gamma_family", "gamma_dod"]
    family_levels = model["comparisons"][1]["comparison_levels"]
    untrained = {3 - i for i, lvl in enumerate(family_levels[1:]) if "u_probability" not in lvl}
    assert -1 in set(predictions["gamma_family"])
    assert untrained & set(predictions["gamma_family"])
    for row in predictions.itertuples():
        gammas = [int(getattr(row, column)) for column in gamma_columns]
        result = explain(model, gammas, None)
        assert result.total_weight == pytest.approx(row.match_weight, abs=1e-9)
        assert result.probability == pytest.approx(row.match_probability, abs=1e-9)
