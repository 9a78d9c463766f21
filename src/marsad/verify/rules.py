"""Verification status of a person by explicit rules read from YAML (docs/methodology.md).

The statuses follow Every Casualty's *Standards for Casualty Recording* and UN practice:
reported (at least one source), corroborated (enough independent sources), verified
(identified, dated, placed, and corroborated or confirmed by a reviewer). HRDAG's *documented*
standard (full name, date and place of death) is reported beside the status. The thresholds
live in a YAML file (default_rules.yaml) so that an organisation can change them without code,
and every status carries the rule that fired, the records it rests on and plain reasons, which
never contain a name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from marsad.domain.strict_yaml import StrictLoader
from marsad.errors import InputError
from marsad.verify.evidence import (
    DATE_PRECISIONS,
    PLACE_LEVELS,
    RecordEvidence,
    date_precision,
    place_precision,
)
from marsad.verify.identifiable import IdentifiableRule
from marsad.verify.reasons import english

STATUSES = ("reported", "corroborated", "verified")
SET_FIELDS = ("name_first", "name_father", "name_grandfather", "name_family", "sex", "age")
"""Fields that may appear in the `identified` and `documented.full_name` field sets."""
REQUIREMENTS = ("identified", "dated", "placed", "corroborated")
"""Conditions `verified.requires` may list."""

_DEFAULT_SOURCE = "marsad/verify/default_rules.yaml"
_TOP_KEYS = (
    "version",
    "identified",
    "date_precision",
    "place_level",
    "corroborated",
    "verified",
    "documented",
)
_OPTIONAL_KEYS = ("identifiable",)
"""Sections added after version 1 was fixed: absent, they take their defaults, so rules set in
a store before they existed still read."""


class RulesError(InputError):
    """A rules file that cannot be read or breaks the format; the message names file and key."""


FieldSets = tuple[tuple[str, ...], ...]
_Fail = Callable[[str, str], RulesError]


@dataclass(frozen=True)
class VerificationRules:
    """Parsed verification rules, with the YAML text and its SHA-256 for release manifests."""

    identified: FieldSets
    date_precision: str
    place_level: str
    min_independent_sources: int
    verified_requires: tuple[str, ...]
    reviewer_confirmation: bool
    documented_full_name: FieldSets
    documented_date_precision: str
    documented_place_level: str
    source: str
    text: str
    sha256: str
    identifiable: IdentifiableRule = field(default_factory=IdentifiableRule)


def load_rules(path: Path | None = None) -> VerificationRules:
    """Read and check a rules file; None reads the packaged defaults (default_rules.yaml)."""
    if path is None:
        resource = resources.files("marsad.verify").joinpath("default_rules.yaml")
        return parse_rules(resource.read_text(encoding="utf-8"), _DEFAULT_SOURCE)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read rules: {exc}") from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, source: str = "<rules>") -> VerificationRules:
    """Parse and strictly check rules YAML; RulesError names `source` and the offending key."""

    def fail(key: str, reason: str) -> RulesError:
        return RulesError(f"{source}: {key}: {reason}")

    try:
        data = yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as exc:
        raise RulesError(f"{source}: not valid YAML: {exc}") from exc
    top = _mapping(data, "(top level)", _TOP_KEYS, fail, optional=_OPTIONAL_KEYS)
    if top["version"] != 1 or isinstance(top["version"], bool):
        raise fail("version", f"unsupported version {top['version']!r} (expected 1)")
    corroborated = _mapping(top["corroborated"], "corroborated", ("min_independent_sources",), fail)
    minimum = corroborated["min_independent_sources"]
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
        raise fail("corroborated.min_independent_sources", "expected a whole number, 1 or more")
    verified = _mapping(top["verified"], "verified", ("requires", "reviewer_confirmation"), fail)
    requires = _names(verified["requires"], "verified.requires", REQUIREMENTS, fail)
    if not isinstance(verified["reviewer_confirmation"], bool):
        raise fail("verified.reviewer_confirmation", "expected true or false")
    documented = _mapping(
        top["documented"], "documented", ("full_name", "date_precision", "place_level"), fail
    )
    return VerificationRules(
        identified=_field_sets(top["identified"], "identified", fail),
        date_precision=_choice(top["date_precision"], "date_precision", DATE_PRECISIONS, fail),
        place_level=_choice(top["place_level"], "place_level", PLACE_LEVELS, fail),
        min_independent_sources=minimum,
        verified_requires=requires,
        reviewer_confirmation=verified["reviewer_confirmation"],
        documented_full_name=_field_sets(documented["full_name"], "documented.full_name", fail),
        documented_date_precision=_choice(
            documented["date_precision"], "documented.date_precision", DATE_PRECISIONS, fail
        ),
        documented_place_level=_choice(
            documented["place_level"], "documented.place_level", PLACE_LEVELS, fail
        ),
        source=source,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        identifiable=(
            _identifiable(top["identifiable"], fail)
            if "identifiable" in top
            else IdentifiableRule()
        ),
    )


def _identifiable(value: Any, fail: _Fail) -> IdentifiableRule:
    """The `identifiable:` section (what a record needs to enter capture histories)."""
    section = _mapping(
        value, "identifiable", ("min_name_parts", "date_precision", "place_level"), fail
    )
    parts = section["min_name_parts"]
    if not isinstance(parts, int) or isinstance(parts, bool) or not 0 <= parts <= 4:
        raise fail("identifiable.min_name_parts", "expected a whole number from 0 to 4")
    return IdentifiableRule(
        min_name_parts=parts,
        date_precision=_choice(
            section["date_precision"], "identifiable.date_precision", DATE_PRECISIONS, fail
        ),
        place_level=_choice(section["place_level"], "identifiable.place_level", PLACE_LEVELS, fail),
    )


@dataclass(frozen=True)
class Verification:
    """A person's status, the rule that fired, the records it rests on, and why."""

    status: str
    rule: str
    records: tuple[int, ...]
    reasons: tuple[str, ...]
    documented: bool
    documented_missing: tuple[str, ...]


def verify_person(
    records: Sequence[RecordEvidence],
    rules: VerificationRules,
    *,
    confirmed_note: str | None = None,
    override: tuple[str, str, str] | None = None,
) -> Verification:
    """The verification status of one person from all their records.

    `confirmed_note`: a reviewer confirmed the person with this note; it counts instead of
    corroboration for verified when the rules allow. `override`: (status, reason, user) set by
    a reviewer by hand; it wins, and the reasons say what the rules would have given.
    """
    if not records:
        raise ValueError("a person has at least one record")
    facts = _Facts(records)
    documented_missing = _documented_missing(facts, rules)
    if override is not None:
        status, reason, user = override
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
        by_rules = _by_rules(facts, rules, confirmed_note)
        return Verification(
            status=status,
            rule=f"reviewer: set by {user}",
            records=facts.all_ids,
            reasons=(
                english("set_by_reviewer", user=user, reason=reason),
                english("rules_alone", status=by_rules.status, rule=by_rules.rule),
            ),
            documented=not documented_missing,
            documented_missing=documented_missing,
        )
    found = _by_rules(facts, rules, confirmed_note)
    return Verification(
        status=found.status,
        rule=found.rule,
        records=found.records,
        reasons=found.reasons,
        documented=not documented_missing,
        documented_missing=documented_missing,
    )


@dataclass(frozen=True, slots=True)
class _Check:
    """One condition: whether it holds, the records it rests on, and a sentence either way."""

    ok: bool
    records: tuple[int, ...]
    reason: str


class _Facts:
    """What a person's records hold, gathered in one pass: which records give which field."""

    __slots__ = ("all_ids", "dates", "has", "lists", "places", "sources")

    def __init__(self, records: Sequence[RecordEvidence]) -> None:
        has: dict[str, list[int]] = {f: [] for f in SET_FIELDS}
        lists: dict[str, list[int]] = {}
        dates: list[tuple[int, int]] = []
        places: list[tuple[int, int]] = []
        for r in sorted(records, key=lambda r: r.record_id):
            rid = r.record_id
            if r.name_first:
                has["name_first"].append(rid)
            if r.name_father:
                has["name_father"].append(rid)
            if r.name_grandfather:
                has["name_grandfather"].append(rid)
            if r.name_family:
                has["name_family"].append(rid)
            if r.sex:
                has["sex"].append(rid)
            if r.age_min is not None and r.age_max is not None:
                has["age"].append(rid)
            if r.date_of_death:
                dates.append((date_precision(r.date_of_death), rid))
            level = place_precision(r.pcode, r.governorate)
            if level:
                places.append((level, rid))
            lists.setdefault(r.independent_list, []).append(rid)
        self.all_ids = tuple(sorted(r.record_id for r in records))
        self.sources = {r.source for r in records}
        self.has = has
        self.lists = lists
        self.dates = dates
        self.places = places

    def field_set(self, sets: FieldSets) -> tuple[tuple[str, ...] | None, tuple[int, ...]]:
        """The first field set fully present, with the records giving its fields."""
        for fields in sets:
            if all(self.has[f] for f in fields):
                return fields, tuple(sorted({rid for f in fields for rid in self.has[f]}))
        return None, ()


def _identified(facts: _Facts, sets: FieldSets) -> _Check:
    fields, ids = facts.field_set(sets)
    if fields is None:
        return _Check(False, (), english("not_identified", options=sets))
    return _Check(True, ids, english("identified", fields=fields, ids=ids))


def _dated(facts: _Facts, precision: str) -> _Check:
    need = DATE_PRECISIONS.index(precision) + 1
    ids = tuple(rid for level, rid in facts.dates if level >= need)
    if ids:
        return _Check(True, ids, english("dated", precision=precision, ids=ids))
    if not facts.dates:
        return _Check(False, (), english("undated"))
    best = max(level for level, _ in facts.dates)
    best_ids = tuple(rid for level, rid in facts.dates if level == best)
    coarse = english(
        "dated_coarsely",
        precision=precision,
        best_precision=DATE_PRECISIONS[best - 1],
        ids=best_ids,
    )
    return _Check(False, (), coarse)


def _placed(facts: _Facts, level_name: str) -> _Check:
    need = PLACE_LEVELS.index(level_name) + 1
    ids = tuple(rid for level, rid in facts.places if level >= need)
    if ids:
        return _Check(True, ids, english("placed", level=level_name, ids=ids))
    if not facts.places:
        return _Check(False, (), english("unplaced"))
    best = max(level for level, _ in facts.places)
    best_ids = tuple(rid for level, rid in facts.places if level == best)
    coarse = english(
        "placed_coarsely", level=level_name, best_level=PLACE_LEVELS[best - 1], ids=best_ids
    )
    return _Check(False, (), coarse)


def _corroborated(facts: _Facts, minimum: int) -> _Check:
    firsts = tuple(sorted(ids[0] for ids in facts.lists.values()))
    n = len(firsts)
    if n >= minimum:
        return _Check(True, firsts, english("corroborated", independent=n, ids=firsts))
    why_not = english("not_corroborated", independent=n, ids=firsts, needed=minimum)
    return _Check(False, (), why_not)


@dataclass(frozen=True, slots=True)
class _Found:
    status: str
    rule: str
    records: tuple[int, ...]
    reasons: tuple[str, ...]


def _by_rules(facts: _Facts, rules: VerificationRules, confirmed_note: str | None) -> _Found:
    corroborated = _corroborated(facts, rules.min_independent_sources)
    checks: list[tuple[str, _Check]] = []
    for requirement in rules.verified_requires:
        if requirement == "identified":
            checks.append(("identified", _identified(facts, rules.identified)))
        elif requirement == "dated":
            checks.append(("dated", _dated(facts, rules.date_precision)))
        elif requirement == "placed":
            checks.append(("placed", _placed(facts, rules.place_level)))
        elif corroborated.ok:
            checks.append(("corroborated", corroborated))
        elif confirmed_note is not None and rules.reviewer_confirmation:
            confirmed = _Check(True, (), english("confirmed", note=confirmed_note))
            checks.append(("confirmed by reviewer", confirmed))
        else:
            checks.append(("corroborated", corroborated))
    failed = [check.reason for _, check in checks if not check.ok]
    if not failed:
        ids = tuple(sorted({rid for _, check in checks for rid in check.records}))
        return _Found(
            "verified",
            "verified: " + ", ".join(label for label, _ in checks),
            ids,
            tuple(check.reason for _, check in checks),
        )
    why_not_verified = failed
    if confirmed_note is not None and not rules.reviewer_confirmation:
        why_not_verified.append(english("confirmation_refused"))
    if corroborated.ok:
        return _Found(
            "corroborated",
            f"corroborated: at least {rules.min_independent_sources} independent sources",
            corroborated.records,
            (corroborated.reason, *why_not_verified),
        )
    reported = english(
        "reported", records=len(facts.all_ids), sources=len(facts.sources), ids=facts.all_ids
    )
    reasons = [reported, corroborated.reason]
    if confirmed_note is not None or "corroborated" not in rules.verified_requires:
        # Verified may be the next step up without corroboration: say what it lacks too.
        reasons += [r for r in why_not_verified if r != corroborated.reason]
    return _Found("reported", "reported: at least one source", facts.all_ids, tuple(reasons))


def _documented_missing(facts: _Facts, rules: VerificationRules) -> tuple[str, ...]:
    missing = []
    if not any(all(facts.has[f] for f in fields) for fields in rules.documented_full_name):
        missing.append("full name")
    need = DATE_PRECISIONS.index(rules.documented_date_precision) + 1
    if not any(level >= need for level, _ in facts.dates):
        missing.append("date of death")
    need = PLACE_LEVELS.index(rules.documented_place_level) + 1
    if not any(level >= need for level, _ in facts.places):
        missing.append("place of death")
    return tuple(missing)


def _mapping(
    value: Any,
    key: str,
    expected: Sequence[str],
    fail: _Fail,
    optional: Sequence[str] = (),
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(key, f"expected a mapping with keys {', '.join(expected)}")
    prefix = "" if key == "(top level)" else f"{key}."
    known = (*expected, *optional)
    for name in value:
        if name not in known:
            raise fail(f"{prefix}{name}", f"unknown key (expected one of {', '.join(known)})")
    for name in expected:
        if name not in value:
            raise fail(f"{prefix}{name}", "missing")
    return value


def _choice(value: Any, key: str, allowed: Sequence[str], fail: _Fail) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise fail(key, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _names(value: Any, key: str, allowed: Sequence[str], fail: _Fail) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise fail(key, f"expected a non-empty list of {', '.join(allowed)}")
    names = tuple(_choice(item, key, allowed, fail) for item in value)
    if len(set(names)) != len(names):
        raise fail(key, "a name is listed twice")
    return names


def _field_sets(value: Any, key: str, fail: _Fail) -> FieldSets:
    if not isinstance(value, list) or not value:
        raise fail(key, "expected a non-empty list of field sets, e.g. [name_first, name_family]")
    return tuple(_names(item, f"{key}[{i}]", SET_FIELDS, fail) for i, item in enumerate(value))
