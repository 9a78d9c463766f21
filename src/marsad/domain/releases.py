"""A release's manifest as typed sections: what is frozen behind a published number.

The manifest is stored (and written as manifest.json) as the plain JSON of these classes
(`dataclasses.asdict`), and `release verify` compares JSON documents, so that a release made
years ago is compared without the classes that made it. Renaming a field here changes every
manifest from now on: `publish.release.differences` would report it as a difference.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

BREAKDOWNS = ("governorate", "month", "sex", "age_group", "civilian")
"""The counts frozen by group, beside the totals (one `by_…` list each)."""


@dataclass(frozen=True)
class ImportDigest:
    """One file as it was ingested: its hash and what became of its rows."""

    sha256: str
    source: str
    file_name: str
    rows_total: int
    rows_recorded: int
    rows_quarantined: int


@dataclass(frozen=True)
class SourceEntry:
    name: str
    kind: str
    copies: str | None
    """The source this one copies from, if any (its records are not independent)."""


@dataclass(frozen=True)
class ReleaseInputs:
    imports: list[ImportDigest]
    sources: list[SourceEntry]


@dataclass(frozen=True)
class EstimateSettings:
    """How a release estimates: the method, the strata, the sampler preset and the seed."""

    method: str
    by: list[str]
    preset: str
    seed: int

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> EstimateSettings:
        """The settings as a stored manifest holds them."""
        return cls(
            method=str(document["method"]),
            by=[str(s) for s in document["by"]],
            preset=str(document["preset"]),
            seed=int(document["seed"]),
        )


@dataclass(frozen=True)
class LinkageDigest:
    """The newest link run: its engine, its settings as stored with it, its model's hash."""

    engine: str
    settings: dict[str, Any]
    model_sha256: str | None


@dataclass(frozen=True)
class RulesDigest:
    sha256: str


@dataclass(frozen=True)
class ReleaseSettings:
    linkage: LinkageDigest | None
    verification_rules: RulesDigest
    estimate: EstimateSettings | None


@dataclass(frozen=True)
class DecisionsDigest:
    """How many human decisions of one kind, and the hash of them all in order."""

    count: int
    sha256: str


@dataclass(frozen=True)
class ReleaseDecisions:
    links: DecisionsDigest
    statuses: DecisionsDigest
    values: DecisionsDigest
    incident_events: DecisionsDigest


@dataclass(frozen=True)
class CountNumbers:
    """The persons counted under each standard, and by group (each row keyed by its group)."""

    totals: dict[str, int]
    documented_missing: dict[str, int]
    """Persons not documented, by what they lack."""
    incidents: list[dict[str, Any]]
    by_governorate: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    by_sex: list[dict[str, Any]]
    by_age_group: list[dict[str, Any]]
    by_civilian: list[dict[str, Any]]


@dataclass(frozen=True)
class StratumNumbers:
    key: str
    observed: int
    estimate: float | None
    interval: list[float] | None


@dataclass(frozen=True)
class EstimateNumbers:
    observed: int
    estimate: float
    interval: list[float]
    level: float
    strata: list[StratumNumbers]


@dataclass(frozen=True)
class EstimateFailure:
    """An estimate that could not be made when verifying: a difference, said in words."""

    error: str


@dataclass(frozen=True)
class ReleaseNumbers:
    counts: CountNumbers
    estimate: EstimateNumbers | EstimateFailure | None


@dataclass(frozen=True)
class ReleaseState:
    """What the store gives now, in the sections `release verify` compares
    (`publish.release.SECTIONS`)."""

    inputs: ReleaseInputs
    settings: ReleaseSettings
    decisions: ReleaseDecisions
    numbers: ReleaseNumbers

    def as_document(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReleaseManifest:
    """Everything behind a release's numbers: the hashes of every import, the settings in
    force, the human decisions, the code version and the numbers, and the hashes of the files
    published with them. Kept in the store and as manifest.json."""

    release: str
    created_at: str
    created_by: str
    code_version: str
    inputs: ReleaseInputs
    settings: ReleaseSettings
    decisions: ReleaseDecisions
    numbers: ReleaseNumbers
    verification_rules_text: str
    files: dict[str, str]

    def as_document(self) -> dict[str, Any]:
        """The manifest as JSON holds it."""
        return asdict(self)
