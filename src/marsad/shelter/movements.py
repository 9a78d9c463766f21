"""One movement of a household as the movements file writes it (docs/formats.md).

Movements are an append-only event log: a wrong entry is never edited nor deleted, a new
movement names it in `reverses` and the pair is read as if neither had happened (the store
refuses any change to the log: migration 0008_shelter). Which site an event leaves and which it
enters are fixed by its kind, so that occupancy is a sum over the log (`occupancy`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from marsad.domain.records import FieldError
from marsad.ingest.profile import header_key
from marsad.shelter.cells import choice, count, full_date, pcode, read_cells, required

EVENTS = ("arrival", "departure", "transfer", "return")
"""arrival: into `to_site`; departure: out of `from_site` (to `destination_pcode` if known);
transfer: from `from_site` to `to_site`; return: out of `from_site`, home."""
LEAVES = frozenset({"departure", "transfer", "return"})
ENTERS = frozenset({"arrival", "transfer"})

MOVEMENT_COLUMNS = (
    "movement_id",
    "household_id",
    "date",
    "event",
    "from_site",
    "to_site",
    "destination_pcode",
    "individuals",
    "reverses",
)
"""The columns of the movements file, in order; `reverses` (a correction: the movement_id it
cancels) is empty on every other row and may be left out."""

MAX_INDIVIDUALS = 1000


@dataclass(frozen=True)
class MovementFields:
    """One movement. A correction carries the movement it `reverses`, its own id and the date
    it was made; the rest is the reversed movement's, filled in from the log when stored."""

    movement_id: str
    household_id: str
    date: str
    event: str
    from_site: str | None
    to_site: str | None
    destination_pcode: str | None
    individuals: int
    reverses: str | None = None


def header_map(headers: tuple[str, ...]) -> dict[str, str]:
    by_key = {header_key(h): h for h in reversed(headers)}
    return {c: by_key[header_key(c)] for c in MOVEMENT_COLUMNS if header_key(c) in by_key}


def parse_movement(row: Mapping[str, str]) -> MovementFields | list[FieldError]:
    """One movement from one row, or every reason it cannot be one."""
    errors: list[FieldError] = []
    text = read_cells(row, header_map(tuple(row)), MOVEMENT_COLUMNS, errors)
    movement_id = required(text, "movement_id", errors)
    date = full_date(text, "date", errors, needed=True) or ""
    reverses = text.get("reverses") or None
    if reverses is not None:
        if reverses == movement_id:
            errors.append(FieldError("reverses", "a movement cannot reverse itself"))
        if errors:
            return errors
        household = text.get("household_id", "")
        return MovementFields(movement_id, household, date, "", None, None, None, 0, reverses)
    household_id = required(text, "household_id", errors)
    event = choice(text, "event", EVENTS, errors)
    from_site = text.get("from_site") or None
    to_site = text.get("to_site") or None
    if event in LEAVES and from_site is None:
        errors.append(FieldError("from_site", f"a {event} needs the site it leaves"))
    if event in ENTERS and to_site is None:
        errors.append(FieldError("to_site", f"a {event} needs the site it enters"))
    if event == "transfer" and from_site is not None and from_site == to_site:
        errors.append(FieldError("to_site", "a transfer to the site it leaves"))
    individuals = count(text, "individuals", errors, needed=True, most=MAX_INDIVIDUALS) or 0
    destination = pcode(text, "destination_pcode", errors)
    if errors:
        return errors
    return MovementFields(
        movement_id=movement_id,
        household_id=household_id,
        date=date,
        event=event,
        from_site=from_site if event in LEAVES else None,
        to_site=to_site if event in ENTERS else None,
        destination_pcode=destination,
        individuals=individuals,
    )
