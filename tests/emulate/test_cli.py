"""``callstate emulate`` as a process: its first line, its verdict, its exit status, its trace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulate.conftest import WAIT, MiniBot

COMMAND = [sys.executable, "-m", "callstate", "emulate"]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *argv], capture_output=True, text=True, timeout=60)


class TestUsage:
    def test_choices_are_the_emulators(self) -> None:
        """The command's --scenario and --outcome choices are the emulator's own tables."""
        from callstate.cli import _emulate
        from callstate.emulate import OUTCOMES, SITUATIONS

        assert ((*SITUATIONS, "mixed"), OUTCOMES) == (_emulate._SITUATIONS, _emulate._OUTCOMES)

    @pytest.mark.parametrize(
        ("argv", "flag"),
        [
            (["--bot", "http://127.0.0.1:1/", "--calls", "0"], "--calls"),
            (["--bot", "http://127.0.0.1:1/", "--timeout", "0"], "--timeout"),
            (["--bot", "ftp://127.0.0.1/"], "--bot"),
            (["--bot", "http://127.0.0.1:1/", "--port", "70000"], "--port"),
            (["--bot", "http://127.0.0.1:1/", "--record", "/nonexistent/dir/t.jsonl"], "--record"),
        ],
    )
    def test_bad_argument_exits_2(self, argv: list[str], flag: str) -> None:
        """A bad argument: exit 2 and one line naming the flag, no traceback."""
        done = _run(*argv)
        lines = done.stderr.splitlines()
        assert (2, 1, True) == (
            done.returncode,
            len(lines),
            lines[0].startswith(f"callstate emulate: error: {flag}"),
        )

    def test_unreachable_bot_exits_2(self) -> None:
        """No bot listening: the serving line, then exit 2 and a clear message."""
        done = _run("--bot", "http://127.0.0.1:9/callback", "--timeout", "5")
        assert (2, True, True, "Traceback" in done.stderr) == (
            done.returncode,
            done.stdout.startswith("serving http://127.0.0.1:"),
            "cannot reach the bot" in done.stderr,
            False,
        )


class TestRun:
    def test_conforming_bot(self, tmp_path: Path) -> None:
        """A bot that answers and transfers conforms: exit 0, and the trace validates."""
        bot = MiniBot("")
        trace = tmp_path / "trace.jsonl"
        try:
            process = subprocess.Popen(
                [
                    *COMMAND,
                    "--bot",
                    bot.url,
                    "--calls",
                    "2",
                    "--seed",
                    "3",
                    "--record",
                    str(trace),
                    "--timeout",
                    "30",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert process.stdout is not None
            first = process.stdout.readline()
            bot.graph = first.split()[1]
            bot.ready.set()
            out, err = process.communicate(timeout=60)
        finally:
            bot.close()
        validated = subprocess.run(
            [sys.executable, "-m", "callstate", "validate", str(trace)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (0, True, "", 0) == (
            process.returncode,
            out.rstrip().endswith("the bot conformed"),
            err,
            validated.returncode,
        )

    def test_breaking_bot_exits_1(self) -> None:
        """A bot that transfers a group call without transferee: exit 1, the rule id shown."""
        bot = MiniBot("")
        try:
            process = subprocess.Popen(
                [*COMMAND, "--bot", bot.url, "--scenario", "group", "--timeout", "30"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert process.stdout is not None
            bot.graph = process.stdout.readline().split()[1]
            bot.ready.set()
            out, _ = process.communicate(timeout=60)
        finally:
            bot.close()
        assert (1, True) == (process.returncode, "[transferee-required]" in out)

    def test_live_call_at_timeout_exits_1(self) -> None:
        """A call the bot leaves up is still live at --timeout: reported, exit 1."""
        bot = MiniBot("", then="none")
        try:
            process = subprocess.Popen(
                [*COMMAND, "--bot", bot.url, "--timeout", "1"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert process.stdout is not None
            bot.graph = process.stdout.readline().split()[1]
            bot.ready.set()
            out, _ = process.communicate(timeout=WAIT * 6)
        finally:
            bot.close()
        assert (1, True) == (process.returncode, "still live when the run ended" in out)
