"""What the `marsad` command modules share: the consoles, the --db option, progress, tables,
and how a failure is told.

Every command group is made by `command_group()`, whose group shows a `MarsadError` as one
"error:" line (exit 1) and anything else as a bug in Marsad (exit 70), never as a traceback:
a command itself catches nothing.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from typer.core import TyperGroup

from marsad import __version__
from marsad.errors import MarsadError
from marsad.store.db import open_store

console = Console()
errors = Console(stderr=True)

BUG_EXIT = 70
"""The exit status of a bug (EX_SOFTWARE), apart from a refused request's 1."""

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store: SQLite file path or postgresql:// URL (default: $MARSAD_DB or ./marsad.db).",
        show_default=False,
    ),
]
UserOption = Annotated[str, typer.Option("--user", help="Who decides; kept on record.")]


def fail(message: str) -> NoReturn:
    """End the command with one "error:" line on stderr and exit status 1."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def bug(error: BaseException) -> NoReturn:
    """End the command on a bug: where it happened on screen, the traceback in a file only the
    user can read (it may quote data from the store), exit status 70."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f"{os.sep}marsad{os.sep}" in f.filename] or frames
    place = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    handle, name = tempfile.mkstemp(prefix="marsad-bug-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(f"marsad {__version__}\n")
        out.write("".join(traceback.format_exception(error)))
    errors.print(
        f"[bold red]bug:[/] this is a bug in Marsad {__version__} ({type(error).__name__}"
        f"{place}); please report it with the command you ran and the file {name} "
        "(read it first: it may quote data from your store)",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(BUG_EXIT)


@contextmanager
def reported() -> Iterator[None]:
    """A refused request (MarsadError, or a file the system would not open) as its message;
    anything else as a bug."""
    try:
        yield
    except MarsadError as error:
        fail(str(error))
    except (typer.TyperException, typer.Exit, typer.Abort):
        raise
    except OSError as error:
        if error.filename is None:
            bug(error)
        fail(f"{error.filename}: {error.strerror or error}")
    except Exception as error:
        bug(error)


class ReportingGroup(TyperGroup):
    """A command group whose commands' failures are told by `reported`.

    (`ctx` is Typer's own copy of click's Context, which Typer does not export by name.)
    """

    def invoke(self, ctx: Any) -> Any:
        with reported():
            return super().invoke(ctx)


def command_group(**settings: Any) -> typer.Typer:
    """A group of commands (`marsad review …`, `marsad user …`) that tells failures plainly."""
    settings.setdefault("cls", ReportingGroup)
    return typer.Typer(pretty_exceptions_enable=False, **settings)


def store(db: str | None) -> Engine:
    """The store named by --db (created or upgraded)."""
    return open_store(db)


def strata(text: str) -> list[str]:
    """A comma-separated option ("governorate,month") as its names."""
    return [s.strip() for s in text.split(",") if s.strip()]


def summary_table(title: str, rows: list[tuple[str, Any]]) -> Table:
    """Two columns, label and value; whole numbers with thousands separators."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    for label, value in rows:
        table.add_row(label, f"{value:,}" if isinstance(value, int) else str(value))
    return table


def row_progress(description: str) -> tuple[Progress, Callable[[int], None]]:
    """A spinner counting rows on stderr, and the function the service calls with each count."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    )
    task = progress.add_task(description, total=None)
    return progress, lambda rows: progress.update(task, completed=rows)


@contextmanager
def stage_progress(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr showing the stage a long command is in, and the time so far; yields
    the function the service calls with each stage."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task(first, total=None)
        yield lambda stage: progress.update(task, description=stage)
