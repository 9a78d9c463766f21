"""Capture metadata a file carries about itself: for photos the EXIF date, camera and GPS
position (Pillow), for videos the creation time of the MP4/QuickTime movie header (hachoir).

These are claims of the device that made the file, not facts: a camera's clock can be wrong
and EXIF can be edited. They are kept beside the hashes as leads for corroboration. Reading
them never stops a file from being stored: a file that cannot be parsed just has none.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from hachoir.core import config as hachoir_config
from hachoir.metadata import extractMetadata
from hachoir.parser import createParser
from PIL import Image, UnidentifiedImageError

hachoir_config.quiet = True

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME = 306
_MAKE = 271
_MODEL = 272
_DATETIME_ORIGINAL = 36867
_OFFSET_TIME_ORIGINAL = 36881
_EXIF_DATE = re.compile(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_QUICKTIME_EPOCH_YEAR = 1904
"""A movie header's creation time counts from 1904; zero (that year) means "not set"."""


def capture_metadata(path: Path, media_type: str) -> dict[str, Any]:
    """What the file says about its own capture; empty when it says nothing readable."""
    if media_type.startswith("image/"):
        return _image(path)
    if media_type.startswith("video/"):
        return _video(path)
    return {}


def _image(path: Path) -> dict[str, Any]:
    try:
        with Image.open(path) as image:
            exif = image.getexif()
            found: dict[str, Any] = {}
            details = exif.get_ifd(_EXIF_IFD)
            taken = _exif_date(details.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME))
            if taken:
                offset = details.get(_OFFSET_TIME_ORIGINAL)
                found["taken_at"] = taken + (str(offset).strip() if offset else "")
                found["taken_at_from"] = "exif"
            camera = " ".join(str(exif[t]).strip("\x00 ") for t in (_MAKE, _MODEL) if t in exif)
            if camera.strip():
                found["camera"] = camera.strip()
            gps = _gps(exif.get_ifd(_GPS_IFD))
            if gps:
                found["gps"] = gps
            return found
    except (UnidentifiedImageError, OSError, ValueError, TypeError, SyntaxError, KeyError):
        return {}


def _exif_date(value: object) -> str | None:
    match = _EXIF_DATE.match(str(value)) if value else None
    if not match:
        return None
    y, mo, d, h, mi, s = (int(g) for g in match.groups())
    try:
        return dt.datetime(y, mo, d, h, mi, s).isoformat()
    except ValueError:
        return None


def _degrees(value: Any, ref: Any, negative: str) -> float | None:
    try:
        degrees, minutes, seconds = (float(v) for v in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    return round(-result if str(ref).upper().startswith(negative) else result, 7)


def _gps(gps: dict[int, Any]) -> dict[str, float] | None:
    lat = _degrees(gps.get(2), gps.get(1), "S")
    lon = _degrees(gps.get(4), gps.get(3), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": lat, "lon": lon}


def _video(path: Path) -> dict[str, Any]:
    # hachoir raises its own error types from deep in its parsers on hostile input; a file we
    # cannot read metadata from is still evidence, so any failure means "no metadata".
    try:
        parser = createParser(str(path))
        if parser is None:
            return {}
        with parser:
            metadata = extractMetadata(parser)
            created = metadata.get("creation_date", None) if metadata else None
    except Exception:
        return {}
    if not isinstance(created, dt.datetime) or created.year <= _QUICKTIME_EPOCH_YEAR:
        return {}
    created_at = created.replace(tzinfo=None).isoformat() + "Z"
    return {"created_at": created_at, "created_at_from": "container"}
