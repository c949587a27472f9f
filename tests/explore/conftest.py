"""Fixtures for the explorer tests: the CLI, run in-process on a chosen definition."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from callstate.machine.definition import CALL_MACHINE, MachineDefinition

#: ``(argv, definition) -> (exit code, stdout, stderr)``
RunCli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, run_command: RunCli) -> RunCli:
    """Run ``callstate explore`` on a chosen definition; argparse exits become exit codes."""

    def run(argv: list[str], definition: MachineDefinition = CALL_MACHINE) -> tuple[int, str, str]:
        monkeypatch.setattr("callstate.cli._explore.CALL_MACHINE", definition)
        return run_command(["explore", *argv])

    return run
