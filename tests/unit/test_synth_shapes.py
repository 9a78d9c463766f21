"""List shapes: each option writes what it says, the defaults do not move, bad files are named."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.domain.records import STANDARD_COLUMNS
from marsad.ingest.values import parse_age, parse_date, parse_sex
from marsad.synth import Scenario, generate, names_data, write_scenario
from marsad.synth.matrix import read_matrix
from marsad.synth.people import CHILD, HEAD
from marsad.synth.shapes import (
    FIELDS,
    ListShape,
    ShapeError,
    build_shape,
    builtin_presets,
    read_shapes_file,
    resolve_shapes,
)
from marsad.synth.translit import CONVENTIONS, transliterate

ARABIC = re.compile(r"[\u0600-\u06ff]")
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SHA256 = "35f51acc0fa5ba6d04a019a5015f819f0d3a01194845ab25fa89ff7e79f54ebb"
"""All files of `generate(3, 1500, 4)` as written before list shapes existed."""


def shape(**settings: Any) -> ListShape:
    return build_shape(settings, builtin_presets(), "<test>", "shape")


def written(tmp_path: Path, shapes: list[ListShape], people: int = 3000, seed: int = 5) -> Path:
    write_scenario(generate(seed, people, len(shapes), shapes=shapes), tmp_path)
    return tmp_path


def rows_of(folder: Path, position: int = 0) -> list[dict[str, str]]:
    manifest = json.loads((folder / "scenario.json").read_text("utf-8"))
    path = folder / manifest["lists"][position]["file"]
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def header_of(folder: Path, position: int = 0) -> list[str]:
    manifest = json.loads((folder / "scenario.json").read_text("utf-8"))
    with (folder / manifest["lists"][position]["file"]).open(encoding="utf-8") as f:
        return next(csv.reader(f))


def truth_of(folder: Path) -> dict[tuple[str, str], str]:
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as f:
        return {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(f)}


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_default_output_is_byte_for_byte_what_it_was(tmp_path: Path) -> None:
    write_scenario(generate(3, 1500, 4), tmp_path)
    assert digest(tmp_path) == DEFAULT_SHA256


def test_the_palette_shape_writes_what_no_shape_writes(tmp_path: Path) -> None:
    write_scenario(generate(4, 2000, 6), tmp_path / "plain")
    write_scenario(generate(4, 2000, 6, shapes=[shape()] * 6), tmp_path / "palette")
    for path in (tmp_path / "plain").iterdir():
        if path.name != "scenario.json":
            assert path.read_bytes() == (tmp_path / "palette" / path.name).read_bytes()
    manifest = json.loads((tmp_path / "palette" / "scenario.json").read_text("utf-8"))
    assert manifest["lists"][0]["shape"] == {"name": "palette"}
    assert manifest["lists"][0]["columns"] == list(STANDARD_COLUMNS)


def test_a_list_without_a_field_has_no_column_or_an_empty_one(tmp_path: Path) -> None:
    fields = ["sex", "date_of_death", "governorate"]
    folder = written(
        tmp_path, [shape(fields=fields), shape(fields=fields, absent="empty")], people=4000
    )
    assert header_of(folder, 0) == ["record_id", *NAME_COLUMNS, *fields]
    assert "pcode" not in header_of(folder, 0)
    assert header_of(folder, 1) == list(STANDARD_COLUMNS)
    un = rows_of(folder, 1)
    for column in set(FIELDS) - set(fields):
        assert all(r[column] == "" for r in un), column
    assert any(r["sex"] for r in un) and any(r["governorate"] for r in un)


NAME_COLUMNS = ("name", "name_first", "name_father", "name_grandfather", "name_family")


def test_two_part_names_are_first_and_family(tmp_path: Path) -> None:
    folder = written(tmp_path, [shape(name_parts="2", name_columns="both", family_first=0)])
    rows = rows_of(folder)
    assert rows
    for r in rows:
        assert r["name_first"] and r["name_family"]
        assert not r["name_father"] and not r["name_grandfather"]
        assert r["name"] == f"{r['name_first']} {r['name_family']}"


def test_name_columns_name_only_or_parts_only(tmp_path: Path) -> None:
    folder = written(tmp_path, [shape(name_columns="name"), shape(name_columns="parts")])
    assert not set(NAME_COLUMNS[1:]) & set(header_of(folder, 0))
    assert "name" not in header_of(folder, 1)
    assert all(r["name_first"] for r in rows_of(folder, 1))


def test_five_part_names_add_the_great_grandfather_shared_by_siblings(tmp_path: Path) -> None:
    scenario = generate(6, 3000, 1, shapes=[shape(name_parts="5", latin_share=0)])
    pop = scenario.population
    great = scenario.great_grandfather
    heads = {int(pop.unit[i]): i for i in np.flatnonzero(pop.role == HEAD).tolist()}
    children = [i for i in np.flatnonzero(pop.role == CHILD).tolist() if int(pop.unit[i]) in heads]
    assert len(children) > 50
    for child in children:
        assert great[child] == pop.grandfather[heads[int(pop.unit[child])]]
    columns = scenario.records(0)
    words = Counter(len(n.split()) for n in columns["name"])
    assert min(words) >= 5


def test_capitals_and_hyphens(tmp_path: Path) -> None:
    latin = {"latin_share": 1, "transliteration": "table-english", "sex_labels": "en"}
    folder = written(tmp_path, [shape(capitals=1, **latin), shape(hyphens="join", **latin)])
    caps = rows_of(folder, 0)
    assert all(r["name"] == r["name"].upper() for r in caps)
    assert {r["sex"] for r in caps} <= {"", "MALE", "FEMALE", "M", "F"}
    joined = rows_of(folder, 1)
    assert not any("-" in r["name"] for r in joined)
    assert any(r["name_family"].startswith("Al") for r in joined)


def test_family_name_first(tmp_path: Path) -> None:
    folder = written(tmp_path, [shape(family_first=1, name_columns="both", name_parts="3")])
    for r in rows_of(folder):
        assert r["name"].startswith(r["name_family"] + " ")
        assert r["name"].endswith(r["name_father"])


def test_rule_transliterations_are_latin_and_new() -> None:
    tables = (names_data.MALE_FIRST, names_data.FEMALE_FIRST, names_data.FAMILY)
    entries = [entry.split("|") for table in tables for entry in table]
    for convention in CONVENTIONS:
        unseen = 0
        for arabic, *latin in entries:
            out = transliterate(arabic, convention)
            assert out and not ARABIC.search(out), (arabic, convention, out)
            assert re.fullmatch(r"[A-Za-z' -]+", out), (arabic, convention, out)
            unseen += out not in latin
        assert unseen > 0.3 * len(entries), convention
    assert transliterate("عبد الرحمن", "rule-french").startswith("Abdel ")
    assert transliterate("الشامي", "rule-french") == "El-Chami"
    assert transliterate("جعفر", "rule-german").startswith("Dsch")


def test_a_rule_list_spells_names_from_the_arabic(tmp_path: Path) -> None:
    folder = written(
        tmp_path, [shape(latin_share=1, transliteration="rule-french", name_columns="both")]
    )
    known = {v for table in (names_data.MALE_FIRST, names_data.FEMALE_FIRST) for v in table}
    table_spellings = {s for entry in known for s in entry.split("|")[1:]}
    rows = rows_of(folder)
    assert not any(ARABIC.search(r["name"]) for r in rows)
    unseen = sum(r["name_first"] not in table_spellings for r in rows)
    assert unseen > 0.3 * len(rows)


def test_dates_ages_and_sex_in_the_shapes_formats_still_parse(tmp_path: Path) -> None:
    folder = written(
        tmp_path,
        [
            shape(
                latin_share=0.5,
                date_format={"dmy": 1, "month-name": 1, "excel-serial": 1, "dmy-dot": 1},
                date_precision={"day": 0.5, "month": 0.3, "year": 0.2},
                arabic_digits=0.5,
                age_style={"decade": 1, "range": 1},
                sex_labels="fr",
            )
        ],
    )
    rows = rows_of(folder)
    dates = [r["date_of_death"] for r in rows]
    assert any(re.fullmatch(r"\d\d/\d\d/2025", d) for d in dates)
    assert any(re.fullmatch(r"\d\d\.\d\d\.2025", d) for d in dates)
    assert any("آذار" in d for d in dates) and any("March" in d for d in dates)
    assert any(re.fullmatch(r"4\d{4}", d) for d in dates)
    assert any(re.search("[٠-٩]", d) for d in dates)
    parsed = [parse_date(d) for d in dates if d]
    assert all(p is not None and p.startswith("2025") for p in parsed)
    ages = [r["age"] for r in rows if r["age"]]
    assert any(re.fullmatch(r"\d0s", a) for a in ages)
    assert all(parse_age(a) is not None for a in ages)
    assert {r["sex"] for r in rows} <= {"", "H", "F"}
    assert parse_sex("F") == "female"


def test_duplicates_at_the_rate_asked_and_verbatim_copies(tmp_path: Path) -> None:
    folder = written(tmp_path, [shape(duplicates=0.2, duplicate_copies=1)], people=8000)
    truth = truth_of(folder)
    rows = rows_of(folder)
    source = next(iter(truth))[0]
    persons = Counter(truth[(source, r["record_id"])] for r in rows)
    twice = sum(n == 2 for n in persons.values()) / len(persons)
    assert 0.17 < twice < 0.23
    by_person: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_person.setdefault(truth[(source, r["record_id"])], []).append(r)
    for pair in (v for v in by_person.values() if len(v) == 2):
        a, b = ({k: v for k, v in r.items() if k != "record_id"} for r in pair)
        assert a == b


def test_every_preset_writes_rows_that_match_the_truth(tmp_path: Path) -> None:
    presets = builtin_presets()
    shapes = [presets[name] for name in presets if name != "palette"][:6]
    scenario: Scenario = generate(9, 3000, len(shapes), shapes=shapes)
    write_scenario(scenario, tmp_path)
    truth = truth_of(tmp_path)
    manifest = json.loads((tmp_path / "scenario.json").read_text("utf-8"))
    seen = set()
    for position, item in enumerate(manifest["lists"]):
        rows = rows_of(tmp_path, position)
        assert len(rows) == item["records"] == len(scenario.lists[position].rows)
        assert header_of(tmp_path, position) == item["columns"]
        assert item["shape"]["name"] == shapes[position].name
        ids = [r["record_id"] for r in rows]
        assert len(set(ids)) == len(ids)
        seen |= {(item["source"], i) for i in ids}
        assert all(r.get("name") or r.get("name_first") for r in rows)
    assert seen == set(truth)
    assert manifest["documented_people"] == len(set(truth.values()))


def test_shapes_file_with_presets_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "shapes.yaml"
    path.write_text(
        "presets:\n"
        "  mine: {preset: latin-un, capitals: 1}\n"
        "lists:\n"
        "  - arabic-monitor\n"
        "  - mine\n"
        "  - {preset: mine, duplicates: 0.1}\n",
        encoding="utf-8",
    )
    shapes = read_shapes_file(path)
    assert [s.name for s in shapes] == ["arabic-monitor", "mine", "mine"]
    assert shapes[2].capitals == 1 and shapes[2].duplicates == 0.1
    assert shapes[1].fields == builtin_presets()["latin-un"].fields
    assert len(resolve_shapes("names-dates", 3)) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lists:\n  - {preset: latin-un, capitalz: 1}\n", "lists[0].capitalz: unknown setting"),
        ("lists:\n  - nope\n", "lists[0]: unknown shape 'nope'"),
        ("lists:\n  - {capitals: 2}\n", "lists[0].capitals: expected a share"),
        ("lists:\n  - {date_format: {iso: 1, roman: 1}}\n", "date_format: unknown value 'roman'"),
        ("lists:\n  - {fields: [sex, eye_colour]}\n", "fields: unknown column 'eye_colour'"),
        ("lists:\n  - {name_columns: parts, fields: []}\n  - {hyphens: maybe}\n", "hyphens"),
        ("lists: []\n", "lists: expected a list of shapes"),
        ("shapes: {}\n", "shapes: unknown setting"),
        ("lists: [\n", "cannot read shapes"),
    ],
)
def test_bad_shapes_file_names_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ShapeError) as error:
        read_shapes_file(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_cli_synth_with_a_shape_and_its_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(
        app, ["synth", str(tmp_path / "a"), "--people", "300", "--shape", "names-dates"]
    )
    assert done.exit_code == 0, done.output
    assert header_of(tmp_path / "a") == ["record_id", "name", "date_of_death"]
    assert len(json.loads((tmp_path / "a" / "scenario.json").read_text("utf-8"))["lists"]) == 4
    bad = tmp_path / "bad.yaml"
    bad.write_text("lists:\n  - names-dates\n  - {preset: latin-un, colour: 1}\n", "utf-8")
    failed = runner.invoke(app, ["synth", str(tmp_path / "b"), "--shape", str(bad)])
    assert failed.exit_code != 0
    assert f"{bad}: lists[1].colour: unknown setting" in failed.output
    assert "Traceback" not in failed.output
    two = tmp_path / "two.yaml"
    two.write_text("lists: [names-dates, latin-un]\n", "utf-8")
    mismatch = runner.invoke(
        app, ["synth", str(tmp_path / "c"), "--shape", str(two), "--lists", "3"]
    )
    assert mismatch.exit_code != 0 and "gives 2 shapes but --lists is 3" in mismatch.output


def test_the_benchmark_matrix_is_fixed_and_complete() -> None:
    specs = read_matrix(ROOT / "benchmarks" / "scenarios.yaml")
    assert len(specs) >= 12
    assert {s.people for s in specs} == {20_000, 100_000}
    assert all(3 <= s.lists <= 6 for s in specs)
    assert any(s.lists == 6 for s in specs)
    assert len({s.seed for s in specs}) == len(specs)
    assert all(s.stands_for for s in specs)
    issue = next(s for s in specs if s.name == "issue-14")
    assert sum(s.latin_share == 1 for s in issue.shapes) == 2
    assert sum(s.latin_share == 0 for s in issue.shapes) == 3
    assert not any(s.carries("pcode") or s.carries("name_mother") for s in issue.shapes)
    assert any(s.name_parts == (("2", 1.0),) for s in issue.shapes)
    assert any((s.duplicates or 0) >= 0.05 for s in issue.shapes)
    names = {s.name for s in specs}
    assert {"all-latin", "names-and-dates", "heavy-duplication", "family-name-first"} <= names
    assert "palette" in names


def test_the_matrix_file_rejects_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "matrix.yaml"
    path.write_text(
        "scenarios:\n  - {name: a, stands_for: x, seed: 1, people: 10, lists: [palette],"
        " settings: {typo: 2}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ShapeError, match=r"scenarios\[0\]\.settings: unknown synth option"):
        read_matrix(path)
