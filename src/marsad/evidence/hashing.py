"""SHA-256 and SHA-512 of a file computed while it streams through a fixed buffer, so that a
4 GB video is never in memory, and the bytes stored are the bytes hashed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

CHUNK = 1 << 20
"""Bytes read at a time: large enough that hashing, not Python, sets the pace."""
HEAD = 8192
"""Bytes kept from the start of the file, for telling its media type from its content."""


class Readable(Protocol):
    def readinto(self, buffer: bytearray, /) -> int | None: ...


class Writable(Protocol):
    def write(self, data: memoryview, /) -> object: ...


@dataclass(frozen=True)
class Digests:
    sha256: str
    sha512: str
    size: int
    head: bytes


def stream_digests(source: Readable, sink: Writable | None = None) -> Digests:
    """Read `source` to its end, hashing every chunk and writing it to `sink` if given."""
    sha256 = hashlib.sha256()
    sha512 = hashlib.sha512()
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    size = 0
    head = b""
    while read := source.readinto(buffer):
        chunk = view[:read]
        sha256.update(chunk)
        sha512.update(chunk)
        if sink is not None:
            sink.write(chunk)
        if len(head) < HEAD:
            head += bytes(chunk[: HEAD - len(head)])
        size += read
    return Digests(sha256.hexdigest(), sha512.hexdigest(), size, head)


def file_digests(path: Path) -> Digests:
    with path.open("rb") as handle:
        return stream_digests(handle)
