"""Helpers for CLI tests: traces on disk and ``callstate validate`` run in-process."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import orjson
import pytest

from tests.verdict.conftest import envelope, note, opening

#: ``(*argv) -> (exit code, stdout, stderr)`` of ``callstate validate ARGV``.
Validate = Callable[..., tuple[int, str, str]]


def write_trace(path: Path, bodies: Iterable[object]) -> Path:
    """One JSON line per body (bytes as they are) at ``path``."""
    lines = [b if isinstance(b, bytes) else orjson.dumps(b) for b in bodies]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def failing(call: str = "c1") -> list[object]:
    """A call whose fourth line is transferAccepted with no transfer: one violation.

    The call is left in transferAccepted, so the end of input (line 4, when nothing
    follows) also warns ``unfinished-transfer``.
    """
    return [*opening(call), envelope(note("transferAccepted", call=call))]


@pytest.fixture
def validate(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Validate:
    """Run ``callstate validate`` in-process, outside GitHub Actions; argparse exits as codes."""
    from callstate.cli import main

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(["validate", *argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


def hostile(text: str) -> list[object]:
    """A call that ended, then a notification of it whose ``terminationReason`` is ``text``:
    one violation, at line 5, whose message holds ``text`` as sent. (An id cannot hold a
    control character, so this is how raw text reaches a finding.)"""
    return [
        *opening(),
        envelope(note("terminated", change="deleted")),
        envelope(note("established", terminationReason=text)),
    ]
