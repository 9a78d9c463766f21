"""The layout of an evidence package for an accountability mechanism, and its README: what is
in it and how to check it with `sha256sum` and `openssl ts -verify` alone, without Marsad.

```
README.txt             how to verify (this module's README)
manifest.json          the package: items, their provenance, tokens, testimonies, custody head
SHA256SUMS             `sha256sum -c SHA256SUMS` checks every other file
SHA256SUMS.tsr         a trusted timestamp of SHA256SUMS (when a TSA answered)
originals/<sha256>.<ext>   each original, named by its SHA-256
tokens/<sha256>.tsr    each original's RFC 3161 timestamp (the TSA's whole answer, DER)
tsa/root.pem           the TSA's root certificate(s): the trust anchor (-CAfile)
tsa/tsa.pem            the TSA's certificate and any intermediates (-untrusted)
custody.jsonl          the custody log's entries about these items and testimonies
testimonies.json       statements whose witnesses consented to accountability use (pseudonyms)
```
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

FORMAT_VERSION = 1
ROOTS = "tsa/root.pem"
TSA_CERTS = "tsa/tsa.pem"
SUMS = "SHA256SUMS"
SUMS_TOKEN = "SHA256SUMS.tsr"

_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/tiff": "tif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/x-matroska": "mkv",
    "video/webm": "webm",
    "video/3gpp": "3gp",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/x-wav": "wav",
    "audio/amr": "amr",
    "application/pdf": "pdf",
    "text/plain": "txt",
}


def original_name(sha256: str, media_type: str) -> str:
    """An original's path in the package: its hash, and an extension from its media type so
    that a reader's computer opens it (the file names it arrived under are in the manifest)."""
    return f"originals/{sha256}.{_EXTENSIONS.get(media_type, 'bin')}"


def token_name(sha256: str) -> str:
    return f"tokens/{sha256}.tsr"


def sha256sums(files: Iterable[tuple[str, str]]) -> str:
    """`sha256sum` text: one "<hex>  <path>" line per (path, hex) pair, in path order."""
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(files))


def dumps(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def readme(incident: int, items: list[dict[str, Any]], stamped_sums: bool) -> str:
    """The README.txt of a package: how to check it with standard tools only."""
    first = next((i for i in items if i.get("token")), None)
    example = (
        f"    openssl ts -verify -in {first['token']} -data {first['file']} \\\n"
        f"        -CAfile {ROOTS} -untrusted {TSA_CERTS}\n"
        if first
        else "    (no item of this package has a timestamp token)\n"
    )
    sums_step = (
        f"3. Check when the package itself was assembled (optional):\n\n"
        f"    openssl ts -verify -in {SUMS_TOKEN} -data {SUMS} "
        f"-CAfile {ROOTS} -untrusted {TSA_CERTS}\n\n"
        if stamped_sums
        else ""
    )
    return f"""Evidence package: incident {incident}
{"=" * (27 + len(str(incident)))}

This package holds {len(items)} original file(s) as received, each with its SHA-256 and
an RFC 3161 timestamp token from a time-stamping authority (TSA), the TSA's certificates, an
excerpt of the chain-of-custody log and a manifest (manifest.json). Everything below can be
checked on any computer with the standard tools `sha256sum` (GNU coreutils) and `openssl`
(1.1 or later), without the software that made the package.

1. Check that no file was changed:

    sha256sum -c {SUMS}

   Every line must end in "OK". The originals are named by their own SHA-256
   (originals/<sha256>.<ext>), so the name of each original is also its expected hash.

2. Check each original's trusted timestamp: that the TSA saw exactly this file's SHA-256 at the
   time in the token, signed with a certificate that chains to the TSA's root. For example:

{example}
   It must print "Verification: OK". To read the time and serial number of a token:

    openssl ts -reply -in tokens/<sha256>.tsr -text

   Every original and its token are listed in manifest.json ("items": "file", "token").

{sums_step}Custody: custody.jsonl has one JSON object per line: "seq", "prev_hash", "entry_hash"
and "body". Each entry's hash is the SHA-256 of the previous entry's hash (32 bytes, the hex
in "prev_hash") followed by its body exactly as written (UTF-8), so that:

    (printf '%s' PREV_HASH | xxd -r -p; printf '%s' 'BODY') | sha256sum

prints its "entry_hash". The excerpt holds only the entries about these items; the whole log,
whose newest entry when the package was made is in manifest.json ("custody_head"), can be
asked of the organisation that made the package.

Witnesses are named only by pseudonym. Capture metadata (EXIF dates, GPS, a video's creation
time) is what the file says about itself: a device's claim, not a verified fact.
"""
