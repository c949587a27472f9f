"""``callstate simulate``: JSON Lines on stdout, exit 2 with one clear line on bad arguments."""

from __future__ import annotations

import subprocess
import sys

import orjson
import pytest

from callstate import cli
from callstate.simulate import jsonl, mix, simulate


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    """Exit code, stdout bytes and stderr text of ``callstate simulate ...``."""
    try:
        code = cli.main(["simulate", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


class TestOutput:
    """Valid JSON Lines, the same as the API's."""

    def test_scenario(self, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
        """A scenario prints its call's lines, as ``simulate`` makes them."""
        argv = ("consultative-pstn", "--outcome", "failure", "--seed", "3", "--call-id", "c1")
        lines = simulate("consultative-pstn", outcome="failure", seed=3, call_id="c1")
        expected = (0, b"".join(jsonl(lines)), "")
        assert expected == run(capsysbinary, *argv)

    def test_default_outcome_is_success(self, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
        """Without --outcome, the transfer succeeds."""
        expected = (0, b"".join(jsonl(simulate("blind-user"))), "")
        assert expected == run(capsysbinary, "blind-user")

    def test_mix(self, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
        """``mix --calls N`` prints the mix, every line a JSON object."""
        code, out, err = run(capsysbinary, "mix", "--calls", "25", "--seed", "9")
        expected = (0, b"".join(mix(25, seed=9)), "")
        assert expected == (code, out, err)
        assert all(isinstance(orjson.loads(line), dict) for line in out.splitlines())


class TestUsage:
    """Bad arguments exit 2 with one line on stderr, never a traceback."""

    @pytest.mark.parametrize(
        ("argv", "needle"),
        [
            (["blind"], "invalid choice: 'blind'"),
            (["blind-user", "--outcome", "meh"], "invalid choice: 'meh'"),
            (["reject", "--outcome", "failure"], "no failure"),
            (["blind-user", "--call-id", "a/b"], "--call-id: "),
            (["blind-user", "--calls", "3"], "--calls: applies only to mix"),
            (["mix"], "--calls"),
            (["mix", "--calls", "0"], "calls"),
            (["mix", "--calls", "many"], "invalid int value"),
            (["mix", "--calls", "3", "--outcome", "failure"], "--outcome"),
            (["mix", "--calls", "3", "--call-id", "x"], "--call-id"),
            (["blind-user", "--seed", "x"], "invalid int value"),
        ],
    )
    def test_exit_2(
        self, capsysbinary: pytest.CaptureFixture[bytes], argv: list[str], needle: str
    ) -> None:
        """Exit 2, nothing on stdout, one error line naming the problem."""
        code, out, err = run(capsysbinary, *argv)
        expected = (2, b"", 1, True)
        assert expected == (code, out, len(err.splitlines()), needle in err)


class TestProcess:
    """As a real process."""

    def test_streams_into_a_closed_pipe(self) -> None:
        """Reading one line of a large mix and closing the pipe ends quietly with exit 0."""
        argv = [sys.executable, "-m", "callstate", "simulate", "mix", "--calls", "20000"]
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            assert proc.stdout is not None
            assert proc.stderr is not None
            first = proc.stdout.readline()
            proc.stdout.close()
            err = proc.stderr.read()
            code = proc.wait(timeout=60)
        assert isinstance(orjson.loads(first), dict)
        expected = (0, b"")
        assert expected == (code, err)
