"""``validate`` output formats that stream: text, JSON Lines and GitHub annotations.

Each finding is written the moment the tracker reports it, so memory does not grow
with the number of findings. Every human-readable string is passed through
:func:`escape` first: text of the trace holding a newline (a termination reason) cannot
forge a line of the report.
The buffered formats (one JSON object, JUnit XML, SARIF) live in ``_documents``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

import attrs
import orjson

from callstate.cli._output import CONTROL, Output, escape, escaped, plural

if TYPE_CHECKING:
    from callstate.verdict import Finding, Report

__all__ = [
    "STDIN_NAME",
    "Formatter",
    "Github",
    "Jsonl",
    "Summary",
    "Text",
    "finding_json",
    "summary_lines",
]

#: How findings of standard input are located (``<stdin>:4: …``).
STDIN_NAME: Final = "<stdin>"


@attrs.define
class Summary:
    """The totals over every input, with the findings counted by rule."""

    files: int = 0
    lines: int = 0
    notifications: int = 0
    calls: int = 0
    violations: int = 0
    warnings: int = 0
    counts: dict[str, int] = attrs.Factory(dict)
    #: Inputs that could not be read (not counted in ``files``).
    unreadable: int = 0

    @property
    def ok(self) -> bool:
        """Every input read, and no violation in any."""
        return not self.violations and not self.unreadable

    def by_rule(self) -> list[tuple[str, int]]:
        """``(rule, count)``, the most frequent first, then by rule id."""
        return sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))

    def to_json(self) -> dict[str, object]:
        """Totals as JSON: ``ok, files, lines, notifications, calls, violationCount, …``."""
        return {
            "ok": self.ok,
            "files": self.files,
            "unreadable": self.unreadable,
            "lines": self.lines,
            "notifications": self.notifications,
            "calls": self.calls,
            "violationCount": self.violations,
            "warningCount": self.warnings,
            "counts": dict(self.by_rule()),
        }


class Formatter:
    """Receives findings as they are found and the totals at the end; writes one format."""

    def __init__(self, out: Output, *, quiet: bool = False, max_findings: int | None = None):
        self.out = out
        self.quiet = quiet
        self.max_findings = max_findings
        #: Findings received but not printed (beyond ``max_findings``).
        self.omitted = 0
        self._printed = 0

    def _take(self) -> bool:
        """Whether one more finding may be printed (``--max-findings``)."""
        if self.max_findings is not None and self._printed >= self.max_findings:
            self.omitted += 1
            return False
        self._printed += 1
        return True

    def finding(self, name: str, finding: Finding) -> None:
        """One finding of the input called ``name``."""

    def end_input(self, name: str, report: Report) -> None:
        """The input called ``name`` is done; ``report`` has its counts."""

    def finish(self, summary: Summary, names: Iterable[str]) -> None:
        """The totals, after every input; ``names`` are the inputs in order."""


def _located(name: str, line: int | None) -> str:
    return f"{escape(name)}:{line}:" if line is not None else f"{escape(name)}:"


def _said(finding: Finding) -> str:
    said = f"{escape(finding.message)} [{escape(finding.rule)}]"
    return f"call {escape(finding.call_id)}  {said}" if finding.call_id else said


class Text(Formatter):
    """``FILE:LINE: [warning: ]call ID  message [rule]`` per finding, then the summary.

    ``--quiet`` prints no finding, and nothing at all when every input conforms.
    """

    def finding(self, name: str, finding: Finding) -> None:
        if self.quiet or not self._take():
            return
        label = " warning:" if finding.severity == "warning" else ""
        self.out.line(f"{_located(name, finding.line)}{label} {_said(finding)}")

    def finish(self, summary: Summary, names: Iterable[str]) -> None:
        if self.quiet and summary.ok:
            return
        for line in summary_lines(summary, omitted=self.omitted):
            self.out.line(line)


def summary_lines(summary: Summary, *, omitted: int = 0) -> list[str]:
    """``OK: …`` or ``FAILED: …`` with the counts, then the findings by rule if any."""
    parts = [] if summary.files <= 1 and not summary.unreadable else [plural(summary.files, "file")]
    if summary.unreadable:
        parts.append(f"{summary.unreadable} unreadable")
    parts += [
        plural(summary.lines, "line"),
        plural(summary.notifications, "notification"),
        plural(summary.calls, "call"),
        plural(summary.violations, "violation"),
        plural(summary.warnings, "warning"),
    ]
    lines = [f"{'OK' if summary.ok else 'FAILED'}: {', '.join(parts)}"]
    if summary.counts:
        lines.append("by rule: " + ", ".join(f"{rule} {n}" for rule, n in summary.by_rule()))
    if omitted:
        lines.append(f"{plural(omitted, 'finding')} not printed (--max-findings)")
    return lines


def finding_json(name: str, finding: Finding) -> dict[str, object]:
    """A finding as JSON, with its input: ``file, line, callId, severity, rule, …``."""
    data: dict[str, object] = {"file": name, "line": finding.line, "callId": finding.call_id}
    data["severity"] = finding.severity
    data.update(finding.to_json())
    return data


class Jsonl(Formatter):
    """One JSON object per finding, then ``{"summary": {…}}`` as the last line."""

    def finding(self, name: str, finding: Finding) -> None:
        if self._take():
            self.out.write(orjson.dumps(finding_json(name, finding)) + b"\n")

    def finish(self, summary: Summary, names: Iterable[str]) -> None:
        data = summary.to_json()
        data["omitted"] = self.omitted
        self.out.write(orjson.dumps({"summary": data}) + b"\n")


def _github(text: str, *, prop: bool = False) -> str:
    """GitHub's workflow-command escaping, after every other control character is shown."""
    text = CONTROL.sub(lambda m: m[0] if m[0] in "\r\n" else escaped(m), text)
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


class Github(Formatter):
    """``::error file=F,line=N,title=…::message`` (``::warning`` for warnings), then the summary.

    GitHub Actions turns these lines into annotations on the file.
    """

    def finding(self, name: str, finding: Finding) -> None:
        if not self._take():
            return
        level = "warning" if finding.severity == "warning" else "error"
        props = [] if name == STDIN_NAME else [f"file={_github(name, prop=True)}"]
        if finding.line is not None:
            props.append(f"line={finding.line}")
        props.append(f"title={_github(f'callstate {finding.rule}', prop=True)}")
        call = f"call {finding.call_id}: " if finding.call_id else ""
        self.out.line(f"::{level} {','.join(props)}::{_github(call + finding.message)}")

    def finish(self, summary: Summary, names: Iterable[str]) -> None:
        if self.quiet and summary.ok:
            return
        for line in summary_lines(summary, omitted=self.omitted):
            self.out.line(line)


#: Every format's formatter by name; ``_documents`` adds the buffered ones.
STREAMING: Final[dict[str, Callable[..., Formatter]]] = {
    "text": Text,
    "jsonl": Jsonl,
    "github": Github,
}
