from __future__ import annotations

import numpy as np
import pandas as pd

from marsad.linkage.deterministic import LinkableRecord, record_key, rule_links
from marsad.linkage.features import LinkageRecord, features_frame, latin_spelling, name_parts
from marsad.linkage.model import COMPARISON_NAMES, comparison_levels, settings


def record(rid: int, name: str, **fields: object) -> LinkageRecord:
    values: dict[str, object] = {
        "id": rid,
        "source": "S",
        "name": name,
        "name_first": None,
        "name_father": None,
        "name_grandfather": None,
        "name_family": None,
        "sex": None,
        "age_min": None,
        "age_max": None,
        "date_of_death": None,
        "pcode": None,
        "pcode_adm1": None,
        "locality": None,
        "status": "killed",
    }
    values.update(fields)
    return LinkageRecord(**values)  # type: ignore[arg-type]


def test_name_parts_prefer_the_sources_own_parts() -> None:
    given = record(1, "whatever", name_first="Ali", name_family="Haddad")
    assert name_parts(given) == ("Ali", None, None, "Haddad")
    parsed = record(2, "Mohammad Ahmad al-Asaad")
    assert name_parts(parsed) == ("Mohammad", "Ahmad", None, "al-Asaad")


def test_features_agree_across_scripts() -> None:
    frame = features_frame(
        [
            record(
                1,
                "محمد أحمد الأسعد",
                date_of_death="2025-03-07",
                pcode="SY060200",
                pcode_adm1="SY06",
            ),
            record(2, "Mouhammad Ahmed Alasad", date_of_death="2025-03", pcode_adm1="SY06"),
        ]
    )
    a, b = frame.iloc[0], frame.iloc[1]
    for column in ("first_key", "father_key", "family_key", "second_key", "adm1"):
        assert a[column] == b[column], column
    assert a["adm2"] == "SY0602" and pd.isna(b["adm2"])
    assert a["dod_month"] == b["dod_month"] == "2025-03"
    assert a["dod_day_number"] - 1 == pd.Timestamp("2025-03-06").toordinal()
    assert pd.isna(b["dod_day_number"])
    assert a["first_key"].isascii()


def test_latin_spelling_tells_brothers_from_typos() -> None:
    assert latin_spelling("محمد") == latin_spelling("Muhammad")
    assert latin_spelling("Ahmad") != latin_spelling("Mohammad")
    assert latin_spelling(None) is None


def test_brothers_do_not_share_the_rule_key() -> None:
    base = {"date_of_death": "2025-03-07", "pcode_adm1": "SY06"}
    one = LinkableRecord(1, "محمد أحمد الأسعد", None, None, None, **base)  # type: ignore[arg-type]
    two = LinkableRecord(2, "علي أحمد الأسعد", None, None, None, **base)  # type: ignore[arg-type]
    same = LinkableRecord(3, "Mohammad Ahmad al-Asaad", None, None, None, **base)  # type: ignore[arg-type]
    assert record_key(one) != record_key(two)
    assert rule_links([one, two, same]) == [(1, 3)]


def test_comparison_levels_are_recovered_from_bayes_factors() -> None:
    model = settings().get_settings("duckdb").as_dict()
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for i, level in enumerate(levels):
            level["m_probability"] = 0.9 / (i + 1)
            level["u_probability"] = 0.01 * (i + 1)
    first = next(c for c in model["comparisons"] if c["output_column_name"] == "first_key")
    non_null = [lv for lv in first["comparison_levels"] if not lv.get("is_null_level")]
    columns = {f"bf_{name}": [1.0, 1.0] for name in COMPARISON_NAMES}
    columns["bf_first_key"] = [
        non_null[0]["m_probability"] / non_null[0]["u_probability"],
        non_null[-1]["m_probability"] / non_null[-1]["u_probability"],
    ]
    gammas = comparison_levels(pd.DataFrame(columns), model)
    assert gammas.shape == (2, len(COMPARISON_NAMES))
    assert gammas[0, 0] == len(non_null) - 1, "the first listed level has the highest value"
    assert gammas[1, 0] == 0
    assert np.all(gammas[:, 1:] == -1), "a factor of 1 that no level has is a null level"


def test_settings_compile_for_duckdb() -> None:
    compiled = settings().get_settings("duckdb").as_dict()
    assert [c["output_column_name"] for c in compiled["comparisons"]] == list(COMPARISON_NAMES)
    first = compiled["comparisons"][0]["comparison_levels"][-1]
    assert first.get("fix_m_probability") is True
