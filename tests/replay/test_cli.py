"""``callstate replay`` on the command line: output, exit codes, and input/output failures."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from callstate.cli import EXIT_BROKEN_PIPE
from tests.replay.conftest import Bot, RunCli, odd_trace


class TestCli:
    def test_prints_each_status_and_a_summary(
        self, bot: Bot, tmp_path: Path, envelopes: list[bytes], run_cli: RunCli
    ) -> None:
        """Each line's status is printed as it happens, then one summary line; exit 0."""
        path, bodies, lines = odd_trace(tmp_path, envelopes)
        code, out, err = run_cli([str(path), "--to", bot.url, "--header", "X-Run: 7"])
        printed = [line.split()[:3] for line in out.splitlines()[:-1]]
        wanted = sorted(
            [["line", str(n), "202"] for n in lines] + [["line", "5", "skipped"]],
            key=lambda x: int(x[1]),
        )
        expected: object = (0, "", wanted)
        assert expected == (code, err, printed)
        sent = len(bodies)
        expected = (
            f"{sent} envelopes sent to {bot.url}, {sent} answered 2xx; 1 request record skipped"
        )
        assert expected == out.splitlines()[-1]
        expected = {"7"}
        assert expected == {r.headers["x-run"] for r in bot.received}

    def test_non_2xx_exits_1_and_names_the_line(
        self, bot: Bot, envelopes: list[bytes], tmp_path: Path, run_cli: RunCli
    ) -> None:
        """A 500 makes the exit code 1 and the summary names its line."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(b"\n".join(envelopes[:3]) + b"\n")
        bot.statuses[3] = 500
        code, out, _err = run_cli([str(path), "--to", bot.url, "--rate", "1000/s"])
        expected: object = (1, "1 not (lines 3)")
        assert expected == (code, out.splitlines()[-1].rsplit(", ", 1)[-1])

    def test_unreachable_bot_exits_1_with_one_line(
        self, closed_url: str, envelopes: list[bytes], tmp_path: Path, run_cli: RunCli
    ) -> None:
        """A refused connection prints one error line (no traceback) and exits 1."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(b"\n".join(envelopes))
        code, out, err = run_cli([str(path), "--to", closed_url])
        expected: object = (1, "", 1)
        assert expected == (code, out, err.count("\n"))
        assert err.startswith(f"callstate replay: error: line 1: cannot reach {closed_url}: ")

    def test_reads_standard_input(
        self,
        bot: Bot,
        envelopes: list[bytes],
        monkeypatch: pytest.MonkeyPatch,
        run_cli: RunCli,
    ) -> None:
        """TRACE '-' reads the envelopes from standard input."""
        stdin = io.TextIOWrapper(io.BytesIO(b"\n".join(envelopes)))
        monkeypatch.setattr(sys, "stdin", stdin)
        code, _out, _err = run_cli(["-", "--to", bot.url])
        expected: object = (0, envelopes)
        assert expected == (code, [r.body for r in bot.received])

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--to", "http://127.0.0.1/", "--rate", "0"], "--rate: must be more than 0"),
            (["--to", "http://127.0.0.1/", "--rate", "fast"], "expected N/s"),
            (["--to", "http://127.0.0.1/", "--header", "NoColon"], "expected K:V"),
            (["--to", "http://127.0.0.1/", "--timeout", "0"], "--timeout"),
            (["--to", "ftp://127.0.0.1/"], "expected an http:// or https:// URL"),
            ([], "the following arguments are required: --to"),
        ],
    )
    def test_usage_errors_exit_2(
        self, argv: list[str], message: str, tmp_path: Path, run_cli: RunCli
    ) -> None:
        """Bad options exit 2 with one clear line and send nothing."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(b"{}\n")
        code, out, err = run_cli([str(path), *argv])
        expected: object = (2, "", 1)
        assert expected == (code, out, err.count("\n"))
        assert message in err

    def test_missing_trace_exits_2(self, tmp_path: Path, run_cli: RunCli) -> None:
        """A trace that cannot be read exits 2 with one line."""
        code, _out, err = run_cli([str(tmp_path / "nope.jsonl"), "--to", "http://127.0.0.1/"])
        expected: object = (2, 1)
        assert expected == (code, err.count("\n"))
        assert "nope.jsonl" in err


def _callstate(
    args: list[str], *, stdin: Any = None, stdout: Any
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m callstate`` in a child process, with real file descriptors."""
    return subprocess.run(
        [sys.executable, "-m", "callstate", *args],
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )


class TestInputOutputFailures:
    def test_closed_stdin_is_one_line_and_exit_2(self, bot: Bot) -> None:
        """``replay - <&-``: one line worded as every command words it, exit 2, nothing sent."""
        done = subprocess.run(
            ["sh", "-c", 'exec "$0" -m callstate replay - --to "$1" <&-', sys.executable, bot.url],
            capture_output=True,
            timeout=60,
            check=False,
        )
        expected: object = (
            2,
            b"",
            b"callstate replay: error: TRACE: cannot read -: standard input is closed\n",
            [],
        )
        assert expected == (done.returncode, done.stdout, done.stderr, bot.received)

    @pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
    def test_stdout_on_dev_full_stops_with_one_line_and_exit_2(
        self, bot: Bot, envelopes: list[bytes], tmp_path: Path
    ) -> None:
        """Unwritable output stops the replay after the line it could not report: one line."""
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(b"\n".join(envelopes[:3]))
        with open("/dev/full", "wb") as full:
            done = _callstate(["replay", str(trace), "--to", bot.url], stdout=full)
        expected: object = (
            2,
            b"callstate replay: error: cannot write the output: No space left on device\n",
            [envelopes[0]],
        )
        assert expected == (done.returncode, done.stderr, [r.body for r in bot.received])

    def test_closed_pipe_stops_with_exit_141(
        self, bot: Bot, envelopes: list[bytes], tmp_path: Path
    ) -> None:
        """A reader that went away (``| head -0``) stops the replay: 141, as every command."""
        trace = tmp_path / "t.jsonl"
        trace.write_bytes(b"\n".join(envelopes[:3]))
        read_end, write_end = os.pipe()
        os.close(read_end)  # the reader is gone before the first line is written
        try:
            done = _callstate(["replay", str(trace), "--to", bot.url], stdout=write_end)
        finally:
            os.close(write_end)
        expected: object = (EXIT_BROKEN_PIPE, b"", [envelopes[0]])
        assert expected == (done.returncode, done.stderr, [r.body for r in bot.received])

    def test_read_error_mid_trace_is_one_line_and_exit_2(
        self,
        bot: Bot,
        envelopes: list[bytes],
        monkeypatch: pytest.MonkeyPatch,
        run_cli: RunCli,
    ) -> None:
        """An input error after some lines stops the replay: one line naming the place, exit 2."""

        class Failing(io.BytesIO):
            def readline(self, size: int | None = -1) -> bytes:
                if self.tell() >= len(envelopes[0]):
                    raise OSError(5, "Input/output error")
                return super().readline(size)

        stdin = io.TextIOWrapper(Failing(envelopes[0] + b"\n" + envelopes[1]))
        monkeypatch.setattr(sys, "stdin", stdin)
        code, _out, err = run_cli(["-", "--to", bot.url])
        expected: object = (
            2,
            "callstate replay: error: TRACE: cannot read the trace after line 1: "
            "Input/output error\n",
            [envelopes[0]],
        )
        assert expected == (code, err, [r.body for r in bot.received])
