"""Lists as organisations write them link, and what does not fit says so in one line.

Two small lists of names and dates (one in capitals, French-style Latin, two name parts), a
list of names alone, and a saved model used on lists of another shape: each through the CLI,
on SQLite and PostgreSQL, with no traceback.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.store.models import LinkRun, Person, Record

runner = CliRunner()

FIRST = {"محمد": "Mohamed", "أحمد": "Ahmed", "فاطمة": "Fatma", "زينب": "Zeinab"}
FIRST |= {"سامر": "Samer", "ريم": "Reem", "خالد": "Khaled", "هدى": "Houda", "يوسف": "Youssef"}
FIRST |= {"جمال": "Djamal", "أسامة": "Oussama", "شادي": "Chadi", "نور": "Nour", "رامي": "Rami"}
FIRST |= {"عبد الرحمن": "Abdel Rahman", "مريم": "Mariam", "سلمى": "Salma", "وائل": "Wael"}
FAMILY = {"ديب": "Dib", "سلوم": "Salloum", "خضور": "Khaddour", "العلي": "El Ali"}
FAMILY |= {"شاهين": "Chahine", "حداد": "Haddad", "نصر": "Nasr", "شعبان": "Chaaban"}
FAMILY |= {"الخطيب": "El Khatib", "جمعة": "Jomaa", "الشيخ": "Cheikh", "ميهوب": "Mihoub"}
FAMILY |= {"إسماعيل": "Ismail", "الحوراني": "Hourani", "سليمان": "Slimane", "عثمان": "Othman"}
FATHERS = {"علي": "Ali", "حسن": "Hassan", "عمر": "Omar", "نزار": "Nizar", "عيسى": "Issa"}
FATHERS |= {"إبراهيم": "Ibrahim", "سليم": "Salim", "كمال": "Kamal", "منير": "Mounir"}


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    return result.output


def write_lists(folder: Path, with_dates: bool = True) -> tuple[Path, Path]:
    """An Arabic list with three name parts and a French-style list in capitals, of the same
    300 people, each recording about 70% of them; nothing else but dates. With dates, the
    French list writes first and family name only; without, it writes the father's name too
    (two common names alone say too little: a Mohamed Dib is several people)."""
    rng = random.Random(5)
    people = [
        (
            rng.choice(list(FIRST)),
            rng.choice(list(FATHERS)),
            rng.choice(list(FAMILY)),
            rng.randint(1, 28),
        )
        for _ in range(300)
    ]
    header = "record_id,name,date_of_death\n" if with_dates else "record_id,name\n"
    paths = []
    for name, latin in (("a", False), ("b", True)):
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write(header)
            for i, (first, father, family, day) in enumerate(people):
                if rng.random() < 0.7:
                    parts = (FIRST[first], FAMILY[family])
                    if not with_dates:
                        parts = (FIRST[first], FATHERS[father], FAMILY[family])
                    full = " ".join(parts).upper() if latin else f"{first} {father} {family}"
                    date = f",2025-03-{day:02d}" if with_dates else ""
                    handle.write(f"{name}{i},{full}{date}\n")
        paths.append(path)
    return paths[0], paths[1]


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        records = conn.scalar(select(func.count()).select_from(Record)) or 0
        persons = conn.scalar(select(func.count()).select_from(Person)) or 0
    return records, persons


def test_two_small_lists_of_names_and_dates_link(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    arabic, french = write_lists(tmp_path)
    invoke("ingest", str(arabic), "--source", "Arabic list", "--db", db_url)
    invoke("ingest", str(french), "--source", "Liste", "--db", db_url)
    out = invoke("link", "--db", db_url)
    assert "left out: " in " ".join(out.split()) and "place (no record has it)" in out
    records, persons = counts(engine)
    assert persons < records * 0.8, "most people on both lists are found on both"


def test_names_alone_link_with_a_warning(db_url: str, engine: Engine, tmp_path: Path) -> None:
    arabic, french = write_lists(tmp_path, with_dates=False)
    invoke("ingest", str(arabic), "--source", "Arabic list", "--db", db_url)
    invoke("ingest", str(french), "--source", "Liste", "--db", db_url)
    out = " ".join(invoke("link", "--db", db_url).split())
    assert "Linking on names alone" in out
    records, persons = counts(engine)
    assert persons < records


def test_a_saved_model_of_another_shape_is_narrowed_or_refused_in_one_line(
    db_url: str, tmp_path: Path
) -> None:
    arabic, french = write_lists(tmp_path)
    invoke("ingest", str(arabic), "--source", "Arabic list", "--db", db_url)
    invoke("ingest", str(french), "--source", "Liste", "--db", db_url)
    saved = tmp_path / "model.json"
    invoke("link", "--db", db_url, "--model-out", str(saved))
    model = json.loads(saved.read_text(encoding="utf-8"))
    assert {c["output_column_name"] for c in model["comparisons"]} >= {"first_key", "dod"}

    model["comparisons"] = [c for c in model["comparisons"] if c["output_column_name"] != "dod"]
    narrowed = tmp_path / "narrowed.json"
    narrowed.write_text(json.dumps(model), encoding="utf-8")
    out = " ".join(invoke("link", "--db", db_url, "--model", str(narrowed)).split())
    assert "date of death (the saved model has no such comparison)" in out

    first = next(c for c in model["comparisons"] if c["output_column_name"] == "first_key")
    first["comparison_levels"][1]["label_for_charts"] = "a level of another version"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(model), encoding="utf-8")
    result = runner.invoke(app, ["link", "--db", db_url, "--model", str(other)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "'first_key' comparison has the levels" in " ".join(result.output.split())


def write_hook_lists(folder: Path) -> tuple[Path, Path]:
    """The project's standing check (the before-stop hook's generator, copied as it is): 500
    people from 8 first x 4 father x 5 family names dying over 7 days; list a in Arabic
    "first father family", list b in Latin capitals "FIRST FAMILY", French-style; each person
    on each list with p = 0.7; record ids a<i> and b<i> name person i."""
    rng = random.Random(5)
    first = ["محمد", "أحمد", "علي", "حسن", "فاطمة", "زينب", "سامر", "ريم"]
    fam = ["ديب", "سلوم", "خضور", "العلي", "شاهين"]
    lat = {"محمد": "Mohamed", "أحمد": "Ahmed", "علي": "Ali", "حسن": "Hassan", "فاطمة": "Fatma"}
    lat |= {"زينب": "Zeinab", "سامر": "Samer", "ريم": "Reem", "ديب": "Dib", "سلوم": "Salloum"}
    lat |= {"خضور": "Khaddour", "العلي": "El Ali", "شاهين": "Chahine"}
    people = [
        (rng.choice(first), rng.choice(first[:4]), rng.choice(fam), rng.randint(6, 12))
        for _ in range(500)
    ]
    for name, latin in (("a", False), ("b", True)):
        with open(folder / f"{name}.csv", "w", encoding="utf-8") as fh:
            fh.write("record_id,name,date_of_death\n")
            for i, (f, father, fa, d) in enumerate(people):
                if rng.random() < 0.7:
                    n = f"{lat[f]} {lat[fa]}".upper() if latin else f"{f} {father} {fa}"
                    fh.write(f"{name}{i},{n},2025-03-{d:02d}\n")
    return folder / "a.csv", folder / "b.csv"


def test_the_standing_check_of_two_lists_of_common_names_links(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    """The lists do not identify the prior (it is set from their overlap beyond chance, and
    the run says so), and with one-to-one scoring the mutual unique best pairs link; most
    links are right (truth: 458 persons for 710 records; one person's namesakes of one day
    cannot be told apart, so far fewer are found)."""
    a, b = write_hook_lists(tmp_path)
    invoke("ingest", str(a), "--source", "a", "--db", db_url)
    invoke("ingest", str(b), "--source", "b", "--db", db_url)
    out = " ".join(invoke("link", "--db", db_url).split())
    assert "the lists do not identify the prior" in out
    assert "2 lists without duplicates linked one to one" in out
    with engine.connect() as conn:
        settings = conn.scalar(select(LinkRun.settings).order_by(LinkRun.id.desc()))
        rows = conn.execute(select(Record.record_id, Record.person_id)).all()
    assert settings["prior"]["how"] == "overlap"
    assert 5e-4 < settings["prior"]["value"] < 2e-3
    members: dict[int, list[str]] = {}
    for record_id, person_id in rows:
        members.setdefault(person_id, []).append(record_id)
    links = [sorted(group) for group in members.values() if len(group) > 1]
    assert len(rows) == 710
    assert len(members) < len(rows) - 25, "the mutual unique best pairs are linked"
    right = sum(1 for group in links if len({rid[1:] for rid in group}) == 1)
    assert right >= 0.85 * len(links)

    invoke("link", "--db", db_url, "--no-one-to-one")
    records, persons = counts(engine)
    assert persons == records, "without one-to-one scoring nothing reaches the threshold"
