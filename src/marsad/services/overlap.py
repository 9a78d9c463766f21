"""Counting overlap between organisations that do not share names (docs/methodology.md,
"Encoded linkage between organisations").

`encode_file` and `encode_source` are run by each party, holding the shared secret: a list
becomes an encoded file of opaque row ids and keyed Bloom filters, and nothing else.
`link_files` is run by the linkage unit, who holds no secret: it compares the encoded files,
clusters them into persons with `marsad link`'s rules, and writes the capture-history table
that `marsad estimate --histories` reads, a provenance file beside it, and for each party a
file of only that party's row ids with their linkage units.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from marsad.domain.estimates import CaptureHistories
from marsad.domain.records import FieldError, RecordFields
from marsad.estimate.histories import COUNT_COLUMN, merge_lists
from marsad.ingest.parse import parse_row
from marsad.ingest.places import default_gazetteer
from marsad.ingest.profile import MappingProfile, standard_profile
from marsad.ingest.readers import open_table
from marsad.ingest.table import TableError
from marsad.linkage.features import LinkageRecord, features_frame
from marsad.overlap.compare import Combined, score_pairs
from marsad.overlap.encoding import Encoder, secret_digest
from marsad.overlap.persons import capture_histories, cluster, party_units
from marsad.overlap.schema import Schema, load_schema
from marsad.services.audit import record_event
from marsad.services.overlap_file import (
    OverlapError,
    read_encoded,
    write_encoded,
    write_rows,
)
from marsad.services.verify import rules_in_force
from marsad.store.models import Record, Source
from marsad.store.records import record_rows, select_records
from marsad.verify.identifiable import IdentifiableRule, name_part_count
from marsad.verify.rules import load_rules

ANY_STATUS = "any"
PROVENANCE_SUFFIX = ".overlap.json"
"""The provenance file of `histories.csv` is `histories.overlap.json` beside it."""
SECRET_BYTES = 32
REJECTED_SHOWN = 20

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RejectedRow:
    """A row of the list that could not become a record, so it is not encoded."""

    row_number: int
    errors: tuple[FieldError, ...]


@dataclass
class EncodeSummary:
    """What one encoding did, for the party that ran it (never sent to the linkage unit)."""

    out: str
    label: str
    schema: str
    fingerprint: str
    secret_check: str
    records: int = 0
    rejected: int = 0
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    row_ids: list[str] = field(default_factory=list, repr=False)


# --- the secret ----------------------------------------------------------------------------


def make_secret(path: Path) -> str:
    """Write a new random secret to `path` (readable by its owner only); its check value.

    The parties share it out of band and never with the linkage unit."""
    secret = secrets.token_hex(SECRET_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise OverlapError(f"{path}: already exists; a secret is never overwritten") from None
    except OSError as error:
        raise OverlapError(f"{path}: cannot write it ({error.strerror or error})") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secret + "\n")
    return secret_digest(secret.encode())


def read_secret(path: Path) -> bytes:
    """The secret in `path`: its bytes, without the trailing line break."""
    try:
        secret = path.read_bytes().rstrip(b"\r\n")
    except OSError as error:
        raise OverlapError(f"{path}: cannot read the secret ({error.strerror or error})") from None
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise OverlapError(
            f"{path}: other users may read this secret; make it private (chmod 600 {path})"
        )
    return secret


def _encoder(secret_path: Path, schema: Schema) -> tuple[Encoder, str]:
    secret = read_secret(secret_path)
    try:
        return Encoder(schema, secret), secret_digest(secret)
    except ValueError as error:
        raise OverlapError(f"{secret_path}: {error}") from None


# --- encoding ------------------------------------------------------------------------------


def _linkage_record(index: int, label: str, record: RecordFields) -> LinkageRecord:
    """A parsed row as linkage reads a stored record (no store: no source or person id)."""
    return LinkageRecord(
        id=index,
        source_id=0,
        source=label,
        record_id=record.record_id,
        name=record.name,
        name_first=record.name_first,
        name_father=record.name_father,
        name_grandfather=record.name_grandfather,
        name_family=record.name_family,
        name_mother=record.name_mother,
        sex=record.sex,
        age_min=record.age_min,
        age_max=record.age_max,
        date_of_death=record.date_of_death,
        governorate=record.governorate,
        district=record.district,
        locality=record.locality,
        pcode=record.pcode,
        pcode_adm1=record.pcode_adm1,
        status=record.status,
        civilian=record.civilian,
        cause=record.cause,
        person_id=None,
    )


def read_list(
    path: Path, label: str, profile_path: Path | None
) -> tuple[list[str], list[LinkageRecord], list[RejectedRow]]:
    """The records of a list file read as `marsad ingest` reads it (same readers, profiles and
    parsing): record ids, records, and the rows that could not be read."""
    try:
        profile = MappingProfile.load(profile_path) if profile_path else standard_profile()
    except OSError as error:
        raise OverlapError(f"{profile_path}: {error.strerror or error}") from None
    gazetteer = default_gazetteer()
    record_ids: list[str] = []
    records: list[LinkageRecord] = []
    rejected: list[RejectedRow] = []
    try:
        with open_table(path, profile.encoding, profile.sheet) as table:
            for row in table.rows():
                parsed = parse_row(row.cells, profile, gazetteer)
                if row.problems or parsed.record is None:
                    rejected.append(RejectedRow(row.row_number, (*row.problems, *parsed.errors)))
                    continue
                record_ids.append(parsed.record.record_id)
                records.append(_linkage_record(len(records), label, parsed.record))
    except TableError as error:
        raise OverlapError(str(error)) from None
    return record_ids, records, rejected


def identifiable_records(records: Sequence[LinkageRecord], rule: IdentifiableRule) -> list[bool]:
    """Which records meet the identifiability rule, as `marsad estimate` judges them."""
    return [
        not rule.missing(
            name_part_count(r.name, r.name_first, r.name_father, r.name_grandfather, r.name_family),
            r.date_of_death,
            r.pcode,
            r.pcode_adm1,
        )
        for r in records
    ]


def _encode(
    encoder: Encoder,
    check: str,
    schema: Schema,
    label: str,
    record_ids: list[str],
    records: Sequence[LinkageRecord],
    rule: IdentifiableRule,
    status: str,
    out: Path,
) -> EncodeSummary:
    """Encode the records and write the encoded file."""
    of_status = [status == ANY_STATUS or r.status == status for r in records]
    encoded = encoder.encode(
        label,
        record_ids,
        features_frame(records),
        identifiable_records(records, rule),
        of_status,
    )
    write_encoded(encoded, schema, out)
    return EncodeSummary(
        out=str(out),
        label=label,
        schema=schema.label,
        fingerprint=schema.fingerprint,
        secret_check=check,
        records=len(records),
        row_ids=encoded.row_ids,
    )


def encode_file(
    path: Path,
    secret_path: Path,
    out: Path,
    *,
    label: str | None = None,
    profile_path: Path | None = None,
    schema_path: Path | None = None,
    rules_path: Path | None = None,
    status: str = "killed",
    map_out: Path | None = None,
    progress: Progress | None = None,
) -> EncodeSummary:
    """Encode the list in `path` (CSV, XLSX, JSON… as `marsad ingest` reads them) into `out`.

    Each record is marked identifiable or not under the rules of `rules_path` (default: the
    packaged rules), and of `status` or not, for the capture histories."""
    say = progress or (lambda _stage: None)
    schema = load_schema(schema_path)
    rule = load_rules(rules_path).identifiable
    encoder, check = _encoder(secret_path, schema)
    label = _label(label or path.stem)
    say(f"reading {path.name}")
    record_ids, records, rejected = read_list(path, label, profile_path)
    say(f"encoding {len(records):,} records")
    summary = _encode(encoder, check, schema, label, record_ids, records, rule, status, out)
    summary.rejected = len(rejected)
    summary.rejected_rows = rejected[:REJECTED_SHOWN]
    _write_map(map_out, summary, record_ids)
    return summary


def encode_source(
    engine: Engine,
    source: str,
    secret_path: Path,
    out: Path,
    *,
    label: str | None = None,
    schema_path: Path | None = None,
    status: str = "killed",
    map_out: Path | None = None,
    user: str = "cli",
) -> EncodeSummary:
    """Encode the records of a source already in the store; the read of its names is audited
    ("overlap.encode"). Counted records follow the store's identifiability rule."""
    schema = load_schema(schema_path)
    encoder, check = _encoder(secret_path, schema)
    label = _label(label or source)
    with engine.begin() as conn:
        if conn.scalar(select(Source.id).where(Source.name == source)) is None:
            raise OverlapError(f"no source named {source!r} in the store")
        records = record_rows(
            conn.execute(select_records().where(Source.name == source).order_by(Record.id))
        )
        rule = rules_in_force(conn).identifiable
        record_event(conn, user, "overlap.encode", f"source:{source}", {"records": len(records)})
    record_ids = [r.record_id for r in records]
    summary = _encode(encoder, check, schema, label, record_ids, records, rule, status, out)
    _write_map(map_out, summary, record_ids)
    return summary


def _label(label: str) -> str:
    label = label.strip()
    if not label or label == COUNT_COLUMN or any(c in label for c in ',"\r\n'):
        raise OverlapError(
            f"list label {label!r}: give a short name without commas or quotes, not "
            f"'{COUNT_COLUMN}' (it becomes the list's column in the histories)"
        )
    return label


def _write_map(map_out: Path | None, summary: EncodeSummary, record_ids: list[str]) -> None:
    """The party's own key from row ids back to its records, when asked for."""
    if map_out is not None:
        write_rows(map_out, ["row_id", "record_id"], zip(summary.row_ids, record_ids, strict=True))


# --- linkage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlapSummary:
    """What a linkage of encoded lists found."""

    lists: dict[str, int]
    persons: int
    pairs_compared: int
    machine_links: int
    refused_links: int
    histories: CaptureHistories
    schema: str
    fingerprint: str
    overlaps: dict[str, int]
    pairs_files: list[str]
    copies: dict[str, str]


def link_files(
    paths: Sequence[Path],
    out: Path,
    *,
    pairs_out: Path | None = None,
    schema_path: Path | None = None,
    copies: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> OverlapSummary:
    """Link encoded lists; write the histories, their provenance, and each party's units.

    `copies` maps a list to the list it copies (not an independent capture): in the histories
    written it is folded into that list, as `marsad estimate` folds a source declared with
    `--copies`; the overlaps reported are before folding."""
    say = progress or (lambda _stage: None)
    if len(paths) < 2:
        raise OverlapError("give at least two encoded lists to link")
    schema = load_schema(schema_path)
    encoded = []
    for path in paths:
        say(f"reading {path.name}")
        encoded.append(read_encoded(path, schema))
    labels = [e.label for e in encoded]
    if len(set(labels)) != len(labels):
        raise OverlapError(
            f"two files carry the same list label ({', '.join(labels)}); each party encodes "
            "with its own --list"
        )
    copies = dict(copies or {})
    for copy, original in copies.items():
        unknown = [name for name in (copy, original) if name not in labels]
        if unknown or copy == original:
            raise OverlapError(
                f"--copies {copy}={original}: give two different lists among {', '.join(labels)}"
            )
    combined = Combined.of(encoded, schema.blocking_rules)
    say(f"comparing {len(combined):,} records")
    scored = score_pairs(combined)
    say("clustering into persons")
    linked = cluster(combined, scored)
    histories = capture_histories(combined, linked)
    overlaps = pairwise_overlaps(histories)
    groups: dict[str, list[str]] = {}
    for copy, original in copies.items():
        groups.setdefault(original, [original]).append(copy)
    try:
        histories = merge_lists(histories, groups) if groups else histories
    except ValueError as error:
        raise OverlapError(f"--copies: {error}") from None
    write_rows(
        out,
        [*histories.lists, COUNT_COLUMN],
        ((*pattern, count) for pattern, count in histories.counts.items()),
    )
    summary = OverlapSummary(
        lists={e.label: len(e) for e in encoded},
        persons=len(linked.groups),
        pairs_compared=len(scored),
        machine_links=linked.machine_links,
        refused_links=linked.refused_links,
        histories=histories,
        schema=schema.label,
        fingerprint=schema.fingerprint,
        overlaps=overlaps,
        pairs_files=[],
        copies=copies,
    )
    _write_provenance(out, summary)
    if pairs_out is not None:
        try:
            pairs_out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OverlapError(f"{pairs_out}: cannot make the folder ({error.strerror})") from None
        units = party_units(combined, linked, [e.row_ids for e in encoded])
        for party in units:
            target = pairs_out / f"{party.label}.units.csv"
            write_rows(
                target,
                ["row_id", "unit_id", "shared"],
                zip(party.row_ids, party.unit_ids, (int(s) for s in party.shared), strict=True),
            )
            summary.pairs_files.append(str(target))
    return summary


def pairwise_overlaps(histories: CaptureHistories) -> dict[str, int]:
    """Persons on both lists, for every pair of lists ("A & B")."""
    lists = histories.lists
    out = {}
    for i in range(len(lists)):
        for j in range(i + 1, len(lists)):
            out[f"{lists[i]} & {lists[j]}"] = sum(
                count for pattern, count in histories.counts.items() if pattern[i] and pattern[j]
            )
    return out


# --- provenance read by the estimate ----------------------------------------------------------


def provenance_path(histories_path: Path) -> Path:
    return histories_path.with_name(histories_path.stem + PROVENANCE_SUFFIX)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_provenance(out: Path, summary: OverlapSummary) -> None:
    document = {
        "kind": "encoded-linkage",
        "histories_sha256": _sha256(out),
        "schema": summary.schema,
        "schema_fingerprint": summary.fingerprint,
        "lists": summary.lists,
        "persons": summary.persons,
        "pairs_compared": summary.pairs_compared,
        "machine_links": summary.machine_links,
        "copies": summary.copies,
        "made_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "made_by": "marsad overlap link",
    }
    target = provenance_path(out)
    try:
        target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise OverlapError(f"{target}: cannot write it ({error.strerror or error})") from None


def read_provenance(histories_path: Path) -> dict[str, Any] | None:
    """The provenance of a histories file made by `marsad overlap link`, or None when it has
    none. A provenance file that does not belong to this histories file (its SHA-256 differs:
    the table was edited or replaced) is an error rather than silently believed."""
    target = provenance_path(histories_path)
    if not target.exists():
        return None
    try:
        document = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OverlapError(f"{target}: not a readable provenance file ({error})") from None
    if not isinstance(document, dict) or document.get("kind") != "encoded-linkage":
        raise OverlapError(f"{target}: not a provenance file of `marsad overlap link`")
    if document.get("histories_sha256") != _sha256(histories_path):
        raise OverlapError(
            f"{target}: describes another version of {histories_path.name} (the table was "
            "changed after the linkage); remove one or the other"
        )
    return document
