from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from marsad.linkage.comparisons import COMPARISONS
from marsad.linkage.deterministic import LinkableRecord, compatible, record_key, rule_links
from marsad.linkage.features import features_frame, latin_spelling, name_parts
from marsad.linkage.model import (
    comparison_levels,
    is_machine_match,
    mark_small_blocks,
    settings,
)
from marsad.linkage.plan import TRAINING_BLOCK_RECORDS, TRAINING_RULES, ModelPlan
from marsad.names import NameParts
from tests.unit.linkage_records import record

COMPARISON_NAMES = tuple(spec.name for spec in COMPARISONS)
EVERY = ModelPlan(COMPARISON_NAMES, (), (("first_key", "family_key"),), TRAINING_RULES[:2], ())


def test_name_parts_prefer_the_sources_own_parts() -> None:
    given = record(1, "whatever", name_first="Ali", name_family="Haddad")
    parsed = record(2, "Mohammad Ahmad al-Asaad")
    assert name_parts([given, parsed]) == [
        NameParts("Ali", None, None, "Haddad"),
        NameParts("Mohammad", "Ahmad", None, "al-Asaad"),
    ]


def test_a_name_written_family_name_first_is_read_the_other_way() -> None:
    """One list writes [given, given, family], another [family, given, given]: the middle
    words are given names either way, and each list mostly writes one way."""
    families = ["al-Hourani", "Haddad", "Sabbagh", "al-Khoury", "Nassar", "Shaheen"]
    givens = ["Mohammad", "Ahmad", "Ali", "Hasan", "Omar", "Khaled", "Yousef", "Samir"]
    usual = [
        record(i, f"{givens[i % 8]} {givens[(i + 3) % 8]} {families[i % 6]}", source="monitor")
        for i in range(40)
    ]
    turned = [
        record(
            100 + i,
            f"{families[i % 6]} {givens[(i + 1) % 8]} {givens[(i + 5) % 8]}",
            source="register",
        )
        for i in range(40)
    ]
    ambiguous = [
        record(200, "Ali Hasan Ahmad", source="monitor"),
        record(201, "Ali Hasan Ahmad", source="register"),
        record(202, "Maryam Omar Haddad", source="monitor"),
    ]
    parts = name_parts([*usual, *turned, *ambiguous])
    assert all(p.family in families for p in parts[:80]), "every family name found"
    assert parts[40] == NameParts("Ahmad", "Khaled", None, "al-Hourani")
    assert parts[80] == NameParts("Ali", "Hasan", None, "Ahmad"), "read as its list writes"
    assert parts[81] == NameParts("Hasan", "Ahmad", None, "Ali"), "read as its list writes"
    assert parts[82].first == "Maryam", "a woman's name is a given name, though never a father's"
    assert name_parts([record(1, "al-Hourani Mohammad Ahmad")])[0].first == "al-Hourani"


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
    assert a["first_count"] == b["first_count"] == 2  # one name, written in two scripts


def test_the_mothers_first_name_is_compared_across_scripts() -> None:
    frame = features_frame(
        [
            record(1, "Ali Hasan", name_mother="فاطمة"),
            record(2, "علي حسن", name_mother="Fatmeh Mohammad al-Ali"),
            record(3, "Ali Hasan", name_mother="Zaynab"),
            record(4, "Ali Hasan", name_mother="  "),
            record(5, "Ali Hasan"),
        ]
    )
    keys = frame["mother_key"].tolist()
    assert keys[0] == keys[1] is not None  # her first name only, in either script
    assert keys[2] not in (None, keys[0])
    assert pd.isna(keys[3]) and pd.isna(keys[4])


def test_first_count_tells_a_rare_spelling_from_a_name_the_lists_know() -> None:
    names = ["Mohammad Ali"] * 3 + ["محمد علي", "Mohxammad Ali", "Ali Hasan"]
    frame = features_frame([record(i, name) for i, name in enumerate(names)])
    assert frame["first_count"].tolist() == [4, 4, 4, 4, 1, 1]


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


def test_the_rule_leaves_namesakes_who_contradict_each_other_to_the_model() -> None:
    """Cousins named after one grandfather share the key; their grandfathers or ages differ."""
    base = {"date_of_death": "2025-03-07", "pcode_adm1": "SY06"}
    name = "Hasan Mohammad Ali"
    one = LinkableRecord(1, name, None, None, None, **base, name_grandfather="Ahmad", sex="male")  # type: ignore[arg-type]
    cousin = LinkableRecord(2, name, None, None, None, **base, name_grandfather="Zuhair")  # type: ignore[arg-type]
    older = LinkableRecord(3, name, None, None, None, **base, age_min=66, age_max=66)  # type: ignore[arg-type]
    same = LinkableRecord(4, name, None, None, None, **base, age_min=36, age_max=36)  # type: ignore[arg-type]
    sister = LinkableRecord(5, name, None, None, None, **base, sex="female")  # type: ignore[arg-type]
    again = LinkableRecord(6, "حسن محمد علي", None, None, None, **base, name_grandfather="زهير")  # type: ignore[arg-type]
    assert not compatible(one, cousin)
    assert compatible(older, LinkableRecord(7, name, None, None, None, **base, age_min=18))  # type: ignore[arg-type]
    links = rule_links([one, cousin, older, same, sister, again])
    assert (1, 2) not in links and (2, 6) in links
    assert not any({3, 4} <= {a, b} for a, b in links)
    assert not any(5 in pair for pair in links if 1 in pair)
    assert (1, 3) in links  # nothing in an older record contradicts the first


def test_the_rule_reads_the_grandfather_from_a_full_name() -> None:
    """Lists that give only a full name still say who the grandfather was."""
    base = {"date_of_death": "2025-03-07", "pcode_adm1": "SY06"}
    one = LinkableRecord(1, "محمد أحمد منصور الصفدي", None, None, None, **base)  # type: ignore[arg-type]
    cousin = LinkableRecord(2, "Mohammad Ahmad Samir al-Safadi", None, None, None, **base)  # type: ignore[arg-type]
    same = LinkableRecord(3, "Muhammad Ahmad Mansour Safadi", None, None, None, **base)  # type: ignore[arg-type]
    given = ("Mohammad", "Ahmad", "Safadi")
    parts = LinkableRecord(4, "Mohammad Ahmad Samir al-Safadi", *given, **base)  # type: ignore[arg-type]
    assert record_key(one) == record_key(cousin) == record_key(same)
    assert not compatible(one, cousin)
    assert compatible(one, same)
    assert compatible(one, parts)  # the source's own parts leave the grandfather unsaid
    assert rule_links([one, cousin, same]) == [(1, 3)]


def test_a_key_one_list_wrote_twice_is_left_to_the_model() -> None:
    """Two men named Mohammad Ahmad Ali killed in Lattakia that day, both on one list: which
    of them another list means is for the model and the reviewers to say."""
    base = {"date_of_death": "2025-03-07", "pcode_adm1": "SY06"}
    name = "محمد أحمد علي"
    first = LinkableRecord(1, name, None, None, None, **base, source="A")  # type: ignore[arg-type]
    namesake = LinkableRecord(2, name, None, None, None, **base, source="A")  # type: ignore[arg-type]
    other = LinkableRecord(3, "Mohammad Ahmad Ali", None, None, None, **base, source="B")  # type: ignore[arg-type]
    assert rule_links([first, namesake, other]) == []
    assert rule_links([first, other]) == [(1, 3)]


def test_a_clear_first_name_disagreement_is_never_a_machine_match() -> None:
    agree = [3, 3, 3, 4, 1, 4, 5, 3, 1]
    brothers = [0, *agree[1:]]
    assert is_machine_match(0.99, agree, COMPARISON_NAMES)
    assert not is_machine_match(0.99, brothers, COMPARISON_NAMES)
    assert not is_machine_match(0.5, agree, COMPARISON_NAMES)
    assert is_machine_match(0.99, [-1, *agree[1:]], COMPARISON_NAMES)  # first name missing
    assert is_machine_match(0.99, agree[1:], COMPARISON_NAMES[1:]), "no first names compared"


def test_comparison_levels_are_recovered_from_bayes_factors() -> None:
    model = settings(EVERY).get_settings("duckdb").as_dict()
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
    compiled = settings(EVERY).get_settings("duckdb").as_dict()
    assert [c["output_column_name"] for c in compiled["comparisons"]] == list(COMPARISON_NAMES)
    first = compiled["comparisons"][0]["comparison_levels"][-1]
    assert first.get("fix_m_probability") is True


def test_em_reads_only_small_blocks() -> None:
    """The commonest name's block is left out of EM; the rest, and every level, stay in."""
    common = TRAINING_BLOCK_RECORDS + 1
    names = ["Mohammad Ahmad Ali"] * common + ["Zaydan Nabil Hourani"] * 2 + ["Mohammad Hourani"]
    records = [
        record(i, name, date_of_death="2025-03-07", pcode="SY060200", pcode_adm1="SY06", sex="male")
        for i, name in enumerate(names)
    ]
    marked = mark_small_blocks(features_frame(records), TRAINING_RULES[:2])
    by_names = marked["small_block_0"].tolist()
    assert by_names == [0] * common + [1, 1, 1]
    assert marked["small_block_1"].tolist() == [0] * len(names)  # one date, district and sex


def first_name_levels(names: list[str]) -> dict[tuple[str, str], str]:
    """The first-name level of each pair of `names` (all ordered pairs), found by running the
    compiled levels' SQL in DuckDB on the features frame, as Splink does."""
    frame = features_frame([record(i, name) for i, name in enumerate(names)])
    compiled = settings(EVERY).get_settings("duckdb").as_dict()
    first = next(c for c in compiled["comparisons"] if c["output_column_name"] == "first_key")
    pairs = frame.add_suffix("_l").merge(frame.add_suffix("_r"), how="cross")
    pairs = pairs[pairs.unique_id_l != pairs.unique_id_r].reset_index(drop=True)
    cases = " ".join(
        f"WHEN {level['sql_condition']} THEN '{level['label_for_charts']}'"
        for level in first["comparison_levels"]
        if level["sql_condition"] != "ELSE"
    )
    with duckdb.connect() as con:
        con.register("pairs", pairs)
        found = con.execute(
            f"SELECT unique_id_l, unique_id_r, CASE {cases} ELSE 'else' END FROM pairs"
        ).fetchall()
    return {(names[a], names[b]): level for a, b, level in found}


def test_a_name_whose_vowels_the_scripts_write_differently_is_not_a_disagreement() -> None:
    levels = first_name_levels(["Huda Ali", "هدى علي", "Houda Ali", "Hassan Ali", "حسين علي"])
    across = "vowels written otherwise across scripts"
    assert levels[("Huda Ali", "هدى علي")] == levels[("هدى علي", "Houda Ali")] == across
    assert levels[("Hassan Ali", "حسين علي")] == "else"  # two names: brothers stay apart
    assert levels[("Huda Ali", "Houda Ali")].startswith("Exact match")
