"""Registrations that may be one human being: a person registered twice (two sites, two teams),
or registered alive after a casualty record says they were killed.

No second linker: members are read as linkage records (`RecordRow`: names in either script,
sex, age, place of origin) and scored by the same Splink model, plan and EM as casualty records
(`marsad.linkage.model.score`). Pairs the model links (`is_machine_match`) or is unsure of (from
the review threshold) are kept in `shelter_pairs` for reviewers; their decisions survive every
new run. A member linked to a record of a person killed, whose date of death (a full day) is
before the member's registration, is a conflict for review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, insert, select, update

from marsad.domain.records import RecordRow
from marsad.errors import Conflict, NotFound
from marsad.linkage import model as linkage_model
from marsad.linkage.features import features_frame
from marsad.services.audit import record_event
from marsad.services.link import linkage_records, splink_backend
from marsad.store.models import Record, Source, utcnow
from marsad.store.shelter_tables import ShelterMember, ShelterPair, ShelterSite

SHELTERED = "sheltered"
"""A member's status as linkage reads it."""
DECISIONS = ("same", "different")


@dataclass(frozen=True)
class PairsFound:
    """What one run proposed: pairs of registrations, and registrations matching a record."""

    members: int
    duplicates: int
    """Pairs of registrations the model links (at or above the match threshold)."""
    to_review: int
    """Pairs of registrations in the review band."""
    conflicts: int
    """Registrations after the date of death of a matching record of a person killed."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ShelterPairView:
    """One proposed pair, for reviewers: the registration, the other (registration or record),
    the probability, and the decision if any."""

    id: int
    member: str
    member_site: str
    registered_on: str
    other: str
    other_kind: str
    probability: float
    decision: str | None
    date_of_death: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def member_records(conn: Connection, *, status: str = SHELTERED) -> list[RecordRow]:
    """Every registration as a linkage record: its member id, its team as the list, the place
    of origin as the place; `status` is what the status comparison reads."""
    rows = conn.execute(
        select(ShelterMember, Source.name.label("source_name"))
        .join(Source, Source.id == ShelterMember.source_id)
        .order_by(ShelterMember.id)
    )
    out = []
    for m in rows:
        age_min, age_max = m.age_min, m.age_max
        if age_min is None and m.year_of_birth is not None:
            age_min = age_max = int(m.registered_on[:4]) - m.year_of_birth
        origin = m.origin_pcode if m.origin_pcode and m.origin_pcode.startswith("SY") else None
        out.append(
            RecordRow(
                id=int(m.id),
                source_id=int(m.source_id),
                source=m.source_name,
                record_id=m.registration_ref,
                name=m.name,
                name_first=m.name_first,
                name_father=m.name_father,
                name_grandfather=m.name_grandfather,
                name_family=m.name_family,
                name_mother=m.name_mother,
                sex=m.sex,
                age_min=age_min,
                age_max=age_max,
                date_of_death=None,
                governorate=None,
                district=None,
                locality=m.origin_locality,
                pcode=origin,
                pcode_adm1=origin[:4] if origin else None,
                status=status,
                civilian=None,
                cause=None,
                person_id=None,
            )
        )
    return out


def _score(
    records: list[RecordRow], linker: str, say: Callable[[str], None]
) -> list[tuple[int, int, float, bool]]:
    """(unique id, unique id, probability, machine match) of each pair from the review band up."""
    if len(records) < 2:
        return []
    frame = features_frame(records)
    with splink_backend(linker) as backend:
        scored = linkage_model.score(frame, backend, say)
    comparisons = scored.plan.comparisons
    return [
        (
            int(a),
            int(b),
            round(float(p), 12),
            linkage_model.is_machine_match(p, list(g), comparisons),
        )
        for a, b, p, g in zip(
            scored.pairs.unique_id_l,
            scored.pairs.unique_id_r,
            scored.pairs.match_probability,
            scored.pairs.gammas,
            strict=True,
        )
    ]


def find_pairs(
    engine: Engine, *, linker: str = "duckdb", say: Callable[[str], None] | None = None
) -> PairsFound:
    """Score every registration against every other, and against the casualty records of
    persons killed; replace the undecided proposals, keep the decided."""
    say = say or (lambda _message: None)
    with engine.connect() as conn:
        members = member_records(conn)
        killed = [r for r in linkage_records(conn) if r.status == "killed" and r.date_of_death]
        registered = {
            m.id: m for m in conn.execute(select(ShelterMember.id, ShelterMember.registered_on))
        }
    say(f"scoring {len(members):,} registrations against each other")
    duplicates = _score(members, linker, say)
    conflicts: list[tuple[int, int, float]] = []
    if killed and members:
        say(f"scoring them against {len(killed):,} records of persons killed")
        # Records keep their ids; members take negative ones, so the two never collide.
        # The status comparison must not tell a member from a record: both read "killed".
        as_killed = [replace(m, id=-m.id, status="killed") for m in members]
        dates = {r.id: r.date_of_death for r in killed}
        for a, b, p, machine in _score([*as_killed, *killed], linker, say):
            member, record = (-a, b) if a < 0 <= b else (-b, a) if b < 0 <= a else (0, 0)
            if not member or not machine:
                continue
            death = dates[record] or ""
            if len(death) == 10 and death < registered[member].registered_on:
                conflicts.append((member, record, p))
    with engine.begin() as conn:
        conn.execute(delete(ShelterPair).where(ShelterPair.decision.is_(None)))
        decided = {
            (r.member_id, r.other_member_id, r.record_id)
            for r in conn.execute(
                select(ShelterPair.member_id, ShelterPair.other_member_id, ShelterPair.record_id)
            )
        }
        rows = [
            {
                "member_id": min(a, b),
                "other_member_id": max(a, b),
                "record_id": None,
                "probability": p,
            }
            for a, b, p, _machine in duplicates
            if (min(a, b), max(a, b), None) not in decided
        ] + [
            {"member_id": m, "other_member_id": None, "record_id": r, "probability": p}
            for m, r, p in conflicts
            if (m, None, r) not in decided
        ]
        if rows:
            conn.execute(insert(ShelterPair), rows)
        found = PairsFound(
            members=len(members),
            duplicates=sum(1 for *_rest, machine in duplicates if machine),
            to_review=sum(1 for *_rest, machine in duplicates if not machine),
            conflicts=len(conflicts),
        )
        record_event(conn, "linker", "shelter.pairs", None, found.as_dict())
    return found


def list_pairs(
    conn: Connection, *, conflicts: bool = False, undecided: bool = True, limit: int = 100
) -> list[ShelterPairView]:
    """Proposed pairs of registrations (or, with `conflicts`, registrations matching a record
    of a person killed), most probable first."""
    member = ShelterMember.__table__.alias("member")
    other = ShelterMember.__table__.alias("other")
    site = ShelterSite.__table__.alias("site")
    query = (
        select(
            ShelterPair.id,
            member.c.registration_ref,
            site.c.site_ref,
            member.c.registered_on,
            other.c.registration_ref.label("other_ref"),
            Record.record_id.label("record_ref"),
            Record.date_of_death,
            ShelterPair.probability,
            ShelterPair.decision,
        )
        .join(member, member.c.id == ShelterPair.member_id)
        .join(site, site.c.id == member.c.site_id)
        .outerjoin(other, other.c.id == ShelterPair.other_member_id)
        .outerjoin(Record, Record.id == ShelterPair.record_id)
        .where(ShelterPair.record_id.is_not(None) if conflicts else ShelterPair.record_id.is_(None))
        .order_by(ShelterPair.probability.desc(), ShelterPair.id)
        .limit(limit)
    )
    if undecided:
        query = query.where(ShelterPair.decision.is_(None))
    return [
        ShelterPairView(
            id=int(r.id),
            member=r.registration_ref,
            member_site=r.site_ref,
            registered_on=r.registered_on,
            other=r.record_ref if conflicts else r.other_ref,
            other_kind="record" if conflicts else "registration",
            probability=float(r.probability),
            decision=r.decision,
            date_of_death=r.date_of_death,
        )
        for r in conn.execute(query)
    ]


def decide_pair(engine: Engine, pair_id: int, decision: str, user: str, note: str | None) -> None:
    """A reviewer's word on one pair ("same" or "different"), audited; it survives new runs."""
    if decision not in DECISIONS:
        raise Conflict(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
    with engine.begin() as conn:
        found = conn.scalar(select(ShelterPair.id).where(ShelterPair.id == pair_id))
        if found is None:
            raise NotFound(f"no proposed pair {pair_id}")
        conn.execute(
            update(ShelterPair)
            .where(and_(ShelterPair.id == pair_id))
            .values(decision=decision, decided_by=user, decided_at=utcnow(), note=note)
        )
        record_event(conn, user, "shelter.pair", f"pair:{pair_id}", {"decision": decision})
