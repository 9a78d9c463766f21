"""Gazetteer: governorate and district spellings, p-code validation and parents."""

import csv
from importlib import resources

import pytest

from marsad.ingest.places import Gazetteer, default_gazetteer, place_key, validate_pcode


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def test_loads_all_fourteen_governorates(gazetteer: Gazetteer) -> None:
    codes = sorted(g.pcode for g in gazetteer.governorates)
    assert codes == [f"SY{i:02d}" for i in range(1, 15)]


def test_every_packaged_spelling_finds_its_own_governorate(gazetteer: Gazetteer) -> None:
    text = resources.files("marsad").joinpath("reference/syria_admin1.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        spellings = [row["name_en"], row["name_ar"], *row["other_spellings"].split("|")]
        for spelling in spellings:
            found = gazetteer.governorate(spelling)
            assert found is not None, spelling
            assert found.pcode == row["pcode"], spelling


@pytest.mark.parametrize(
    ("name", "pcode"),
    [
        ("Lattakia", "SY06"),
        ("latakia", "SY06"),
        ("LATAKIA", "SY06"),
        ("Latakia Governorate", "SY06"),
        ("اللاذقية", "SY06"),
        ("محافظة اللاذقية", "SY06"),
        ("اللاذقيه", "SY06"),  # ta marbuta written as ha
        ("Idlib Governorate", "SY07"),
        ("ادلب", "SY07"),
        ("إدلب", "SY07"),
        ("Deir ez-Zor", "SY09"),
        ("Deir-ez-Zor", "SY09"),
        ("deir ez zor", "SY09"),
        ("دير الزور", "SY09"),
        ("ديرالزور", "SY09"),
        ("Hasakah", "SY08"),
        ("al-Hasakah", "SY08"),
        ("Al Hasakah", "SY08"),
        ("الحسكة", "SY08"),
        ("حسكة", "SY08"),
        ("Daraa", "SY12"),
        ("Dar'a", "SY12"),
        ("السويداء", "SY13"),
        ("السويدا", "SY13"),  # hamza dropped
        ("Raqqa", "SY11"),
        ("Ar-Raqqa", "SY11"),
        ("ريف دمشق", "SY03"),
        ("Rural Damascus", "SY03"),
        ("دمشق", "SY01"),
        ("Tartus", "SY10"),
        ("Lattaquié", "SY06"),
    ],
)
def test_governorate_spellings(gazetteer: Gazetteer, name: str, pcode: str) -> None:
    found = gazetteer.governorate(name)
    assert found is not None
    assert found.pcode == pcode


def test_governorate_returns_canonical_names(gazetteer: Gazetteer) -> None:
    found = gazetteer.governorate("latakia")
    assert found is not None
    assert (found.name_en, found.name_ar) == ("Lattakia", "اللاذقية")


@pytest.mark.parametrize("name", ["Atlantis", "", "Damascus Airport", "SY06"])
def test_unknown_governorate_is_none(gazetteer: Gazetteer, name: str) -> None:
    assert gazetteer.governorate(name) is None


def test_damascus_and_rural_damascus_stay_apart(gazetteer: Gazetteer) -> None:
    damascus, rural = gazetteer.governorate("Damascus"), gazetteer.governorate("Rif Dimashq")
    assert damascus is not None and rural is not None
    assert damascus.pcode != rural.pcode


@pytest.mark.parametrize(
    ("name", "pcode"),
    [
        ("Jablah", "SY0602"),
        ("جبلة", "SY0602"),
        ("Jableh", "SY0602"),
        ("Al-Haffa", "SY0603"),
        ("الحفة", "SY0603"),
        ("القرداحة", "SY0604"),
        ("Qardaha", "SY0604"),
        ("بانياس", "SY1002"),
        ("Banyas", "SY1002"),
        ("صافيتا", "SY1003"),
        ("الدريكيش", "SY1004"),
        ("الشيخ بدر", "SY1005"),
        ("Sheikh Badr", "SY1005"),
        ("القدموس", "SY1006"),
        ("Lattakia", "SY0600"),
        ("Tartous", "SY1000"),
    ],
)
def test_district_spellings(gazetteer: Gazetteer, name: str, pcode: str) -> None:
    found = gazetteer.district(name)
    assert found is not None
    assert found.pcode == pcode
    assert found.adm1_pcode == pcode[:4]


def test_district_restricted_to_governorate(gazetteer: Gazetteer) -> None:
    assert gazetteer.district("Jablah", "SY06") is not None
    assert gazetteer.district("Jablah", "SY10") is None
    assert gazetteer.district("Atlantis") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [("SY06", "SY06"), ("SY0602", "SY0602"), ("sy060200", "SY060200"), (" C1234 ", "C1234")],
)
def test_validate_pcode_accepts_ocha_codes(code: str, expected: str) -> None:
    assert validate_pcode(code) == expected


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("SY.06", "GeoNames"),
        ("SY-LA", "ISO 3166-2"),
        ("SY-06", "ISO 3166-2"),
        ("SY15", "no governorate SY15"),
        ("SY00", "no governorate SY00"),
        ("SY061", "not an OCHA p-code"),
        ("C12", "not an OCHA p-code"),
        ("Lattakia", "not an OCHA p-code"),
    ],
)
def test_validate_pcode_rejects_other_systems(code: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        validate_pcode(code)


@pytest.mark.parametrize("code", ["SY06", "SY0602", "SY060200", "SY0600"])
def test_governorate_of_pcode_at_any_level(gazetteer: Gazetteer, code: str) -> None:
    found = gazetteer.governorate_of_pcode(code)
    assert found is not None
    assert found.name_en == "Lattakia"


def test_community_code_has_no_derivable_parent(gazetteer: Gazetteer) -> None:
    assert gazetteer.governorate_of_pcode("C1234") is None


def test_governorate_of_pcode_refuses_geonames(gazetteer: Gazetteer) -> None:
    with pytest.raises(ValueError, match="GeoNames"):
        gazetteer.governorate_of_pcode("SY.06")


def test_place_key_ignores_article_hyphens_and_case() -> None:
    assert place_key("Al-Haffa") == place_key("haffa") == place_key("AL HAFFA")
    assert place_key("الحفة") == place_key("حفه")


def test_default_gazetteer_is_shared() -> None:
    assert default_gazetteer() is default_gazetteer()
