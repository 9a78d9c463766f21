"""Clustering records into persons under human constraints, and keeping person ids stable.

Pure functions: record ids in, clusters out. The store is read and written by
`marsad.services.link`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence


class Clusters:
    """Union–find over record ids that refuses a union that would join a cannot-link pair.

    Reviewers' "not the same person" decisions are cannot-link constraints: no chain of
    machine links may put the two records in one person.

    Given each record's source, machine links (`machine_join`) also keep one list's records
    apart unless the model linked them to each other directly: a list names a person once,
    save for its few duplicates, so a chain that puts two records of one list into a person
    through records of other lists is more often two relatives or namesakes than one person.
    """

    def __init__(
        self, record_ids: Iterable[int], sources: Mapping[int, Hashable] | None = None
    ) -> None:
        self._parent = {rid: rid for rid in record_ids}
        self._apart: dict[int, set[int]] = {}
        self._sources = sources
        # Plain dicts, not Counters: one per record, built on every reviewer's decision.
        self._lists: dict[int, dict[Hashable, int]] = (
            {rid: {sources[rid]: 1} for rid in self._parent} if sources is not None else {}
        )

    def find(self, rid: int) -> int:
        parent = self._parent
        root = rid
        while parent[root] != root:
            root = parent[root]
        while parent[rid] != root:
            parent[rid], rid = root, parent[rid]
        return root

    def keep_apart(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            raise ValueError(f"records {a} and {b} are already joined")
        self._apart.setdefault(ra, set()).add(rb)
        self._apart.setdefault(rb, set()).add(ra)

    def join(self, a: int, b: int) -> bool:
        """Join the clusters of `a` and `b`; False when a constraint forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        apart_a = self._apart.get(ra, set())
        if rb in apart_a:
            return False
        apart_b = self._apart.pop(rb, set())
        self._parent[rb] = ra
        if self._sources is not None:
            lists = self._lists[ra]
            for source, count in self._lists.pop(rb).items():
                lists[source] = lists.get(source, 0) + count
        if apart_b:
            for other in apart_b:
                peers = self._apart[other]
                peers.discard(rb)
                peers.add(ra)
            self._apart[ra] = apart_a | apart_b
        return True

    def machine_join(self, a: int, b: int) -> bool:
        """`join` for a machine link; False also when, with sources known, the two clusters
        share a list other than through `a` and `b` themselves (one list's duplicate pair,
        each still alone from that list in its cluster)."""
        if self._sources is not None:
            ra, rb = self.find(a), self.find(b)
            if ra != rb:
                lists_a, lists_b = self._lists[ra], self._lists[rb]
                shared = lists_a.keys() & lists_b.keys()
                source = self._sources[a]
                direct = shared == {source} and self._sources[b] == source
                if shared and not (direct and lists_a[source] == 1 and lists_b[source] == 1):
                    return False
        return self.join(a, b)

    def groups(self) -> list[list[int]]:
        members: dict[int, list[int]] = {}
        for rid in self._parent:
            members.setdefault(self.find(rid), []).append(rid)
        return [sorted(group) for group in members.values()]


def cluster_records(
    record_ids: Iterable[int],
    sources: Mapping[int, Hashable],
    human_matches: Sequence[tuple[int, int]],
    human_non_matches: Sequence[tuple[int, int]],
    machine_links: Iterable[tuple[int, int]],
) -> tuple[Clusters, int]:
    """Persons from link decisions as `marsad link` builds them: reviewers' matches joined
    first, their non-matches kept apart, then machine links in the order given (rule links,
    then model links most probable first) under both constraints. Returns the clusters and
    how many machine links were refused."""
    clusters = Clusters(record_ids, sources)
    for a, b in human_matches:
        clusters.join(a, b)
    for a, b in human_non_matches:
        if clusters.find(a) != clusters.find(b):
            clusters.keep_apart(a, b)
    refused = sum(1 for a, b in machine_links if not clusters.machine_join(a, b))
    return clusters, refused


def assign_person_ids(
    groups: list[list[int]], previous: Mapping[int, int | None], next_id: int
) -> tuple[dict[int, int], int]:
    """Give each group a person id, reusing the id most of its records had before.

    Larger groups choose first, so an unrelated new list never reshuffles existing persons:
    a group keeps its id unless a larger group that shares the old id claimed it.
    Returns record id → person id, and the next unused person id.
    """
    claimed: set[int] = set()
    assignment: dict[int, int] = {}
    for group in sorted(groups, key=lambda g: (-len(g), g[0])):
        chosen = None
        if len(group) == 1:
            # Most persons are one record: no vote to count.
            pid = previous.get(group[0])
            chosen = pid if pid is not None and pid not in claimed else None
        else:
            votes = Counter(pid for rid in group if (pid := previous.get(rid)) is not None)
            for pid, _ in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
                if pid not in claimed:
                    chosen = pid
                    break
        if chosen is None:
            chosen = next_id
            next_id += 1
        claimed.add(chosen)
        for rid in group:
            assignment[rid] = chosen
    return assignment, next_id
