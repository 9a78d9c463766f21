"""`marsad review` and `marsad person`: decide uncertain pairs, undo, and see why a person is one.

Record values are shown as plain text (never Rich markup): a name may contain brackets.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from marsad.cli.common import DbOption, command_group, console, store
from marsad.domain.records import RecordRow
from marsad.errors import InputError
from marsad.linkage.explain import ONE_TO_ONE, PairExplanation
from marsad.services.browse import PersonStatus, view_person
from marsad.services.review import ActionView, accept, history, merge, reject, split, undo
from marsad.services.review_person import DecisionView
from marsad.services.review_queue import (
    ReviewItem,
    flagged_persons,
    governorate_pcode,
    queue_size,
    review_queue,
)

review_app = command_group(help="Decide the pairs the model was unsure of; undo; history.")
person_app = command_group(
    help="See why records make one person; split or merge persons.", no_args_is_help=True
)

UserOption = Annotated[
    str, typer.Option("--user", help="Who is deciding; kept with every decision.")
]
NoteOption = Annotated[str | None, typer.Option(help="Why: kept with the decision.")]

MISSING = Text("—", style="dim")
EXPLAINED_AT_MOST = 20
"""`person show` explains this many model decisions; an oversized person can have thousands."""


def _choice(answer: str) -> str:
    """The first letter of the answer, if it is one of a, r, s, q (else ask again)."""
    letter = answer.strip().lower()[:1]
    if not letter or letter not in "arsq":
        raise typer.BadParameter("answer a, r, s or q")
    return letter


def _value(value: str, style: str = "") -> Text:
    return Text(value, style=style) if value else MISSING


def pair_table(item: ReviewItem) -> Table:
    """The two records side by side; values both records give but differently are highlighted.

    Fields neither record gives are left out.
    """
    table = Table(title=f"uncertain pair (decision #{item.decision_id})", title_justify="left")
    table.add_column("field", style="bold")
    table.add_column(f"record A (#{item.record_a.id})")
    table.add_column(f"record B (#{item.record_b.id})")
    fields_b = dict(item.record_b.display_fields())
    for label, a in item.record_a.display_fields():
        b = fields_b[label]
        if not a and not b:
            continue
        style = "bold yellow" if a and b and a != b else ""
        table.add_row(label, _value(a, style), _value(b, style))
    return table


def _weight(weight: float | None) -> Text:
    if weight is None:
        return Text("0 (missing)", style="dim")
    return Text(f"{weight:+.2f}", style="green" if weight > 0 else "red" if weight < 0 else "")


def explanation_table(
    explanation: PairExplanation, title: str = "why the model scored it"
) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("comparison")
    table.add_column("level")
    table.add_column("weight", justify="right")
    table.add_row(Text("prior", style="italic"), "", _weight(explanation.prior_weight))
    for c in explanation.contributions:
        name = c.comparison
        if c.comparison == ONE_TO_ONE:
            name = "competition on the other list (one to one)"
        elif c.gamma is None:
            name = "what reviewers' decisions taught the model"
        table.add_row(Text(name), Text(c.level), _weight(c.weight))
    table.add_row(Text("total", style="bold"), "", _weight(explanation.total_weight))
    table.add_row(
        Text("probability", style="bold"), "", Text(f"{explanation.probability:.3f}", style="bold")
    )
    return table


HELD_BACK = (
    "The model scored this pair as a match, but the first names clearly disagree: brothers "
    "killed together agree on everything else, so the machine leaves such a pair to a reviewer."
)


def _show_item(item: ReviewItem) -> None:
    console.print(pair_table(item))
    if item.explanation is not None:
        console.print(explanation_table(item.explanation))
    elif item.probability is not None:
        console.print(f"probability {item.probability:.3f} (the run kept no model to explain it)")
    if item.held_back:
        console.print(HELD_BACK)


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    user: UserOption = "cli",
    limit: Annotated[
        int, typer.Option(min=1, help="At most this many pairs in this session.")
    ] = 50,
    governorate: Annotated[
        str | None,
        typer.Option(
            help="Only pairs with a record in this governorate: its p-code or its name "
            "(SY10, Tartous, طرطوس)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Go through uncertain pairs, the answers worth most first: accept, reject or skip each."""
    if ctx.invoked_subcommand is not None:
        return
    engine = store(db)
    pcode = None
    if governorate is not None:
        pcode = governorate_pcode(governorate)
    tally: Counter[str] = Counter()
    items = review_queue(engine, limit, pcode)
    if not items:
        where = f" in {pcode}" if pcode else ""
        console.print(f"no pairs are waiting for review{where}")
    for position, item in enumerate(items, 1):
        console.rule(f"pair {position} of {len(items)}")
        _show_item(item)
        choice = typer.prompt("[a]ccept / [r]eject / [s]kip / [q]uit", value_proc=_choice)
        if choice == "q":
            break
        if choice == "s":
            tally["skipped"] += 1
            continue
        note = typer.prompt("note (optional)", default="", show_default=False)
        decide, verb = (accept, "accepted") if choice == "a" else (reject, "rejected")
        action = decide(engine, item.record_a.id, item.record_b.id, user, note or None)
        tally[verb] += 1
        console.print(f"{verb}: action #{action} (undo: marsad review undo {action})")
    rows = [(label, tally[label]) for label in ("accepted", "rejected", "skipped")]
    rows.append(
        (f"still waiting in {pcode}" if pcode else "still waiting", queue_size(engine, pcode))
    )
    table = Table(title="review", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    console.print(table)
    flagged = flagged_persons(engine)
    if flagged:
        ids = ", ".join(str(f.person_id) for f in flagged[:10])
        more = ", …" if len(flagged) > 10 else ""
        console.print(
            f"{len(flagged):,} persons are flagged for review ({ids}{more}): "
            "see each with marsad person show ID"
        )


def _when(moment: dt.datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else ""


def actions_table(actions: list[ActionView], title: str = "review actions") -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "kind", "persons", "pairs", "by", "when", "note", "undone"):
        table.add_column(column)
    for a in actions:
        undone = f"{_when(a.undone_at)} by {a.undone_by}" if a.undone_at else ""
        table.add_row(
            str(a.id),
            a.kind,
            ", ".join(map(str, a.person_ids)),
            ", ".join(f"{x}–{y} {d}" for x, y, d in a.pairs),
            Text(a.decided_by),
            _when(a.decided_at),
            Text(a.note or ""),
            Text(undone, style="dim"),
        )
    return table


@review_app.command("undo")
def undo_command(
    action_id: Annotated[int, typer.Argument(help="The action's number (marsad review history).")],
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Undo a reviewer's action: its decisions are revoked and persons rebuilt."""
    engine = store(db)
    action = undo(engine, action_id, user)
    console.print(
        f"undid action #{action.id} ({action.kind} by {action.decided_by}); persons rebuilt",
        highlight=False,
    )


@review_app.command("history")
def history_command(
    person: Annotated[int | None, typer.Option(help="Only actions about this person.")] = None,
    db: DbOption = None,
) -> None:
    """Reviewers' actions, newest first, undone ones included."""
    engine = store(db)
    actions = history(engine, person)
    console.print(actions_table(actions))
    console.print(f"{len(actions):,} actions")


def records_table(records: list[RecordRow]) -> Table:
    table = Table(title="records", title_justify="left")
    for column in ("#", "source", "record id", "name", "sex", "age", "date", "place", "status"):
        table.add_column(column)
    for r in records:
        place = " › ".join(p for p in (r.governorate, r.district, r.locality) if p)
        table.add_row(
            str(r.id),
            Text(r.source),
            Text(r.record_id),
            Text(r.name),
            r.sex or "",
            r.age,
            r.date_of_death or "",
            Text(place),
            r.status,
        )
    return table


def _reason(d: DecisionView) -> Text:
    if d.kind == "human":
        note = f": {d.note}" if d.note else ""
        return Text(f"{d.decided_by}, {_when(d.decided_at)}, action #{d.action_id}{note}")
    if d.kind == "rule":
        return Text(f"rule {d.rule or ''}".strip())
    return Text("" if d.probability is None else f"probability {d.probability:.3f}")


def decisions_table(decisions: list[DecisionView]) -> Table:
    table = Table(title="why these records are one person", title_justify="left")
    for column in ("#", "records", "kind", "decision", "reason"):
        table.add_column(column)
    for d in decisions:
        table.add_row(str(d.id), f"{d.record_a_id}–{d.record_b_id}", d.kind, d.decision, _reason(d))
    return table


def verification_table(status: PersonStatus) -> Table:
    """The status, the rule that fired, its records and reasons, and conflicting values."""
    table = Table(title="verification", title_justify="left", show_header=False)
    table.add_column("", style="bold")
    table.add_column("")
    table.add_row("status", f"{status.verification} ({status.status})")
    table.add_row("rule", Text(status.rule))
    table.add_row("on records", ", ".join(f"#{r}" for r in status.evidence))
    table.add_row("reasons", Text("\n".join(status.reasons)))
    documented = "yes" if status.documented else "no: lacks " + ", ".join(status.documented_missing)
    table.add_row("documented (HRDAG)", documented)
    for field, conflict in status.conflicts.items():
        values = "; ".join(
            f"{v['value']} (records {', '.join(map(str, v['records']))})"
            for v in conflict["values"]
        )
        table.add_row(
            f"conflict: {field}",
            Text(f"{conflict['resolved']} by {conflict['rule']} — {values}"),
        )
    return table


@person_app.command("show")
def person_show(
    person_id: Annotated[int, typer.Argument(help="The person's id.")],
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """A person's records, verification, the decisions that join them (with the model's
    reasons) and reviewers' actions. Written to the audit log (person.view)."""
    engine = store(db)
    person = view_person(engine, person_id, user, "cli")
    detail = person.detail
    console.print(f"person #{detail.person_id}: {len(detail.records):,} records")
    if detail.review_flag:
        console.print(Text(f"flagged for review: {detail.review_flag}", style="yellow"))
    console.print(records_table(detail.records))
    if person.status is not None:
        console.print(verification_table(person.status))
    if detail.decisions:
        console.print(decisions_table(detail.decisions))
    explained = [(d, e) for d in detail.decisions if (e := d.explanation) is not None]
    for d, explanation in explained[:EXPLAINED_AT_MOST]:
        title = f"decision #{d.id}, records {d.record_a_id}–{d.record_b_id}"
        console.print(explanation_table(explanation, title))
    if len(explained) > EXPLAINED_AT_MOST:
        console.print(f"… and {len(explained) - EXPLAINED_AT_MOST:,} more model decisions")
    if detail.actions:
        console.print(actions_table(detail.actions, "reviewers' actions about this person"))


def _record_ids(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() for part in parts):
        raise InputError(f"--keep takes record numbers separated by commas, not {text!r}")
    return [int(part) for part in parts]


@person_app.command("split")
def person_split(
    person_id: Annotated[int, typer.Argument(help="The person to split.")],
    keep: Annotated[str, typer.Option(help="Record numbers (#) that stay together, e.g. 12,15.")],
    note: NoteOption = None,
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Part the kept records from the person's other records."""
    engine = store(db)
    action = split(engine, person_id, _record_ids(keep), user, note)
    console.print(
        f"split person #{person_id}: action #{action} (undo: marsad review undo {action})"
    )


@person_app.command("merge")
def person_merge(
    person_a: Annotated[int, typer.Argument(help="One person.")],
    person_b: Annotated[int, typer.Argument(help="The other person.")],
    note: NoteOption = None,
    user: UserOption = "cli",
    db: DbOption = None,
) -> None:
    """Say two persons are one human being."""
    engine = store(db)
    action = merge(engine, person_a, person_b, user, note)
    console.print(
        f"merged persons #{person_a} and #{person_b}: action #{action} "
        f"(undo: marsad review undo {action})"
    )
