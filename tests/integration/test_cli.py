"""The command line end to end, on SQLite and PostgreSQL: the whole job on a small scenario."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from marsad.cli.app import app
from marsad.services.demo import read_truth, scenario_lists

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data"


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_whole_job_on_a_scenario(db_url: str, tmp_path: Path) -> None:
    lists_dir = tmp_path / "lists"
    run("synth", str(lists_dir), "--seed", "3", "--people", "1500", "--lists", "4")
    scenario = json.loads((lists_dir / "scenario.json").read_text(encoding="utf-8"))
    for item in scenario_lists(lists_dir):
        args = [
            "ingest",
            str(lists_dir / item["file"]),
            "--source",
            item["source"],
            "--kind",
            item["kind"],
            "--db",
            db_url,
        ]
        if item.get("copies"):
            args += ["--copies", item["copies"]]
        assert "records added" in run(*args)
    run("link", "--db", db_url)

    links = tmp_path / "links.csv"
    run("export", "links", "--format", "csv", "--out", str(links), "--db", db_url)
    with links.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    truth = read_truth(lists_dir / "truth.csv")
    assert {(r["source"], r["record_id"]) for r in rows} == set(truth)
    assert all(r["person_id"] for r in rows)

    result = json.loads(run("estimate", "--json", "--preset", "fast", "--db", db_url))
    assert set(result) >= {"observed", "estimate", "interval", "level", "method"}
    assert result["method"] == "lcmcr" and result["level"] == 0.95
    assert result["linkage"]["draws"] == 20 and 0 <= result["linkage"]["width_share"] <= 1
    assert result["diagnostics"]["rhat_max"] is not None
    assert result["identifiability"]["persons_left_out"] < result["identifiability"]["persons"]
    lo, hi = result["interval"]
    assert result["observed"] <= lo <= result["estimate"] <= hi
    assert 0 < result["observed"] <= len({r["person_id"] for r in rows})

    stratified = json.loads(
        run("estimate", "--json", "--by", "governorate", "--method", "loglinear", "--db", db_url)
    )
    assert stratified["strata"]
    assert sum(s["observed"] for s in stratified["strata"]) == stratified["observed"]
    for stratum in stratified["strata"]:
        if stratum["estimate"] is None:
            assert stratum["note"].startswith("documented only")
        else:
            assert stratum["interval"][0] <= stratum["estimate"] <= stratum["interval"][1]

    report = tmp_path / "report.html"
    run("report", "--out", str(report), "--db", db_url)
    html = report.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html
    for item in scenario["lists"]:
        assert item["source"] in html
    assert 'id="methodology"' in html


def test_estimate_from_a_histories_file() -> None:
    output = run(
        "estimate",
        "--histories",
        str(DATA / "mse" / "kosovo.csv"),
        "--method",
        "loglinear",
        "--json",
    )
    result = json.loads(output)
    reference = json.loads((DATA / "mse" / "reference-results.json").read_text())
    assert result["observed"] == reference["kosovo"]["n"]
    assert result["model"] == "[123,14,34]"
    assert abs(result["estimate"] - 10356.5) < 0.5


def test_all_methods_side_by_side() -> None:
    output = run(
        "estimate",
        "--histories",
        str(DATA / "mse" / "spina_bifida_3list.csv"),
        "--method",
        "all",
        "--preset",
        "fast",
        "--json",
    )
    result = json.loads(output)
    assert set(result["methods"]) == {"lcmcr", "loglinear", "dga"}
    for name, single in result["methods"].items():
        assert single["method"] == name
        assert single["observed"] == 626
        assert single["interval"][0] <= single["estimate"] <= single["interval"][1]


def test_all_methods_on_six_lists_and_the_reasons_for_skipping_on_eleven(tmp_path: Path) -> None:
    six = json.loads(
        run(
            "estimate",
            "--histories",
            str(DATA / "mse" / "snowshoe_hare.csv"),
            "--method",
            "all",
            "--preset",
            "fast",
            "--json",
        )
    )
    assert set(six["methods"]) == {"lcmcr", "loglinear", "dga"} and six["skipped"] == {}
    assert six["methods"]["loglinear"]["diagnostics"]["search"] == "stepwise"
    assert six["methods"]["dga"]["diagnostics"]["graphs"] == "found by a bounded search"
    assert six["linkage"] == {
        "draws": 0,
        "width_share": None,
        "reason": "from_file",
        "note": six["linkage"]["note"],
    }
    lists = [f"L{i}" for i in range(11)]
    eleven = tmp_path / "eleven.csv"
    rows = [",".join([*lists, "count"])]
    rows += [
        ",".join(str(int(i == j or i == (j + 1) % 11)) for i in range(11)) + ",7" for j in range(11)
    ]
    rows += [",".join(str(int(i == j)) for i in range(11)) + ",30" for j in range(11)]
    eleven.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(
        app,
        ["estimate", "--histories", str(eleven), "--method", "all", "--preset", "fast"],
    )
    assert result.exit_code == 0, result.output
    assert "skipped loglinear" in result.output and "at most 10 lists" in result.output
    assert "skipped dga" in result.output and "3 to 10 lists" in result.output


def test_bad_input_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(
        app, ["ingest", str(empty), "--source", "S", "--db", str(tmp_path / "m.db")]
    )
    assert result.exit_code == 1
    assert "empty.csv" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["estimate", "--by", "planet", "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 1
    assert "planet" in result.output


def test_demo_runs_the_whole_job_beside_the_truth(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    output = run("demo", "--out", str(out), "--people", "800", "--lists", "4", "--seed", "3")
    assert (out / "report.html").exists() and (out / "marsad.db").exists()
    with (out / "lists" / "people.csv").open(encoding="utf-8") as handle:
        killed = sum(1 for row in csv.DictReader(handle) if row["status"] == "killed")
    assert "people killed" in output
    assert f"{killed:,}" in output, "the truth shown is the scenario's killed count"
