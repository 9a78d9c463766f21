"""Group records into persons: machine links rebuilt on every run, human decisions kept.

Re-running on the same records and decisions gives the same persons; persons whose records
did not change keep their ids (see `assign_person_ids`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, bindparam, delete, func, insert, select, update

from marsad.linkage.clusters import Clusters, assign_person_ids
from marsad.linkage.deterministic import RULE, LinkableRecord, rule_links
from marsad.store.models import LinkDecision, Person, Record

LINKER = "marsad link"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LinkSummary:
    records: int
    persons: int
    rule_links: int
    human_matches: int
    human_non_matches: int
    refused_links: int
    persons_kept: int
    persons_new: int
    rule: str = RULE


def link(engine: Engine, progress: Progress | None = None) -> LinkSummary:
    """Re-link every record into persons, in one transaction."""
    say = progress or (lambda _stage: None)
    with engine.begin() as conn:
        say("reading records")
        rows = conn.execute(
            select(
                Record.id,
                Record.name,
                Record.name_first,
                Record.name_father,
                Record.name_family,
                Record.date_of_death,
                Record.pcode_adm1,
                Record.person_id,
            ).order_by(Record.id)
        ).all()
        previous = {row.id: row.person_id for row in rows}
        records = [
            LinkableRecord(
                row.id,
                row.name,
                row.name_first,
                row.name_father,
                row.name_family,
                row.date_of_death,
                row.pcode_adm1,
            )
            for row in rows
        ]
        say("applying reviewers' decisions")
        clusters = Clusters(previous)
        human = conn.execute(
            select(LinkDecision.record_a_id, LinkDecision.record_b_id, LinkDecision.decision)
            .where(LinkDecision.kind == "human")
            .order_by(LinkDecision.decided_at, LinkDecision.id)
        ).all()
        latest = {frozenset((h.record_a_id, h.record_b_id)): h.decision for h in human}
        matches = [tuple(sorted(pair)) for pair, d in latest.items() if d == "match"]
        non_matches = [tuple(sorted(pair)) for pair, d in latest.items() if d == "non_match"]
        for a, b in matches:
            clusters.join(a, b)
        for a, b in non_matches:
            if clusters.find(a) != clusters.find(b):
                clusters.keep_apart(a, b)
        say("linking by rule")
        links = rule_links(records)
        accepted = [(a, b) for a, b in links if clusters.join(a, b)]
        say("assigning persons")
        next_id = (conn.scalar(select(func.max(Person.id))) or 0) + 1
        assignment, next_id = assign_person_ids(clusters.groups(), previous, next_id)
        used = set(assignment.values())
        existing = set(conn.scalars(select(Person.id)))
        new_ids = sorted(used - existing)
        if new_ids:
            conn.execute(insert(Person), [{"id": pid} for pid in new_ids])
        changed = [
            {"rid": rid, "pid": pid} for rid, pid in assignment.items() if previous[rid] != pid
        ]
        if changed:
            conn.execute(
                update(Record)
                .where(Record.id == bindparam("rid"))
                .values(person_id=bindparam("pid")),
                changed,
            )
        stale = existing - used
        if stale:
            stale_ids = sorted(stale)
            for start in range(0, len(stale_ids), 500):
                conn.execute(delete(Person).where(Person.id.in_(stale_ids[start : start + 500])))
        say("recording link decisions")
        conn.execute(delete(LinkDecision).where(LinkDecision.kind != "human"))
        if accepted:
            conn.execute(
                insert(LinkDecision),
                [
                    {
                        "record_a_id": a,
                        "record_b_id": b,
                        "kind": "rule",
                        "decision": "match",
                        "rule": RULE,
                        "decided_by": LINKER,
                    }
                    for a, b in accepted
                ],
            )
    return LinkSummary(
        records=len(records),
        persons=len(used),
        rule_links=len(accepted),
        human_matches=len(matches),
        human_non_matches=len(non_matches),
        refused_links=len(links) - len(accepted),
        persons_kept=len(used & existing),
        persons_new=len(new_ids),
    )
