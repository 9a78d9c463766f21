"""Evidence settings: where originals live and which time-stamping authority to ask, read
from options or the environment, never from the store (secrets and paths stay outside it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from marsad.evidence.errors import EvidenceError
from marsad.evidence.timestamps import (
    TrustChain,
)


@dataclass(frozen=True)
class Tsa:
    url: str
    chain: TrustChain


@dataclass(frozen=True)
class EvidenceSettings:
    """Where originals live, and the time-stamping authority (none: items wait for one)."""

    directory: Path
    tsa: Tsa | None = None
    chain: TrustChain | None = None
    """The certificates tokens are checked against (also without a TSA to ask)."""

    def object_path(self, sha256: str) -> Path:
        return self.directory / "objects" / sha256[:2] / sha256

    @property
    def head_path(self) -> Path:
        return self.directory / "custody.head"


def evidence_settings(
    engine: Engine,
    directory: str | None = None,
    tsa_url: str | None = None,
    tsa_certs: str | None = None,
) -> EvidenceSettings:
    """Settings from the options, else `MARSAD_EVIDENCE_DIR`, `MARSAD_TSA_URL` and
    `MARSAD_TSA_CERTS` (a PEM file with the TSA's certificate and its root)."""
    chosen = directory or os.environ.get("MARSAD_EVIDENCE_DIR")
    if chosen:
        where = Path(chosen).expanduser()
    elif engine.url.get_backend_name() == "sqlite" and engine.url.database:
        where = Path(engine.url.database + ".evidence")
    else:
        raise EvidenceError(
            "where should originals be kept? give --evidence-dir or set MARSAD_EVIDENCE_DIR"
        )
    url = tsa_url or os.environ.get("MARSAD_TSA_URL") or None
    certs = tsa_certs or os.environ.get("MARSAD_TSA_CERTS") or None
    chain = None
    if certs:
        try:
            pem = Path(certs).expanduser().read_bytes()
        except OSError as error:
            raise EvidenceError(f"{certs}: cannot read the TSA certificates ({error})") from None
        chain = TrustChain.from_pem(pem, certs)
    if url and chain is None:
        raise EvidenceError(
            f"the TSA {url} is configured without its certificates: set MARSAD_TSA_CERTS "
            "(or --tsa-certs) to a PEM file with the TSA's certificate and its root"
        )
    return EvidenceSettings(where, Tsa(url, chain) if url and chain else None, chain)


# The custody log.
