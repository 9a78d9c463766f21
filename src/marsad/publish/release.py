"""Releases as data: a manifest of everything behind a published number, and the difference
between two manifests, said in words a reader of the release can check.

Pure functions over plain JSON documents, so that a release can be compared years later
without the code that made it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

# Sections compared by `release verify`, in the order a difference is told.
SECTIONS = ("inputs", "settings", "decisions", "numbers")


def canonical_json(document: Any) -> str:
    """One text for one content: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(document: Any) -> str:
    """The SHA-256 of a document's canonical JSON."""
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def _describe(value: Any) -> str:
    """A value as one short phrase; an import as its file, rows and hash."""
    if isinstance(value, Mapping) and "file_name" in value and "sha256" in value:
        rows = value.get("rows_total")
        return f"{value['file_name']} ({rows} rows, sha256 {str(value['sha256'])[:12]}…)"
    text = canonical_json(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _item(path: str, key: str) -> str:
    shown = key if len(key) <= 16 else key[:12] + "…"
    return f"{path}[{shown}]"


def _keyed(items: Sequence[Any]) -> dict[str, Any] | None:
    """Lists of records with a natural key (imports by sha256, rows by their group keys)
    compare item by item; other lists compare whole."""
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    for key in ("sha256", "key", "name"):
        if all(key in i for i in items):
            keyed = {str(i[key]): i for i in items}
            if len(keyed) == len(items):
                return keyed
    return None


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Every place where `new` differs from `old`, one line each, e.g.
    `numbers.totals.reported: 1203 → 1204` or `inputs.imports: added b.csv (sha256 3f…)`."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        lines: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines.append(f"{where}: removed (was {_describe(old[key])})")
            elif key not in old:
                lines.append(f"{where}: added {_describe(new[key])}")
            else:
                lines.extend(differences(old[key], new[key], where))
        return lines
    if isinstance(old, list) and isinstance(new, list):
        old_keyed, new_keyed = _keyed(old), _keyed(new)
        if old_keyed is not None and new_keyed is not None:
            lines = []
            for key in sorted(set(old_keyed) | set(new_keyed)):
                where = _item(path, key)
                if key not in new_keyed:
                    lines.append(f"{where}: removed {_describe(old_keyed[key])}")
                elif key not in old_keyed:
                    lines.append(f"{where}: added {_describe(new_keyed[key])}")
                else:
                    lines.extend(differences(old_keyed[key], new_keyed[key], where))
            return lines
        if old != new:
            return [f"{path}: {_describe(old)} → {_describe(new)}"]
        return []
    if old != new:
        return [f"{path}: {_describe(old)} → {_describe(new)}"]
    return []


def compare(released: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """The differences that make a release fail to verify, section by section."""
    lines: list[str] = []
    for section in SECTIONS:
        lines.extend(differences(released.get(section), now.get(section), section))
    return lines
