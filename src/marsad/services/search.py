"""Find persons by name in either script, by place and by date of death.

Names are matched on the cross-script keys record linkage uses (`marsad.names`): "Mouhammad"
and "محمد" share the key "mhmd", so either spelling finds both. A record matches when every
key of the query is among the keys of its name parts, read as linkage reads them (the source's
own parts, else its full name parsed into parts).

The records table holds no key column, and a key cannot be computed in SQL, so each process
keeps a `NameIndex` per store: key → ids of the records holding it. It is built on the first
search and then only extended: records are never deleted and their names never change, so a
refresh reads just the records added since (and rebuilds when the count says otherwise).
Place and date filters run in SQL, on the name's candidates only.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, func, or_, select

from marsad.ingest.places import default_gazetteer
from marsad.names import NameKeys, name_keys, parse_name_parts
from marsad.store.models import PersonSummary, Record, Source

CHUNK = 1000
"""Record ids per `IN (…)` query."""
SCAN_ABOVE = 20_000
"""Above this many name candidates, filters scan the table once instead of by id chunks."""
BUILD_BATCH = 50_000


@dataclass(frozen=True)
class SearchQuery:
    """What to look for; empty fields do not filter.

    `governorate` is an admin-1 p-code (SYgg). `place` is any place name: one the gazetteer
    knows matches by p-code (a governorate first, as the wider reading of a name such as
    Tartous; else a district), any other text matches the records' locality, sub-district or
    district as written.
    A partial date of death (year, year-month) matches a range it overlaps.
    """

    name: str = ""
    governorate: str | None = None
    place: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def reversed(self) -> bool:
        """A date range that ends before it starts: no one died in it."""
        return bool(self.date_from and self.date_to and self.date_to < self.date_from)

    @property
    def empty(self) -> bool:
        return not (
            self.name.strip()
            or self.governorate
            or self.place.strip()
            or self.date_from
            or self.date_to
        )


@dataclass(frozen=True)
class MatchedRecord:
    id: int
    source: str
    name: str
    date_of_death: str | None
    governorate: str | None
    place: str | None
    status: str


@dataclass(frozen=True)
class SearchHit:
    """One person (or one record not yet linked, `person_id` None) and its matching records."""

    person_id: int | None
    verification: str | None
    records: list[MatchedRecord]


@dataclass(frozen=True)
class SearchPage:
    total: int
    hits: list[SearchHit]


def _present(keys: NameKeys) -> frozenset[str]:
    return frozenset(k for k in (keys.first, keys.father, keys.grandfather, keys.family) if k)


def query_keys(name: str) -> frozenset[str]:
    """The keys a typed name must all match, its parts grouped as in a full name."""
    return _present(NameKeys.from_parts(parse_name_parts(name)))


def record_keys(
    name: str,
    first: str | None,
    father: str | None,
    grandfather: str | None,
    family: str | None,
) -> frozenset[str]:
    """A record's keys: of the source's own parts, else of its full name's parts (as linkage
    reads a record, so that search and linkage agree on who is called what)."""
    if any((first, father, grandfather, family)):
        return _present(name_keys(first, father, grandfather, family))
    return _present(NameKeys.from_full_name(name))


_NAME_COLUMNS = (
    Record.id,
    Record.name,
    Record.name_first,
    Record.name_father,
    Record.name_grandfather,
    Record.name_family,
)


class NameIndex:
    """key → ascending ids of the records whose names hold it, for one store."""

    def __init__(self) -> None:
        self._ids: dict[str, array[int]] = {}
        self._count = 0
        self._max_id = 0
        self._lock = threading.Lock()

    def _add(self, rows: Iterable[Any]) -> int:
        added = 0
        for row in rows:
            for key in record_keys(*row[1:]):
                ids = self._ids.get(key)
                if ids is None:
                    ids = self._ids[key] = array("q")
                ids.append(row.id)
            self._max_id = row.id
            added += 1
        self._count += added
        return added

    def _read_from(self, conn: Connection, after: int) -> int:
        rows = conn.execute(
            select(*_NAME_COLUMNS)
            .where(Record.id > after)
            .order_by(Record.id)
            .execution_options(yield_per=BUILD_BATCH)
        )
        return self._add(rows)

    def refresh(self, conn: Connection) -> None:
        """Catch up with the store: read the records added since the last refresh."""
        count, max_id = conn.execute(
            select(func.count(), func.coalesce(func.max(Record.id), 0)).select_from(Record)
        ).one()
        with self._lock:
            if (count, max_id) == (self._count, self._max_id):
                return
            if max_id > self._max_id and count > self._count:
                self._read_from(conn, self._max_id)
                if self._count == count:
                    return
            self._ids, self._count, self._max_id = {}, 0, 0
            self._read_from(conn, 0)

    def lookup(self, keys: frozenset[str]) -> list[int]:
        """Ids of the records holding every one of `keys`, ascending."""
        with self._lock:
            lists = sorted((self._ids.get(key, array("q")) for key in keys), key=len)
            if not lists or not lists[0]:
                return []
            found = set(lists[0])
            for ids in lists[1:]:
                found.intersection_update(ids)
                if not found:
                    return []
        return sorted(found)

    @property
    def size(self) -> tuple[int, int]:
        """(records, distinct keys) indexed."""
        return self._count, len(self._ids)


_indexes: weakref.WeakKeyDictionary[Engine, NameIndex] = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def name_index(engine: Engine) -> NameIndex:
    """This process's index of the store behind `engine` (it lives as long as the engine)."""
    with _indexes_lock:
        index = _indexes.get(engine)
        if index is None:
            index = _indexes[engine] = NameIndex()
        return index


def _date_overlaps(date: dt.date, after: bool) -> ColumnElement[bool]:
    """A date of death (full, year-month or year) on or after / on or before `date`, each
    compared at its own precision, so "2025-03" is on or after 2025-03-20."""
    column = Record.date_of_death
    text = date.isoformat()
    return or_(
        *(
            and_(func.length(column) == width, column >= text[:width])
            if after
            else and_(func.length(column) == width, column <= text[:width])
            for width in (10, 7, 4)
        )
    )


def _place(place: str) -> ColumnElement[bool]:
    gazetteer = default_gazetteer()
    governorate = gazetteer.governorate(place)
    if governorate is not None:
        return Record.pcode_adm1 == governorate.pcode
    district = gazetteer.district(place)
    if district is not None:
        return Record.pcode.startswith(district.pcode, autoescape=True)
    return or_(
        Record.locality.icontains(place, autoescape=True),
        Record.subdistrict.icontains(place, autoescape=True),
        Record.district.icontains(place, autoescape=True),
    )


def filters(query: SearchQuery) -> list[ColumnElement[bool]]:
    """The query's place and date conditions on records."""
    clauses: list[ColumnElement[bool]] = []
    if query.governorate:
        clauses.append(Record.pcode_adm1 == query.governorate.strip().upper())
    if query.place.strip():
        clauses.append(_place(query.place.strip()))
    if query.date_from:
        clauses.append(_date_overlaps(query.date_from, after=True))
    if query.date_to:
        clauses.append(_date_overlaps(query.date_to, after=False))
    return clauses


def _pairs(
    conn: Connection, candidates: Sequence[int], clauses: Sequence[ColumnElement[bool]]
) -> list[tuple[int, int | None]]:
    """(record id, person id) of the candidates that pass the filters."""
    base = select(Record.id, Record.person_id)
    if len(candidates) > SCAN_ABOVE:
        wanted = set(candidates)
        return [(r.id, r.person_id) for r in conn.execute(base.where(*clauses)) if r.id in wanted]
    found: list[tuple[int, int | None]] = []
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        found.extend(
            (r.id, r.person_id) for r in conn.execute(base.where(Record.id.in_(chunk), *clauses))
        )
    return found


def _hits(conn: Connection, groups: list[tuple[int | None, list[int]]]) -> list[SearchHit]:
    ids = sorted(rid for _, records in groups for rid in records)
    person_ids = [pid for pid, _ in groups if pid is not None]
    records: dict[int, MatchedRecord] = {}
    for start in range(0, len(ids), CHUNK):
        rows = conn.execute(
            select(
                Record.id,
                Source.name.label("source"),
                Record.name,
                Record.date_of_death,
                Record.pcode_adm1,
                Record.locality,
                Record.district,
                Record.governorate,
                Record.status,
            )
            .join(Source, Source.id == Record.source_id)
            .where(Record.id.in_(ids[start : start + CHUNK]))
        )
        for r in rows:
            records[r.id] = MatchedRecord(
                r.id,
                r.source,
                r.name,
                r.date_of_death,
                r.pcode_adm1,
                r.locality or r.district or r.governorate,
                r.status,
            )
    verification: dict[int, str] = {}
    if person_ids:
        verification = dict(
            conn.execute(
                select(PersonSummary.person_id, PersonSummary.verification).where(
                    PersonSummary.person_id.in_(person_ids)
                )
            )
            .tuples()
            .all()
        )
    return [
        SearchHit(
            pid,
            verification.get(pid) if pid is not None else None,
            [records[rid] for rid in sorted(rids)],
        )
        for pid, rids in groups
    ]


def search_persons(engine: Engine, query: SearchQuery, offset: int, limit: int) -> SearchPage:
    """(total, persons offset..offset+limit by id) whose records match `query`; records not yet
    linked come after, one hit each. An empty query, or a reversed date range, finds nothing."""
    if query.empty or query.reversed:
        return SearchPage(0, [])
    clauses = filters(query)
    with engine.connect() as conn:
        if query.name.strip():
            keys = query_keys(query.name)
            if not keys:
                return SearchPage(0, [])
            index = name_index(engine)
            index.refresh(conn)
            pairs = _pairs(conn, index.lookup(keys), clauses)
        else:
            rows = conn.execute(select(Record.id, Record.person_id).where(*clauses))
            pairs = [(r.id, r.person_id) for r in rows]
        by_person: dict[tuple[bool, int], list[int]] = {}
        for record_id, person_id in pairs:
            group = (False, person_id) if person_id is not None else (True, record_id)
            by_person.setdefault(group, []).append(record_id)
        page = sorted(by_person)[offset : offset + limit]
        groups = [(None if alone else key, by_person[(alone, key)]) for alone, key in page]
        return SearchPage(len(by_person), _hits(conn, groups))
