"""``validate`` output formats written as one document: a JSON object, JUnit XML, SARIF 2.1.0.

A document can only be written at the end, so these keep findings, but at most
``--max-findings`` of them (10,000 by default); the counts by rule stay complete and
the document says how many findings it left out.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import PurePath
from typing import Final

import orjson

from callstate.cli._formats import Formatter, Summary, finding_json
from callstate.cli._output import Output, escape, plural
from callstate.rules import Catalogue, catalogue
from callstate.verdict import Finding, Report

__all__ = ["DOCUMENTS", "MAX_FINDINGS", "Json", "Junit", "Sarif"]

#: Findings a document lists unless ``--max-findings`` says otherwise.
MAX_FINDINGS: Final = 10_000

SARIF_VERSION: Final = "2.1.0"
SARIF_SCHEMA: Final = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


class _Document(Formatter):
    """Keeps up to ``max_findings`` findings, and counts the violations left out."""

    def __init__(self, out: Output, *, quiet: bool = False, max_findings: int | None = None):
        super().__init__(
            out, quiet=quiet, max_findings=MAX_FINDINGS if max_findings is None else max_findings
        )
        self.kept: list[tuple[str, Finding]] = []
        #: Violations among the findings left out.
        self.omitted_violations = 0

    def finding(self, name: str, finding: Finding) -> None:
        if self._take():
            self.kept.append((name, finding))
        elif finding.severity == "violation":
            self.omitted_violations += 1


class Json(_Document):
    """One object: the totals, ``violations`` and ``warnings`` (each with its ``file``)."""

    def finish(self, summary: Summary, names: Iterable[str]) -> None:
        found = [(f.severity, finding_json(name, f)) for name, f in self.kept]
        for _, data in found:
            del data["severity"]
        document = {
            "ok": summary.ok,
            "files": list(names),
            "unreadable": summary.unreadable,
            "lines": summary.lines,
            "notifications": summary.notifications,
            "calls": summary.calls,
            "violations": [data for severity, data in found if severity == "violation"],
            "warnings": [data for severity, data in found if severity == "warning"],
            "violationCount": summary.violations,
            "warningCount": summary.warnings,
            "counts": dict(summary.by_rule()),
            "omitted": self.omitted,
        }
        self.out.write(orjson.dumps(document) + b"\n")


def _xml(text: str) -> str:
    """Text XML 1.0 can hold: control characters shown escaped, as in the text report."""
    text = escape(text).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Junit(_Document):
    """JUnit XML: a test suite per input, a test case per call, a failure per violation.

    A call with only warnings passes, its warnings in ``system-out``; findings that name
    no call (a malformed line, an empty input) make a ``(no call)`` case; the calls with
    no finding are counted in one passing case, so a million calls do not make a
    million elements.
    """

    def __init__(self, out: Output, *, quiet: bool = False, max_findings: int | None = None):
        super().__init__(out, quiet=quiet, max_findings=max_findings)
        self.calls: dict[str, int] = {}

    def end_input(self, name: str, report: Report) -> None:
        self.calls[name] = report.calls

    def finish(self, summary: Summary, names: Iterable[str]) -> None:
        by_file: dict[str, dict[str | None, list[Finding]]] = {}
        for name, finding in self.kept:
            by_file.setdefault(name, {}).setdefault(finding.call_id, []).append(finding)
        root = ET.Element("testsuites", name="callstate validate")
        tests = failures = 0
        for name in names:
            suite = self._suite(root, name, by_file.get(name, {}))
            tests += int(suite.get("tests", "0"))
            failures += int(suite.get("failures", "0"))
        if self.omitted:
            suite = ET.SubElement(root, "testsuite", name="(not listed)")
            case = ET.SubElement(suite, "testcase", classname="callstate", name="--max-findings")
            text = f"{plural(self.omitted, 'finding')} not listed, "
            text += f"{plural(self.omitted_violations, 'violation')} among them"
            if self.omitted_violations:
                ET.SubElement(case, "failure", type="max-findings", message=text)
            else:
                ET.SubElement(case, "system-out").text = text
            n_fail = 1 if self.omitted_violations else 0
            suite.attrib.update(tests="1", failures=str(n_fail), errors="0", skipped="0")
            tests, failures = tests + 1, failures + n_fail
        root.attrib.update(tests=str(tests), failures=str(failures), errors="0")
        ET.indent(root)
        self.out.write(ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")

    def _suite(
        self, root: ET.Element, name: str, calls: dict[str | None, list[Finding]]
    ) -> ET.Element:
        suite = ET.SubElement(root, "testsuite", name=_xml(name))
        failures = 0
        for call_id, found in calls.items():
            label = f"call {call_id}" if call_id is not None else "(no call)"
            case = ET.SubElement(suite, "testcase", classname=_xml(name), name=_xml(label))
            notes = []
            for f in found:
                where = f"{name}:{f.line}" if f.line is not None else name
                said = f"{where}: {f.message} [{f.rule}]"
                if f.severity == "violation":
                    failure = ET.SubElement(
                        case, "failure", type=_xml(f.rule), message=_xml(f.message)
                    )
                    failure.text = _xml(said)
                else:
                    notes.append(_xml(f"warning: {said}"))
            if notes:
                ET.SubElement(case, "system-out").text = "\n".join(notes)
            failures += any(f.severity == "violation" for f in found)
        named = sum(1 for call_id in calls if call_id is not None)
        rest = max(0, self.calls.get(name, 0) - named)
        if rest:
            label = f"{plural(rest, 'other call')} with no finding"
            ET.SubElement(suite, "testcase", classname=_xml(name), name=label)
        suite.attrib.update(
            tests=str(len(calls) + (1 if rest else 0)),
            failures=str(failures),
            errors="0",
            skipped="0",
        )
        return suite


def _uri(name: str) -> str:
    """A SARIF artifact URI: a relative path as a relative reference, else a ``file:`` URI."""
    path = PurePath(name)
    if path.is_absolute():
        return path.as_uri()
    return urllib.parse.quote(path.as_posix(), safe="/", errors="backslashreplace")


def _sarif_rules(rules: Catalogue, used: Iterable[str]) -> list[dict[str, object]]:
    """The catalogue as ``reportingDescriptor`` objects, plus any id found but not declared."""
    described: list[dict[str, object]] = [
        {
            "id": rule.id,
            "shortDescription": {"text": rule.summary},
            "defaultConfiguration": {
                "level": "error" if rule.severity == "violation" else "warning"
            },
            "properties": {"subject": rule.subject},
        }
        for rule in rules
    ]
    for rule_id in dict.fromkeys(used):
        if rule_id not in rules:
            described.append(
                {"id": rule_id, "shortDescription": {"text": "not in the rule catalogue"}}
            )
    return described


class Sarif(_Document):
    """SARIF 2.1.0: one result per finding; the rule catalogue as the driver's rules."""

    def finish(self, summary: Summary, names: Iterable[str]) -> None:
        from callstate import __version__

        rules = _sarif_rules(catalogue(), (f.rule for _, f in self.kept))
        index = {str(rule["id"]): i for i, rule in enumerate(rules)}
        results = []
        for name, f in self.kept:
            location: dict[str, object] = {"artifactLocation": {"uri": _uri(name)}}
            if f.line is not None:
                location["region"] = {"startLine": f.line}
            properties = {
                key: value
                for key, value in (
                    ("callId", f.call_id),
                    ("state", f.state),
                    ("received", f.received),
                )
                if value is not None
            }
            result: dict[str, object] = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "level": "warning" if f.severity == "warning" else "error",
                "message": {"text": f.message},
                "locations": [{"physicalLocation": location}],
            }
            if properties:
                result["properties"] = properties
            results.append(result)
        totals = summary.to_json()
        totals["omitted"] = self.omitted
        document = {
            "version": SARIF_VERSION,
            "$schema": SARIF_SCHEMA,
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "callstate",
                            "version": __version__,
                            "rules": rules,
                        }
                    },
                    "artifacts": [{"location": {"uri": _uri(name)}} for name in names],
                    "results": results,
                    "invocations": [{"executionSuccessful": True}],
                    "properties": totals,
                }
            ],
        }
        self.out.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")


#: The buffered formats by name.
DOCUMENTS: Final = {"json": Json, "junit": Junit, "sarif": Sarif}
