"""The `marsad` command line: one module per command group, registered in `marsad.cli.app`."""

from __future__ import annotations


def main() -> None:
    """Run the `marsad` command (the console script).

    The commands are imported only here: the web server's worker processes re-import the
    script that started them, and would otherwise load every command (estimators, PDF, Spark)
    before they can answer the server's health checks.
    """
    from marsad.cli.app import app

    app()
