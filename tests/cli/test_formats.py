"""Every ``validate --format``, checked by parsing what it prints."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from callstate.rules import catalogue
from tests.cli.conftest import Validate, failing, hostile, write_trace
from tests.verdict.conftest import CALL, envelope, note, opening

#: A call with one violation (line 4) and one warning (line 5), a malformed line 6,
#: and a second call that conforms. The first call is left in transferAccepted, so the
#: end of input (line 9) warns ``unfinished-transfer`` for it.
MIXED = [*failing("c1"), envelope(note("parked", call="c1")), b"{oops", *opening("c2")]


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """The MIXED trace on disk."""
    return write_trace(tmp_path / "mixed.jsonl", MIXED)


class TestJsonl:
    """One object per finding, then the summary line."""

    def test_records(self, mixed: Path, validate: Validate) -> None:
        """Each line parses; findings in line order with severity; counts complete."""
        code, out, _ = validate(str(mixed), "--format", "jsonl")
        records = [json.loads(line) for line in out.splitlines()]
        expected = (
            1,
            [
                (str(mixed), 4, "violation", "transfer-not-in-progress", "c1"),
                (str(mixed), 5, "warning", "unknown-state", "c1"),
                (str(mixed), 6, "violation", "malformed", None),
                (str(mixed), 9, "warning", "unfinished-transfer", "c1"),
            ],
            {
                "ok": False,
                "files": 1,
                "unreadable": 0,
                "lines": 9,
                "notifications": 8,
                "calls": 2,
                "violationCount": 2,
                "warningCount": 2,
                "counts": {
                    "malformed": 1,
                    "transfer-not-in-progress": 1,
                    "unfinished-transfer": 1,
                    "unknown-state": 1,
                },
                "omitted": 0,
            },
        )
        actual = (
            code,
            [(r["file"], r["line"], r["severity"], r["rule"], r["callId"]) for r in records[:-1]],
            records[-1]["summary"],
        )
        assert expected == actual


class TestJson:
    """One object; --max-findings bounds the lists, never the counts."""

    def test_max_findings(self, mixed: Path, validate: Validate) -> None:
        """One finding listed, three omitted, every rule still counted."""
        code, out, _ = validate(str(mixed), "--format", "json", "--max-findings", "1")
        report = json.loads(out)
        expected = (
            1,
            1,
            0,
            3,
            2,
            2,
            {
                "malformed": 1,
                "transfer-not-in-progress": 1,
                "unfinished-transfer": 1,
                "unknown-state": 1,
            },
        )
        actual = (
            code,
            len(report["violations"]),
            len(report["warnings"]),
            report["omitted"],
            report["warningCount"],
            report["violationCount"],
            report["counts"],
        )
        assert expected == actual

    def test_negative_max_findings(self, mixed: Path, validate: Validate) -> None:
        """A negative count is a usage error naming the flag."""
        code, _, err = validate(str(mixed), "--max-findings", "-1")
        assert (2, "callstate validate: error: --max-findings: must be >= 0, got -1\n") == (
            code,
            err,
        )


_COMMAND = re.compile(r"::(error|warning) ([^:]*)::(.*)")


class TestGithub:
    """``::error file=…,line=…::`` annotations, escaped as GitHub requires."""

    def test_annotations(self, mixed: Path, validate: Validate) -> None:
        """A violation is an error, a warning a warning, each with file, line and title."""
        code, out, _ = validate(str(mixed), "--format", "github")
        commands = [m.groups() for line in out.splitlines() if (m := _COMMAND.fullmatch(line))]
        expected = (
            1,
            [
                ("error", f"file={mixed},line=4,title=callstate transfer-not-in-progress"),
                ("warning", f"file={mixed},line=5,title=callstate unknown-state"),
                ("error", f"file={mixed},line=6,title=callstate malformed"),
                ("warning", f"file={mixed},line=9,title=callstate unfinished-transfer"),
            ],
            "call c1: transferAccepted while established: no transfer in progress",
        )
        assert expected == (code, [c[:2] for c in commands], commands[0][2])

    def test_default_under_github_actions(
        self, mixed: Path, validate: Validate, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """GITHUB_ACTIONS=true picks github; an explicit --format still wins."""
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        default = validate(str(mixed))[1].splitlines()[0]
        chosen = validate(str(mixed), "--format", "text")[1].splitlines()[0]
        expected = ("::error file=", f"{mixed}:4: ")
        assert expected == (default[:13], chosen[: len(str(mixed)) + 4])

    def test_escaping(self, tmp_path: Path, validate: Validate) -> None:
        """%, CR and LF in data, and also : and , in properties, are percent-encoded."""
        path = write_trace(tmp_path / "a,b:c%.jsonl", hostile("x%y\r\nz"))
        _, out, _ = validate(str(path), "--format", "github")
        first = out.splitlines()[0]
        name = str(path).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
        said = f"::call {CALL}: established x%25y%0D%0Az after"
        expected = (f"::error file={name},line=5,", said)
        at = first.index("::call")
        assert expected == (first[: len(expected[0])], first[at : at + len(expected[1])])

    def test_quiet(self, mixed: Path, tmp_path: Path, validate: Validate) -> None:
        """--quiet keeps the annotations, and drops the summary of a passing run."""
        good = write_trace(tmp_path / "good.jsonl", opening())
        failed = validate(str(mixed), "--format", "github", "-q")[1].splitlines()
        passed = validate(str(good), "--format", "github", "-q")[1]
        expected = (4, "FAILED: ", "")
        assert expected == (sum(line.startswith("::") for line in failed), failed[4][:8], passed)

    def test_stdin_has_no_file(self, validate: Validate, monkeypatch: pytest.MonkeyPatch) -> None:
        """An annotation of standard input names no file, only the line."""
        import io
        import sys

        data = b"\n".join(json.dumps(b).encode() for b in failing())
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        _, out, _ = validate("--format", "github")
        assert "::error line=4,title=callstate transfer-not-in-progress::" == out[:57]


class TestJunit:
    """JUnit XML: a suite per input, a case per call with findings, a failure per violation."""

    def test_parsed(self, mixed: Path, tmp_path: Path, validate: Validate) -> None:
        """The XML parses; cases, failures and totals agree with the trace."""
        good = write_trace(tmp_path / "good.jsonl", opening("g"))
        code, out, _ = validate(str(mixed), str(good), "--format", "junit")
        root = ET.fromstring(out)
        suites = root.findall("testsuite")
        cases = [
            (c.get("name"), [f.get("type") for f in c.findall("failure")], c.findtext("system-out"))
            for c in suites[0].findall("testcase")
        ]
        expected = (
            1,
            ("testsuites", "4", "2"),
            [str(mixed), str(good)],
            [
                (
                    "call c1",
                    ["transfer-not-in-progress"],
                    f"warning: {mixed}:5: unknown state "
                    "'parked': read as unknownFutureValue, state unchanged [unknown-state]\n"
                    f"warning: {mixed}:9: the input ended with the call in transferAccepted: "
                    "its transfer never finished [unfinished-transfer]",
                ),
                ("(no call)", ["malformed"], None),
                ("1 other call with no finding", [], None),
            ],
            [("1 other call with no finding", [])],
        )
        actual = (
            code,
            (root.tag, root.get("tests"), root.get("failures")),
            [s.get("name") for s in suites],
            cases,
            [(c.get("name"), c.findall("failure")) for c in suites[1].findall("testcase")],
        )
        assert expected == actual

    def test_omitted_findings_still_fail(self, mixed: Path, validate: Validate) -> None:
        """With --max-findings 0 no call is listed, yet a failing case says violations exist."""
        _, out, _ = validate(str(mixed), "--format", "junit", "--max-findings", "0")
        root = ET.fromstring(out)
        (omitted,) = [s for s in root.findall("testsuite") if s.get("name") == "(not listed)"]
        failure = omitted.find("testcase/failure")
        assert failure is not None
        expected = ("4 findings not listed, 2 violations among them", "1")
        assert expected == (failure.get("message"), root.get("failures"))

    def test_control_characters_stay_well_formed(self, tmp_path: Path, validate: Validate) -> None:
        """Control characters (not allowed in XML 1.0) in a finding still give valid XML."""
        path = write_trace(tmp_path / "t.jsonl", hostile("a\x01b\x1b[31m"))
        _, out, _ = validate(str(path), "--format", "junit")
        failure = ET.fromstring(out).find("testsuite/testcase/failure")
        assert failure is not None
        expected = "established a\\x01b\\x1b[31m after the call ended"
        assert expected == failure.get("message", "")[: len(expected)]


class TestSarif:
    """SARIF 2.1.0: the catalogue as rules, one result per finding."""

    def test_shape(self, mixed: Path, validate: Validate) -> None:
        """version and $schema; unique rule ids covering the catalogue; results point at them."""
        code, out, _ = validate(str(mixed), "--format", "sarif")
        sarif = json.loads(out)
        run = sarif["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        ids = [r["id"] for r in rules]
        results = run["results"]
        expected = (
            1,
            "2.1.0",
            True,
            len(ids),
            set(),
            [],
            [
                ("transfer-not-in-progress", "error", 4),
                ("unknown-state", "warning", 5),
                ("malformed", "error", 6),
                ("unfinished-transfer", "warning", 9),
            ],
            {mixed.as_uri()},
        )
        actual = (
            code,
            sarif["version"],
            sarif["$schema"].endswith("sarif-schema-2.1.0.json"),
            len(set(ids)),
            {r.id for r in catalogue()} - set(ids),
            [r for r in results if r["ruleId"] not in ids or ids[r["ruleIndex"]] != r["ruleId"]],
            [
                (
                    r["ruleId"],
                    r["level"],
                    r["locations"][0]["physicalLocation"]["region"]["startLine"],
                )
                for r in results
            ],
            {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results},
        )
        assert expected == actual

    def test_rule_levels_and_descriptions(self, mixed: Path, validate: Validate) -> None:
        """Each rule's default level comes from its severity, its description from its summary."""
        _, out, _ = validate(str(mixed), "--format", "sarif")
        rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
        shown = {
            r["id"]: (r["defaultConfiguration"]["level"], r["shortDescription"]["text"])
            for r in rules
        }
        expected = {
            r.id: ("error" if r.severity == "violation" else "warning", r.summary)
            for r in catalogue()
        }
        assert expected == shown

    def test_finding_without_a_line(self, tmp_path: Path, validate: Validate) -> None:
        """An empty input's finding has a location with no region."""
        path = tmp_path / "empty.jsonl"
        path.write_bytes(b"")
        _, out, _ = validate(str(path), "--format", "sarif")
        (result,) = json.loads(out)["runs"][0]["results"]
        expected = ("empty-trace", {"artifactLocation": {"uri": path.as_uri()}})
        assert expected == (result["ruleId"], result["locations"][0]["physicalLocation"])
