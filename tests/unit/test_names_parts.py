"""Reading full names into first / father / grandfather / family."""

from __future__ import annotations

from marsad.names import NameParts, parse_name_parts


def test_two_parts_are_first_and_family() -> None:
    assert parse_name_parts("Ahmad al-Asaad") == NameParts(first="Ahmad", family="al-Asaad")


def test_three_parts_are_first_father_family() -> None:
    assert parse_name_parts("محمد أحمد الأسعد") == NameParts(
        first="محمد", father="أحمد", family="الأسعد"
    )


def test_four_parts() -> None:
    assert parse_name_parts("Mohammad Ahmad Ali al-Asaad") == NameParts(
        first="Mohammad", father="Ahmad", grandfather="Ali", family="al-Asaad"
    )


def test_more_parts_join_into_family() -> None:
    parts = parse_name_parts("Ali Ahmad Hassan Khalil al-Masri")
    assert parts.grandfather == "Hassan"
    assert parts.family == "Khalil al-Masri"


def test_single_and_empty() -> None:
    assert parse_name_parts("Ahmad") == NameParts(first="Ahmad")
    assert parse_name_parts("   ") == NameParts()


def test_latin_compounds_are_one_part() -> None:
    parts = parse_name_parts("Abd al-Rahman Nour al-Din Saif al-Islam al-Asaad")
    assert parts == NameParts(
        first="Abd al-Rahman", father="Nour al-Din", grandfather="Saif al-Islam", family="al-Asaad"
    )


def test_latin_abdul_and_abu_compounds() -> None:
    assert parse_name_parts("Abdul Rahman Abu Bakr") == NameParts(
        first="Abdul Rahman", family="Abu Bakr"
    )
    assert parse_name_parts("Nour Eddine Ahmed") == NameParts(first="Nour Eddine", family="Ahmed")


def test_arabic_compounds_are_one_part() -> None:
    assert parse_name_parts("عبد الرحمن نور الدين الحلبي") == NameParts(
        first="عبد الرحمن", father="نور الدين", family="الحلبي"
    )
    assert parse_name_parts("سيف الإسلام أبو بكر") == NameParts(
        first="سيف الإسلام", family="أبو بكر"
    )


def test_glued_arabic_compounds_are_split_for_display() -> None:
    assert parse_name_parts("عبدالرحمن ابوبكر محمد") == NameParts(
        first="عبد الرحمن", father="ابو بكر", family="محمد"
    )


def test_connectors_are_skipped() -> None:
    assert parse_name_parts("Mohammad bin Ahmad bin Ali") == NameParts(
        first="Mohammad", father="Ahmad", family="Ali"
    )
    assert parse_name_parts("محمد بن أحمد الأسعد") == NameParts(
        first="محمد", father="أحمد", family="الأسعد"
    )


def test_spaced_article_stays_with_family() -> None:
    assert parse_name_parts("Mohammad Ahmad Al Asaad") == NameParts(
        first="Mohammad", father="Ahmad", family="Al Asaad"
    )


def test_diacritics_removed_from_parts() -> None:
    assert parse_name_parts("مُحَمَّد الأسعد") == NameParts(first="محمد", family="الأسعد")


def test_separators() -> None:
    assert parse_name_parts("Ahmad, al-Asaad") == NameParts(first="Ahmad", family="al-Asaad")
