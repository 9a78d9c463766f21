"""Releases: freeze everything behind a published number, and show years later that the
store still gives the same numbers.

`create_release` writes the manifest (hashes of every import, the settings in force, the
human decisions, the code version and the numbers) into the store and, with the published
files, into a directory. `verify_release` recomputes the same from the store now — the
verification under the release's own rules, in a transaction that is rolled back, and the
estimate with the release's settings and seed — and lists every difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from marsad import __version__
from marsad.domain.releases import (
    BREAKDOWNS,
    CountNumbers,
    DecisionsDigest,
    EstimateFailure,
    EstimateNumbers,
    EstimateSettings,
    ImportDigest,
    LinkageDigest,
    ReleaseDecisions,
    ReleaseInputs,
    ReleaseManifest,
    ReleaseNumbers,
    ReleaseSettings,
    ReleaseState,
    RulesDigest,
    SourceEntry,
    StratumNumbers,
)
from marsad.errors import InputError
from marsad.publish.release import compare, sha256_of
from marsad.services.audit import record_event
from marsad.services.counts import count_persons, documented_missing, totals
from marsad.services.estimate import EstimateError, EstimateResult, estimate_store
from marsad.services.incidents import incident_counts
from marsad.services.verify import rules_in_force, verify_persons
from marsad.store.models import (
    Import,
    Incident,
    LinkDecision,
    LinkRun,
    Release,
    Source,
    StatusDecision,
    ValueChoice,
)
from marsad.verify.rules import VerificationRules, parse_rules


class ReleaseError(InputError):
    """A release that cannot be made or found."""


@dataclass(frozen=True)
class ReleaseInfo:
    """A release as `release list` shows it."""

    name: str
    created_at: str
    created_by: str
    code_version: str
    directory: str
    manifest_sha256: str


@dataclass(frozen=True)
class ReleaseCheck:
    """The outcome of `release verify`: identical or not, and every difference."""

    name: str
    identical: bool
    differences: list[str]
    code_then: str
    code_now: str
    files_changed: list[str]


def code_version() -> str:
    """The package version, with the git commit when running from a checkout."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return __version__
    return f"{__version__}+g{commit}" if commit else __version__


def _inputs(conn: Connection) -> ReleaseInputs:
    sources = {s.id: s for s in conn.execute(select(Source.__table__).order_by(Source.id))}
    imports = [
        ImportDigest(
            sha256=i.sha256,
            source=sources[i.source_id].name,
            file_name=i.file_name,
            rows_total=i.rows_total,
            rows_recorded=i.rows_recorded,
            rows_quarantined=i.rows_quarantined,
        )
        for i in conn.execute(select(Import.__table__).order_by(Import.id))
    ]
    return ReleaseInputs(
        imports=imports,
        sources=[
            SourceEntry(
                name=s.name,
                kind=s.kind,
                copies=sources[s.copies_source_id].name if s.copies_source_id else None,
            )
            for s in sources.values()
        ],
    )


def _settings(
    conn: Connection, rules: VerificationRules, estimate: EstimateSettings | None
) -> ReleaseSettings:
    run = conn.execute(
        select(LinkRun.engine, LinkRun.settings, LinkRun.model).order_by(LinkRun.id.desc()).limit(1)
    ).first()
    linkage = None
    if run is not None:
        linkage = LinkageDigest(
            engine=run.engine,
            settings=run.settings,
            model_sha256=sha256_of(run.model) if run.model is not None else None,
        )
    return ReleaseSettings(
        linkage=linkage, verification_rules=RulesDigest(rules.sha256), estimate=estimate
    )


def _decisions(conn: Connection) -> ReleaseDecisions:
    links = [
        [r.record_a_id, r.record_b_id, r.decision]
        for r in conn.execute(
            select(LinkDecision.record_a_id, LinkDecision.record_b_id, LinkDecision.decision)
            .where(LinkDecision.kind == "human", LinkDecision.revoked_at.is_(None))
            .order_by(LinkDecision.id)
        )
    ]
    statuses = [
        [r.person_id, r.status]
        for r in conn.execute(
            select(StatusDecision.person_id, StatusDecision.status)
            .where(StatusDecision.revoked_at.is_(None))
            .order_by(StatusDecision.id)
        )
    ]
    values = [
        [r.person_id, r.field, r.value]
        for r in conn.execute(
            select(ValueChoice.person_id, ValueChoice.field, ValueChoice.value)
            .where(ValueChoice.revoked_at.is_(None))
            .order_by(ValueChoice.id)
        )
    ]
    events = [
        [r.id, r.event_id]
        for r in conn.execute(
            select(Incident.id, Incident.event_id)
            .where(Incident.event_id.is_not(None))
            .order_by(Incident.id)
        )
    ]
    return ReleaseDecisions(
        links=_digest(links),
        statuses=_digest(statuses),
        values=_digest(values),
        incident_events=_digest(events),
    )


def _digest(items: list[list[Any]]) -> DecisionsDigest:
    return DecisionsDigest(count=len(items), sha256=sha256_of(items))


def _counts(conn: Connection) -> CountNumbers:
    headline = totals(conn)
    by = {d: _breakdown(conn, d) for d in BREAKDOWNS}
    return CountNumbers(
        totals={k: v for k, v in headline.as_dict().items() if k not in headline.keys},
        documented_missing=documented_missing(conn),
        incidents=[{"key": c.grade, **asdict(c)} for c in incident_counts(conn)],
        by_governorate=by["governorate"],
        by_month=by["month"],
        by_sex=by["sex"],
        by_age_group=by["age_group"],
        by_civilian=by["civilian"],
    )


def _breakdown(conn: Connection, dimension: str) -> list[dict[str, Any]]:
    return [
        {"key": str(row.keys[dimension]), **row.as_dict()}
        for row in count_persons(conn, (dimension,))
    ]


def _estimate_numbers(result: EstimateResult) -> EstimateNumbers:
    total = result.total
    return EstimateNumbers(
        observed=total.observed,
        estimate=round(total.estimate, 3),
        interval=[round(total.interval[0], 3), round(total.interval[1], 3)],
        level=total.level,
        strata=[
            StratumNumbers(
                key=s.label,
                observed=s.observed,
                estimate=None if s.estimate is None else round(s.estimate.estimate, 3),
                interval=None
                if s.estimate is None
                else [round(s.estimate.interval[0], 3), round(s.estimate.interval[1], 3)],
            )
            for s in result.strata
        ],
    )


def _run_estimate(engine: Engine, settings: EstimateSettings | None) -> EstimateResult | None:
    if settings is None:
        return None
    return estimate_store(
        engine,
        by=settings.by,
        method=settings.method,
        save=False,
        preset=settings.preset,
        seed=settings.seed,
    )


def _file_hashes(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.iterdir())
        if path.is_file() and path.name != "manifest.json"
    }


def _state(
    engine: Engine,
    rules: VerificationRules | None,
    estimate: EstimateSettings | None,
    verifying: bool = False,
) -> tuple[ReleaseState, EstimateResult | None]:
    """Inputs, settings, decisions and numbers as the store gives them now; the persons are
    verified afresh (under `rules`, or the rules in force) and the store left as it was. An
    estimate that cannot be made stops a new release, and is a difference when verifying."""
    with engine.connect() as conn, conn.begin() as transaction:
        rules = rules or rules_in_force(conn)
        verify_persons(conn, rules=rules)
        inputs = _inputs(conn)
        settings = _settings(conn, rules, estimate)
        decisions = _decisions(conn)
        counts = _counts(conn)
        transaction.rollback()
    numbers: EstimateNumbers | EstimateFailure | None
    try:
        result = _run_estimate(engine, estimate)
    except EstimateError as error:
        if not verifying:
            raise ReleaseError(f"cannot estimate for the release: {error}") from error
        result, numbers = None, EstimateFailure(str(error))
    else:
        numbers = None if result is None else _estimate_numbers(result)
    return ReleaseState(inputs, settings, decisions, ReleaseNumbers(counts, numbers)), result


def create_release(
    engine: Engine,
    name: str,
    out: Path,
    user: str,
    estimate: EstimateSettings | None,
    write_files: Callable[[Path, EstimateResult | None], None],
) -> ReleaseManifest:
    """Freeze a release named `name` into the store and the directory `out`.

    `estimate` holds the estimation settings (method, by, preset, seed…) or None for counts
    only; `write_files` writes the published files (report, exports) into the directory.
    """
    with engine.connect() as conn:
        if conn.scalar(select(Release.id).where(Release.name == name)) is not None:
            raise ReleaseError(f"a release named {name!r} exists already")
        rules = rules_in_force(conn)
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty; choose another directory")
    state, result = _state(engine, rules, estimate)
    out.mkdir(parents=True, exist_ok=True)
    write_files(out, result)
    manifest = ReleaseManifest(
        release=name,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        created_by=user,
        code_version=code_version(),
        inputs=state.inputs,
        settings=state.settings,
        decisions=state.decisions,
        numbers=state.numbers,
        verification_rules_text=rules.text,
        files=_file_hashes(out),
    )
    document = manifest.as_document()
    (out / "manifest.json").write_text(
        json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True), encoding="utf-8"
    )
    with engine.begin() as conn:
        conn.execute(
            insert(Release).values(
                name=name,
                created_by=user,
                code_version=manifest.code_version,
                manifest=document,
                manifest_sha256=sha256_of(document),
                directory=str(out.resolve()),
            )
        )
        record_event(conn, user, "release.create", f"release:{name}", {"directory": str(out)})
    return manifest


def verify_release(engine: Engine, name: str) -> ReleaseCheck:
    """Recompute release `name` from the store and compare, section by section."""
    with engine.connect() as conn:
        release = conn.execute(select(Release.__table__).where(Release.name == name)).first()
    if release is None:
        raise ReleaseError(f"no release named {name!r}")
    manifest = release.manifest
    rules = parse_rules(manifest["verification_rules_text"], f"release {name}")
    frozen = manifest["settings"]["estimate"]
    estimate = None if frozen is None else EstimateSettings.from_document(frozen)
    now, _ = _state(engine, rules, estimate, verifying=True)
    files_changed: list[str] = []
    directory = Path(release.directory)
    if directory.is_dir():
        on_disk = _file_hashes(directory)
        files_changed = [
            f"{file}: {'missing' if file not in on_disk else 'changed'}"
            for file, digest in manifest["files"].items()
            if on_disk.get(file) != digest
        ]
    lines = compare(manifest, now.as_document())
    return ReleaseCheck(
        name=name,
        identical=not lines and not files_changed,
        differences=lines,
        code_then=manifest["code_version"],
        code_now=code_version(),
        files_changed=files_changed,
    )


def list_releases(engine: Engine) -> list[ReleaseInfo]:
    """Every release, newest first: name, date, author, code version, directory."""
    with engine.connect() as conn:
        rows = conn.execute(select(Release.__table__).order_by(Release.id.desc())).all()
    return [
        ReleaseInfo(
            name=r.name,
            created_at=r.created_at.isoformat(timespec="seconds"),
            created_by=r.created_by,
            code_version=r.code_version,
            directory=r.directory,
            manifest_sha256=r.manifest_sha256,
        )
        for r in rows
    ]
