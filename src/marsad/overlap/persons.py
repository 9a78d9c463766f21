"""Persons from scored encoded pairs, with the clustering rules of `marsad link`, and what each
party may learn of them: the capture-history table, and its own rows' linkage units.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

import numpy as np

from marsad.domain.estimates import CaptureHistories
from marsad.estimate.histories import histories_from_patterns
from marsad.linkage.clusters import cluster_records
from marsad.overlap.compare import Combined, ScoredPairs

LINK_THRESHOLD = 0.7
"""Pairs at or above this match probability are joined. Lower than `marsad link`'s 0.8: the
encodings carry less than the plaintext does, so the model's probabilities are less sharp;
0.7 gave overlap counts closest to plaintext `marsad link` on the calibration scenario
(CHANGELOG.md, "Encoded linkage between organisations")."""


@dataclass(frozen=True)
class Linked:
    """Each record's person (an index into `groups`), the groups, and the counts behind them."""

    person_of: np.ndarray
    groups: list[list[int]]
    machine_links: int
    refused_links: int


def cluster(combined: Combined, scored: ScoredPairs) -> Linked:
    """Join pairs at or above LINK_THRESHOLD, most probable first, keeping one list's records
    apart unless linked to each other directly (`Clusters.machine_join`, as `marsad link`)."""
    linked = scored.probability >= LINK_THRESHOLD
    links = zip(scored.a[linked].tolist(), scored.b[linked].tolist(), strict=True)
    sources = dict(enumerate(combined.list_of.tolist()))
    clusters, refused = cluster_records(range(len(combined)), sources, [], [], links)
    groups = sorted(clusters.groups())
    person_of = np.empty(len(combined), dtype=np.int64)
    for index, group in enumerate(groups):
        person_of[group] = index
    return Linked(person_of, groups, int(linked.sum()) - refused, refused)


def capture_histories(combined: Combined, linked: Linked) -> CaptureHistories:
    """One pattern per person of the status estimated: the lists that hold one of its
    identifiable records (as `marsad estimate` builds them; a person with none is left out)."""
    lists, list_of = combined.lists, combined.list_of
    identifiable, of_status = combined.identifiable, combined.of_status
    patterns = (
        {lists[list_of[r]] for r in group if identifiable[r]}
        for group in linked.groups
        if of_status[group].any()
    )
    return histories_from_patterns(lists, (p for p in patterns if p))


@dataclass(frozen=True)
class PartyUnits:
    """What one party learns of its own records: per row id, an id of its linkage unit that
    means nothing outside this party's file, and whether another list holds the person."""

    label: str
    row_ids: list[str]
    unit_ids: list[str]
    shared: list[bool]


def party_units(combined: Combined, linked: Linked, row_ids: list[list[str]]) -> list[PartyUnits]:
    """Each list's rows with their units. Unit ids are keyed by a random key of this run and by
    the list, so two parties comparing their files cannot match their records through them."""
    run_key = secrets.token_bytes(32)
    lists_of_person = [len({int(combined.list_of[r]) for r in group}) for group in linked.groups]
    out = []
    start = 0
    for index, label in enumerate(combined.lists):
        rows = row_ids[index]
        persons = linked.person_of[start : start + len(rows)].tolist()
        start += len(rows)
        out.append(
            PartyUnits(
                label=label,
                row_ids=rows,
                unit_ids=[
                    hmac.digest(run_key, f"{label}\x1f{p}".encode(), hashlib.sha256)[:6].hex()
                    for p in persons
                ],
                shared=[lists_of_person[p] > 1 for p in persons],
            )
        )
    return out
