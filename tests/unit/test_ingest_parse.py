"""parse_row: from raw cells through a profile to record fields or every field error."""

from pathlib import Path

import openpyxl
import pytest

from marsad.domain.records import ParsedRow
from marsad.ingest.parse import parse_row
from marsad.ingest.places import Gazetteer, default_gazetteer
from marsad.ingest.profile import MappingProfile, builtin_profile, standard_profile
from marsad.ingest.readers import open_table

DATA = Path(__file__).parent.parent / "data" / "ingest"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


def parse(cells: dict[str, str], profile: MappingProfile | None = None) -> ParsedRow:
    return parse_row(cells, profile or standard_profile(), default_gazetteer())


def errors_of(parsed: ParsedRow) -> dict[str, str]:
    assert parsed.record is None
    return {e.field: e.reason for e in parsed.errors}


def test_standard_csv_rows_become_records(gazetteer: Gazetteer) -> None:
    with open_table(DATA / "standard.csv") as table:
        parsed = [parse_row(r.cells, standard_profile(), gazetteer) for r in table.rows()]
    assert all(p.ok for p in parsed)
    first, second = (p.record for p in parsed)
    assert first is not None and second is not None
    assert first.record_id == "S1"
    assert first.name == "Ahmad Ali Hasan"
    assert (first.sex, first.age_min, first.age_max) == ("male", 34, 34)
    assert first.date_of_death == "2025-03-07"
    assert (first.governorate, first.district) == ("Lattakia", "Jablah")
    assert (first.pcode, first.pcode_adm1) == ("SY0602", "SY06")
    assert (first.status, first.civilian, first.cause) == ("killed", True, "shelling")
    assert first.incident_id == "INC-1"
    assert first.notes is None
    assert second.name == "Mariam Yusuf Khalil"  # built from the parts
    assert (second.name_first, second.name_father, second.name_family) == (
        "Mariam",
        "Yusuf",
        "Khalil",
    )
    assert second.name_grandfather is None
    assert (second.sex, second.age_min, second.age_max) == ("female", 0, 17)
    assert second.date_of_death == "2025-03"
    assert (second.governorate, second.pcode, second.pcode_adm1) == ("Tartous", "SY1002", "SY10")
    assert second.status == "killed"
    assert second.civilian is None
    assert second.notes == "note with, comma"


def test_required_fields() -> None:
    errors = errors_of(parse({"record_id": " ", "name": ""}))
    assert set(errors) == {"record_id", "name"}
    assert "required" in errors["record_id"]
    assert parse({"record_id": "1", "name": "Ali"}).ok
    assert not parse({"name": "Ali"}).ok


def test_name_from_parts_skips_empty_parts() -> None:
    cells = {"record_id": "1", "name_first": "أحمد", "name_grandfather": "علي", "name_family": ""}
    record = parse(cells).record
    assert record is not None
    assert record.name == "أحمد علي"


def unread_of(parsed: ParsedRow) -> dict[str, tuple[str, str | None]]:
    return {e.field: (e.reason, e.value) for e in parsed.unread}


def test_optional_values_not_understood_leave_the_record_with_those_fields_unknown() -> None:
    cells = {
        "record_id": "1",
        "name": "Ali",
        "sex": "x",
        "age": "200",
        "date_of_death": "2025-02-30",
        "civilian": "maybe",
        "governorate": "Atlantis",
        "pcode": "SY.06",
    }
    parsed = parse(cells)
    assert parsed.ok and parsed.record is not None
    record = parsed.record
    assert (record.sex, record.age_min, record.date_of_death, record.civilian) == (
        None,
        None,
        None,
        None,
    )
    assert (record.governorate, record.pcode, record.status) == (None, None, "killed")
    unread = unread_of(parsed)
    assert set(unread) == {"sex", "age", "date_of_death", "civilian", "governorate", "pcode"}
    assert {field: value for field, (_, value) in unread.items()} == {
        field: cells[field] for field in unread
    }
    assert "'x'" in unread["sex"][0]
    assert "'200'" in unread["age"][0] and "120" in unread["age"][0]
    assert "no day 30" in unread["date_of_death"][0]
    assert "'Atlantis'" in unread["governorate"][0]
    assert "GeoNames" in unread["pcode"][0]


def test_every_error_of_a_row_is_reported() -> None:
    cells = {"record_id": "1", "name": "", "sex": "x", "status": "alive", "notes": "=1+1"}
    parsed = parse(cells)
    errors = errors_of(parsed)
    assert set(errors) == {"name", "status", "notes"}
    assert "'alive'" in errors["status"]
    assert set(unread_of(parsed)) == {"sex", "status"}, "reported for the import's report too"


@pytest.mark.parametrize(
    ("cells", "missing"),
    [
        ({"name": "Ali"}, {"record_id"}),
        ({"record_id": "1"}, {"name"}),
        ({"record_id": "1", "name": " ", "name_first": "", "name_family": ""}, {"name"}),
        ({"record_id": "", "name": "", "sex": "H", "age": "30"}, {"record_id", "name"}),
    ],
)
def test_required_fields_name_the_field(cells: dict[str, str], missing: set[str]) -> None:
    parsed = parse(cells)
    assert {e.field for e in parsed.errors} == missing
    assert all("required" in e.reason for e in parsed.errors)


def test_unread_governorate_lets_the_pcode_give_it() -> None:
    parsed = parse({"record_id": "1", "name": "Ali", "governorate": "Latakiyya", "pcode": "SY06"})
    assert parsed.record is not None
    assert (parsed.record.governorate, parsed.record.pcode_adm1) == ("Lattakia", "SY06")
    assert unread_of(parsed)["governorate"][1] == "Latakiyya"


def test_text_is_stripped_and_collapsed_but_raw_is_untouched() -> None:
    cells = {"record_id": " 7 ", "name": "  أحمد \t  علي\n", "locality": " Ain  al-Baida "}
    record = parse(cells).record
    assert record is not None
    assert (record.record_id, record.name, record.locality) == ("7", "أحمد علي", "Ain al-Baida")
    assert cells["name"] == "  أحمد \t  علي\n"


@pytest.mark.parametrize(
    "value",
    [
        "=cmd|' /C calc'!A0",
        "=1+1",
        "@SUM(A1)",
        "+cmd",
        "-cmd|x",
        "-(1)",
        "+(2)",
        " =HYPERLINK(x)",
        "-2+3+cmd|' /C calc'!A0",
        "+1+1 Ahmad",
        "-1*2",
        "@1",
    ],
)
def test_spreadsheet_formulas_are_refused(value: str) -> None:
    for field in ("name", "notes", "locality", "record_id"):
        cells = {"record_id": "1", "name": "Ali", field: value}
        errors = errors_of(parse(cells))
        assert errors[field].startswith("spreadsheet formula, not a value")


@pytest.mark.parametrize(
    "value", ["-", "+963 933 000 000", "@", "- 5", "a=b", "C++", "-3.5", "+1/2/2025", "@ home"]
)
def test_values_that_only_start_like_formulas_are_kept(value: str) -> None:
    record = parse({"record_id": "1", "name": "Ali", "notes": value}).record
    assert record is not None
    assert record.notes == value


@pytest.mark.parametrize(
    ("field", "limit"),
    [("name", 200), ("name_family", 200), ("name_mother", 200), ("notes", 10_000), ("cause", 500)],
)
def test_length_limits(field: str, limit: int) -> None:
    base = {"record_id": "1", "name": "Ali"}
    assert parse({**base, field: "x" * limit}).ok
    errors = errors_of(parse({**base, field: "x" * (limit + 1)}))
    assert f"{limit + 1} characters" in errors[field]


def test_quoted_value_is_cut_to_sixty_characters() -> None:
    reason = unread_of(parse({"record_id": "1", "name": "Ali", "sex": "q" * 500}))["sex"][0]
    quoted = reason[reason.index("'") + 1 : reason.rindex("'")]
    assert len(quoted) == 60
    assert quoted.endswith("…")


def test_governorate_resolved_to_canonical_name() -> None:
    record = parse({"record_id": "1", "name": "علي", "governorate": "محافظة اللاذقية"}).record
    assert record is not None
    assert (record.governorate, record.pcode_adm1, record.pcode) == ("Lattakia", "SY06", None)


def test_pcode_gives_governorate() -> None:
    record = parse({"record_id": "1", "name": "Ali", "pcode": "sy060200"}).record
    assert record is not None
    assert (record.pcode, record.pcode_adm1, record.governorate) == ("SY060200", "SY06", "Lattakia")


def test_pcode_disagreeing_with_governorate() -> None:
    cells = {"record_id": "1", "name": "Ali", "governorate": "Homs", "pcode": "SY0602"}
    reason = errors_of(parse(cells))["pcode"]
    assert "SY0602" in reason
    assert "Lattakia" in reason and "Homs" in reason


def test_community_pcode_keeps_governorate_from_column() -> None:
    cells = {"record_id": "1", "name": "Ali", "governorate": "Tartus", "pcode": "C4321"}
    record = parse(cells).record
    assert record is not None
    assert (record.pcode, record.pcode_adm1) == ("C4321", "SY10")


def test_district_name_gives_pcode_and_governorate() -> None:
    record = parse({"record_id": "1", "name": "Ali", "district": "بانياس"}).record
    assert record is not None
    assert (record.district, record.pcode, record.pcode_adm1) == ("Banyas", "SY1002", "SY10")
    assert record.governorate == "Tartous"


def test_district_outside_the_governorate_is_kept_as_written() -> None:
    cells = {"record_id": "1", "name": "Ali", "governorate": "Homs", "district": "Jablah"}
    record = parse(cells).record
    assert record is not None
    assert (record.district, record.pcode, record.pcode_adm1) == ("Jablah", None, "SY04")


def test_unknown_district_is_not_an_error() -> None:
    record = parse({"record_id": "1", "name": "Ali", "district": "Somewhere"}).record
    assert record is not None
    assert (record.district, record.pcode) == ("Somewhere", None)


def test_unknown_markers_in_place_fields_become_empty() -> None:
    cells = {"record_id": "1", "name": "مجهول", "governorate": "غير معروف", "locality": "-"}
    record = parse(cells).record
    assert record is not None
    assert record.name == "مجهول"  # an unidentified person is still a record
    assert (record.governorate, record.locality) == (None, None)


def test_status_defaults_to_killed_and_profile_default_wins() -> None:
    record = parse({"record_id": "1", "name": "Ali", "status": ""}).record
    assert record is not None and record.status == "killed"
    profile = MappingProfile.from_dict({"defaults": {"status": "missing"}})
    record = parse({"record_id": "1", "name": "Ali"}, profile).record
    assert record is not None and record.status == "missing"
    record = parse({"record_id": "1", "name": "Ali", "status": "injured"}, profile).record
    assert record is not None and record.status == "injured"


def test_profile_vocabulary_defaults_and_day_first() -> None:
    profile = MappingProfile.from_dict(
        {
            "day_first": False,
            "columns": {"record_id": "No.", "name": "Victim", "sex": "Sex code"},
            "values": {"sex": {"1": "male", "2": "female"}, "cause": {"AS": "airstrike"}},
            "defaults": {"governorate": "Lattakia"},
        }
    )
    cells = {
        "No.": "5",
        "Victim": "Huda",
        "Sex code": "2",
        "date_of_death": "07/03/2025",
        "cause": "as",
    }
    record = parse(cells, profile).record
    assert record is not None
    assert (record.record_id, record.name, record.sex) == ("5", "Huda", "female")
    assert record.date_of_death == "2025-07-03"
    assert record.cause == "airstrike"
    assert (record.governorate, record.pcode_adm1) == ("Lattakia", "SY06")


def test_arabic_profile_on_windows_1256_file(gazetteer: Gazetteer) -> None:
    profile = builtin_profile("arabic-headers")
    with open_table(DATA / "arabic-windows-1256.csv") as table:
        records = [parse_row(r.cells, profile, gazetteer).record for r in table.rows()]
    first, second = records
    assert first is not None and second is not None
    assert (first.record_id, first.name, first.sex, first.age_min) == ("A1", "أحمد علي", "male", 34)
    assert (first.governorate, first.pcode_adm1, first.status) == ("Lattakia", "SY06", "killed")
    assert (second.sex, second.age_min, second.status) == ("female", 27, "missing")
    assert second.governorate == "Lattakia"  # the profile's default


def test_kobo_profile_on_kobo_json(gazetteer: Gazetteer) -> None:
    profile = builtin_profile("kobo-victims")
    with open_table(DATA / "kobo-victims.json") as table:
        parsed = [parse_row(r.cells, profile, gazetteer) for r in table.rows()]
    first, second = (p.record for p in parsed)
    assert first is not None and second is not None
    assert (first.record_id, first.name, first.sex) == ("u-101", "Omar Haddad", "male")
    assert (first.pcode, first.pcode_adm1, first.date_of_death) == ("SY0602", "SY06", "2025-03-07")
    assert (second.name, second.sex, second.age_min) == ("سلمى الأحمد", "female", 9)
    assert (second.governorate, second.pcode) == ("Tartous", "SY1002")
    assert second.date_of_death == "2025-03"


def test_formula_cell_in_xlsx_is_refused(tmp_path: Path, gazetteer: Gazetteer) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["record_id", "name", "age"])
    workbook.active.append(["r1", '=HYPERLINK("http://evil","Ali")', 30])
    workbook.active.append(["r2", "Omar", "=20+10"])
    workbook.save(tmp_path / "f.xlsx")
    with open_table(tmp_path / "f.xlsx") as table:
        parsed = [parse_row(r.cells, standard_profile(), gazetteer) for r in table.rows()]
    assert errors_of(parsed[0])["name"].startswith("spreadsheet formula")
    assert errors_of(parsed[1])["age"].startswith("spreadsheet formula")


def test_formula_in_csv_is_refused(tmp_path: Path, gazetteer: Gazetteer) -> None:
    path = tmp_path / "f.csv"
    path.write_text("record_id,name,notes\nr1,Ali,@SUM(A1)\nr2,Omar,fine\n", encoding="utf-8")
    with open_table(path) as table:
        parsed = [parse_row(r.cells, standard_profile(), gazetteer) for r in table.rows()]
    assert errors_of(parsed[0])["notes"].startswith("spreadsheet formula")
    assert parsed[1].ok


def test_duplicate_column_copy_is_not_read_as_the_field() -> None:
    record = parse({"record_id": "1", "name": "Ali", "name (2)": "Omar"}).record
    assert record is not None
    assert record.name == "Ali"


def test_arabic_headers_through_standard_profile() -> None:
    cells = {
        "الرقم": "9",
        "الاسم": "خالد",
        "الجنس": "ذكر",
        "العمر": "٤٥",
        "تاريخ الوفاة": "٧ آذار ٢٠٢٥",
        "المحافظة": "طرطوس",
        "الحالة": "شهيد",
    }
    record = parse(cells).record
    assert record is not None
    assert (record.record_id, record.sex, record.age_min) == ("9", "male", 45)
    assert (record.date_of_death, record.governorate, record.status) == (
        "2025-03-07",
        "Tartous",
        "killed",
    )
