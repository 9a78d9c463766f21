"""The whole job on a synthetic scenario, with the scenario's truth beside the results."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from marsad.linkage.quality import PairwiseQuality, pairwise_quality
from marsad.services.counts import CountRow, totals
from marsad.services.estimate import EstimateResult, estimate_store
from marsad.services.incidents import ingest_incidents
from marsad.services.ingest import IngestSummary, ingest_file
from marsad.services.link import LinkSummary, link
from marsad.services.report import write_report
from marsad.store.models import Record, Source
from marsad.synth import generate, write_scenario


@dataclass(frozen=True)
class KilledTruth:
    """The scenario's true number of people killed, and how many of them any list recorded."""

    killed: int
    documented: int


def killed_truth(directory: Path) -> KilledTruth:
    """From the scenario's people.csv: estimates count persons with status killed."""
    with (directory / "people.csv").open(newline="", encoding="utf-8") as handle:
        killed = [row for row in csv.DictReader(handle) if row["status"] == "killed"]
    return KilledTruth(len(killed), sum(1 for row in killed if int(row["lists"]) > 0))


@dataclass
class DemoResult:
    scenario: dict[str, Any]
    truth: KilledTruth
    imports: list[IngestSummary]
    linkage: LinkSummary
    quality: PairwiseQuality
    estimate: EstimateResult
    report: Path
    standards: CountRow


def scenario_lists(directory: Path) -> list[dict[str, Any]]:
    """The lists of a written scenario, in the order a copied list comes after its original."""
    scenario = json.loads((directory / "scenario.json").read_text(encoding="utf-8"))
    lists: list[dict[str, Any]] = scenario["lists"]
    return sorted(lists, key=lambda item: item.get("copies") is not None)


def ingest_scenario(
    engine: Engine,
    directory: Path,
    *,
    only: int | None = None,
    user: str = "demo",
    say: Callable[[str], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[IngestSummary]:
    """Ingest a written scenario's lists (the first `only` of them), each as its source."""
    summaries = []
    for item in scenario_lists(directory)[:only]:
        if say is not None:
            say(f"ingesting {item['file']} from {item['source']}")
        summaries.append(
            ingest_file(
                engine,
                directory / item["file"],
                item["source"],
                kind=item["kind"],
                copies=item.get("copies"),
                user=user,
                progress=progress,
            )
        )
    return summaries


def read_truth(path: Path) -> dict[tuple[str, str], str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(handle)}


def linked_persons(engine: Engine) -> dict[tuple[str, str], int | None]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Source.name, Record.record_id, Record.person_id).join(
                Source, Source.id == Record.source_id
            )
        )
        return {(r.name, r.record_id): r.person_id for r in rows}


def run_demo(
    engine: Engine,
    out: Path,
    *,
    seed: int,
    people: int,
    lists: int,
    say: Callable[[str], None],
    progress: Callable[[int], None] | None = None,
) -> DemoResult:
    """Synthesise, ingest, link, estimate and report into `out`, using `engine`."""
    list_dir = out / "lists"
    say(f"synthesising {people:,} people over {lists} lists")
    write_scenario(generate(seed=seed, people=people, lists=lists), list_dir)
    scenario = json.loads((list_dir / "scenario.json").read_text(encoding="utf-8"))
    imports = ingest_scenario(engine, list_dir, say=say, progress=progress)
    incidents = scenario.get("incidents")
    if incidents and (list_dir / incidents["file"]).exists():
        say("ingesting the reports of deaths without names")
        ingest_incidents(engine, list_dir / incidents["file"], incidents["source"], "demo")
    say("linking records into persons")
    linkage = link(engine)
    quality = pairwise_quality(read_truth(list_dir / "truth.csv"), linked_persons(engine))
    say("estimating the undocumented")
    estimate = estimate_store(engine, by=("governorate",))
    say("writing the report (HTML in English and Arabic, PDF)")
    report = out / "report.html"
    write_report(engine, report, estimated=estimate)
    write_report(engine, out / "report.ar.html", estimated=estimate, lang="ar")
    write_report(engine, out / "report.pdf", estimated=estimate)
    with engine.connect() as conn:
        standards = totals(conn)
    return DemoResult(
        scenario, killed_truth(list_dir), imports, linkage, quality, estimate, report, standards
    )
