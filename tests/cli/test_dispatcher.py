"""The dispatcher: one error style and documented exit statuses for every command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from callstate.cli import EXIT_BROKEN_PIPE, EXIT_USAGE, main
from callstate.errors import UsageError
from tests.conftest import RunCommand

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
REQUEST = b'{"transferTarget": {"identity": {"user": {"id": "u"}}}}'


def callstate(*argv: str, shell_redirect: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m callstate ARGV`` in a real process, with a shell redirection appended."""
    quoted = " ".join(f"'{a}'" for a in argv)
    return subprocess.run(
        ["sh", "-c", f'exec "$0" -m callstate {quoted} {shell_redirect}', sys.executable],
        stdout=None if shell_redirect.startswith(">") else subprocess.PIPE,
        stderr=subprocess.PIPE,
        check=False,
        timeout=120,
        cwd=REPO,
    )


@pytest.fixture
def request_file(tmp_path: Path) -> str:
    """A valid transfer request body on disk."""
    path = tmp_path / "request.json"
    path.write_bytes(REQUEST)
    return str(path)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
class TestFullDisk:
    """stdout on /dev/full: one line on stderr, exit 2, for every command that prints."""

    @pytest.mark.parametrize(
        "argv",
        [
            ["validate", "examples/violations.jsonl"],
            ["validate", "examples/violations.jsonl", "--format", "json"],
            ["simulate", "blind-user"],
            ["check-request", "REQUEST"],
            ["diagram"],
            ["explore", "--depth", "1"],
        ],
        ids=["validate", "validate-json", "simulate", "check-request", "diagram", "explore"],
    )
    def test_one_line_exit_2(self, argv: list[str], request_file: str) -> None:
        """The write error is reported once, as the command's error."""
        argv = [request_file if a == "REQUEST" else a for a in argv]
        done = callstate(*argv, shell_redirect=">/dev/full")
        err = done.stderr.decode()
        expected = (EXIT_USAGE, 1, f"callstate {argv[0]}: error: cannot write the output: ")
        assert expected == (done.returncode, err.count("\n"), err[: len(expected[2])])


class TestClosedStdout:
    """``>&-``: no stdout at all is an output error too."""

    def test_one_line_exit_2(self) -> None:
        """One error line saying standard output is closed."""
        done = callstate("diagram", shell_redirect=">&-")
        expected = (
            EXIT_USAGE,
            b"callstate diagram: error: cannot write the output: standard output is closed\n",
        )
        assert expected == (done.returncode, done.stderr)


class TestClosedStdin:
    """``<&-``: commands that read standard input say so in one line and exit 2."""

    @pytest.mark.parametrize(
        "argv",
        [
            ["validate"],
            ["validate", "-"],
            ["check-request"],
            ["check-request", "-"],
            ["diagram", "--trace", "-"],
        ],
        ids=["validate", "validate-dash", "check-request", "check-request-dash", "diagram-trace"],
    )
    def test_real_process(self, argv: list[str]) -> None:
        """No AttributeError traceback: one error line naming standard input."""
        done = callstate(*argv, shell_redirect="<&-")
        err = done.stderr.decode()
        expected = (EXIT_USAGE, b"", 1, True, False)
        actual = (
            done.returncode,
            done.stdout,
            err.count("\n"),
            "standard input is closed" in err,
            "Traceback" in err,
        )
        assert expected == actual

    def test_in_process(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With ``sys.stdin`` None (as Python sets it), validate exits 2 with one line."""
        monkeypatch.setattr(sys, "stdin", None)
        code = main(["validate", "-"])
        err = capsys.readouterr().err
        expected = (
            EXIT_USAGE,
            "callstate validate: error: cannot read -: standard input is closed\n",
        )
        assert expected == (code, err)


class TestBrokenPipe:
    """``callstate validate … | head -1`` on a failing trace does not exit 0."""

    def test_head_one(self, tmp_path: Path) -> None:
        """The reader goes away after one line: exit 141, no traceback, nothing ignored."""
        trace = tmp_path / "bad.jsonl"
        trace.write_bytes(b"{oops\n" * 20_000)  # far more output than a pipe buffer holds
        with subprocess.Popen(
            [sys.executable, "-m", "callstate", "validate", str(trace)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as proc:
            assert proc.stdout is not None
            assert proc.stderr is not None
            first = proc.stdout.readline()
            proc.stdout.close()
            err = proc.stderr.read()
            code = proc.wait(timeout=120)
        expected = (EXIT_BROKEN_PIPE, True, b"")
        assert expected == (code, b"malformed" in first, err)


class TestUsage:
    """A bare ``callstate``, argparse errors and callstate errors share one style."""

    def test_bare_callstate_prints_help(self, run_command: RunCommand) -> None:
        """No arguments: the help on stderr, exit 2."""
        code, out, err = run_command([])
        expected = (EXIT_USAGE, "", True, True)
        assert expected == (code, out, err.startswith("usage: callstate"), "validate" in err)

    @pytest.mark.parametrize(
        ("argv", "line"),
        [
            (["simulate", "mix", "--calls", "0"], "callstate simulate: error: --calls: "),
            (["simulate", "blind-user", "--call-id", ""], "callstate simulate: error: --call-id: "),
            (["explore", "--depth", "-1"], "callstate explore: error: --depth: "),
            (["validate", "--format", "xml"], "callstate validate: error: --format: "),
        ],
        ids=["calls", "call-id", "argparse-depth", "argparse-choice"],
    )
    def test_errors_name_flags(self, argv: list[str], line: str, run_command: RunCommand) -> None:
        """``--calls``, not ``calls:``; argparse's "argument" word dropped."""
        code, _, err = run_command(argv)
        expected = (EXIT_USAGE, line, 1)
        assert expected == (code, err[: len(line)], err.count("\n"))

    def test_usage_error_of_an_unknown_parameter_is_kept(self) -> None:
        """A UsageError naming no flag of the command keeps its own argument name."""
        from callstate.cli import _message

        expected = ("--calls: too few", "body: bad")
        actual = (
            _message(UsageError("calls", "too few"), {"calls": "--calls"}),
            _message(UsageError("body", "bad"), {"calls": "--calls"}),
        )
        assert expected == actual
