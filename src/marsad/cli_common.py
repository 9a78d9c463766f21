"""What the `marsad` command modules share: the consoles, the --db option and clear errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from marsad.store.db import open_store

console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store: SQLite file path or postgresql:// URL (default: $MARSAD_DB or ./marsad.db).",
        show_default=False,
    ),
]


def fail(message: str) -> NoReturn:
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def user_errors(
    kinds: tuple[type[Exception], ...] = (ValueError, FileNotFoundError),
) -> Iterator[None]:
    """Bad input ends the command with a clear message, never a traceback."""
    try:
        yield
    except kinds as error:
        fail(str(error))


def store(db: str | None) -> Engine:
    with user_errors():
        return open_store(db)


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
