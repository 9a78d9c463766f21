"""A file's media type from its first bytes, never from its name (a video renamed .txt is
still a video). `filetype` knows the signatures of images, video, audio, archives and office
documents without any system library; what it does not know is text if it reads as UTF-8."""

from __future__ import annotations

import filetype

UNKNOWN = "application/octet-stream"


def media_type(head: bytes) -> str:
    """The media type of a file whose first bytes are `head` (up to 8 KiB)."""
    found = filetype.guess_mime(head) if head else None
    if found:
        return str(found)
    if head and b"\x00" not in head and _utf8(head):
        return "text/plain"
    return UNKNOWN


def _utf8(head: bytes) -> bool:
    """Whether `head` is UTF-8, allowing a character cut off at the end of the sample."""
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False
