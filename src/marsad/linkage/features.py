"""The columns the linkage model compares, built from records: ASCII name keys, dates, places.

Splink's string distances run in DuckDB (or Spark), which count bytes, not characters, so
names are compared on the ASCII keys of `marsad.names`, never on Arabic script.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pandas as pd

from marsad.domain.records import RecordRow
from marsad.names import NameParts, arabic_to_latin, name_key, parse_name_parts
from marsad.names.arabic import has_arabic
from marsad.names.latin import normalise_latin, respell_german, writes_german
from marsad.names.order import read_order

FEATURE_COLUMNS = (
    "unique_id",
    "source",
    "first_key",
    "first_latin",
    "first_consonants",
    "first_arabic",
    "first_count",
    "father_key",
    "grandfather_key",
    "family_key",
    "second_key",
    "mother_key",
    "sex",
    "age_min",
    "age_max",
    "dod",
    "dod_month",
    "dod_year",
    "dod_day_number",
    "adm1",
    "adm2",
    "locality_key",
    "status",
)

INTEGER_COLUMNS = ("age_min", "age_max", "dod_day_number", "first_count")


LinkageRecord = RecordRow
"""What linkage reads from one stored record: the one record projection (`store.records`)."""


def _key(part: str | None) -> str | None:
    return (name_key(part) or None) if part else None


def given_parts(record: LinkageRecord) -> NameParts | None:
    """The parts as the source gave them in separate columns, or None when it gave none."""
    given = (record.name_first, record.name_father, record.name_grandfather, record.name_family)
    return NameParts(*given) if any(given) else None


def _respelled(records: Sequence[LinkageRecord]) -> list[LinkageRecord]:
    """The records, with the names of lists that spell the German way respelled the English way
    (`marsad.names.latin.writes_german`), so their keys read as every other list's do."""
    by_list: dict[str, list[str]] = {}
    for r in records:
        if not has_arabic(r.name):
            by_list.setdefault(r.source, []).append(r.name)
    german = {source for source, names in by_list.items() if writes_german(names)}
    if not german:
        return list(records)
    return [_german(r) if r.source in german and not has_arabic(r.name) else r for r in records]


def _german(r: LinkageRecord) -> LinkageRecord:
    def respelled(part: str | None) -> str | None:
        return respell_german(part) if part else part

    return replace(
        r,
        name=respell_german(r.name),
        name_first=respelled(r.name_first),
        name_father=respelled(r.name_father),
        name_grandfather=respelled(r.name_grandfather),
        name_family=respelled(r.name_family),
        name_mother=respelled(r.name_mother),
    )


def name_parts(records: Sequence[LinkageRecord]) -> list[NameParts]:
    """First, father, grandfather and family name of each record, as written.

    The source's own parts win; the full name is parsed only when the source gave no parts at
    all (mixing the two readings would misplace names). A parsed name is read family name
    first when the lists show it was written so (`marsad.names.order`).
    """
    records = _respelled(records)
    given = [given_parts(r) for r in records]
    parsed = [
        parse_name_parts(r.name) if g is None else None for r, g in zip(records, given, strict=True)
    ]
    read = read_order(given, parsed, [r.source for r in records])
    return [g if g is not None else p or NameParts() for g, p in zip(given, read, strict=True)]


def mother_key(name_mother: str | None) -> str | None:
    """The key of the mother's first name: lists that record the mother give her first name,
    some with her father's or family name after it, which would only hide an agreement."""
    if not name_mother or not name_mother.split():
        return None
    return _key(parse_name_parts(name_mother).first or name_mother.split()[0])


def latin_spelling(part: str | None) -> str | None:
    """A readable ASCII spelling with its vowels, to tell a typo from another name.

    Keys drop most vowels, so "Mohammad" and "Ahmad" (brothers' names) differ by one letter
    of key; their spellings differ far more than a typo would make them.
    """
    if not part:
        return None
    latin = normalise_latin(arabic_to_latin(part) if has_arabic(part) else part)
    return latin.replace(" ", "") or None


def consonants(key: str | None) -> str | None:
    """A name key without its vowel classes.

    Arabic script writes long vowels only; a Latin spelling cannot tell a short vowel from a
    long one, so "Huda" keeps the u that هدى does not write (keys "huda" and "hda"). Keys
    that differ only so may still be one name written in two scripts; the model weighs that
    with the spellings' similarity (Hassan / حسين differ the same way and are two names).
    """
    if not key:
        return None
    return key.translate(_VOWELS) or None


_VOWELS = str.maketrans("", "", "aiu")


def in_arabic_script(part: str | None) -> bool:
    return part is not None and has_arabic(part)


def _day_number(date: str | None) -> int | None:
    if date is None or len(date) != 10:
        return None
    return dt.date.fromisoformat(date).toordinal()


def features_frame(records: Iterable[LinkageRecord]) -> pd.DataFrame:
    """One row per record with the columns in FEATURE_COLUMNS (missing values as None)."""
    records = list(records)
    rows = []
    for r, parts in zip(_respelled(records), name_parts(records), strict=True):
        first, father, grandfather, family = (
            _key(part) for part in (parts.first, parts.father, parts.grandfather, parts.family)
        )
        date = r.date_of_death
        pcode = r.pcode if r.pcode and not r.pcode.startswith("C") else None
        rows.append(
            (
                r.id,
                r.source,
                first,
                latin_spelling(parts.first),
                consonants(first),
                in_arabic_script(parts.first),
                father,
                grandfather,
                family,
                father or grandfather or family,
                mother_key(r.name_mother),
                r.sex,
                r.age_min,
                r.age_max,
                date,
                date[:7] if date and len(date) >= 7 else None,
                date[:4] if date else None,
                _day_number(date),
                r.pcode_adm1,
                pcode[:6] if pcode and len(pcode) >= 6 else None,
                _key(r.locality),
                r.status,
            )
        )
    built = [c for c in FEATURE_COLUMNS if c != "first_count"]
    frame = pd.DataFrame.from_records(rows, columns=built)
    # How many records write each first-name key: a rare spelling is more often a typo.
    counts = frame.groupby("first_key")["first_key"].transform("size")
    frame.insert(FEATURE_COLUMNS.index("first_count"), "first_count", counts)
    # Typed columns: a column no record fills would otherwise reach DuckDB as INTEGER.
    for column in INTEGER_COLUMNS:
        frame[column] = frame[column].astype("Int64")
    frame["first_arabic"] = frame["first_arabic"].astype("boolean")
    for column in FEATURE_COLUMNS:
        if column not in (*INTEGER_COLUMNS, "unique_id", "first_arabic"):
            frame[column] = frame[column].astype("string")
    return frame
