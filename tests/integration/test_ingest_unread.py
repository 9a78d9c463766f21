"""Lists written by others, on SQLite and PostgreSQL: values not understood leave a field unknown
and are reported with the import; only what a record cannot lack sends a row to quarantine."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.services.exports import quarantine_items
from marsad.services.ingest import ingest_file
from marsad.services.ingest_entry import RowRefused, ingest_entry
from marsad.store.models import Import, RawRow, Record
from tests.integration.helpers import counts, person, write_csv

FRENCH_HEADERS = ("N°", "Nom", "Prénom", "Sexe", "Âge", "Date du décès", "Gouvernorat", "Statut")
SEXES = ("H", "F", "h", "f", "Homme", "Femme")
AGES = ("30 ans", "~40", "trente ans", "٣٠", "enfant", "")
DATES = ("3 mars 2025", "mars 2025", "1er février 2025", "12/03/2025", "15 août 2024", "2025")


def french_rows(count: int) -> list[list[str]]:
    """A list as a French-language monitor writes it: H/F, French months, ages in "ans"; every
    50th row says "Homme?" for sex and every 70th "hier" for the date."""
    rows = []
    for i in range(count):
        rows.append(
            [
                f"FR-{i:05d}",
                ("Chaaban", "Chahine", "Haddad", "El Khatib")[i % 4],
                ("Mohamed", "Fatma", "Rami", "Khadija")[i % 4],
                "Homme?" if i % 50 == 7 else SEXES[i % len(SEXES)],
                AGES[i % len(AGES)],
                "hier" if i % 70 == 3 else DATES[i % len(DATES)],
                ("Lattaquié", "Tartous", "Homs")[i % 3],
                "tué" if i % 9 else "disparu",
            ]
        )
    return rows


def write_rows(path: Path, headers: tuple[str, ...], rows: list[list[str]]) -> Path:
    return write_csv(path, (dict(zip(headers, row, strict=True)) for row in rows), headers)


def test_a_french_list_with_h_and_f_keeps_every_row(engine: Engine, tmp_path: Path) -> None:
    rows = french_rows(1000)
    path = write_rows(tmp_path / "liste.csv", FRENCH_HEADERS, rows)
    summary = ingest_file(engine, path, "Liste FR")
    assert (summary.rows_total, summary.rows_recorded, summary.rows_quarantined) == (1000, 1000, 0)
    homme = sum(1 for r in rows if r[3] == "Homme?")
    hier = sum(1 for r in rows if r[5] == "hier")
    trentaine = sum(1 for r in rows if r[4] == "trente ans")
    expected = {
        "sex": {"count": homme, "values": [["Homme?", homme]], "other": 0},
        "age": {"count": trentaine, "values": [["trente ans", trentaine]], "other": 0},
        "date_of_death": {"count": hier, "values": [["hier", hier]], "other": 0},
    }
    assert summary.unread == expected
    with engine.connect() as conn:
        stored = conn.execute(select(Import.unread, Import.warnings)).one()
        records = {r.record_id: r for r in conn.execute(select(Record))}
    assert stored.unread == expected, "the report is kept with the import"
    assert stored.warnings == []
    first = records["FR-00000"]
    assert (first.name, first.sex, first.age_min, first.date_of_death) == (
        "Mohamed Chaaban",
        "male",
        30,
        "2025-03-03",
    )
    assert (records["FR-00001"].sex, records["FR-00001"].age_min) == ("female", 40)
    assert records["FR-00009"].date_of_death == "2025-03-12", "dd/mm: day first"
    assert records["FR-00002"].date_of_death == "2025-02-01"
    assert (records["FR-00009"].status, records["FR-00010"].status) == ("missing", "killed")
    odd = records["FR-00007"]
    assert odd.sex is None and odd.unread == {"sex": "Homme?"}
    assert records["FR-00003"].unread == {"date_of_death": "hier"}
    assert records["FR-00001"].unread is None


def test_required_fields_still_quarantine_with_file_row_and_field(
    engine: Engine, tmp_path: Path
) -> None:
    rows = [
        person("R-1", "Ali Hassan", sex="Homme?"),
        person("", "No Id", sex="H"),
        person("R-3", "", sex="?!"),
        person("R-4", "Samir Issa", status="vivant"),
        person("R-5", "=HYPERLINK(1)"),
        person("R-6", "Hala Daher", governorate="Homs", pcode="SY0602"),
    ]
    summary = ingest_file(engine, write_csv(tmp_path / "bad.csv", rows), "Field team")
    assert (summary.rows_recorded, summary.rows_quarantined) == (1, 5)
    waiting = {
        (i.file_name, i.row_number, i.record_id): {f for f, _ in i.reasons}
        for i in quarantine_items(engine)
    }
    assert waiting == {
        ("bad.csv", 3, None): {"record_id"},
        ("bad.csv", 4, "R-3"): {"name", "sex"},
        ("bad.csv", 5, "R-4"): {"status"},
        ("bad.csv", 6, "R-5"): {"name"},
        ("bad.csv", 7, "R-6"): {"pcode"},
    }
    assert summary.unread["status"]["values"] == [["vivant", 1]]
    assert summary.unread["sex"]["values"] == [["?!", 1], ["Homme?", 1]]


def test_empty_and_unreadable_columns_are_named_with_their_list(
    engine: Engine, tmp_path: Path
) -> None:
    headers = ("record_id", "name", "sex", "age", "date_of_death", "locality", "civilian")
    rows = [
        [f"C-{i}", name, "Мужской", "", "unknown", "Jablah", "yes"]
        for i, name in enumerate(("Иван Петров", "محمد علي", "王伟", "Ali 🕊", "ALI HASSAN"))
    ]
    summary = ingest_file(engine, write_rows(tmp_path / "cols.csv", headers, rows), "Liste X")
    assert summary.rows_recorded == 5, "names of any script are names"
    assert summary.warnings == [
        "list 'Liste X' (cols.csv): field sex (column 'sex'): no value could be read; "
        "the field is left unknown",
        "list 'Liste X' (cols.csv): field age (column 'age') is empty in every row",
        "list 'Liste X' (cols.csv): field date_of_death (column 'date_of_death') is empty in "
        "every row",
    ]
    assert summary.unread == {"sex": {"count": 5, "values": [["Мужской", 5]], "other": 0}}
    with engine.connect() as conn:
        assert conn.scalar(select(Import.warnings)) == summary.warnings
        raw = conn.execute(select(RawRow.data).order_by(RawRow.row_number)).scalars().first()
    assert raw is not None and raw["sex"] == "Мужской", "the raw row keeps the value verbatim"


def test_an_all_null_file_and_a_headers_only_file_do_not_crash(
    engine: Engine, tmp_path: Path
) -> None:
    headers = ("record_id", "name", "sex")
    empty = ingest_file(engine, write_rows(tmp_path / "h.csv", headers, []), "Liste Y")
    assert (empty.rows_total, empty.unread) == (0, {})
    assert len(empty.warnings) == 3
    null_rows = [[str(i), "", ("n/a", "-", "")[i]] for i in range(3)]
    nulls = ingest_file(engine, write_rows(tmp_path / "n.csv", headers, null_rows), "Y")
    assert (nulls.rows_recorded, nulls.rows_quarantined) == (0, 3)
    assert [w.split(": ", 1)[1] for w in nulls.warnings] == [
        "field name (column 'name') is empty in every row",
        "field sex (column 'sex') is empty in every row",
    ]


def test_a_record_sent_again_with_another_unreadable_spelling_is_already_present(
    engine: Engine, tmp_path: Path
) -> None:
    ingest_file(engine, write_csv(tmp_path / "a.csv", [person("A-1", "Ali", sex="Homme?")]), "S")
    again = write_csv(tmp_path / "b.csv", [person("A-1", "Ali", sex="homme ??")])
    summary = ingest_file(engine, again, "S")
    assert (summary.rows_already_present, summary.rows_quarantined) == (1, 0)
    assert counts(engine)["records"] == 1


def test_a_typed_report_with_a_value_not_understood_is_refused(engine: Engine) -> None:
    cells = {"record_id": "t-1", "name": "Ali Hassan", "sex": "Homme?", "age": "30"}
    with pytest.raises(RowRefused) as refused:
        ingest_entry(engine, cells, "Relatives", kind="relative", user="u")
    assert [(e.field, e.value) for e in refused.value.errors] == [("sex", "Homme?")]
    assert counts(engine)["records"] == 0
    ingest_entry(engine, {**cells, "sex": "H"}, "Relatives", kind="relative", user="u")
    assert counts(engine)["records"] == 1


def test_the_command_lists_the_values_not_understood(db_url: str, tmp_path: Path) -> None:
    path = write_rows(tmp_path / "liste.csv", FRENCH_HEADERS, french_rows(200))
    result = CliRunner().invoke(
        app, ["ingest", str(path), "--source", "Liste FR", "--db", db_url], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "records added" in out and "values not understood" in out
    lines = {" ".join(line.replace("│", " ").split()) for line in out.splitlines()}
    assert "sex 'Homme?' 4" in lines
    assert "date_of_death 'hier' 3" in lines
