"""The `marsad` command: every command and command group, registered in one place, in the
order of the job (a new capability adds its line here, at its place in the job).

Commands are thin: each calls one service and prints what it returned. Failures are told by
the groups of `marsad.cli.common`: a refused request as one "error:" line, a bug as a bug.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from marsad.cli import (
    estimate,
    evidence,
    export,
    incidents,
    ingest,
    link,
    overlap,
    release,
    report,
    review,
    serve,
    shelter,
    store,
    synth,
    tracing,
    users,
    verify,
)
from marsad.cli.common import ReportingGroup

COMMANDS: tuple[tuple[str, Callable[..., Any] | typer.Typer], ...] = (
    ("init", store.init),
    ("ingest", ingest.ingest),
    ("quarantine", ingest.quarantine_app),
    ("incidents", incidents.incidents_app),
    ("sites", shelter.sites_app),
    ("shelter", shelter.shelter_app),
    ("link", link.link_command),
    ("review", review.review_app),
    ("person", review.person_app),
    ("verify", verify.verify_command),
    ("conflicts", verify.conflicts_command),
    ("status", verify.status_app),
    ("counts", verify.counts_command),
    ("overlap", overlap.overlap_app),
    ("estimate", estimate.estimate),
    ("report", report.report),
    ("export", export.export),
    ("release", release.release_app),
    ("evidence", evidence.evidence_app),
    ("missing", tracing.missing_app),
    ("serve", serve.serve),
    ("user", users.user_app),
    ("synth", synth.synth),
    ("demo", synth.demo),
)
"""(name, command or group), in the order of the job; `marsad --help` lists them so."""


class JobOrder(ReportingGroup):
    """The top-level group: commands listed in the order of COMMANDS, not alphabetically."""

    def list_commands(self, ctx: Any) -> list[str]:
        order = [name for name, _ in COMMANDS]
        return sorted(
            super().list_commands(ctx),
            key=lambda n: (n not in order, order.index(n) if n in order else 0),
        )


app = typer.Typer(
    cls=JobOrder,
    help="Marsad: record casualties, link them into persons, estimate the undocumented.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for _name, _face in COMMANDS:
    if isinstance(_face, typer.Typer):
        app.add_typer(_face, name=_name)
    else:
        app.command(_name)(_face)
