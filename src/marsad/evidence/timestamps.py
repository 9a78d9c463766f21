"""RFC 3161 trusted timestamps: the request for a file's SHA-256, and the check of the token a
time-stamping authority (TSA) answers with.

The token's message imprint is the file's own SHA-256, so that anyone can check it with
`openssl ts -verify -data FILE` and no Marsad. rfc3161-client builds requests only by hashing
the whole message itself, which would need a 4 GB file in memory, so the request (a fixed,
small structure) is written with asn1crypto from the digest computed while streaming;
rfc3161-client parses and verifies the answer (CMS signature, certificate chain at the time of
the timestamp, the timeStamping key usage, nonce, imprint).

The TSA's own certificate is pinned: a token verifies only if it is signed by one of the TSA
certificates configured, chaining to one of the configured roots. A root of a public CA
certifies many TSAs; without the pin, a token of any of them would pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID
from rfc3161_client import (
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from marsad.evidence.errors import TimestampError

CONTENT_TYPE_QUERY = "application/timestamp-query"
CONTENT_TYPE_REPLY = "application/timestamp-reply"


@dataclass(frozen=True)
class TimestampRequest:
    der: bytes
    nonce: int
    digest: bytes


@dataclass(frozen=True)
class Token:
    """A verified answer of a TSA: the whole TimeStampResp in DER (what `openssl ts -verify
    -in` reads), when the TSA says it saw the digest, its serial number and policy."""

    der: bytes
    gen_time: dt.datetime
    serial: str
    policy: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()


@dataclass(frozen=True)
class TrustChain:
    """The certificates a token is checked against: self-signed roots, the TSA certificates
    (with the timeStamping key usage) and any intermediates between them."""

    roots: tuple[x509.Certificate, ...]
    tsa: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...]

    @classmethod
    def from_pem(cls, pem: bytes, where: str) -> TrustChain:
        try:
            certificates = x509.load_pem_x509_certificates(pem)
        except ValueError as error:
            raise TimestampError(f"{where}: not a PEM certificate bundle ({error})") from None
        roots = tuple(c for c in certificates if c.subject == c.issuer)
        tsa = tuple(c for c in certificates if c.subject != c.issuer and _stamps_time(c))
        intermediates = tuple(c for c in certificates if c not in roots and c not in tsa)
        if not roots or not tsa:
            raise TimestampError(
                f"{where}: needs the TSA's certificate (timeStamping key usage) and the "
                "self-signed root it chains to"
            )
        return cls(roots, tsa, intermediates)

    def pem(self, which: tuple[x509.Certificate, ...]) -> bytes:
        return b"".join(c.public_bytes(Encoding.PEM) for c in which)


def _stamps_time(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.TIME_STAMPING in usage


def request_for(sha256_hex: str) -> TimestampRequest:
    """A TimeStampReq for a file's SHA-256, with a fresh nonce, asking for the TSA's
    certificate in the answer."""
    digest = bytes.fromhex(sha256_hex)
    nonce = secrets.randbits(63) | 1 << 62
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return TimestampRequest(request.dump(), nonce, digest)


def _decode(der: bytes) -> TimeStampResponse:
    try:
        return decode_timestamp_response(der)
    except ValueError as error:
        raise TimestampError(f"not a timestamp response ({error})") from None


def check_token(der: bytes, sha256_hex: str, chain: TrustChain, nonce: int | None = None) -> Token:
    """The token in `der` if it is a granted timestamp of `sha256_hex`, signed by one of the
    chain's TSA certificates (and answering `nonce` when given); TimestampError says why not."""
    response = _decode(der)
    digest = bytes.fromhex(sha256_hex)
    reasons: list[str] = []
    for tsa in chain.tsa:
        builder = VerifierBuilder(
            tsa_certificate=tsa,
            roots=list(chain.roots),
            intermediates=list(chain.intermediates),
            nonce=nonce,
        )
        try:
            builder.build().verify(response, digest)
        except (VerificationError, ValueError) as error:
            reasons.append(str(error))
            continue
        info = response.tst_info
        return Token(
            der=der,
            gen_time=info.gen_time.astimezone(dt.UTC).replace(tzinfo=None),
            serial=str(info.serial_number),
            policy=info.policy.dotted_string,
        )
    raise TimestampError("; ".join(dict.fromkeys(reasons)) or "no TSA certificate to check against")
