"""How the command line tells a failure: a refused request as one "error:" line, a store it
cannot reach by name, and anything else as a bug in Marsad, never as a traceback."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import report as report_command
from marsad.cli.app import app
from marsad.cli.common import BUG_EXIT

runner = CliRunner()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_that_is_down_is_named_not_a_traceback() -> None:
    url = f"postgresql://marsad@127.0.0.1:{_closed_port()}/marsad"
    result = runner.invoke(app, ["counts", "--db", url])
    assert result.exit_code == 1
    assert f"cannot reach the store at {url}" in result.output
    assert "Traceback" not in result.output


def test_a_store_in_a_missing_folder_is_named(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", "--db", str(tmp_path / "no" / "such" / "m.db")])
    assert result.exit_code == 1
    assert "cannot reach the store at sqlite:///" in result.output


@pytest.mark.parametrize("raised", [ValueError("array must not contain infs"), KeyError("x")])
def test_anything_else_is_shown_as_a_bug_with_a_file_to_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: Exception
) -> None:
    """A ValueError from a library is a bug, not the user's mistake: no "error:" line."""

    def broken(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(report_command, "write_report", broken)
    result = runner.invoke(app, ["report", "--db", str(tmp_path / "m.db")])
    assert result.exit_code == BUG_EXIT
    assert "this is a bug in Marsad" in result.output
    assert "error:" not in result.output and "Traceback" not in result.output
    found = re.search(r"the file (\S+marsad-bug-\S+\.txt)", result.output.replace("\n", ""))
    assert found is not None, result.output
    saved = Path(found.group(1))
    assert "Traceback" in saved.read_text(encoding="utf-8")
    assert saved.stat().st_mode & 0o077 == 0, "only the user may read it"
    saved.unlink()


def test_a_refused_request_is_one_error_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["release", "verify", "nope", "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 1
    assert result.output.strip() == "error: no release named 'nope'"


def test_release_name_alone_freezes_a_release(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    out = tmp_path / "r"
    args = ["release", "first", "--no-estimate", "--out", str(out), "--db", db]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (out / "manifest.json").exists()
    listed = runner.invoke(app, ["release", "list", "--db", db])
    assert "first" in listed.output


def test_help_lists_the_commands_in_the_order_of_the_job() -> None:
    result = runner.invoke(app, ["--help"])
    names = re.findall(r"^│ (\w+)\s", result.output, re.MULTILINE)
    job = ["init", "ingest", "link", "review", "verify", "estimate", "report", "export"]
    assert [n for n in names if n in job] == job
