"""Mapping profiles: YAML loading, validation, header matching, vocabularies, built-ins."""

from pathlib import Path

import pytest

from marsad.domain.records import STANDARD_COLUMNS
from marsad.ingest.profile import MappingProfile, builtin_profile, standard_profile


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_standard_profile_maps_standard_columns_to_themselves() -> None:
    profile = standard_profile()
    assert profile.header_map(STANDARD_COLUMNS) == {c: c for c in STANDARD_COLUMNS}


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("الاسم", "name"),
        ("الجنس", "sex"),
        ("العمر", "age"),
        ("تاريخ الوفاة", "date_of_death"),
        ("المحافظة", "governorate"),
        ("Full Name", "name"),
        ("full  name", "name"),
        ("Gender", "sex"),
        ("Date of Death", "date_of_death"),
        ("GOVERNORATE", "governorate"),
        ("Record ID", "record_id"),
        ("record id", "record_id"),
        ("Name_First", "name_first"),
        ("اسم الاب", "name_father"),  # alef without hamza
    ],
)
def test_standard_profile_accepts_aliases(header: str, canonical: str) -> None:
    assert standard_profile().header_map([header]) == {canonical: header}


def test_canonical_name_wins_over_alias_when_both_present() -> None:
    found = standard_profile().header_map(["full name", "name", "record_id"])
    assert found["name"] == "name"


def test_load_profile_from_yaml(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
name: test-source
day_first: false
sheet: Victims
encoding: windows-1256
columns:
  record_id: [ID, "meta/instanceID"]
  name: victim/full_name
  notes: []
values:
  sex: {1: male, "2": female}
  status: {شهيد: killed}
  civilian: {yes: true, no: false}
defaults:
  status: missing
  governorate: Lattakia
""",
    )
    profile = MappingProfile.load(path)
    assert profile.name == "test-source"
    assert profile.day_first is False
    assert profile.sheet == "Victims"
    assert profile.encoding == "windows-1256"
    assert profile.source == str(path)
    found = profile.header_map(["meta/instanceID", "Victim/Full_Name", "notes", "sex"])
    assert found == {"record_id": "meta/instanceID", "name": "Victim/Full_Name", "sex": "sex"}
    assert profile.translate("sex", "1") == "male"
    assert profile.translate("sex", "2") == "female"
    assert profile.translate("sex", "3") == "3"
    assert profile.translate("status", "شهيد") == "killed"
    assert profile.translate("civilian", "YES") == "true"  # yes/no stay text in YAML
    assert profile.translate("name", "1") == "1"
    assert profile.defaults == {"status": "missing", "governorate": "Lattakia"}


def test_defaults_and_day_first_when_absent(tmp_path: Path) -> None:
    profile = MappingProfile.load(write(tmp_path, "name: minimal\n"))
    assert profile.day_first is True
    assert profile.sheet is None and profile.encoding is None
    assert profile.header_map(["record_id", "الاسم"]) == {"record_id": "record_id", "name": "الاسم"}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("columns: {nmae: Name}", "columns.nmae"),
        ("values: {colour: {a: b}}", "values.colour"),
        ("defaults: {place: Homs}", "defaults.place"),
        ("values: {sex: {'1': man-ish}}", "values.sex.1"),
        ("values: {status: {x: alive}}", "values.status.x"),
        ("defaults: {status: alive}", "defaults.status"),
        ("defaults: {date_of_death: 2025-02-30}", "defaults.date_of_death"),
        ("defaults: {sex: unknown}", "defaults.sex"),
        ("colums: {name: Name}", "colums"),
        ("day_first: sometimes", "day_first"),
        ("encoding: klingon-8", "encoding"),
        ("columns: [name]", "columns"),
        ("values: {sex: [male]}", "values.sex"),
        ("columns: {name: {a: b}}", "columns.name"),
        ("- just a list", "(top level)"),
    ],
)
def test_invalid_profiles_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text, "bad-profile.yaml")
    with pytest.raises(ValueError) as info:
        MappingProfile.load(path)
    assert str(path) in str(info.value)
    assert f": {key}:" in str(info.value)


def test_unreadable_yaml_names_file(tmp_path: Path) -> None:
    path = write(tmp_path, "columns: {name: [unclosed", "broken.yaml")
    with pytest.raises(ValueError, match=r"broken\.yaml"):
        MappingProfile.load(path)


def test_missing_profile_file_names_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"absent\.yaml"):
        MappingProfile.load(tmp_path / "absent.yaml")


def test_builtin_kobo_profile_maps_group_paths() -> None:
    profile = builtin_profile("kobo-victims")
    headers = ["_uuid", "victim/name_first", "victim/sex", "place/governorate", "incident/date"]
    assert profile.header_map(headers) == {
        "record_id": "_uuid",
        "name_first": "victim/name_first",
        "sex": "victim/sex",
        "governorate": "place/governorate",
        "date_of_death": "incident/date",
    }
    assert profile.translate("sex", "2") == "female"


def test_builtin_arabic_profile() -> None:
    profile = builtin_profile("arabic-headers")
    found = profile.header_map(["الرقم", "الاسم الكامل", "تاريخ الاستشهاد", "الصفة"])
    assert found == {
        "record_id": "الرقم",
        "name": "الاسم الكامل",
        "date_of_death": "تاريخ الاستشهاد",
        "civilian": "الصفة",
    }
    assert profile.defaults["governorate"] == "Lattakia"
    assert profile.translate("civilian", "مدنية") == "yes"


def test_unknown_builtin_profile() -> None:
    with pytest.raises(ValueError, match="no built-in profile"):
        builtin_profile("nope")


def test_header_map_is_cached_per_header_tuple() -> None:
    profile = standard_profile()
    first = profile.header_map(["record_id", "name"])
    assert profile.header_map(["record_id", "name"]) is first
    assert profile.header_map(["name", "record_id"]) == first
