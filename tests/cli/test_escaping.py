"""Output injection: whatever a trace holds, each finding is one line a reader can trust."""

from __future__ import annotations

from pathlib import Path

import pytest

from callstate.cli._output import escape
from tests.cli.conftest import Validate, failing, write_trace

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
    """A call id with a newline cannot forge a report line."""

    def test_newline_in_call_id(self, tmp_path: Path, validate: Validate) -> None:
        """Two finding lines, then the real summary: the forged OK line is inside each."""
        path = write_trace(tmp_path / "t.jsonl", failing(FORGED))
        code, out, _ = validate(str(path))
        lines = out.splitlines()
        expected = (
            1,
            4,
            f"{path}:4: call c1\\nOK: 9 lines",
            f"{path}:4: warning: call c1\\nOK: 9 lines",
            "FAILED: 4 lines",
        )
        actual = (
            code,
            len(lines),
            lines[0][: len(str(path)) + 24],
            lines[1][: len(str(path)) + 33],
            lines[2][:15],
        )
        assert expected == actual

    def test_terminal_escapes_in_call_id(self, tmp_path: Path, validate: Validate) -> None:
        """ANSI sequences and bidi overrides are shown, not obeyed."""
        path = write_trace(tmp_path / "t.jsonl", failing("\x1b[2Kx\u202e"))
        _, out, _ = validate(str(path))
        assert "call \\x1b[2Kx\\u202e  " in out.splitlines()[0]

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
        path = write_trace(tmp_path / "t.jsonl", failing("a\n::error::forged\x1b"))
        _, out, _ = validate(str(path), "--format", "github")
        lines = out.splitlines()
        expected = (4, "::call a%0A::error::forged\\x1b: ")
        assert expected == (len(lines), lines[0][lines[0].index("::call") :][:32])
