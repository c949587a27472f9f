"""``callstate replay`` on the command line: output, exit codes, and input/output failures."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

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
