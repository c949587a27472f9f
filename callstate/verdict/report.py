"""Validate a whole trace: JSON Lines in, one report out, streamed line by line."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from callstate.errors import UsageError
from callstate.machine.definition import MachineDefinition
from callstate.verdict.finding import CallWarning, Finding, Violation
from callstate.verdict.tracker import StepObserver, Tracker

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Report", "validate_lines", "validate_path"]


@attrs.define
class Report:
    """The verdict on a trace: counts, and every violation and warning in line order."""

    lines: int = 0
    notifications: int = 0
    calls: int = 0
    violations: list[Violation] = attrs.Factory(list)
    warnings: list[CallWarning] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        """True when nothing broke the documented behaviour (warnings allowed)."""
        return not self.violations

    def to_json(self) -> dict[str, Any]:
        """The ``validate --format json`` object."""
        return {
            "ok": self.ok,
            "lines": self.lines,
            "notifications": self.notifications,
            "calls": self.calls,
            "violations": [v.to_json() for v in self.violations],
            "warnings": [w.to_json() for w in self.warnings],
        }


def validate_lines(
    lines: Iterable[bytes | str],
    *,
    strict: bool = False,
    definition: MachineDefinition | None = None,
    tracker: Tracker | None = None,
    on_step: StepObserver | None = None,
) -> Report:
    """Check JSON Lines (one webhook body a line; blank lines skipped), numbered from 1."""
    found: list[Finding] = []
    if isinstance(lines, str | bytes | bytearray):
        raise UsageError(
            "lines",
            "expected an iterable of lines, got one whole text: pass text.splitlines() "
            "or an open file",
        )
    if tracker is None:
        tracker = Tracker(definition=definition, strict=strict, on_step=on_step)
    elif on_step is not None:
        raise UsageError("on_step", "pass on_step to the Tracker you hand in, not here")
    count = 0
    for count, line in enumerate(lines, 1):
        if not line or line.isspace():
            continue
        tracker.ingest_into(line, found, line=count)
    found.extend(tracker.finish(line=count or None))
    return _report(count, tracker, found)


def _report(lines: int, tracker: Tracker, found: list[Finding]) -> Report:
    report = Report(lines=lines, notifications=tracker.notifications, calls=tracker.calls_started)
    for finding in found:
        if isinstance(finding, Violation):
            report.violations.append(finding)
        elif isinstance(finding, CallWarning):
            report.warnings.append(finding)
    return report


def validate_path(
    path: str | Path,
    *,
    strict: bool = False,
    definition: MachineDefinition | None = None,
    on_step: StepObserver | None = None,
) -> Report:
    """:func:`validate_lines` over a file (``-`` is standard input), streamed, never read whole.

    ``OSError`` propagates for a path that cannot be read.
    """
    tracker = Tracker(definition=definition, strict=strict, on_step=on_step)
    found: list[Finding] = []
    if str(path) == "-":
        lines = tracker.read_stream(sys.stdin.buffer, found)
    else:
        with open(path, "rb") as stream:
            lines = tracker.read_stream(stream, found)
    found.extend(tracker.finish(line=lines or None))
    return _report(lines, tracker, found)
