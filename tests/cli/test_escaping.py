"""Output injection: whatever a trace holds, each finding is one line a reader can trust."""

from __future__ import annotations

from pathlib import Path

import pytest

from callstate.cli._output import escape
from tests.cli.conftest import Validate, failing, hostile, write_trace
from tests.verdict.conftest import CALL

FORGED = "c1\nOK: 9 lines, 9 notifications, 1 call, 0 violations, 0 warnings"


class TestEscape:
    """escape() shows control characters instead of letting them act."""

    @pytest.mark.parametrize(
        ("raw", "shown"),
        [
            ("plain id", "plain id"),
            ("a\nb\rc\td", "a\\nb\\rc\\td"),
            ("\x1b[2J\x07", "\\x1b[2J\\x07"),
            ("\x7f\x85\x9f", "\\x7f\\x85\\x9f"),
            ("abc\u202edcba\u2066", "abc\\u202edcba\\u2066"),
            ("line\u2028sep", "line\\u2028sep"),
            ("ünïcødé ok", "ünïcødé ok"),
        ],
        ids=["plain", "whitespace", "ansi", "c1", "bidi", "separator", "unicode"],
    )
    def test_table(self, raw: str, shown: str) -> None:
        """Each control character has a visible escape; other text is kept."""
        assert shown == escape(raw)


class TestValidateText:
    """Text of a trace with a newline cannot forge a report line."""

    def test_newline_in_a_finding(self, tmp_path: Path, validate: Validate) -> None:
        """One finding line, then the real summary: the forged OK line is inside it."""
        path = write_trace(tmp_path / "t.jsonl", hostile(FORGED))
        code, out, _ = validate(str(path))
        lines = out.splitlines()
        expected = (1, 3, f"{path}:5: call {CALL}  established c1\\nOK: 9 lines", "FAILED: 5 lines")
        assert expected == (code, len(lines), lines[0][: len(expected[2])], lines[1][:15])

    def test_newline_in_call_id(self, tmp_path: Path, validate: Validate) -> None:
        """A call id with a newline is no id: each of its lines is one malformed line, the URL
        quoted with its newline escaped, and no call is followed."""
        path = write_trace(tmp_path / "t.jsonl", failing(FORGED))
        code, out, _ = validate(str(path))
        lines = out.splitlines()
        url = f"/communications/calls/{FORGED}"
        said = f"/value/0/resourceUrl: unrecognised resource URL {url!r}"
        heads = [f"{path}:{n}: {said}" for n in range(1, 5)]
        summary = "FAILED: 4 lines, 0 notifications, 0 calls"
        expected = (1, heads, summary)
        actual = ([line[: len(heads[0])] for line in lines[:4]], lines[5][: len(summary)])
        assert expected == (code, *actual)

    def test_terminal_escapes(self, tmp_path: Path, validate: Validate) -> None:
        """ANSI sequences and bidi overrides are shown, not obeyed."""
        path = write_trace(tmp_path / "t.jsonl", hostile("\x1b[2Kx\u202e"))
        _, out, _ = validate(str(path))
        assert "  established \\x1b[2Kx\\u202e after the call ended" in out.splitlines()[0]

    def test_newline_in_file_name(self, tmp_path: Path, validate: Validate) -> None:
        """A file name with a newline is escaped in the FILE:LINE: prefix."""
        path = write_trace(tmp_path / "a\nb.jsonl", failing())
        _, out, _ = validate(str(path))
        expected = (4, str(path).replace("\n", "\\n") + ":4: ")
        lines = out.splitlines()
        assert expected == (len(lines), lines[0][: len(expected[1])])

    def test_error_line_of_an_unreadable_name(self, tmp_path: Path, validate: Validate) -> None:
        """The error for a missing file with a newline in its name is still one line."""
        code, _, err = validate(str(tmp_path / "x\nforged"))
        assert (2, 1) == (code, err.count("\n"))


class TestGithub:
    """GitHub's own escapes for CR, LF and %, and the visible escapes for the rest."""

    def test_newline_and_ansi(self, tmp_path: Path, validate: Validate) -> None:
        """A newline is %0A (no second command), an escape character \\x1b."""
        path = write_trace(tmp_path / "t.jsonl", hostile("a\n::error::forged\x1b"))
        _, out, _ = validate(str(path), "--format", "github")
        lines = out.splitlines()
        expected = (3, f"::call {CALL}: established a%0A::error::forged\\x1b after")
        assert expected == (len(lines), lines[0][lines[0].index("::call") :][: len(expected[1])])
