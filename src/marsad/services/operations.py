"""The operations a documentation team runs from the web app or the API, each a job: what it
asks for (a pydantic model, so the pages, the API and its OpenAPI document share one
description), the permission it needs, and how it runs over the same services as the CLI.

A job runs in a thread of a server worker (`web.jobs.JobRunner`); what it writes (a report,
an export, a release's directory) goes under the outputs directory, in a folder named by the
job, and the job's result names the file to download.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine

from marsad.domain.releases import EstimateNumbers, EstimateSettings
from marsad.errors import InputError, PermissionDenied
from marsad.linkage.model import MATCH_THRESHOLD, REVIEW_THRESHOLD
from marsad.services.estimate import EstimateResult, estimate_store
from marsad.services.exports import export_table
from marsad.services.incidents import ingest_incidents
from marsad.services.link import link
from marsad.services.release import create_release, verify_release
from marsad.services.release_files import write_release_files
from marsad.services.report import write_report
from marsad.services.verify import verify

Stage = Callable[[str], None]
"""Says which stage a job has reached (the services' own progress words)."""

Method = Literal["lcmcr", "loglinear", "dga"]
Preset = Literal["default", "fixed", "fast", "hrdag"]
Stratifier = Literal["governorate", "period", "sex", "age_group"]
ReportStratifier = Literal["governorate", "month", "sex", "age_group"]
ExportFormat = Literal["csv", "json", "parquet", "hxl"]
RELEASE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def _by_governorate() -> list[ReportStratifier]:
    return ["governorate"]


class LinkRequest(BaseModel):
    """Group every record into persons again; reviewers' decisions win and teach the model."""

    review_threshold: float = Field(default=REVIEW_THRESHOLD, gt=0.0, lt=MATCH_THRESHOLD)
    learning: bool = True


class VerifyRequest(BaseModel):
    """Recompute every person's verification status with the rules in force."""


class EstimateRequest(BaseModel):
    """Estimate how many were killed, documented or not, by strata."""

    method: Method = "lcmcr"
    by: list[Stratifier] = Field(default_factory=list, max_length=4)
    preset: Preset = "default"
    seed: int = Field(1, ge=0, le=2**31 - 1)
    linkage_draws: int = Field(0, ge=0, le=50)


class ReportRequest(BaseModel):
    """The report, as HTML or PDF, in English or Arabic, with the newest estimate or none."""

    format: Literal["html", "pdf"] = "html"
    lang: Literal["en", "ar"] = "en"
    by: list[ReportStratifier] = Field(default_factory=_by_governorate, max_length=4)


class ExportRequest(BaseModel):
    """Persons, records or counts in a format; names only when asked and permitted."""

    kind: Literal["persons", "records", "counts"] = "persons"
    format: ExportFormat = "csv"
    include_names: bool = False
    by: list[ReportStratifier] = Field(default_factory=_by_governorate, max_length=4)


class ReleaseRequest(BaseModel):
    """Freeze a release: inputs, settings, decisions, code version, numbers and files."""

    name: str = Field(min_length=1, max_length=100)
    estimate: bool = True
    method: Method = "lcmcr"
    by: list[Stratifier] = Field(default_factory=list, max_length=4)
    preset: Preset = "default"
    seed: int = Field(1, ge=0, le=2**31 - 1)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if RELEASE_NAME.fullmatch(value) is None:
            raise ValueError(
                "letters, digits, '.', '_' and '-' only, starting with one of the first two"
            )
        return value


class ReleaseCheckRequest(BaseModel):
    """Recompute a release from the store and compare it, section by section."""

    name: str = Field(min_length=1, max_length=100)


@dataclass(frozen=True)
class Outcome:
    """What a job gave: a JSON document for its page and the API, and the file it wrote."""

    result: dict[str, Any]
    file_name: str | None = None


Runner = Callable[[Engine, Any, str, Path, Stage], Outcome]
"""(engine, request, user, the job's folder, stage) → outcome."""


@dataclass(frozen=True)
class Operation:
    request: type[BaseModel]
    permission: str
    run: Runner


def outputs_directory(engine: Engine) -> Path:
    """Where jobs write their files: `MARSAD_OUTPUT_DIR`, or beside a SQLite store as
    `<store>.outputs/`."""
    chosen = os.environ.get("MARSAD_OUTPUT_DIR")
    if chosen:
        return Path(chosen).expanduser()
    if engine.url.get_backend_name() == "sqlite" and engine.url.database:
        return Path(engine.url.database + ".outputs")
    raise InputError("where should jobs write their files? set MARSAD_OUTPUT_DIR")


def _link(engine: Engine, asked: LinkRequest, user: str, folder: Path, stage: Stage) -> Outcome:
    summary = link(
        engine,
        user=user,
        progress=stage,
        review_threshold=asked.review_threshold,
        learning=asked.learning,
    )
    clusters = dataclasses.asdict(summary.clusters)
    return Outcome(
        {
            "run_id": summary.run_id,
            "rule_links": summary.rule_links,
            "model": summary.model,
            "model_matches": summary.model_matches,
            "review_pairs": summary.review_pairs,
            **clusters,
        }
    )


def _verify(engine: Engine, asked: VerifyRequest, user: str, folder: Path, stage: Stage) -> Outcome:
    summary = verify(engine, user=user, progress=stage)
    return Outcome(
        {
            "persons": summary.persons,
            "by_status": summary.by_status,
            "documented": summary.documented,
            "conflicting": summary.conflicting,
        }
    )


def _estimate(
    engine: Engine, asked: EstimateRequest, user: str, folder: Path, stage: Stage
) -> Outcome:
    stage("estimating")
    result = estimate_store(
        engine,
        by=asked.by,
        method=asked.method,
        linkage_draws=asked.linkage_draws,
        user=user,
        preset=asked.preset,
        seed=asked.seed,
    )
    return Outcome(result.as_dict())


def _report(engine: Engine, asked: ReportRequest, user: str, folder: Path, stage: Stage) -> Outcome:
    stage("writing the report")
    name = f"report.{asked.lang}.{asked.format}"
    data = write_report(engine, folder / name, asked.by, None, lang=asked.lang)
    return Outcome(
        {"file": name, "by": list(asked.by), "lang": asked.lang, "persons": data.persons_total},
        name,
    )


def _export(engine: Engine, asked: ExportRequest, user: str, folder: Path, stage: Stage) -> Outcome:
    stage("exporting")
    suffix = {"hxl": "hxl.csv"}.get(asked.format, asked.format)
    name = f"{asked.kind}.{suffix}"
    rows = export_table(
        engine,
        asked.kind,
        folder / name,
        asked.format,
        user=user,
        include_names=asked.include_names,
        by=asked.by,
    )
    return Outcome(
        {"file": name, "rows": rows, "kind": asked.kind, "pseudonymised": not asked.include_names},
        name,
    )


def _release(
    engine: Engine, asked: ReleaseRequest, user: str, folder: Path, stage: Stage
) -> Outcome:
    stage("freezing the release")
    estimate = None
    if asked.estimate:
        estimate = EstimateSettings(
            method=asked.method, by=list(asked.by), preset=asked.preset, seed=asked.seed
        )

    def files(target: Path, result: EstimateResult | None) -> None:
        write_release_files(engine, target, result, user=user, release=asked.name)

    manifest = create_release(engine, asked.name, folder / asked.name, user, estimate, files)
    estimated = manifest.numbers.estimate
    return Outcome(
        {
            "name": asked.name,
            "code_version": manifest.code_version,
            "totals": manifest.numbers.counts.totals,
            "estimate": estimated.estimate if isinstance(estimated, EstimateNumbers) else None,
            "files": sorted(manifest.files),
        }
    )


def _release_check(
    engine: Engine, asked: ReleaseCheckRequest, user: str, folder: Path, stage: Stage
) -> Outcome:
    stage("recomputing the release")
    check = verify_release(engine, asked.name)
    return Outcome(
        {
            "name": check.name,
            "identical": check.identical,
            "differences": check.differences + check.files_changed,
            "code_then": check.code_then,
            "code_now": check.code_now,
        }
    )


OPERATIONS: dict[str, Operation] = {
    "link": Operation(LinkRequest, "link", _link),
    "verify": Operation(VerifyRequest, "verify", _verify),
    "estimate": Operation(EstimateRequest, "estimate", _estimate),
    "report": Operation(ReportRequest, "export", _report),
    "export": Operation(ExportRequest, "export", _export),
    "release": Operation(ReleaseRequest, "publish", _release),
    "release_check": Operation(ReleaseCheckRequest, "estimate", _release_check),
}
"""Every kind of job by name: its request, the permission it needs and how it runs. An export
with names needs `export_names` besides (`check_request`)."""


def check_request(kind: str, asked: BaseModel, can: Callable[[str], bool]) -> None:
    """Refuse what the request asks beyond the operation's own permission."""
    if isinstance(asked, ExportRequest) and asked.include_names and not can("export_names"):
        raise PermissionDenied("an export with names needs the export_names permission")
    if isinstance(asked, ExportRequest) and asked.include_names and asked.kind == "counts":
        raise InputError("counts hold no names")


def ingest_incident_file(
    engine: Engine, path: Path, source: str, user: str, stage: Stage
) -> Outcome:
    """An uploaded file of incident reports (deaths without names), as a job's work."""
    stage("importing incident reports")
    summary = ingest_incidents(engine, path, source, user)
    return Outcome(
        {
            "rows": summary.rows_total,
            "recorded": summary.rows_recorded,
            "quarantined": summary.rows_quarantined,
            "already_imported": summary.already_imported,
        }
    )
