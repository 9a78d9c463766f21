"""The encoding schema: what every party encodes, and how, so that encodings can be compared.

One YAML file (the default ships as `schema.yaml` beside this module) holds the filter
lengths, hash counts (the fields' weights), the q of the q-grams and the blocking rules. Its
fingerprint is written into every encoded file, so that encodings made under two schemas are
never compared.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from marsad.errors import InputError

NAME_PARTS = ("first", "father", "grandfather", "family", "mother")
COARSE_FIELDS = ("year", "month", "day", "governorate", "locality", "sex", "age")
BLOCKING_FIELDS = frozenset({*NAME_PARTS, "year", "month", "day", "governorate", "locality", "sex"})
MAX_HASHES = 32
"""Positions are read from one HMAC-SHA-512 digest: 32 positions of 16 bits."""


class SchemaError(InputError):
    """The schema file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Schema:
    """A loaded, checked encoding schema."""

    name: str
    version: int
    name_bits: int
    q: int
    name_hashes: dict[str, int]
    coarse_fields: tuple[str, ...]
    coarse_bits: int
    coarse_hashes: int
    age_band_years: int
    blocking_bits: int
    blocking_rules: tuple[tuple[str, ...], ...]

    @property
    def label(self) -> str:
        return f"{self.name}/{self.version}"

    def document(self) -> dict[str, Any]:
        """The schema as plain data, in the file's layout."""
        return {
            "name": self.name,
            "version": self.version,
            "names": {"filter_bits": self.name_bits, "q": self.q, "hashes": self.name_hashes},
            "coarse": {
                "fields": list(self.coarse_fields),
                "filter_bits": self.coarse_bits,
                "hashes": self.coarse_hashes,
                "age_band_years": self.age_band_years,
            },
            "blocking": {
                "bits": self.blocking_bits,
                "rules": [list(rule) for rule in self.blocking_rules],
            },
        }

    @property
    def fingerprint(self) -> str:
        """16 hex digits of SHA-256 over the canonical JSON of the schema: equal schemas,
        equal fingerprints, whatever the file's layout or comments."""
        canonical = json.dumps(self.document(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def default_schema_text() -> str:
    return resources.files("marsad.overlap").joinpath("schema.yaml").read_text(encoding="utf-8")


def load_schema(path: Path | None = None) -> Schema:
    """The schema in `path`, or the default one shipped with Marsad."""
    where = str(path) if path is not None else "the default schema"
    try:
        text = path.read_text(encoding="utf-8") if path is not None else default_schema_text()
    except OSError as error:
        raise SchemaError(f"{where}: cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise SchemaError(f"{where}: not UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise SchemaError(f"{where}: not YAML ({error})") from None
    return parse_schema(data, where)


def _section(data: Any, key: str, where: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise SchemaError(f"{where}: '{key}' must be a mapping")
    return value


def _integer(data: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise SchemaError(f"{where}: '{key}' must be a whole number from {low} to {high}")
    return value


def _power_of_two(data: dict[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = _integer(data, key, where, low, high)
    if value & (value - 1) or value % 64:
        raise SchemaError(f"{where}: '{key}' must be a power of two, a multiple of 64")
    return value


def parse_schema(data: Any, where: str = "schema") -> Schema:
    """Check a schema document; every error names the key that is wrong."""
    if not isinstance(data, dict):
        raise SchemaError(f"{where}: expected a mapping with name, version, names, coarse…")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SchemaError(f"{where}: 'name' must be a non-empty text")
    version = _integer(data, "version", where, 1, 1_000_000)
    names = _section(data, "names", where)
    hashes = names.get("hashes")
    if not isinstance(hashes, dict) or set(hashes) - set(NAME_PARTS) or not hashes:
        raise SchemaError(f"{where}: 'names.hashes' must map some of {', '.join(NAME_PARTS)}")
    name_hashes = {
        part: _integer(hashes, part, f"{where}: names.hashes", 1, MAX_HASHES)
        for part in NAME_PARTS
        if part in hashes
    }
    coarse = _section(data, "coarse", where)
    fields = coarse.get("fields")
    if (
        not isinstance(fields, list)
        or any(f not in COARSE_FIELDS for f in fields)
        or len(set(fields)) != len(fields)
    ):
        raise SchemaError(
            f"{where}: 'coarse.fields' must list some of {', '.join(COARSE_FIELDS)}, once each"
        )
    blocking = _section(data, "blocking", where)
    rules = blocking.get("rules")
    if not isinstance(rules, list) or not rules:
        raise SchemaError(f"{where}: 'blocking.rules' must be a list of lists of fields")
    parsed_rules = []
    for number, rule in enumerate(rules, start=1):
        if (
            not isinstance(rule, list)
            or not rule
            or any(field not in BLOCKING_FIELDS for field in rule)
        ):
            raise SchemaError(
                f"{where}: blocking rule {number} must list fields among "
                f"{', '.join(sorted(BLOCKING_FIELDS))}"
            )
        parsed_rules.append(tuple(rule))
    return Schema(
        name=name.strip(),
        version=version,
        name_bits=_power_of_two(names, "filter_bits", f"{where}: names", 64, 65_536),
        q=_integer(names, "q", f"{where}: names", 1, 4),
        name_hashes=name_hashes,
        coarse_fields=tuple(fields),
        coarse_bits=_power_of_two(coarse, "filter_bits", f"{where}: coarse", 64, 64),
        coarse_hashes=_integer(coarse, "hashes", f"{where}: coarse", 1, 16),
        age_band_years=_integer(coarse, "age_band_years", f"{where}: coarse", 1, 50),
        blocking_bits=_integer(blocking, "bits", f"{where}: blocking", 8, 64),
        blocking_rules=tuple(parsed_rules),
    )
