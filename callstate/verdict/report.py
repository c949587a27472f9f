"""Validate a whole trace: JSON Lines in, one report out, streamed line by line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import IO, TYPE_CHECKING, Any, Final, cast

import attrs

from callstate.errors import UsageError
from callstate.graph.wire import describe_argument
from callstate.machine.definition import MachineDefinition
from callstate.verdict._input import GZIP_MAGIC, Gunzipped, trace_stream, without_bom
from callstate.verdict._partition import can_partition, validate_parts
from callstate.verdict.finding import CallWarning, Finding, Violation
from callstate.verdict.tracker import StepObserver, Tracker

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MAX_JOBS", "FindingObserver", "Report", "jobs_asked", "validate_lines", "validate_path"]


@attrs.define
class Report:
    """The verdict on a trace: counts, and every violation and warning in line order.

    When the findings went to an ``on_finding`` callback instead, ``violations`` and
    ``warnings`` stay empty; ``counts`` (findings by rule), ``violation_count`` and
    ``warning_count`` are complete either way.
    """

    lines: int = 0
    notifications: int = 0
    calls: int = 0
    violations: list[Violation] = attrs.Factory(list)
    warnings: list[CallWarning] = attrs.Factory(list)
    counts: dict[str, int] = attrs.Factory(dict)
    violation_count: int = 0
    warning_count: int = 0
    #: With ``jobs`` > 1: the first line naming calls of two workers, for which the trace
    #: was validated in one process instead (``None``: it was split, or not asked to be).
    unsplit_line: int | None = attrs.field(default=None, eq=False, kw_only=True)

    @property
    def ok(self) -> bool:
        """True when nothing broke the documented behaviour (warnings allowed)."""
        return not self.violations and not self.violation_count

    def to_json(self) -> dict[str, Any]:
        """The ``validate --format json`` object."""
        return {
            "ok": self.ok,
            "lines": self.lines,
            "notifications": self.notifications,
            "calls": self.calls,
            "violations": [v.to_json() for v in self.violations],
            "warnings": [w.to_json() for w in self.warnings],
            "counts": dict(self.counts),
        }


#: Called with each finding as it is found, instead of keeping it in the report.
FindingObserver = Callable[[Finding], None]


# The tracker appends findings to a list it is handed; this list counts each one by
# rule and either keeps it in the report or forwards it at once, so streaming output
# holds no finding.
class _Sink(list[Finding]):
    """The list handed to the tracker: counts every finding, keeps or forwards it."""

    __slots__ = ("_forward", "_report")

    def __init__(self, report: Report, forward: FindingObserver | None) -> None:
        super().__init__()
        self._report = report
        self._forward = forward

    def append(self, finding: Finding) -> None:
        report = self._report
        report.counts[finding.rule] = report.counts.get(finding.rule, 0) + 1
        if isinstance(finding, Violation):
            report.violation_count += 1
            if self._forward is None:
                report.violations.append(finding)
        elif isinstance(finding, CallWarning):
            report.warning_count += 1
            if self._forward is None:
                report.warnings.append(finding)
        if self._forward is not None:
            self._forward(finding)


def validate_lines(
    lines: Iterable[bytes | str],
    *,
    strict: bool = False,
    definition: MachineDefinition | None = None,
    tracker: Tracker | None = None,
    on_step: StepObserver | None = None,
    on_finding: FindingObserver | None = None,
    require_requests: bool = False,
    timeouts: Mapping[str, float] | None = None,
) -> Report:
    """Check JSON Lines (one webhook body a line; blank lines skipped), numbered from 1; a
    byte order mark before the first is skipped, as :func:`validate_path` skips a file's.

    With ``on_finding``, each finding is handed to it as it is found and the report
    keeps only the counts: memory stays flat however many findings a trace has.
    """
    if isinstance(lines, str | bytes | bytearray):
        raise UsageError(
            "lines",
            "expected an iterable of lines, got one whole text: pass text.splitlines() "
            "or an open file",
        )
    report = Report()
    found = _Sink(report, on_finding)
    if tracker is None:
        tracker = Tracker(
            definition=definition,
            strict=strict,
            on_step=on_step,
            require_requests=require_requests,
            timeouts=timeouts,
        )
    elif on_step is not None:
        raise UsageError("on_step", "pass on_step to the Tracker you hand in, not here")
    count = 0
    for count, line in enumerate(lines, 1):
        if count == 1:
            line = without_bom(line)
        if not line or line.isspace():
            continue
        tracker.ingest_into(line, found, line=count)
    return _finish(report, count, tracker, found)


def _finish(report: Report, lines: int, tracker: Tracker, found: list[Finding]) -> Report:
    for finding in tracker.finish(line=lines or None):
        found.append(finding)
    report.lines = lines
    report.notifications = tracker.notifications
    report.calls = tracker.calls_started
    return report


#: The most worker processes :func:`validate_path` forks: more than a machine's cores, and a
#: bound on what one argument can ask of it.
MAX_JOBS: Final = 256


def jobs_asked(jobs: object) -> int:
    """``jobs`` when it is a number of worker processes :func:`validate_path` takes, 1 to
    :data:`MAX_JOBS`; a :class:`UsageError` naming it otherwise."""
    if type(jobs) is not int or not 1 <= jobs <= MAX_JOBS:
        raise UsageError(
            "jobs",
            f"expected a whole number of processes from 1 to {MAX_JOBS}, "
            f"got {describe_argument(jobs)}",
        )
    return jobs


def validate_path(
    path: str | Path,
    *,
    strict: bool = False,
    definition: MachineDefinition | None = None,
    on_step: StepObserver | None = None,
    on_finding: FindingObserver | None = None,
    require_requests: bool = False,
    timeouts: Mapping[str, float] | None = None,
    jobs: int = 1,
) -> Report:
    """:func:`validate_lines` over a file (``-`` is standard input), streamed, never read whole.

    gzip input is unpacked as it is read and a leading UTF-8 BOM is skipped, both told
    from the first bytes; a corrupt or truncated gzip stream ends with a ``malformed``
    violation at the line after the last one read. ``OSError`` propagates for a path
    that cannot be read. ``on_finding`` is as for
    :func:`validate_lines`, and so are ``require_requests`` and ``timeouts`` (see
    :class:`~callstate.Tracker`).

    ``jobs`` > 1 spreads the calls over that many forked worker processes, each with its
    own tracker (so ``max_calls`` and the ended-call table hold per worker). The report
    is the same as one process's, findings in the same order, but they reach
    ``on_finding`` only once every worker is done. Standard input, gzip input, an
    ``on_step`` observer and a platform without ``fork`` use one process; so does a trace
    with a line naming calls of two workers (:attr:`Report.unsplit_line`).
    """
    jobs_asked(jobs)
    if jobs > 1 and on_step is None and str(path) != "-" and can_partition():
        with open(path, "rb") as raw:
            gzipped = raw.read(2) == GZIP_MAGIC
        if not gzipped:
            options = {
                "definition": definition,
                "strict": strict,
                "require_requests": require_requests,
                "timeouts": timeouts,
            }
            parts = validate_parts(str(path), jobs, options)
            if not isinstance(parts, int):
                return _merged(parts, on_finding)
            report = validate_path(
                path,
                strict=strict,
                definition=definition,
                on_finding=on_finding,
                require_requests=require_requests,
                timeouts=timeouts,
            )
            report.unsplit_line = parts
            return report
    tracker = Tracker(
        definition=definition,
        strict=strict,
        on_step=on_step,
        require_requests=require_requests,
        timeouts=timeouts,
    )
    report = Report()
    found = _Sink(report, on_finding)
    if str(path) == "-":
        lines = _read(tracker, trace_stream(sys.stdin.buffer), found)
    else:
        with open(path, "rb") as raw:
            lines = _read(tracker, trace_stream(raw), found)
    return _finish(report, lines, tracker, found)


def _merged(
    parts: tuple[list[Finding], int, int, int], on_finding: FindingObserver | None
) -> Report:
    """The report of a partitioned run, its findings handed on in their merged order."""
    findings, lines, notifications, calls = parts
    report = Report(lines=lines, notifications=notifications, calls=calls)
    found = _Sink(report, on_finding)
    for finding in findings:
        found.append(finding)
    return report


def _read(tracker: Tracker, stream: IO[bytes] | Gunzipped, found: list[Finding]) -> int:
    """The tracker over ``stream``; damage to a gzip stream is ``malformed`` where it begins."""
    if not isinstance(stream, Gunzipped):
        return tracker.read_stream(stream, found)
    lines = tracker.read_stream(cast("IO[bytes]", stream), found)
    if stream.error is not None:
        lines += 1
        found.append(Violation(line=lines, call_id=None, rule="malformed", message=stream.error))
    return lines
