"""``callstate validate`` inputs and text output: paths, globs, gzip, BOM, stdin, empty input."""

from __future__ import annotations

import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Validate, failing, write_trace
from tests.verdict.conftest import opening


class TestSeveralInputs:
    """Several paths and globs, each its own trace; every finding names its file."""

    def test_two_paths(self, tmp_path: Path, validate: Validate) -> None:
        """Findings prefixed by their file; the summary counts both files."""
        good = write_trace(tmp_path / "good.jsonl", opening("g"))
        bad = write_trace(tmp_path / "bad.jsonl", failing())
        code, out, err = validate(str(good), str(bad))
        lines = out.splitlines()
        expected = (
            1,
            "",
            f"{bad}:4: call c1  ",
            f"{bad}:4: warning: call c1  ",
            "FAILED: 2 files, 7 lines, 7 notifications",
        )
        actual = (
            code,
            err,
            lines[0][: len(f"{bad}:4: call c1  ")],
            lines[1][: len(f"{bad}:4: warning: call c1  ")],
            lines[2][:41],
        )
        assert expected == actual

    def test_glob_sorted_and_directories_skipped(self, tmp_path: Path, validate: Validate) -> None:
        """A glob gives its files in sorted order; a matching directory is not an input."""
        write_trace(tmp_path / "b.jsonl", failing("cb"))
        write_trace(tmp_path / "a.jsonl", failing("ca"))
        (tmp_path / "dir.jsonl").mkdir()
        code, out, _ = validate(str(tmp_path / "*.jsonl"), "--format", "json")
        report = json.loads(out)
        expected = (1, [str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")], ["ca", "cb"])
        actual = (code, report["files"], [v["callId"] for v in report["violations"]])
        assert expected == actual

    def test_glob_matching_nothing(self, tmp_path: Path, validate: Validate) -> None:
        """A pattern with no match is a usage error naming it."""
        code, out, err = validate(str(tmp_path / "*.jsonl"))
        expected = (2, "", 1, "no file matches")
        assert expected == (code, out, err.count("\n"), err[err.index("no file") :][:15])

    def test_stdin_twice(self, validate: Validate) -> None:
        """``-`` twice is a usage error."""
        code, _, err = validate("-", "-")
        expected = (
            2,
            "callstate validate: error: PATH: standard input (-) can be read only once\n",
        )
        assert expected == (code, err)

    def test_unreadable_among_readable(self, tmp_path: Path, validate: Validate) -> None:
        """The others are still validated; the missing one is an error line and exit 2."""
        good = write_trace(tmp_path / "good.jsonl", opening())
        code, out, err = validate(str(tmp_path / "missing.jsonl"), str(good))
        expected = (2, "FAILED: 1 file, 1 unreadable, 3 lines", 1, "cannot read")
        actual = (code, out[:37], err.count("\n"), err[err.index("cannot") :][:11])
        assert expected == actual


class TestEncodings:
    """gzip is read as is; a UTF-8 BOM is not a malformed line."""

    def test_gzip_located_by_its_name(self, tmp_path: Path, validate: Validate) -> None:
        """Findings of a .gz input name the .gz file and the line inside it."""
        plain = write_trace(tmp_path / "t.jsonl", failing())
        packed = tmp_path / "t.jsonl.gz"
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        code, out, _ = validate(str(packed))
        expected = (1, f"{packed}:4: call c1")
        assert expected == (code, out.splitlines()[0][: len(expected[1])])

    @pytest.mark.parametrize("cut", [None, 12], ids=["corrupt", "truncated"])
    def test_damaged_gzip_is_a_finding(
        self, tmp_path: Path, validate: Validate, cut: int | None
    ) -> None:
        """A gzip stream damaged from its first line is one malformed finding there, read the
        same way for the not-JSON-Lines hint: never a zlib traceback."""
        packed = bytearray(gzip.compress(b'{"value": []}\n' * 100))
        if cut is None:
            packed[12] ^= 0xFF
            packed[13] ^= 0x55
        path = tmp_path / "t.jsonl.gz"
        path.write_bytes(bytes(packed if cut is None else packed[:cut]))
        code, out, err = validate(str(path))
        why = "corrupt" if cut is None else "truncated"
        expected = (1, f"{path}:1: the gzip stream is {why}", "")
        assert expected == (code, out.splitlines()[0][: len(expected[1])], err)

    def test_bom(self, tmp_path: Path, validate: Validate) -> None:
        """A file saved with a BOM validates like one without."""
        path = write_trace(tmp_path / "t.jsonl", opening())
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        expected = (0, "OK: 3 lines, 3 notifications, 1 call, 0 violations, 0 warnings\n")
        code, out, _ = validate(str(path))
        assert expected == (code, out)


class _Terminal(io.TextIOWrapper):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class TestStdin:
    """Standard input: ``<stdin>:LINE:``, and a hint on a terminal instead of silence."""

    def test_located_as_stdin(self, validate: Validate, monkeypatch: pytest.MonkeyPatch) -> None:
        """No path reads stdin; its findings say ``<stdin>``."""
        data = b"\n".join(json.dumps(b).encode() for b in failing())
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        code, out, _ = validate()
        expected = (1, "<stdin>:4: call c1  ")
        assert expected == (code, out[: len(expected[1])])

    def test_terminal_hint(self, validate: Validate, monkeypatch: pytest.MonkeyPatch) -> None:
        """On a terminal a hint goes to stderr first, then the input is read as usual."""
        data = b"\n".join(json.dumps(b).encode() for b in opening())
        monkeypatch.setattr(sys, "stdin", _Terminal(io.BytesIO(data)))
        code, out, err = validate()
        expected = (0, "OK: 3 lines", "callstate validate: hint: reading a trace from the terminal")
        assert expected == (code, out[:11], err[: len(expected[2])])


class TestEmpty:
    """Zero notifications fail (a producer that printed nothing), unless --allow-empty."""

    @pytest.mark.parametrize("data", [b"", b"\n  \n"], ids=["empty", "blank"])
    def test_fails(self, data: bytes, tmp_path: Path, validate: Validate) -> None:
        """Exit 1 with one empty-trace violation that says what to do."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(data)
        code, out, _ = validate(str(path))
        first = out.splitlines()[0]
        expected = (1, f"{path}: ", "--allow-empty", "[empty-trace]")
        actual = (
            code,
            first[: len(str(path)) + 2],
            "--allow-empty" if "--allow-empty" in first else "",
            first[-13:],
        )
        assert expected == actual

    def test_allowed(self, tmp_path: Path, validate: Validate) -> None:
        """--allow-empty: exit 0."""
        path = tmp_path / "t.jsonl"
        path.write_bytes(b"")
        expected = (0, "OK: 0 lines, 0 notifications, 0 calls, 0 violations, 0 warnings\n")
        code, out, _ = validate(str(path), "--allow-empty")
        assert expected == (code, out)


class TestSummary:
    """Per-rule counts, plurals, --quiet."""

    def test_counts_by_rule_and_plurals(self, tmp_path: Path, validate: Validate) -> None:
        """Most frequent rule first; 1 call, 1 warning, 3 violations."""
        path = write_trace(tmp_path / "t.jsonl", [*failing(), b"{oops", b"{oops"])
        _, out, _ = validate(str(path))
        expected = [
            "FAILED: 6 lines, 4 notifications, 1 call, 3 violations, 1 warning",
            "by rule: malformed 2, transfer-not-in-progress 1, unfinished-transfer 1",
        ]
        assert expected == out.splitlines()[-2:]

    def test_quiet_failure_prints_only_the_summary(
        self, tmp_path: Path, validate: Validate
    ) -> None:
        """--quiet: no finding lines, the summary still says what failed."""
        path = write_trace(tmp_path / "t.jsonl", failing())
        expected = (
            1,
            "FAILED: 4 lines, 4 notifications, 1 call, 1 violation, 1 warning\n"
            "by rule: transfer-not-in-progress 1, unfinished-transfer 1\n",
        )
        assert expected == validate(str(path), "--quiet")[:2]

    def test_quiet_success_prints_nothing(self, tmp_path: Path, validate: Validate) -> None:
        """--quiet on a conforming trace: no output at all, exit 0."""
        path = write_trace(tmp_path / "t.jsonl", opening())
        assert (0, "", "") == validate(str(path), "-q")


class TestJsonLinesHint:
    """A pretty-printed document or one JSON array gets a hint to make it JSON Lines."""

    def test_pretty_printed(self, tmp_path: Path, validate: Validate) -> None:
        """One envelope over several lines: the hint names jq -c ."""
        path = tmp_path / "body.json"
        path.write_text(json.dumps(opening()[0], indent=2))
        code, _, err = validate(str(path))
        expected = (1, True, True, 1)
        actual = (code, "pretty-printed" in err, f"jq -c . {path}" in err, err.count("\n"))
        assert expected == actual

    def test_array_on_stdin(self, validate: Validate, monkeypatch: pytest.MonkeyPatch) -> None:
        """A JSON array read from a pipe: peeked at, the hint names jq -c '.[]'."""
        data = json.dumps(opening(), indent=1).encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(io.BytesIO(data))))
        code, _, err = validate()
        expected = (1, True, True)
        assert expected == (code, "one JSON array" in err, "jq -c '.[]' |" in err)

    def test_no_hint_for_a_broken_line(self, tmp_path: Path, validate: Validate) -> None:
        """A JSON Lines trace with one bad first line gets no hint."""
        path = write_trace(tmp_path / "t.jsonl", [b"{oops", *opening()])
        assert (1, "") == (validate(str(path))[0], validate(str(path))[2])
