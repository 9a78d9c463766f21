"""Consent scopes: how widely a reporter agreed their report may be shared.

Following ICMP's inquiry practice and the ICRC's Restoring Family Links code, the reporter
chooses: `internal` (the team only), `partners` (also partner organisations that trace, e.g.
the ICRC or a detainees' association) or `public` (also published, as the ICRC's Trace the
Face does: a photo placeholder, the sought person's name and the relationship, nothing else).
An audience is who a read is for; a case is readable by an audience its scope allows, and by
none once every report of it is withdrawn. The store's query layer
(`marsad.services.tracing_cases.readable_cases`) applies this and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from marsad.ingest.values import fold

CONSENT_SCOPES = ("internal", "partners", "public")
"""Narrowest first."""
AUDIENCES = CONSENT_SCOPES
"""Who a read is for: the team (`internal`), partner organisations, or the public."""

_WORDS = {
    fold(word): scope
    for scope, words in (
        ("internal", ("internal", "team", "داخلي", "داخلية", "الفريق فقط")),
        ("partners", ("partners", "partner", "الشركاء", "شركاء")),
        ("public", ("public", "عام", "علني", "عامة")),
    )
    for word in words
}


def parse_consent(value: str) -> str:
    """A consent scope in English or Arabic as one of CONSENT_SCOPES."""
    scope = _WORDS.get(fold(value))
    if scope is None:
        raise ValueError(f"not a consent scope (expected {' / '.join(CONSENT_SCOPES)})")
    return scope


def narrowest(scopes: Iterable[str]) -> str | None:
    """The scope of a case: the narrowest of its reports' (one relative's "internal" binds the
    case), None when it has no report left (every consent withdrawn)."""
    found = [CONSENT_SCOPES.index(s) for s in scopes]
    return CONSENT_SCOPES[min(found)] if found else None


def allows(scope: str | None, audience: str) -> bool:
    """Whether a case of `scope` may be read by, matched for or exported to `audience`."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}")
    return scope is not None and CONSENT_SCOPES.index(scope) >= AUDIENCES.index(audience)


def scopes_for(audience: str) -> tuple[str, ...]:
    """Every scope `audience` may read: the query layer's filter."""
    return tuple(s for s in CONSENT_SCOPES if allows(s, audience))


PUBLIC_FIELDS = ("case_id", "name", "relationship", "photo")
"""All that a public case shows outside the team: the sought person's name, the reporter's
relationship to them, and a photo placeholder (Trace the Face)."""
