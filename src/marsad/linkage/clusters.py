"""Clustering records into persons under human constraints, and keeping person ids stable.

Pure functions: record ids in, clusters out. The store is read and written by
`marsad.services.link`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping


class Clusters:
    """Union–find over record ids that refuses a union that would join a cannot-link pair.

    Reviewers' "not the same person" decisions are cannot-link constraints: no chain of
    machine links may put the two records in one person.
    """

    def __init__(self, record_ids: Iterable[int]) -> None:
        self._parent = {rid: rid for rid in record_ids}
        self._apart: dict[int, set[int]] = {}

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
        if apart_b:
            for other in apart_b:
                peers = self._apart[other]
                peers.discard(rb)
                peers.add(ra)
            self._apart[ra] = apart_a | apart_b
        return True

    def groups(self) -> list[list[int]]:
        members: dict[int, list[int]] = {}
        for rid in self._parent:
            members.setdefault(self.find(rid), []).append(rid)
        return [sorted(group) for group in members.values()]


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
        votes = Counter(pid for rid in group if (pid := previous.get(rid)) is not None)
        chosen = None
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
