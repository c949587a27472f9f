"""Fixtures for the explorer tests: the CLI, run in-process with only the explore command."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import callstate.cli
from callstate.machine.definition import CALL_MACHINE, MachineDefinition

#: ``(argv, definition) -> (exit code, stdout, stderr)``
RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunCli:
    """Run ``callstate explore`` on a chosen definition; argparse exits become exit codes."""
    monkeypatch.setattr(callstate.cli, "_COMMANDS", ("explore",))

    def run(argv: list[str], definition: MachineDefinition = CALL_MACHINE) -> tuple[int, str, str]:
        monkeypatch.setattr("callstate.cli._explore.CALL_MACHINE", definition)
        try:
            code = callstate.cli.main(["explore", *argv])
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run
