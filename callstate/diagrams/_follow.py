"""Follow one call through a trace with the tracker, as steps to draw.

Two streaming passes instead of one that remembers every call: the first finds
the call to draw (the first with a violation), the second records only its steps.
"""

from __future__ import annotations

import sys
from pathlib import Path

import attrs

from callstate.diagrams._trace import TraceStep
from callstate.errors import CallstateError
from callstate.verdict import Report, StepRecord, validate_lines, validate_path

__all__ = ["FollowedCall", "follow_call"]


@attrs.frozen
class FollowedCall:
    """The call drawn, its steps in order, and the report on the whole trace."""

    call_id: str
    steps: tuple[TraceStep, ...]
    report: Report


def follow_call(
    trace: str | Path, *, call_id: str | None = None, strict: bool = False
) -> FollowedCall:
    """Steps of ``call_id`` in ``trace``; without it, the first call with a violation.

    Falls back to the first call when nothing broke. ``OSError`` propagates for an
    unreadable trace; a trace with no call at all is a :class:`CallstateError`.
    """
    # Standard input cannot be read twice: hold it; a file is streamed twice.
    lines = sys.stdin.buffer.readlines() if str(trace) == "-" else None
    first_seen: list[str] = []

    def first(step: StepRecord) -> None:
        if not first_seen:
            first_seen.append(step.call_id)

    if call_id is None:
        report = (
            validate_lines(lines, strict=strict, on_step=first)
            if lines is not None
            else validate_path(trace, strict=strict, on_step=first)
        )
        broken = next((v.call_id for v in report.violations if v.call_id), None)
        call_id = broken or (first_seen[0] if first_seen else None)
        if call_id is None:
            raise CallstateError(f"{trace}: the trace names no call to draw")
    steps: list[TraceStep] = []

    def record(step: StepRecord) -> None:
        if step.call_id == call_id:
            violation = step.violation
            steps.append(
                TraceStep(
                    index=len(steps) + 1,
                    line=step.line,
                    source=step.source,
                    dest=step.dest,
                    event=step.event,
                    rule=violation.rule if violation else None,
                    message=violation.message if violation else "",
                    kind=step.kind,
                )
            )

    report = (
        validate_lines(lines, strict=strict, on_step=record)
        if lines is not None
        else validate_path(trace, strict=strict, on_step=record)
    )
    drawn_lines = {s.line for s in steps}
    for v in report.violations:
        if v.call_id == call_id and v.line not in drawn_lines:
            # A violation that moved nothing (after the end, a malformed line): drawn in place.
            at = v.state or (steps[-1].dest if steps else "terminated")
            steps.append(TraceStep(len(steps) + 1, v.line, at, at, None, v.rule, v.message, None))
    steps.sort(key=lambda s: (s.line or 0, s.index))
    ordered = tuple(attrs.evolve(s, index=i) for i, s in enumerate(steps, 1))
    if not ordered:
        raise CallstateError(f"{trace}: call {call_id} takes no step in this trace")
    return FollowedCall(call_id, ordered, report)
