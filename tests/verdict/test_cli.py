"""``callstate validate`` as a user runs it: output shapes, exit codes, stdin, a real process."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from callstate.cli import main
from tests.conftest import SpecExample
from tests.verdict.conftest import (
    CALL,
    RunJson,
    RunValidate,
    envelope,
    jsonl,
    note,
    opening,
    spec_trace,
)

BAD_TRACE = [
    *jsonl([*opening(), envelope(note("transferAccepted")), envelope(note("parked"))]),
    b"",
    b"   ",
    b"{oops",
]


class TestJsonOutput:
    """--format json prints exactly one object of the documented shape."""

    def test_shape(self, run_validate: RunValidate) -> None:
        """Top-level keys, finding keys and their types, exactly."""
        code, out, err = run_validate(BAD_TRACE, "--format", "json")
        report = orjson.loads(out)
        finding_keys = ["file", "line", "callId", "rule", "message", "state", "received"]
        top = ["ok", "files", "unreadable", "lines", "notifications", "calls", "violations"]
        top += ["warnings", "violationCount", "warningCount", "counts", "omitted"]
        expected = (1, "", 1, top, [finding_keys, finding_keys], [finding_keys, finding_keys])
        actual = (
            code,
            err,
            out.count("\n"),
            list(report),
            [list(v) for v in report["violations"]],
            [list(w) for w in report["warnings"]],
        )
        assert expected == actual

    def test_values(self, run_json: RunJson) -> None:
        """Counts, ok, and each finding's location and values; blank lines counted, skipped."""
        code, report = run_json(BAD_TRACE)
        name = report["files"][0]
        expected = {
            "ok": False,
            "files": [name],
            "unreadable": 0,
            "lines": 8,
            "notifications": 5,
            "calls": 1,
            "violations": [
                {
                    "file": name,
                    "line": 4,
                    "callId": CALL,
                    "rule": "transfer-not-in-progress",
                    "message": "transferAccepted while established: no transfer in progress",
                    "state": "established",
                    "received": "transferAccepted",
                },
                {
                    "file": name,
                    "line": 8,
                    "callId": None,
                    "rule": "malformed",
                    "message": report["violations"][1]["message"],
                    "state": None,
                    "received": None,
                },
            ],
            "warnings": [
                {
                    "file": name,
                    "line": 5,
                    "callId": CALL,
                    "rule": "unknown-state",
                    "message": "unknown state 'parked': read as unknownFutureValue, "
                    "state unchanged",
                    "state": "transferAccepted",
                    "received": "parked",
                },
                {
                    "file": name,
                    "line": 8,
                    "callId": CALL,
                    "rule": "unfinished-transfer",
                    "message": "the input ended with the call in transferAccepted: its transfer "
                    "never finished",
                    "state": "transferAccepted",
                    "received": None,
                },
            ],
            "violationCount": 2,
            "warningCount": 2,
            "counts": {
                "malformed": 1,
                "transfer-not-in-progress": 1,
                "unfinished-transfer": 1,
                "unknown-state": 1,
            },
            "omitted": 0,
        }
        assert (1, expected) == (code, report)
        assert name.endswith("trace.jsonl")
        assert report["violations"][1]["message"].startswith("not valid JSON")

    def test_conforming_trace(self, spec_examples: list[SpecExample], run_json: RunJson) -> None:
        """ok is true and exit 0 when nothing breaks the contract."""
        code, report = run_json(jsonl(spec_trace(spec_examples[3], "success")))
        expected: tuple[object, ...] = (0, True, [], [])
        assert expected == (code, report["ok"], report["violations"], report["warnings"])


class TestTextOutput:
    """The text report: ``FILE:LINE:`` and one line per finding, then the summary."""

    def test_lines_then_summary(self, run_validate: RunValidate, tmp_path: Path) -> None:
        """Each finding names its file, line, call, what broke and the rule; the summary counts."""
        code, out, err = run_validate(BAD_TRACE)
        name = str(tmp_path / "trace.jsonl")
        lines = out.splitlines()
        expected = (
            1,
            "",
            6,
            f"{name}:4: call {CALL}  transferAccepted while established: no transfer in progress"
            " [transfer-not-in-progress]",
            f"{name}:5: warning: call {CALL}  unknown state 'parked': read as "
            "unknownFutureValue, state unchanged [unknown-state]",
            (f"{name}:8: not valid JSON", "[malformed]"),
            f"{name}:8: warning: call {CALL}  the input ended with the call in "
            "transferAccepted: its transfer never finished [unfinished-transfer]",
            "FAILED: 8 lines, 5 notifications, 1 call, 2 violations, 2 warnings",
            "by rule: malformed 1, transfer-not-in-progress 1, unfinished-transfer 1, "
            "unknown-state 1",
        )
        actual = (
            code,
            err,
            len(lines),
            lines[0],
            lines[1],
            (lines[2][: len(name) + 18], lines[2][lines[2].rindex("[") :]),
            lines[3],
            lines[4],
            lines[5],
        )
        assert expected == actual

    def test_ok_summary(self, run_validate: RunValidate) -> None:
        """A conforming trace prints only the summary, and exits 0."""
        code, out, _ = run_validate(jsonl(opening()))
        expected = (0, "OK: 3 lines, 3 notifications, 1 call, 0 violations, 0 warnings\n")
        assert expected == (code, out)


class TestExitCodes:
    """0 conforms, 1 on a violation, 2 on a usage error or unreadable path; never a traceback."""

    def test_missing_path(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A path that does not exist: exit 2 and one line on stderr."""
        code = main(["validate", str(tmp_path / "nope.jsonl")])
        out, err = capsys.readouterr()
        expected = (2, "", 1, True)
        assert expected == (code, out, err.count("\n"), "cannot read" in err)

    def test_directory_path(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A directory: exit 2 and one line on stderr."""
        code = main(["validate", str(tmp_path)])
        out, err = capsys.readouterr()
        expected = (2, "", 1, "Traceback" in err)
        assert expected == (code, out, err.count("\n"), False)

    def test_bad_format_is_usage_error(self, tmp_path: Path) -> None:
        """An unknown --format exits 2 through argparse."""
        with pytest.raises(SystemExit) as info:
            main(["validate", str(tmp_path), "--format", "xml"])
        expected = 2
        assert expected == info.value.code

    def test_empty_file_fails(self, run_json: RunJson) -> None:
        """An input with no notification fails (a silent producer), unless --allow-empty."""
        code, report = run_json([])
        allowed, allowed_report = run_json([], "--allow-empty")
        expected = ((1, 1, 0, ["empty-trace"]), (0, True, []))
        actual = (
            (
                code,
                report["lines"],
                report["notifications"],
                [v["rule"] for v in report["violations"]],
            ),
            (allowed, allowed_report["ok"], allowed_report["violations"]),
        )
        assert expected == actual


class TestStdin:
    """``-`` reads standard input, streamed."""

    def test_dash_reads_stdin(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The same report as from a file."""
        data = b"\n".join(BAD_TRACE) + b"\n"
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        code = main(["validate", "-", "--format", "json"])
        report = orjson.loads(capsys.readouterr().out)
        expected = (1, [4, 8], [5, 8])
        actual = (
            code,
            [v["line"] for v in report["violations"]],
            [w["line"] for w in report["warnings"]],
        )
        assert expected == actual


class TestRealProcess:
    """``python -m callstate validate`` as a separate process: real exit codes, no traceback."""

    def test_exit_codes(self, tmp_path: Path, spec_examples: list[SpecExample]) -> None:
        """0 for a conforming trace, 1 for a violation, 2 for a missing file."""
        good = tmp_path / "good.jsonl"
        good.write_bytes(b"\n".join(jsonl(spec_trace(spec_examples[0], "success"))))
        bad = tmp_path / "bad.jsonl"
        bad.write_bytes(b"\n".join(BAD_TRACE))
        results = []
        for path in (good, bad, tmp_path / "missing.jsonl"):
            done = subprocess.run(
                [sys.executable, "-m", "callstate", "validate", str(path)],
                capture_output=True,
                check=False,
                timeout=60,
            )
            results.append((done.returncode, b"Traceback" in done.stderr + done.stdout))
        expected = [(0, False), (1, False), (2, False)]
        assert expected == results
