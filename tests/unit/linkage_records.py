"""A linkage record with every field unknown but those a test gives."""

from __future__ import annotations

from marsad.linkage.features import LinkageRecord

UNKNOWN = dict.fromkeys(
    (
        "name_first",
        "name_father",
        "name_grandfather",
        "name_family",
        "name_mother",
        "sex",
        "age_min",
        "age_max",
        "date_of_death",
        "pcode",
        "pcode_adm1",
        "locality",
    )
)


def record(rid: int, name: str, source: str = "S", **fields: object) -> LinkageRecord:
    values: dict[str, object] = {"id": rid, "source": source, "name": name, "status": "killed"}
    return LinkageRecord(**(values | UNKNOWN | fields))  # type: ignore[arg-type]
