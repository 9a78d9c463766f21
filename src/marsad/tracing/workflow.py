"""The tracing workflow: a case moves by reviewers' acts, never by the model alone, and never
to a death without two reviewers.

    open → possible_match → confirmed (alive: where; detained: where; dead: which person, on
    what evidence, by two distinct reviewers) → family_notified (who, when, how, by whom) → closed

The matcher may move an open case to possible_match (a candidate at or above
POSSIBLE_MATCH); every other step is a reviewer's act with its details, kept as a step of the
case's history and in the audit log. The first reviewer who confirms a death leaves the case
where it is, with the confirmation pending; only a second, different reviewer naming the same
person and giving evidence of their own moves it to confirmed_dead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marsad.errors import InputError

STATES = (
    "open",
    "possible_match",
    "confirmed_alive",
    "confirmed_detained",
    "confirmed_dead",
    "family_notified",
    "closed",
)
CONFIRMED = ("confirmed_alive", "confirmed_detained", "confirmed_dead")
POSSIBLE_MATCH = 0.5
"""A candidate's probability from which the matcher marks an open case possible_match."""

ACTS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # act: (states it applies to, details it needs)
    "possible_match": (("open",), ()),
    "confirm_alive": (("open", "possible_match"), ("where",)),
    "confirm_detained": (("open", "possible_match"), ("where",)),
    "confirm_dead": (("open", "possible_match"), ("person_id", "evidence")),
    "notify": (CONFIRMED, ("who", "when", "how")),
    "close": (("family_notified",), ("reason",)),
}
"""Each act, the states it may start from, and the details it must carry."""


class WorkflowError(InputError):
    """An act the case's state or history does not allow, or one missing a detail."""


@dataclass(frozen=True)
class Step:
    """One act in a case's history: who, which act, the state it left and the one it made."""

    actor: str
    act: str
    state_from: str
    state_to: str
    detail: Mapping[str, Any] = field(default_factory=dict)


def pending_death(history: Sequence[Step]) -> Step | None:
    """The first reviewer's confirmation of a death still waiting for a second reviewer."""
    pending: Step | None = None
    for step in history:
        if step.act == "confirm_dead":
            pending = step if step.state_to != "confirmed_dead" else None
        elif step.state_to != step.state_from:
            pending = None
    return pending


def apply(
    state: str, history: Sequence[Step], actor: str, act: str, detail: Mapping[str, Any]
) -> Step:
    """The step `actor`'s `act` makes on a case in `state` with `history`, or WorkflowError."""
    if act not in ACTS:
        raise WorkflowError(f"unknown act {act!r}; use one of {', '.join(ACTS)}")
    starts, needs = ACTS[act]
    if state not in starts:
        raise WorkflowError(
            f"a case that is {state} cannot be given {act} (only a case that is "
            f"{' or '.join(starts)})"
        )
    missing = [n for n in needs if detail.get(n) in (None, "")]
    if missing:
        raise WorkflowError(f"{act} needs {', '.join(missing)}")
    if act != "confirm_dead":
        target = {
            "possible_match": "possible_match",
            "confirm_alive": "confirmed_alive",
            "confirm_detained": "confirmed_detained",
            "notify": "family_notified",
            "close": "closed",
        }[act]
        return Step(actor, act, state, target, dict(detail))
    first = pending_death(history)
    if first is None:
        return Step(actor, act, state, state, dict(detail))
    if first.actor == actor:
        raise WorkflowError(
            f"{actor} already confirmed this death: a second, different reviewer must"
        )
    if str(first.detail.get("person_id")) != str(detail["person_id"]):
        raise WorkflowError(
            f"the first reviewer named person {first.detail.get('person_id')}, not "
            f"{detail['person_id']}: the two confirmations must name the same person"
        )
    return Step(actor, act, state, "confirmed_dead", {**detail, "first_reviewer": first.actor})
