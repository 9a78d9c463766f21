"""A linkage record with every field unknown but those a test gives."""

from __future__ import annotations

from dataclasses import fields

from marsad.linkage.features import LinkageRecord


def record(rid: int, name: str, source: str = "S", **given: object) -> LinkageRecord:
    values: dict[str, object] = {f.name: None for f in fields(LinkageRecord)}
    values |= {"id": rid, "source": source, "name": name, "status": "killed"} | given
    return LinkageRecord(**values)  # type: ignore[arg-type]
