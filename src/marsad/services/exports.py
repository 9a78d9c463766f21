"""Files written out of the store: persons, records and counts for publication (pseudonymised
unless names are asked for, and then audited), the links table, and quarantined rows for
correction."""

from __future__ import annotations

import csv
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select

from marsad.errors import InputError
from marsad.ingest.places import default_gazetteer
from marsad.publish.tables import (
    FORMATS,
    HXL_TAGS,
    Column,
    hxl_tag,
    pseudonym,
    spreadsheet_safe,
    write_table,
)
from marsad.services.audit import record_event
from marsad.services.counts import count_persons, suppressed
from marsad.store.models import (
    QUARANTINE_OPEN,
    Import,
    PersonSummary,
    QuarantineEntry,
    RawRow,
    Record,
    Source,
    StoreSecret,
)


def export_links(engine: Engine, out: Path) -> int:
    """Write `source,record_id,person_id` for every record; returns the number of rows."""
    count = 0
    with engine.connect() as conn, out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "record_id", "person_id"])
        rows = conn.execute(
            select(Source.name, Record.record_id, Record.person_id)
            .join(Source, Source.id == Record.source_id)
            .order_by(Source.name, Record.record_id)
        )
        for row in rows:
            writer.writerow(
                [
                    spreadsheet_safe(row.name),
                    spreadsheet_safe(row.record_id),
                    "" if row.person_id is None else row.person_id,
                ]
            )
            count += 1
    return count


@dataclass(frozen=True)
class QuarantineItem:
    """One quarantined raw row with every reason it was refused."""

    raw_row_id: int
    source: str
    file_name: str
    row_number: int
    record_id: str | None
    reasons: tuple[tuple[str, str], ...]
    cells: dict[str, str]


def quarantine_items(
    engine: Engine, source: str | None = None, include_resolved: bool = False
) -> Iterator[QuarantineItem]:
    """Quarantined rows, oldest first, grouped per raw row."""
    query = (
        select(
            QuarantineEntry.raw_row_id,
            Source.name,
            Import.file_name,
            RawRow.row_number,
            RawRow.data,
            QuarantineEntry.record_id,
            QuarantineEntry.field,
            QuarantineEntry.reason,
        )
        .join(Source, Source.id == QuarantineEntry.source_id)
        .join(Import, Import.id == QuarantineEntry.import_id)
        .join(RawRow, RawRow.id == QuarantineEntry.raw_row_id)
        .order_by(QuarantineEntry.raw_row_id, QuarantineEntry.id)
    )
    if source is not None:
        query = query.where(Source.name == source)
    if not include_resolved:
        query = query.where(QUARANTINE_OPEN)
    with engine.connect() as conn:
        current: list[tuple[str, str]] = []
        head = None
        for row in conn.execute(query):
            if head is not None and head.raw_row_id != row.raw_row_id:
                yield _item(head, current)
                current = []
            head = row
            current.append((row.field, row.reason))
        if head is not None:
            yield _item(head, current)


def _item(row: Row[Any], reasons: list[tuple[str, str]]) -> QuarantineItem:
    return QuarantineItem(
        raw_row_id=row.raw_row_id,
        source=row.name,
        file_name=row.file_name,
        row_number=row.row_number,
        record_id=row.record_id,
        reasons=tuple(reasons),
        cells=dict(row.data),
    )


QUARANTINE_COLUMNS = ("_marsad_source", "_marsad_file", "_marsad_row", "_marsad_reasons")


def export_quarantine(
    engine: Engine, out: Path, source: str | None = None, user: str = "cli"
) -> int:
    """Write quarantined rows with their original columns plus the reasons, for correction.

    The corrected file can be ingested again with the same source and profile: the
    `_marsad_*` columns are ignored by the readers' mapping, and fixed rows resolve their
    quarantine entries. The rows hold names, so the file is written as every export is (no
    cell a spreadsheet would run, readable by its owner only, whole or not at all), and the
    export is audited ("export.quarantine").
    """
    items = list(quarantine_items(engine, source))
    columns: list[str] = []
    for item in items:
        columns.extend(c for c in item.cells if c not in columns)
    rows = (
        {
            **item.cells,
            "_marsad_source": item.source,
            "_marsad_file": item.file_name,
            "_marsad_row": item.row_number,
            "_marsad_reasons": "; ".join(f"{f}: {r}" for f, r in item.reasons),
        }
        for item in items
    )
    table = [Column(name) for name in (*columns, *QUARANTINE_COLUMNS)]
    written = write_table(rows, table, "csv", out)
    with engine.begin() as conn:
        detail = {"rows": written, "file": out.name, "source": source}
        record_event(conn, user, "export.quarantine", "quarantine", detail)
    return written


PSEUDONYM_KEY = "pseudonym_key"
EXPORT_KINDS = ("persons", "records", "counts")


def pseudonym_key(conn: Connection) -> bytes:
    """The store's own key for pseudonymous ids, made on first use: the same person keeps
    the same pseudonym across exports and releases, and nobody without the store can
    reverse it."""
    value = conn.scalar(select(StoreSecret.value).where(StoreSecret.name == PSEUDONYM_KEY))
    if value is None:
        value = secrets.token_hex(32)
        conn.execute(insert(StoreSecret).values(name=PSEUDONYM_KEY, value=value))
    return bytes.fromhex(value)


def _governorate_names() -> dict[str, tuple[str, str]]:
    gazetteer = default_gazetteer()
    return {g.pcode: (g.name_en, g.name_ar) for g in gazetteer.governorates}


PERSON_COLUMNS = [
    Column("person", HXL_TAGS["row_id"]),
    Column("status", "#status"),
    Column("verification", HXL_TAGS["verification"]),
    Column("verification_rule"),
    Column("documented", kind="bool"),
    Column("records", kind="int"),
    Column("independent_sources", kind="int"),
    Column("sex", HXL_TAGS["sex"]),
    Column("age_min", kind="int"),
    Column("age_max", kind="int"),
    Column("age_group", HXL_TAGS["age_group"]),
    Column("date_of_death", HXL_TAGS["date_of_death"]),
    Column("governorate_code", HXL_TAGS["governorate_code"]),
    Column("governorate_name", HXL_TAGS["governorate_name"]),
    Column("district_name", HXL_TAGS["district_name"]),
    Column("civilian", HXL_TAGS["civilian"], kind="bool"),
    Column("cause", HXL_TAGS["cause"]),
    Column("conflicting", kind="bool"),
]
NAME_COLUMNS = [Column("person_id", kind="int"), Column("name"), Column("other_spellings")]

RECORD_COLUMNS = [
    Column("record", HXL_TAGS["row_id"]),
    Column("person", "#meta+person"),
    Column("source", HXL_TAGS["source"]),
    Column("status", "#status"),
    Column("sex", HXL_TAGS["sex"]),
    Column("age_min", kind="int"),
    Column("age_max", kind="int"),
    Column("date_of_death", HXL_TAGS["date_of_death"]),
    Column("governorate_code", HXL_TAGS["governorate_code"]),
    Column("district_name", HXL_TAGS["district_name"]),
    Column("civilian", HXL_TAGS["civilian"], kind="bool"),
    Column("cause", HXL_TAGS["cause"]),
]
RECORD_NAME_COLUMNS = [
    Column("source_record_id"),
    Column("name"),
    Column("name_first"),
    Column("name_father"),
    Column("name_grandfather"),
    Column("name_family"),
]


def _names_by_person(conn: Connection) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = conn.execute(
        select(Record.person_id, Record.name)
        .where(Record.person_id.is_not(None))
        .order_by(Record.person_id, Record.id)
    )
    for person_id, name in rows:
        spellings = names.setdefault(person_id, [])
        if name not in spellings:
            spellings.append(name)
    return names


def _person_rows(
    conn: Connection, key: bytes, include_names: bool, status: str | None
) -> Iterator[dict[str, Any]]:
    governorates = _governorate_names()
    names = _names_by_person(conn) if include_names else {}
    query = select(PersonSummary.__table__).order_by(PersonSummary.person_id)
    if status is not None:
        query = query.where(PersonSummary.status == status)
    for s in conn.execute(query.execution_options(yield_per=20_000)):
        row: dict[str, Any] = {
            "person": pseudonym(key, "person", s.person_id),
            "status": s.status,
            "verification": s.verification,
            "verification_rule": s.verification_rule,
            "documented": s.documented,
            "records": s.records,
            "independent_sources": s.independent_sources,
            "sex": s.sex,
            "age_min": s.age_min,
            "age_max": s.age_max,
            "age_group": s.age_group,
            "date_of_death": s.date_of_death,
            "governorate_code": s.governorate,
            "governorate_name": governorates.get(s.governorate or "", ("", ""))[0] or None,
            "district_name": s.district,
            "civilian": s.civilian,
            "cause": s.cause,
            "conflicting": s.conflicting,
        }
        if include_names:
            spellings = sorted(names.get(s.person_id, []), key=len, reverse=True)
            row["person_id"] = s.person_id
            row["name"] = spellings[0] if spellings else None
            row["other_spellings"] = " | ".join(spellings[1:]) or None
        yield row


def _record_rows(conn: Connection, key: bytes, include_names: bool) -> Iterator[dict[str, Any]]:
    query = (
        select(Record.__table__, Source.name.label("source_name"))
        .join(Source, Source.id == Record.source_id)
        .order_by(Record.id)
    )
    for record in conn.execute(query.execution_options(yield_per=20_000)):
        row: dict[str, Any] = {
            "record": pseudonym(key, "record", record.id),
            "person": None
            if record.person_id is None
            else pseudonym(key, "person", record.person_id),
            "source": record.source_name,
            "status": record.status,
            "sex": record.sex,
            "age_min": record.age_min,
            "age_max": record.age_max,
            "date_of_death": record.date_of_death,
            "governorate_code": record.pcode_adm1,
            "district_name": record.district,
            "civilian": record.civilian,
            "cause": record.cause,
        }
        if include_names:
            row.update(
                source_record_id=record.record_id,
                name=record.name,
                name_first=record.name_first,
                name_father=record.name_father,
                name_grandfather=record.name_grandfather,
                name_family=record.name_family,
            )
        yield row


def _count_columns(by: Sequence[str]) -> list[Column]:
    keys: list[Column] = []
    for name in by:
        if name == "governorate":
            keys += [
                Column("governorate_code", HXL_TAGS["governorate_code"]),
                Column("governorate_name", HXL_TAGS["governorate_name"]),
                Column("governorate_name_ar", hxl_tag(HXL_TAGS["governorate_name"], "i_ar")),
            ]
        elif name == "district":
            keys.append(Column("district_name", HXL_TAGS["district_name"]))
        elif name in ("week", "month"):
            keys.append(Column(name, hxl_tag(HXL_TAGS["date"], name)))
        else:
            keys.append(Column(name, HXL_TAGS.get(name, f"#x_{name.replace('_', '')}")))
    killed = HXL_TAGS["killed"]
    return [
        *keys,
        Column("reported", hxl_tag(killed, "reported"), kind="int"),
        Column("documented", hxl_tag(killed, "documented"), kind="int"),
        Column("corroborated", hxl_tag(killed, "corroborated"), kind="int"),
        Column("verified", hxl_tag(killed, "verified"), kind="int"),
        Column("female", hxl_tag(killed, "reported", HXL_TAGS["female"]), kind="int"),
        Column("male", hxl_tag(killed, "reported", HXL_TAGS["male"]), kind="int"),
        Column("children", hxl_tag(killed, "reported", HXL_TAGS["children"]), kind="int"),
    ]


def _count_rows(
    conn: Connection, by: Sequence[str], status: str | None, min_cell: int
) -> list[dict[str, Any]]:
    """Counts under every standard per group, with the reported persons by sex and children;
    counts from 1 to `min_cell` - 1 are left empty (`counts.suppressed`)."""
    governorates = _governorate_names()
    detail: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in count_persons(conn, [*by, "sex", "age_group"], status=status):
        group = detail.setdefault(tuple(row.keys[d] for d in by), Counter())
        group[f"sex:{row.keys['sex']}"] += row.reported
        group[f"age:{row.keys['age_group']}"] += row.reported
    out = []
    for row in count_persons(conn, by, status=status):
        group = detail.get(tuple(row.keys[d] for d in by), {})
        item: dict[str, Any] = {}
        for name in by:
            value = row.keys[name]
            if name == "governorate":
                en, ar = governorates.get(str(value), (None, None))
                item.update(governorate_code=value, governorate_name=en, governorate_name_ar=ar)
            elif name == "district":
                item["district_name"] = value
            else:
                item[name] = value
        figures = {
            "reported": row.reported,
            "documented": row.documented,
            "corroborated": row.corroborated,
            "verified": row.verified,
            "female": group.get("sex:female", 0),
            "male": group.get("sex:male", 0),
            "children": group.get("age:child", 0),
        }
        item.update({k: suppressed(v, min_cell) for k, v in figures.items()})
        out.append(item)
    return out


def export_table(
    engine: Engine,
    kind: str,
    out: Path,
    fmt: str,
    *,
    user: str,
    include_names: bool = False,
    by: Sequence[str] = ("governorate",),
    status: str | None = "killed",
    min_cell: int = 1,
) -> int:
    """Write persons, records or counts in `fmt`; pseudonymised unless `include_names`,
    which is recorded in the audit log with who asked. Counts from 1 to `min_cell` - 1 are
    left empty, for readers who may not see names. Returns the rows written."""
    if kind not in EXPORT_KINDS:
        raise InputError(f"unknown export {kind!r}; use {', '.join(EXPORT_KINDS)}")
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
    if include_names and kind == "counts":
        raise InputError("counts hold no names; --include-names applies to persons and records")
    with engine.begin() as conn:
        key = pseudonym_key(conn)
        if kind == "persons":
            columns = PERSON_COLUMNS + (NAME_COLUMNS if include_names else [])
            rows: Iterable[dict[str, Any]] = _person_rows(conn, key, include_names, status)
        elif kind == "records":
            columns = RECORD_COLUMNS + (RECORD_NAME_COLUMNS if include_names else [])
            rows = _record_rows(conn, key, include_names)
        else:
            columns = _count_columns(by)
            rows = _count_rows(conn, by, status, min_cell)
        written = write_table(rows, columns, fmt, out)
        record_event(
            conn,
            user,
            "export.include_names" if include_names else "export",
            kind,
            {"format": fmt, "rows": written, "file": out.name, "min_cell": min_cell},
        )
    return written
