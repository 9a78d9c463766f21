"""Keyed Bloom-filter encodings of records (Schnell, Bachteler & Reiher 2009).

Every name part's cross-script key (`marsad.names.name_key`, so "محمد" and "Mouhammad" encode
alike) is cut into q-grams, with the q-grams of the key without its vowels as a variant (an
Arabic spelling leaves short vowels out), and each q-gram, tagged with its part, sets
`hashes` bits of the record's names filter. The bit positions come from HMAC-SHA-512 under a
key derived from the parties' shared secret ("random hashing": no double-hashing pattern to
exploit), so whoever lacks the secret cannot encode a guessed name to test it. The other
fields (year, month and day of death, governorate, locality, sex, age band) are encoded the
same way, each into a 64-bit filter; blocking tokens are keyed hashes of the blocking rules'
keys, cut short so that unrelated names share them.

Pure: feature frames in, arrays out. Reading lists and writing files is
`marsad.services.overlap`'s.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from marsad.linkage.features import consonants
from marsad.overlap.schema import COARSE_FIELDS, NAME_PARTS, Schema

MIN_SECRET_BYTES = 16
"""A shorter secret could be found by trying every value against a guessed name's encoding."""
CHUNK = 65_536
"""Records whose filters are built at once (a bit matrix of CHUNK x filter bits bytes)."""

Words = npt.NDArray[np.uint64]

_FEATURE_COLUMNS = {part: f"{part}_key" for part in NAME_PARTS}
_COARSE_COLUMNS = {
    "year": "dod_year",
    "month": "dod_month",
    "day": "dod",
    "governorate": "adm1",
    "locality": "locality_key",
    "sex": "sex",
}
_BLOCKING_COLUMNS = {**_FEATURE_COLUMNS, **_COARSE_COLUMNS}


@dataclass(frozen=True)
class EncodedList:
    """One party's list as the linkage unit sees it: opaque row ids and encodings only.

    `parts` is each record's mask of the name parts it has (bit i for NAME_PARTS[i]),
    `names` its names filter as 64-bit words, `coarse` one 64-bit filter per COARSE_FIELDS
    (0 when the field is unknown), `blocks` one token per blocking rule (-1 when a field of
    the rule is unknown). As `marsad estimate` builds capture histories: `identifiable` whether
    the record may put its list in its person's history, `of_status` whether it is of the
    status estimated (a person is estimated when one of its records is).
    """

    label: str
    fingerprint: str
    row_ids: list[str]
    parts: npt.NDArray[np.uint8]
    names: Words
    coarse: Words
    blocks: npt.NDArray[np.int64]
    identifiable: npt.NDArray[np.bool_]
    of_status: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.row_ids)


def qgrams(text: str, q: int) -> list[str]:
    """The q-grams of `text` padded with q - 1 underscores on each side (keys are ASCII
    letters, so the padding cannot be confused with a letter)."""
    padded = "_" * (q - 1) + text + "_" * (q - 1)
    return [padded[i : i + q] for i in range(len(padded) - q + 1)]


def _derived(secret: bytes, purpose: str) -> bytes:
    """One key per purpose, so that no two uses of the secret share a hash."""
    return hmac.digest(secret, b"marsad-overlap/" + purpose.encode(), "sha256")


class Encoder:
    """Encodes feature frames (`marsad.linkage.features.features_frame`) under one schema and
    one secret; positions and tokens of repeated values are computed once."""

    def __init__(self, schema: Schema, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(
                f"the secret is {len(secret)} bytes; it must be at least {MIN_SECRET_BYTES} "
                "(make one with `marsad overlap secret`)"
            )
        self.schema = schema
        self._names_key = _derived(secret, "names")
        self._coarse_key = _derived(secret, "coarse")
        self._blocking_key = _derived(secret, "blocking")
        self._row_key = _derived(secret, "rows")
        self._part_positions = lru_cache(maxsize=1_048_576)(self._positions_of_part)
        self._coarse_word = lru_cache(maxsize=65_536)(self._word_of_token)
        self._token = lru_cache(maxsize=1_048_576)(self._token_of_values)

    def _positions(self, key: bytes, feature: str, hashes: int, bits: int) -> list[int]:
        digest = hmac.digest(key, feature.encode(), "sha512")
        values = np.frombuffer(digest, dtype="<u2")[:hashes]
        return [int(v) & (bits - 1) for v in values]

    def _positions_of_part(self, part: str, key: str) -> tuple[int, ...]:
        schema = self.schema
        hashes = schema.name_hashes.get(part)
        if hashes is None:
            return ()
        features = [f"{part}:k:{g}" for g in qgrams(key, schema.q)]
        skeleton = consonants(key)
        if skeleton:
            features += [f"{part}:c:{g}" for g in qgrams(skeleton, schema.q)]
        out: set[int] = set()
        for feature in features:
            out.update(self._positions(self._names_key, feature, hashes, schema.name_bits))
        return tuple(sorted(out))

    def _word_of_token(self, token: str) -> int:
        word = 0
        for position in self._positions(
            self._coarse_key, token, self.schema.coarse_hashes, self.schema.coarse_bits
        ):
            word |= 1 << position
        return word

    def _token_of_values(self, rule: int, values: tuple[str, ...]) -> int:
        message = "\x1f".join((str(rule), *values)).encode()
        digest = hmac.digest(self._blocking_key, message, "sha256")
        return int.from_bytes(digest[:8], "big") >> (64 - self.schema.blocking_bits)

    def row_ids(self, label: str, record_ids: Sequence[str]) -> list[str]:
        """Opaque, stable row ids: a keyed hash of the list's label, the record id and how
        many times that id came before in the list (so repeated ids stay distinct)."""
        seen: dict[str, int] = {}
        out = []
        for record_id in record_ids:
            repeat = seen.get(record_id, 0)
            seen[record_id] = repeat + 1
            message = "\x1f".join((label, record_id, str(repeat))).encode()
            out.append(hmac.digest(self._row_key, message, "sha256")[:8].hex())
        return out

    def encode(
        self,
        label: str,
        record_ids: Sequence[str],
        frame: pd.DataFrame,
        identifiable: Sequence[bool],
        of_status: Sequence[bool],
    ) -> EncodedList:
        """Encode the records of `frame` (one row per record id, in order)."""
        if not len(record_ids) == len(frame) == len(identifiable) == len(of_status):
            raise ValueError("one record id and one of each flag per row of the frame")
        keys = {part: _texts(frame[column]) for part, column in _FEATURE_COLUMNS.items()}
        parts = np.zeros(len(frame), dtype=np.uint8)
        for bit, part in enumerate(NAME_PARTS):
            parts |= np.array([k is not None for k in keys[part]], dtype=np.uint8) << bit
        names = self._names(keys, len(frame))
        return EncodedList(
            label=label,
            fingerprint=self.schema.fingerprint,
            row_ids=self.row_ids(label, record_ids),
            parts=parts,
            names=names,
            coarse=self._coarse(frame),
            blocks=self._blocks(frame),
            identifiable=np.array(identifiable, dtype=bool),
            of_status=np.array(of_status, dtype=bool),
        )

    def _names(self, keys: dict[str, list[str | None]], count: int) -> Words:
        bits = self.schema.name_bits
        out = np.zeros((count, bits // 64), dtype=np.uint64)
        for start in range(0, count, CHUNK):
            stop = min(start + CHUNK, count)
            rows: list[int] = []
            columns: list[int] = []
            for part in NAME_PARTS:
                for offset, key in enumerate(keys[part][start:stop]):
                    if key is not None:
                        positions = self._part_positions(part, key)
                        columns.extend(positions)
                        rows.extend([offset] * len(positions))
            matrix = np.zeros((stop - start, bits), dtype=bool)
            matrix[np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64)] = True
            packed = np.packbits(matrix, axis=1, bitorder="little")
            out[start:stop] = packed.view("<u8")
        return out

    def _coarse(self, frame: pd.DataFrame) -> Words:
        out = np.zeros((len(frame), len(COARSE_FIELDS)), dtype=np.uint64)
        for j, field in enumerate(COARSE_FIELDS):
            if field not in self.schema.coarse_fields:
                continue
            tokens = _coarse_tokens(frame, field, self.schema.age_band_years)
            out[:, j] = [
                _or_words(self._coarse_word(f"{field}:{t}") for t in row) for row in tokens
            ]
        return out

    def _blocks(self, frame: pd.DataFrame) -> npt.NDArray[np.int64]:
        rules = self.schema.blocking_rules
        out = np.full((len(frame), len(rules)), -1, dtype=np.int64)
        for j, rule in enumerate(rules):
            columns = [_texts(frame[_BLOCKING_COLUMNS[field]]) for field in rule]
            out[:, j] = [
                -1 if None in values else self._token(j, values)
                for values in zip(*columns, strict=True)
            ]
        return out


def _texts(column: pd.Series[Any]) -> list[str | None]:
    return [None if v is None or v is pd.NA or v != v or v == "" else str(v) for v in column]


def _or_words(words: Any) -> int:
    out = 0
    for word in words:
        out |= word
    return out


def age_band_tokens(age_min: int | None, age_max: int | None, width: int) -> tuple[str, ...]:
    """The band of an age known within one band's width, and the bands on either side; none
    for an unknown or wide age ("adult")."""
    if age_min is None or age_max is None or age_max - age_min > width:
        return ()
    band = (age_min + age_max) // 2 // width
    return tuple(str(b) for b in (band - 1, band, band + 1) if b >= 0)


def _coarse_tokens(frame: pd.DataFrame, field: str, width: int) -> list[tuple[str, ...]]:
    if field == "age":
        return [
            age_band_tokens(
                None if lo is pd.NA else int(lo), None if hi is pd.NA else int(hi), width
            )
            for lo, hi in zip(frame["age_min"], frame["age_max"], strict=True)
        ]
    if field == "day":
        return [
            () if day is pd.NA else tuple(str(int(day) + shift) for shift in (-1, 0, 1))
            for day in frame["dod_day_number"]
        ]
    return [() if v is None else (v,) for v in _texts(frame[_COARSE_COLUMNS[field]])]


def secret_digest(secret: bytes) -> str:
    """A short fingerprint of the secret, for parties to check they hold the same one
    (never written into encoded files)."""
    return hashlib.sha256(b"marsad-overlap/check/" + secret).hexdigest()[:8]
