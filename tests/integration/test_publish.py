"""Verification, counts, exports and releases end to end through the CLI, on SQLite and
PostgreSQL: a scenario is published, re-verified, and shown to fail once an input changes."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import func, select
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.services.demo import scenario_lists
from marsad.store.db import make_engine
from marsad.store.models import AuditEvent, PersonSummary, Record, Source

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def build_scenario(db_url: str, directory: Path) -> dict[str, object]:
    run("synth", str(directory), "--seed", "5", "--people", "800", "--lists", "4")
    for item in scenario_lists(directory):
        args = ["ingest", str(directory / item["file"]), "--source", item["source"]]
        args += ["--kind", item["kind"], "--db", db_url]
        if item.get("copies"):
            args += ["--copies", item["copies"]]
        run(*args)
    run("link", "--db", db_url)
    scenario: dict[str, object] = json.loads((directory / "scenario.json").read_text("utf-8"))
    return scenario


def test_publish_a_release_then_detect_a_changed_input(db_url: str, tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    build_scenario(db_url, lists)
    engine = make_engine(db_url)
    with engine.connect() as conn:
        persons = conn.scalar(select(func.count(func.distinct(Record.person_id)))) or 0
        summaries = conn.scalar(select(func.count()).select_from(PersonSummary)) or 0
        names = [n for (n,) in conn.execute(select(Record.name).limit(200))]
        copying = conn.scalar(select(Source.name).where(Source.copies_source_id.is_not(None)))
    assert summaries == persons > 0  # link verified every person

    scenario = json.loads((lists / "scenario.json").read_text("utf-8"))
    incidents = scenario["incidents"]
    run("incidents", "ingest", str(lists / incidents["file"]), "--source", incidents["source"],
        "--db", db_url)  # fmt: skip
    counts = json.loads(run("counts", "--json", "--status", "any", "--db", db_url))
    totals = counts["totals"]
    apart = counts["incidents_without_names"]
    assert sum(c["incidents"] for c in apart) == 12
    assert all(c["killed_min"] <= c["killed_max"] for c in apart)
    assert totals["reported"] == persons
    assert totals["reported"] >= totals["documented"]
    assert totals["reported"] >= totals["corroborated"] >= totals["verified"] > 0
    by_governorate = json.loads(
        run("counts", "--json", "--status", "any", "--by", "governorate", "--db", db_url)
    )
    for standard in ("reported", "documented", "corroborated", "verified"):
        assert sum(r[standard] for r in by_governorate["rows"]) == totals[standard]

    with engine.connect() as conn:
        rows = conn.execute(
            select(PersonSummary.verification, PersonSummary.independent_sources)
        ).all()
    assert all(r.independent_sources >= 2 for r in rows if r.verification == "corroborated")
    assert all(r.verification == "reported" for r in rows if r.independent_sources == 1)
    assert copying is not None  # the scenario has a list copying another: never independent

    release_dir = tmp_path / "release"
    out = run(
        "release", "march", "--out", str(release_dir), "--preset", "fast", "--seed", "7",
        "--user", "analyst", "--db", db_url,
    )  # fmt: skip
    assert "release march frozen" in out
    manifest = json.loads((release_dir / "manifest.json").read_text("utf-8"))
    killed = json.loads(run("counts", "--json", "--db", db_url))["totals"]
    assert manifest["numbers"]["counts"]["totals"] == killed
    assert killed["reported"] < totals["reported"]  # the missing are counted apart
    assert len(manifest["inputs"]["imports"]) == 5  # 4 lists and the incident reports
    assert manifest["numbers"]["counts"]["incidents"]
    assert manifest["numbers"]["estimate"]["estimate"] >= killed["reported"]
    assert {"report.en.html", "report.ar.html", "persons.csv"} <= set(manifest["files"])
    published = (release_dir / "persons.csv").read_text("utf-8")
    assert not [n for n in names if n in published]  # pseudonymised

    assert "march" in (release_dir / "report.en.html").read_text("utf-8")
    assert 'dir="rtl"' in (release_dir / "report.ar.html").read_text("utf-8")
    assert "verified" in run("release", "verify", "march", "--db", db_url)

    # One input row changes: a corrected list arrives with a different date for one record.
    first = scenario_lists(lists)[0]
    with (lists / first["file"]).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows_in = list(reader)
    rows_in[0]["date_of_death"] = "2024-01-01"
    changed = lists / "corrected.csv"
    with changed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows_in)
    run("ingest", str(changed), "--source", first["source"], "--db", db_url)
    result = runner.invoke(app, ["release", "verify", "march", "--db", db_url])
    assert result.exit_code == 1
    assert "NOT identical" in result.output
    assert "inputs.imports" in result.output and "corrected.csv" in result.output

    with engine.connect() as conn:
        actions = {a for (a,) in conn.execute(select(AuditEvent.action))}
    assert {"release.create", "export"} <= actions
    engine.dispose()


def test_the_report_as_an_arabic_pdf(db_url: str, tmp_path: Path) -> None:
    build_scenario(db_url, tmp_path / "lists")
    pdf = tmp_path / "report.pdf"
    run("report", "--out", str(pdf), "--lang", "ar", "--by", "", "--db", db_url)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "مرصد" in text or "Marsad" in text
    killed = json.loads(run("counts", "--json", "--db", db_url))["totals"]
    digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    assert f"{killed['reported']:,}".replace(",", "٬").translate(digits) in text
    bad = runner.invoke(app, ["report", "--out", str(tmp_path / "r.docx"), "--db", db_url])
    assert bad.exit_code == 1 and "html or .pdf" in bad.output


def test_exports_in_every_format_are_pseudonymised_unless_asked(
    db_url: str, tmp_path: Path
) -> None:
    build_scenario(db_url, tmp_path / "lists")
    engine = make_engine(db_url)
    with engine.connect() as conn:
        names = {n for (n,) in conn.execute(select(Record.name))}
        persons = conn.scalar(
            select(func.count()).select_from(PersonSummary).where(PersonSummary.status == "killed")
        )
    for fmt in ("csv", "json", "parquet", "hxl"):
        out = tmp_path / f"persons.{fmt}"
        run("export", "persons", "--format", fmt, "--out", str(out), "--db", db_url)
        if fmt == "parquet":
            table = pq.read_table(out)
            assert table.num_rows == persons
            assert "name" not in table.column_names
            continue
        text = out.read_text("utf-8-sig")
        assert not [n for n in names if n in text]
        if fmt == "json":
            assert len(json.loads(text)) == persons
        if fmt == "hxl":
            tags = next(iter(csv.reader(text.splitlines()[1:2])))
            assert "#adm1+code" in tags and "#date+occurred" in tags

    counts = tmp_path / "counts.hxl.csv"
    run("export", "counts", "--format", "hxl", "--out", str(counts), "--db", db_url)
    lines = list(csv.reader(counts.read_text("utf-8-sig").splitlines()))
    header, tags, data = lines[0], lines[1], lines[2:]
    assert "#affected+killed+reported+f" in tags and "#affected+killed+reported+children" in tags
    reported = header.index("reported")
    assert sum(int(r[reported]) for r in data) == persons
    female, male = header.index("female"), header.index("male")
    assert all(int(r[female]) + int(r[male]) <= int(r[reported]) for r in data)

    named = tmp_path / "named.csv"
    run(
        "export", "persons", "--include-names", "--user", "amina", "--out", str(named),
        "--db", db_url,
    )  # fmt: skip
    assert [n for n in names if n in named.read_text("utf-8-sig")]
    with engine.connect() as conn:
        audited = conn.execute(
            select(AuditEvent.actor, AuditEvent.target).where(
                AuditEvent.action == "export.include_names"
            )
        ).all()
    assert [(a.actor, a.target) for a in audited] == [("amina", "persons")]
    engine.dispose()


def test_a_release_that_cannot_be_estimated_is_refused(db_url: str, tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("record_id,name,date_of_death,governorate\nA1,محمد علي,2025-03-07,Homs\n")
    run("ingest", str(one), "--source", "Only list", "--db", db_url)
    run("link", "--db", db_url)
    refused = runner.invoke(
        app, ["release", "lonely", "--out", str(tmp_path / "r"), "--by", "", "--db", db_url]
    )
    assert refused.exit_code == 1 and "cannot estimate" in refused.output
    counts_only = tmp_path / "c"
    run("release", "lonely", "--out", str(counts_only), "--no-estimate", "--db", db_url)
    assert "verified" in run("release", "verify", "lonely", "--db", db_url)
