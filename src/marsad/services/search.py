"""Find persons by name in either script, by place and by date of death.

Names are matched on the cross-script keys record linkage uses (`marsad.names`): "Mouhammad"
and "محمد" share the key "mhmd", so either spelling finds both. A record matches when every
word of the query matches one of its name parts (any part: first, father's, family…), read as
linkage reads them (the source's own parts, else its full name parsed into parts), by its key
or as the beginning of one: "Ahma" finds Ahmad, Ahmed and أحمد, "أحم" finds أحمد.

Ingest writes every record's keys into `record_name_keys`, so a name search is an index
lookup in SQL, as are the place and date filters.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    and_,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from marsad.errors import InputError
from marsad.ingest.places import default_gazetteer
from marsad.names import NameKeys, parse_name_parts
from marsad.store.models import PersonSummary, Record, RecordNameKey, Source

ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
CHUNK = 1000
"""Record ids per `IN (…)` query."""


def search_day(text: str) -> dt.date | None:
    """A day a search form gives (YYYY-MM-DD, in Latin or Arabic-Indic digits), None when
    empty; InputError otherwise."""
    text = text.strip().translate(ARABIC_INDIC)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a day written YYYY-MM-DD") from None


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
    """One page of hits. `more`: the search stopped counting at `total` (a lower bound), as a
    common name alone matches a good part of a million records and no reader pages through
    them; the pages still run in person order to the end."""

    total: int
    hits: list[SearchHit]
    more: bool = False

    def pages(self, page: int, per_page: int) -> int:
        """Pages to offer when on `page`: when counting stopped, this one, and the next after a
        full page."""
        counted = max(1, math.ceil(self.total / per_page))
        if not self.more:
            return counted
        return max(counted, page + 1 if len(self.hits) == per_page else page)


def query_keys(name: str) -> frozenset[str]:
    """The keys a typed name must all match, its parts grouped as in a full name."""
    return NameKeys.from_parts(parse_name_parts(name)).present


RAREST_CAP = 50_000
"""Keys are counted up to this many records to find the rarest; beyond, they are all common."""


VOWELS = "aeiouwy"
"""Letters a key may end on only because the typed word stopped early ("Ahma" → "ahma")."""
MIN_STEM = 2
"""A prefix's key shorter than this (one letter) would match a good part of the store."""
LAST = "\U0010ffff"


def prefix_stem(key: str) -> str | None:
    """The key a name typed in part begins with: "ahma" (Ahma) → "ahm", which "ahmd" (Ahmad,
    Ahmed, أحمد) begins with; None when too little was typed to search by prefix."""
    stem = key.rstrip(VOWELS)
    return stem if len(stem) >= MIN_STEM else None


def _matches(column: InstrumentedAttribute[str], key: str) -> ColumnElement[bool]:
    """A record name key equal to `key`, or beginning with its prefix stem: a range on the
    index, on SQLite and PostgreSQL alike (LIKE would not use it on both)."""
    stem = prefix_stem(key)
    if stem is None:
        return column == key
    return or_(column == key, and_(column >= stem, column < stem + LAST))


def _frequency(conn: Connection, key: str) -> int:
    capped = (
        select(RecordNameKey.record_id)
        .where(_matches(RecordNameKey.key, key))
        .distinct()
        .limit(RAREST_CAP)
    )
    return int(conn.scalar(select(func.count()).select_from(capped.subquery())) or 0)


def _has_name(key: str) -> ColumnElement[bool]:
    """The record has a name part matching `key`: a lookup by record (its few keys)."""
    other = aliased(RecordNameKey)
    return exists().where(other.record_id == Record.id, _matches(other.key, key))


def _rarest_first(conn: Connection, keys: frozenset[str]) -> Select[tuple[int, int | None]]:
    """The records whose keys match every one of `keys` (equal, or by prefix), read from the
    rarest key's records, each checked for the others by lookups ("Mohammad Ahmad Haddad"
    reads the few thousand Haddads, not the hundreds of thousands of Mohammads). A record may
    come twice, when two of its parts match the rarest key."""
    frequencies = {key: _frequency(conn, key) for key in keys}
    rarest, *others = sorted(keys, key=lambda key: (frequencies[key], key))
    driver = aliased(RecordNameKey)
    return (
        select(Record.id, Record.person_id)
        .join(driver, driver.record_id == Record.id)
        .where(_matches(driver.key, rarest), *(_has_name(key) for key in others))
    )


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


MATCH_CAP = 5_000
"""Matching records read to group and count exactly; a search matching more pages by person
from the records' index instead, and says "more than"."""


def search_persons(engine: Engine, query: SearchQuery, offset: int, limit: int) -> SearchPage:
    """Persons offset..offset+limit by id whose records match `query`; records not yet linked
    come after, one hit each. An empty query, or a reversed date range, finds nothing.

    Up to `MATCH_CAP` matching records are grouped and counted here. Beyond, the page is read
    in person order from the records' index, each record checked by lookups — quick however
    common the name, since matches are then dense — and the total is a lower bound: a search
    for Mohammad does not read the quarter of a million records that match."""
    if query.empty or query.reversed:
        return SearchPage(0, [])
    keys = query_keys(query.name) if query.name.strip() else frozenset()
    if query.name.strip() and not keys:
        return SearchPage(0, [])
    with engine.connect() as conn:
        start = _rarest_first(conn, keys) if keys else select(Record.id, Record.person_id)
        found = conn.execute(start.where(*filters(query)).limit(MATCH_CAP + 1)).all()
        groups = _grouped(found)
        if len(found) <= MATCH_CAP:
            page = groups[offset : offset + limit]
            return SearchPage(len(groups), _hits(conn, page))
        conditions = [*filters(query), *(_has_name(key) for key in keys)]
        return SearchPage(len(groups), _paged_by_person(conn, conditions, offset, limit), True)


def _grouped(found: Sequence[Row[tuple[int, int | None]]]) -> list[tuple[int | None, list[int]]]:
    """Matching records by person (in person order), then the records not yet linked."""
    by_person: dict[tuple[bool, int], set[int]] = {}
    for record_id, person_id in found:
        group = (False, person_id) if person_id is not None else (True, record_id)
        by_person.setdefault(group, set()).add(record_id)
    return [
        (None if alone else key, sorted(by_person[(alone, key)]))
        for alone, key in sorted(by_person)
    ]


def _paged_by_person(
    conn: Connection, conditions: list[ColumnElement[bool]], offset: int, limit: int
) -> list[SearchHit]:
    """A page of a search that matches many records, read in person order from the index on
    records' persons (then the unlinked records by id), so that it stops after `limit`."""
    linked = (
        select(Record.person_id)
        .where(Record.person_id.is_not(None), *conditions)
        .distinct()
        .order_by(Record.person_id)
    )
    page_persons = list(conn.scalars(linked.offset(offset).limit(limit)))
    groups: list[tuple[int | None, list[int]]] = []
    if page_persons:
        records: dict[int | None, list[int]] = {}
        for record_id, person_id in conn.execute(
            select(Record.id, Record.person_id)
            .where(Record.person_id.in_(page_persons), *conditions)
            .order_by(Record.id)
        ):
            records.setdefault(person_id, []).append(record_id)
        groups = [(pid, records[pid]) for pid in page_persons]
    if len(groups) < limit:
        # The linked persons ended on this page, so how many there are is known without a
        # count, unless this page lies wholly beyond them.
        persons = (
            offset + len(page_persons) if page_persons or offset == 0 else _count(conn, linked)
        )
        alone = conn.scalars(
            select(Record.id)
            .where(Record.person_id.is_(None), *conditions)
            .order_by(Record.id)
            .offset(max(0, offset - persons))
            .limit(limit - len(groups))
        )
        groups += [(None, [record_id]) for record_id in alone]
    return _hits(conn, groups)


def _count(conn: Connection, found: Select[tuple[int | None]]) -> int:
    return int(conn.scalar(select(func.count()).select_from(found.subquery())) or 0)
