"""The counting standards read the same everywhere: the CLI, the dashboard and the API, and the
English and Arabic reports all say what the rules in force count, word for word."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine
from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.services.report import write_report
from marsad.services.verify import verify
from marsad.verify.rules import load_rules
from marsad.verify.standards import STANDARDS, definitions
from tests.web.conftest import login, seed


def stricter_rules(tmp_path: Path) -> Path:
    """The default rules with every value a definition names changed."""
    data = yaml.safe_load(load_rules().text)
    data["corroborated"]["min_independent_sources"] = 3
    data["date_precision"] = "month"
    data["place_level"] = "district"
    data["verified"]["reviewer_confirmation"] = False
    data["documented"]["date_precision"] = "year"
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_every_face_defines_the_standards_by_the_rules_in_force(
    db_url: str,
    engine: Engine,
    team: dict[str, str],
    client: TestClient,
    tmp_path: Path,
) -> None:
    seed(engine)
    path = stricter_rules(tmp_path)
    verify(engine, path, "test")
    rules = load_rules(path)
    said = {lang: definitions(rules, lang) for lang in ("en", "ar")}
    assert said["en"] != definitions(load_rules(), "en"), "the rules file changes the words"

    counted = CliRunner().invoke(app, ["counts", "--json", "--db", db_url])
    assert counted.exit_code == 0, counted.output
    assert json.loads(counted.output)["definitions"] == said["en"]

    assert login(client, team["admin"]) == 303
    assert client.get("/api/counts").json()["definitions"] == said["en"]
    for lang in ("en", "ar"):
        page = client.get(f"/?lang={lang}").text
        for standard in STANDARDS[:4]:  # no estimate made: the page says so instead
            assert str(escape(said[lang][standard])) in page, (lang, standard)

    for lang in ("en", "ar"):
        out = tmp_path / f"report.{lang}.html"
        write_report(engine, out, [], lang=lang)
        html = out.read_text(encoding="utf-8")
        for standard in ("reported", "documented", "corroborated", "verified"):
            assert str(escape(said[lang][standard])) in html, (lang, standard)
