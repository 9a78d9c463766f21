"""No witness identity leaves the store: not in any export format, report, release, evidence
package, custody log or audit log, nor in what the commands print, on SQLite and PostgreSQL.
Only `marsad evidence witness show` by the protection role prints it."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.evidence.witness import new_key_text
from marsad.services.audit import recent_events
from marsad.services.users import add_user
from marsad.store.db import make_engine
from marsad.store.evidence_tables import CustodyEvent
from tests.integration.evidence_helpers import incident, photo
from tests.integration.test_publish import build_scenario
from tests.tsa import TimestampAuthority

runner = CliRunner()
IDENTITY = "زينب عبد الكريم الشاهد"
LATIN = "Zainab Abdulkarim"
CONTACT = "+963-933-717-171"
SECRETS = (IDENTITY, LATIN, CONTACT, "933-717")


def run(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def readable(path: Path) -> str:
    """A file's text; a Parquet file as CSV, so compressed columns are searched too."""
    if path.suffix == ".parquet":
        buffer = io.StringIO()
        table = pq.read_table(path)
        writer = csv.writer(buffer)
        writer.writerow(table.column_names)
        writer.writerows(zip(*(c.to_pylist() for c in table.columns), strict=True))
        return buffer.getvalue()
    return path.read_bytes().decode("utf-8", errors="replace")


def assert_clean(where: str, text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"{where} carries {leaked}"


def test_no_export_log_or_output_carries_a_witness_identity(
    db_url: str, tsa: TimestampAuthority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_scenario(db_url, tmp_path / "lists")
    engine = make_engine(db_url)
    report = incident(engine)
    add_user(engine, "guard", "correct horse battery staple 9", "protection")
    key = tmp_path / "witness.key"
    key.write_text(new_key_text())
    monkeypatch.setenv("MARSAD_WITNESS_KEY_FILE", str(key))
    monkeypatch.setenv("MARSAD_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("MARSAD_TSA_URL", tsa.url)
    monkeypatch.setenv("MARSAD_TSA_CERTS", str(tsa.chain))
    db = ["--db", db_url]
    outputs = [
        run("evidence", "witness", "add", "W-7", "--user", "rami", "--from-stdin", *db,
            stdin=f"{IDENTITY} ({LATIN})\n{CONTACT}\n"),
    ]  # fmt: skip
    statement = tmp_path / "statement.txt"
    statement.write_text("رأيت القصف من نافذتي", encoding="utf-8")
    outputs.append(
        run("evidence", "testimony", "add", "--witness", "W-7", "--interviewer", "Rami",
            "--date", "2025-03-09", "--language", "ar", "--consent", "public",
            "--consent-date", "2025-03-09", "--consent-by", "Rami", "--source", "Field team",
            "--statement-ar", str(statement), "--incident", str(report),
            "--recording", str(photo(tmp_path / "recording.jpg")), "--user", "rami", *db)
    )  # fmt: skip
    outputs += [
        run("evidence", "testimony", "list", "--json", *db),
        run("evidence", "testimony", "show", "1", "--user", "omar", "--reason", "file", *db),
        run("evidence", "list", "--json", *db),
        run("evidence", "show", "1", "--json", "--user", "omar", "--reason", "file", *db),
        run("evidence", "log", "--json", *db),
        run("evidence", "verify", "--user", "auditor", *db),
    ]
    files: list[Path] = []
    for kind in ("persons", "records", "counts"):
        for fmt in ("csv", "json", "parquet", "hxl"):
            out = tmp_path / f"{kind}.{fmt}"
            run("export", kind, "--format", fmt, "--out", str(out), *db)
            files.append(out)
    named = tmp_path / "persons-named.csv"
    run("export", "persons", "--include-names", "--user", "amina", "--out", str(named), *db)
    links = tmp_path / "links.csv"
    run("export", "links", "--out", str(links), *db)
    quarantine = tmp_path / "quarantine.csv"
    run("quarantine", "export", "--out", str(quarantine), *db)
    files += [named, links, quarantine]
    for lang in ("en", "ar"):
        report_file = tmp_path / f"report.{lang}.html"
        run("report", "--out", str(report_file), "--lang", lang, "--by", "", *db)
        files.append(report_file)
    release = tmp_path / "release"
    run("release", "r1", "--out", str(release), "--no-estimate", *db)
    files += [p for p in release.rglob("*") if p.is_file()]
    package = tmp_path / "package.zip"
    run("evidence", "package", "--incident", str(report), "--out", str(package),
        "--user", "amina", "--reason", "IIIM", *db)  # fmt: skip
    files.append(package)

    for path in files:
        assert_clean(str(path.name), readable(path))
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            assert_clean(f"package:{name}", archive.read(name).decode("utf-8", errors="replace"))
    for number, output in enumerate(outputs):
        assert_clean(f"output {number}", output)
    with engine.connect() as conn:
        assert_clean("audit log", json.dumps(recent_events(conn, 10_000), ensure_ascii=False))
        rows = conn.execute(select(CustodyEvent.__table__)).all()
        assert_clean("custody log", json.dumps([r._asdict() for r in rows], default=str))

    shown = run("evidence", "witness", "show", "W-7", "--user", "guard", "--reason", "visit", *db)
    assert IDENTITY in shown and CONTACT in shown
    refused = runner.invoke(
        app, ["evidence", "witness", "show", "W-7", "--user", "amina", "--reason", "x", *db]
    )
    assert refused.exit_code == 1 and "protection role" in refused.output
    engine.dispose()
