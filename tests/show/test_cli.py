"""``callstate show``: one line a step, the ending last, escaped, with documented exit codes."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from callstate.cli import main
from callstate.facts import END_CODES
from tests.show.conftest import CALL, Json, envelope, note, opening

REPO = Path(__file__).resolve().parents[2]
WriteTrace = Callable[[list[Json]], Path]


def _stories(text: str) -> list[list[str]]:
    """The output's stories: blocks that start with ``call ``, each a list of lines."""
    blocks = [block.splitlines() for block in text.split("\n\n")]
    return [block for block in blocks if block and block[0].startswith("call ")]


class TestText:
    def test_why_did_my_call_end(
        self, write_trace: WriteTrace, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The last line of the story says how the call ended and what the result means."""
        end = envelope(note("terminated", change="deleted", code=408, subcode=8537))
        assert 0 == main(["show", str(write_trace([*opening(), end]))])
        story = _stories(capsys.readouterr().out)[0]
        assert (
            f"  => ended at line 4 in terminated: 408/8537, {END_CODES[(408, 8537)]}" == story[-1]
        )

    def test_one_line_a_step(
        self, write_trace: WriteTrace, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Between the header and the ending, one line per step, each naming its line."""
        main(["show", str(write_trace(opening()))])
        story = _stories(capsys.readouterr().out)[0]
        assert (f"call {CALL} (3 steps)", ["line 1", "line 2", "line 3"]) == (
            story[0],
            [line.split("  ")[1] for line in story[1:-1]],
        )

    def test_state_change_and_result_on_the_line(
        self, write_trace: WriteTrace, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A step's line shows its state change and its result with its meaning."""
        end = envelope(note("terminated", change="deleted", code=200, subcode=5001))
        main(["show", str(write_trace([*opening(), end]))])
        line = _stories(capsys.readouterr().out)[0][-2]
        assert (True, True) == (
            "established -> terminated" in line,
            f"200/5001 {END_CODES[(200, 5001)]}" in line,
        )

    def test_violation_inline_and_exit_1(
        self, write_trace: WriteTrace, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A violation is on the line of its step, and the command exits 1."""
        bodies = [*opening(), envelope(note("transferAccepted"))]
        assert 1 == main(["show", str(write_trace(bodies))])
        story = _stories(capsys.readouterr().out)[0]
        assert [True] == [
            "violation: " in line and "[transfer-not-in-progress]" in line
            for line in story
            if line.startswith("  line 4 ")
        ]

    def test_one_call(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--call ID tells one story and no summary."""
        trace = str(REPO / "examples/mixed.jsonl")
        main(["show", trace, "--format", "json"])
        wanted = orjson.loads(capsys.readouterr().out)["calls"][2]["callId"]
        main(["show", trace, "--call", wanted])
        out = capsys.readouterr().out
        assert ([f"call {wanted}"], 1) == (
            [s[0].split(" (")[0] for s in _stories(out)],
            out.count("\n\n") + 1,
        )

    def test_unknown_call_exit_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A call the trace never names exits 2 with one line naming it."""
        assert 2 == main(["show", str(REPO / "examples/mixed.jsonl"), "--call", "nope"])
        err = capsys.readouterr().err
        assert (1, True) == (len(err.splitlines()), "call nope" in err)

    def test_missing_trace_exit_2(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """An unreadable trace exits 2 with one line naming it."""
        missing = tmp_path / "none.jsonl"
        assert 2 == main(["show", str(missing)])
        assert [
            f"callstate show: error: TRACE: cannot read {missing}: No such file or directory"
        ] == capsys.readouterr().err.splitlines()

    def test_newline_in_a_reason_forges_no_line(
        self, write_trace: WriteTrace, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A termination reason with a newline and an escape sequence is shown escaped, in
        its step's line: the ``=>`` line it holds is not a line of the story."""
        hostile = "a\n  => ended at line 1\x1b[2J"
        ended = [*opening(), envelope(note("terminated", change="deleted", reason=hostile))]
        main(["show", str(write_trace(ended))])
        out = capsys.readouterr().out
        ends = [line for line in out.splitlines() if line.lstrip().startswith("=>")]
        expected = (["  => ended at line 4 in terminated: a\\n  => ended at line 1\\x1b[2J"], False)
        assert expected == ([line[: len(expected[0][0])] for line in ends], "\x1b" in out)

    def test_newline_in_call_id_is_no_call(
        self, write_trace: WriteTrace, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A call id with a newline is no id: its line is about no call, the URL quoted."""
        hostile = "a\n  => ended at line 1"
        offered = envelope(note("incoming", change="created", call=hostile))
        main(["show", str(write_trace([offered]))])
        lines = capsys.readouterr().out.splitlines()
        url = f"/communications/calls/{hostile}"
        said = f"  line 1  violation: /value/0/resourceUrl: unrecognised resource URL {url!r}"
        ends = [line for line in lines if line.lstrip().startswith("=>")]
        assert ("lines about no call", said, []) == (lines[1], lines[2][: len(said)], ends)

    def test_reads_stdin(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``show -`` reads the trace from standard input."""
        data = (REPO / "examples/blind-user-success.jsonl").read_bytes()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        assert 0 == main(["show", "-"])
        assert 1 == len(_stories(capsys.readouterr().out))

    def test_stray_findings_listed(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Lines about no call are listed after the stories."""
        main(["show", str(REPO / "examples/violations.jsonl")])
        out = capsys.readouterr().out
        block = next(b for b in out.split("\n\n") if b.startswith("lines about no call"))
        assert 2 == len(block.splitlines()[1:])


class TestJson:
    def test_parses_with_every_step(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--format json is one object: calls with outcomes and steps, and the counts."""
        trace = REPO / "examples/violations.jsonl"
        assert 1 == main(["show", str(trace), "--format", "json"])
        data = orjson.loads(capsys.readouterr().out)
        lines = sorted(s["line"] for c in data["calls"] for s in c["steps"])
        assert (32, True, 8) == (
            len(set(lines)) + len(data["stray"]),
            all(c["outcome"] for c in data["calls"]),
            sum(data["counts"].values()),
        )


def test_readme_transcript(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``callstate show`` prints what the README's "Why did my call end?" shows."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ((trace, shown),) = re.findall(
        r"```console\n\$ callstate show (\S+)\n(.*?)```", readme, flags=re.S
    )
    monkeypatch.chdir(REPO)
    assert 0 == main(["show", trace])
    assert shown == capsys.readouterr().out
