"""Synthetic scenarios: determinism, ground truth, and the realism the benchmarks rely on."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from marsad.domain.records import STANDARD_COLUMNS, STATUSES
from marsad.synth import Scenario, generate, names_data, write_scenario
from marsad.synth.people import CHILD, HEAD, MALE
from marsad.synth.places_data import DISTRICTS, governorates
from marsad.synth.spelling import arabic_variants, strip_latin_article, typo

ARABIC = re.compile(r"[\u0600-\u06ff]")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
AGE = re.compile(r"^(\d+|\d+-\d+|child|adult)$")
SEED, PEOPLE, LISTS = 11, 6000, 6


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return generate(SEED, PEOPLE, LISTS)


@pytest.fixture(scope="module")
def out_dir(scenario: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    write_scenario(scenario, out)
    return out


@pytest.fixture(scope="module")
def manifest(out_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out_dir / "scenario.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def files(out_dir: Path, manifest: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """Rows of each list file, keyed by source name."""
    return {item["source"]: read_csv(out_dir / item["file"]) for item in manifest["lists"]}


@pytest.fixture(scope="module")
def truth(out_dir: Path) -> dict[tuple[str, str], str]:
    return {(r["source"], r["record_id"]): r["person_id"] for r in read_csv(out_dir / "truth.csv")}


def by_kind(manifest: dict[str, Any], kind: str) -> str:
    return str(next(item["source"] for item in manifest["lists"] if item["kind"] == kind))


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_same_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    write_scenario(generate(3, 1500, 4), tmp_path / "a")
    write_scenario(generate(3, 1500, 4), tmp_path / "b")
    write_scenario(generate(4, 1500, 4), tmp_path / "c")
    a, b, c = (file_bytes(tmp_path / x) for x in "abc")
    assert a == b
    assert a.keys() == c.keys()
    assert all(a[name] != c[name] for name in a if name.endswith(".csv"))


def test_write_returns_every_file(scenario: Scenario, tmp_path: Path) -> None:
    paths = write_scenario(generate(5, 500, 3), tmp_path)
    assert sorted(p.name for p in paths) == sorted(p.name for p in tmp_path.iterdir())
    assert {"truth.csv", "scenario.json", "people.csv"} <= {p.name for p in paths}


def test_list_files_have_exactly_the_standard_columns(
    out_dir: Path, manifest: dict[str, Any]
) -> None:
    assert len(manifest["lists"]) == LISTS
    for item in manifest["lists"]:
        with (out_dir / item["file"]).open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert tuple(header) == STANDARD_COLUMNS
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*\.csv", item["file"])


def test_every_record_is_in_truth_and_ids_are_unique_per_list(
    files: dict[str, list[dict[str, str]]],
    truth: dict[tuple[str, str], str],
    manifest: dict[str, Any],
) -> None:
    written = set()
    for item in manifest["lists"]:
        rows = files[item["source"]]
        ids = [r["record_id"] for r in rows]
        assert len(ids) == len(set(ids)) == item["records"]
        assert all(r["name"] for r in rows)
        written |= {(item["source"], i) for i in ids}
    assert written == set(truth)


def test_documented_people_counts_distinct_persons_in_truth(
    truth: dict[tuple[str, str], str], manifest: dict[str, Any], out_dir: Path
) -> None:
    documented = set(truth.values())
    assert manifest["documented_people"] == len(documented)
    assert manifest["people"] == PEOPLE
    assert 0 < manifest["documented_people"] < PEOPLE
    people = read_csv(out_dir / "people.csv")
    assert len(people) == PEOPLE
    on_some_list = {p["person_id"] for p in people if int(p["lists"]) > 0}
    assert on_some_list == documented


def test_most_documented_people_are_on_one_or_two_lists(truth: dict[tuple[str, str], str]) -> None:
    pairs = {(person, source) for (source, _), person in truth.items()}
    per_person = Counter(person for person, _ in pairs)
    histogram = Counter(per_person.values())
    assert histogram[1] + histogram[2] > 0.6 * len(per_person)
    assert max(histogram) >= 3


def test_copying_list_names_its_source_and_overlaps_it(
    scenario: Scenario, manifest: dict[str, Any]
) -> None:
    media = next(item for item in manifest["lists"] if item["kind"] == "media")
    assert media["copies"] == by_kind(manifest, "monitoring_group")
    on = {s.profile.source: np.isin(np.arange(scenario.people), s.rows) for s in scenario.lists}
    copier, copied = on[media["source"]], on[media["copies"]]
    assert copier[copied].mean() > 2 * copier[~copied].mean()


def capture_rate(scenario: Scenario, kind: str, group: np.ndarray) -> float:
    source = next(s for s in scenario.lists if s.profile.kind == kind)
    on = np.zeros(scenario.people, dtype=bool)
    on[source.rows] = True
    return float(on[group].mean())


def test_capture_depends_on_governorate_sex_and_age_as_configured() -> None:
    scenario = generate(21, 20000, 5)
    pop = scenario.population
    lattakia = pop.governorate == [g.pcode for g in governorates()].index("SY06")
    adult_men = (pop.sex == MALE) & (pop.age >= 18)
    women_children = (pop.sex != MALE) | (pop.age < 18)
    un_lattakia = capture_rate(scenario, "un_office", lattakia)
    un_elsewhere = capture_rate(scenario, "un_office", ~lattakia)
    assert un_lattakia > 1.5 * un_elsewhere
    assert capture_rate(scenario, "un_office", adult_men) > 1.5 * capture_rate(
        scenario, "un_office", women_children
    )
    assert capture_rate(scenario, "relative", women_children) > 1.3 * capture_rate(
        scenario, "relative", adult_men
    )
    flat = generate(21, 20000, 5, heterogeneity=0.0, correlation=0.0)
    ratio_flat = capture_rate(flat, "un_office", lattakia) / capture_rate(
        flat, "un_office", ~lattakia
    )
    assert abs(ratio_flat - 1) < 0.25 < un_lattakia / un_elsewhere - 1


def test_heterogeneity_is_visible_in_the_written_files(
    files: dict[str, list[dict[str, str]]],
    truth: dict[tuple[str, str], str],
    manifest: dict[str, Any],
    out_dir: Path,
) -> None:
    people = {p["person_id"]: p for p in read_csv(out_dir / "people.csv")}
    hotline = by_kind(manifest, "relative")
    on_hotline = {pid for (source, _), pid in truth.items() if source == hotline}
    rate = {}
    for sex in ("male", "female"):
        group = [pid for pid, p in people.items() if p["sex"] == sex]
        rate[sex] = sum(pid in on_hotline for pid in group) / len(group)
    assert rate["female"] > 1.3 * rate["male"]


def test_families_share_father_grandfather_family_date_and_place(scenario: Scenario) -> None:
    pop = scenario.population
    units: dict[int, list[int]] = defaultdict(list)
    for i in np.flatnonzero(pop.role == CHILD).tolist():
        units[int(pop.unit[i])].append(i)
    sibling_units = [members for members in units.values() if len(members) >= 2]
    assert len(sibling_units) > 50
    for members in sibling_units:
        for field in ("father", "grandfather", "family", "day", "locality", "mother"):
            assert len({int(getattr(pop, field)[i]) for i in members}) == 1
        by_sex = Counter((int(pop.sex[i]), int(pop.first[i])) for i in members)
        assert max(by_sex.values()) == 1
    heads = {int(pop.unit[i]): i for i in np.flatnonzero(pop.role == HEAD).tolist()}
    fathered = [(heads[u], m) for u, members in units.items() if u in heads for m in members]
    assert len(fathered) > 50
    for head, child in fathered:
        assert pop.father[child] == pop.first[head]
        assert pop.grandfather[child] == pop.father[head]
        assert pop.family[child] == pop.family[head]


def test_siblings_appear_in_a_list_as_near_identical_records(
    files: dict[str, list[dict[str, str]]],
    truth: dict[tuple[str, str], str],
    manifest: dict[str, Any],
) -> None:
    source = by_kind(manifest, "field_team")
    groups: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for r in files[source]:
        if r["name_father"] and r["name_grandfather"] and r["name_family"]:
            key = (r["name_father"], r["name_grandfather"], r["name_family"], r["date_of_death"])
            groups[key].add(truth[(source, r["record_id"])])
    assert sum(len(persons) >= 2 for persons in groups.values()) >= 5


def test_within_list_duplicates_exist_at_a_small_rate(
    files: dict[str, list[dict[str, str]]], truth: dict[tuple[str, str], str]
) -> None:
    for source, rows in files.items():
        persons = Counter(truth[(source, r["record_id"])] for r in rows)
        assert max(persons.values()) <= 2
        share = sum(n == 2 for n in persons.values()) / len(rows)
        assert share < 0.06
    monitoring = files["Syrian Monitoring Network"]
    counts = Counter(truth[("Syrian Monitoring Network", r["record_id"])] for r in monitoring)
    assert sum(n == 2 for n in counts.values()) / len(monitoring) > 0.005


def test_arabic_and_latin_names_by_list(
    files: dict[str, list[dict[str, str]]], manifest: dict[str, Any]
) -> None:
    def arabic_share(source: str) -> float:
        rows = files[source]
        return sum(bool(ARABIC.search(r["name"])) for r in rows) / len(rows)

    assert arabic_share(by_kind(manifest, "monitoring_group")) == 1.0
    assert arabic_share(by_kind(manifest, "un_office")) == 0.0
    assert 0.6 < arabic_share(by_kind(manifest, "relative")) < 1.0


def test_names_vary_between_and_within_lists(
    files: dict[str, list[dict[str, str]]], manifest: dict[str, Any]
) -> None:
    monitoring = files[by_kind(manifest, "monitoring_group")]
    names = " ".join(r["name"] for r in monitoring)
    assert "أحمد" in names and " احمد" in " " + names
    only_full = sum(not r["name_first"] for r in monitoring)
    assert 0 < only_full < len(monitoring)
    assert any(not r["name_grandfather"] and r["name_first"] for r in monitoring)
    un = files[by_kind(manifest, "un_office")]
    spellings = {r["name_first"] for r in un} | {r["name_father"] for r in un}
    assert {"Mohammad", "Muhammad"} <= spellings


def test_fields_use_the_documented_values(
    files: dict[str, list[dict[str, str]]], out_dir: Path
) -> None:
    codes = {g.pcode for g in governorates()} | {d.pcode for d in DISTRICTS}
    spellings = {s for g in governorates() for s in (*g.latin_spellings, *g.arabic_spellings)}
    for rows in files.values():
        for r in rows:
            assert r["sex"] in {"", "male", "female", "m", "f", "ذكر", "أنثى"}
            assert not r["age"] or AGE.match(r["age"])
            assert not r["date_of_death"] or DATE.match(r["date_of_death"])
            assert r["status"] in STATUSES
            assert r["civilian"] in {"", "true", "false"}
            assert not r["pcode"] or r["pcode"] in codes
            assert not r["governorate"] or r["governorate"] in spellings


def test_partial_and_shifted_dates(
    files: dict[str, list[dict[str, str]]],
    truth: dict[tuple[str, str], str],
    manifest: dict[str, Any],
    out_dir: Path,
) -> None:
    hotline = by_kind(manifest, "relative")
    dates = Counter(len(r["date_of_death"]) for r in files[hotline])
    assert dates[7] > 0.15 * sum(dates.values())
    assert dates[4] > 0 and dates[10] > 0
    true_date = {p["person_id"]: p["date_of_death"] for p in read_csv(out_dir / "people.csv")}
    full = [
        (r["date_of_death"], true_date[truth[(hotline, r["record_id"])]])
        for r in files[hotline]
        if len(r["date_of_death"]) == 10
    ]
    shifts = Counter(
        int((np.datetime64(a) - np.datetime64(b)) / np.timedelta64(1, "D")) for a, b in full
    )
    assert set(shifts) <= set(range(-3, 4))
    assert 0 < sum(v for k, v in shifts.items() if k) < 0.5 * len(full)


def test_deaths_spike_in_early_march_2025(scenario: Scenario) -> None:
    days = scenario.population.dates()
    spike = (days >= np.datetime64("2025-03-06")) & (days <= np.datetime64("2025-03-10"))
    assert spike.mean() > 0.3
    assert days.min() >= np.datetime64("2025-01-01")
    assert (days > np.datetime64("2025-06-01")).mean() > 0.05


def test_deaths_concentrate_on_the_coast_hama_and_homs(scenario: Scenario) -> None:
    pcodes = np.array([g.pcode for g in governorates()])[scenario.population.governorate]
    assert np.isin(pcodes, ["SY06", "SY10", "SY05", "SY04"]).mean() > 0.75
    assert len(set(pcodes.tolist())) > 6


def test_common_names_are_shared_by_many_people(scenario: Scenario) -> None:
    pop = scenario.population
    male_first = Counter(pop.first[pop.sex == MALE].tolist())
    assert male_first.most_common(1)[0][1] > 0.08 * (pop.sex == MALE).sum()
    assert len(male_first) > 120


def test_name_tables_are_large_with_several_transliterations() -> None:
    assert len(names_data.MALE_FIRST) >= 150
    assert len(names_data.FEMALE_FIRST) >= 100
    assert len(names_data.FAMILY) >= 200
    for table in (names_data.MALE_FIRST, names_data.FEMALE_FIRST, names_data.FAMILY):
        arabic = [e.split("|")[0] for e in table]
        assert len(set(arabic)) == len(arabic)
        for entry in table:
            first, *latin = entry.split("|")
            assert ARABIC.search(first) and not any(ARABIC.search(v) for v in latin)
            assert 2 <= len(latin) <= 5


def test_arabic_spelling_variants_and_articles() -> None:
    assert "احمد" in arabic_variants("أحمد")
    assert "فاطمه" in arabic_variants("فاطمة")
    assert "عبدالله" in arabic_variants("عبد الله")
    assert strip_latin_article("Al-Ahmad") == "Ahmad"
    assert strip_latin_article("El Ahmad") == "Ahmad"
    assert strip_latin_article("Alahmad") == "Alahmad"


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_typos_are_one_or_two_edits() -> None:
    rng = np.random.default_rng(0)
    changed = 0
    for word, latin in [("Mohammad", True), ("Suleiman", True), ("محمود", False)] * 50:
        out = typo(word, rng.random(7).tolist(), latin)
        assert edit_distance(word, out) <= 4
        changed += out != word
    assert changed > 120


def test_unknown_or_invalid_options_are_rejected() -> None:
    with pytest.raises(TypeError):
        generate(1, 100, 2, no_such_option=1.0)
    with pytest.raises(ValueError):
        generate(1, 100, 2, typos=-1.0)
    with pytest.raises(ValueError):
        generate(1, 100, 99)


def test_knobs_change_the_output() -> None:
    base = generate(9, 4000, 4)
    noisy = generate(9, 4000, 4, duplicates=3.0, coverage=1.5)
    for a, b in zip(base.lists, noisy.lists, strict=True):
        assert len(b.rows) > len(a.rows)
    assert noisy.documented_people > base.documented_people


def test_first_lists_do_not_depend_on_how_many_follow() -> None:
    small, large = generate(8, 3000, 2), generate(8, 3000, 7)
    for a, b in zip(small.lists, large.lists[:2], strict=True):
        assert np.array_equal(a.rows, b.rows)
        assert small.records(a.position) == large.records(b.position)


def test_incident_reports_bracket_the_largest_mass_killings(
    scenario: Scenario, out_dir: Path, manifest: dict[str, Any]
) -> None:
    from marsad.ingest.incidents import parse_incident

    rows = read_csv(out_dir / manifest["incidents"]["file"])
    assert manifest["incidents"]["source"] == manifest["lists"][0]["source"]
    incident = scenario.population.incident
    sizes = sorted(np.unique(incident[incident >= 0], return_counts=True)[1], reverse=True)
    assert rows and len(rows) == min(12, len(sizes))
    for row, size in zip(rows, sizes, strict=False):
        parsed = parse_incident(row)
        assert not isinstance(parsed, list), parsed
        assert parsed.killed_min <= size <= parsed.killed_max
        assert "name" not in row
