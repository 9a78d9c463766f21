"""Latin rules: folding, articles, compounds and letter reading."""

from __future__ import annotations

import pytest

from marsad.names import normalise_name
from marsad.names.latin import fold_latin, latin_part_words


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hüseyin", "huseyin"),
        ("Fayçal", "faysal"),
        ("Şükrü", "shukru"),
        ("Ḥusayn", "husayn"),
        ("Saʿad", "sa'ad"),
        ("Raʾed", "ra'ed"),
        ("Mus`ab", "mus'ab"),
        ("Sa’id", "sa'id"),
    ],
)
def test_fold_latin(raw: str, expected: str) -> None:
    assert fold_latin(raw) == expected


def test_normalise_latin_for_search() -> None:
    assert normalise_name("Mohammad  AL-Asaad") == "mohammad al-asaad"
    assert normalise_name("Ech Chami") == "ech-chami"
    assert normalise_name("Ra'ed") == "raed"


@pytest.mark.parametrize(
    "spelling", ["al-Asaad", "Al Asaad", "El-Asaad", "Alasaad", "el asaad", "ul-Asaad"]
)
def test_articles_removed(spelling: str) -> None:
    assert latin_part_words(spelling) == ["asaad"]


@pytest.mark.parametrize(
    ("spelling", "core"),
    [
        ("as-Sayed", "sayed"),
        ("ash-Shami", "shami"),
        ("ech-Chami", "chami"),
        ("ad-Dairi", "dairi"),
        ("ar-Rifai", "rifai"),
        ("az-Zoubi", "zoubi"),
        ("at-Tall", "tall"),
        ("an-Nouri", "nouri"),
    ],
)
def test_sun_letter_articles_removed(spelling: str, core: str) -> None:
    assert latin_part_words(spelling) == [core]


@pytest.mark.parametrize("name", ["Ali", "Alaa", "Alia", "Alwan", "Elias", "Elham", "Ala'a"])
def test_names_that_start_like_an_article_are_kept(name: str) -> None:
    assert latin_part_words(name) == [name.lower()]


@pytest.mark.parametrize("name", ["Essam", "Issa", "Assaf", "Ezzat"])
def test_first_word_doubled_consonant_is_not_an_article(name: str) -> None:
    assert latin_part_words(name) == [name.lower()]


@pytest.mark.parametrize(
    "spelling",
    [
        "Abd al-Rahman",
        "Abdul Rahman",
        "Abdulrahman",
        "Abdel Rahman",
        "Abdelrahman",
        "Abdurrahman",
        "Abd-ur-Rahman",
        "Abdalrahman",
    ],
)
def test_abd_compounds_glue_to_one_spelling(spelling: str) -> None:
    assert "".join(latin_part_words(spelling)) == "abdrahman"


def test_abd_compound_keeps_lam_of_the_name() -> None:
    assert "".join(latin_part_words("Abdellatif")) == "abdlatif"
    assert "".join(latin_part_words("Abdullatif")) == "abdlatif"


@pytest.mark.parametrize("spelling", ["Abdullah", "Abdallah", "Abdulla", "Abd Allah"])
def test_allah_compounds(spelling: str) -> None:
    assert "".join(latin_part_words(spelling)) == "abdlah"


@pytest.mark.parametrize(
    "spelling", ["Noureddine", "Nour al-Din", "Nour Eddine", "Nour el Din", "Nouraldin"]
)
def test_din_compounds(spelling: str) -> None:
    assert "".join(latin_part_words(spelling)) in ("nourdin", "nourdine")


def test_aliases_apply_to_compound_tails() -> None:
    assert latin_part_words("Abdul Qadir") == ["abd", "qader"]
    assert latin_part_words("Abdulqadir") == ["abdqader"]
    assert latin_part_words("Khalid") == ["khaled"]
    assert latin_part_words("Mehmet") == ["mohammad"]
