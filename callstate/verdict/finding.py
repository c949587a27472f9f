"""What the tracker says: violations and warnings, located, and the steps calls take."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["CallWarning", "Finding", "StepRecord", "Violation"]


def _escaped(text: str) -> str:
    """``text`` with control characters escaped, so no finding can forge a report line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@attrs.frozen(kw_only=True)
class Finding:
    """A located remark on one notification or line.

    ``line`` is the 1-based line of a trace, or the sequence number of the body
    handed to :meth:`~callstate.Tracker.ingest`; ``state`` is the call's state
    before the notification, and ``received`` what arrived.
    """

    line: int | None
    call_id: str | None
    rule: str
    message: str
    state: str | None = None
    received: str | None = None

    #: ``"violation"`` or ``"warning"``, for JSON output and filtering.
    severity: str = attrs.field(init=False, default="finding")

    def to_json(self) -> dict[str, Any]:
        """The ``--format json`` shape: ``line, callId, rule, message, state, received``."""
        return {
            "line": self.line,
            "callId": self.call_id,
            "rule": self.rule,
            "message": self.message,
            "state": self.state,
            "received": self.received,
        }

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "-"
        call = f"call {_escaped(self.call_id)}" if self.call_id else "call -"
        return f"{where:<9} {call}  {_escaped(self.message)} [{self.rule}]"


@attrs.frozen(kw_only=True)
class Violation(Finding):
    """A break of the documented behaviour: ``validate`` exits 1 when it sees one."""

    severity: str = attrs.field(init=False, default="violation")


@attrs.frozen(kw_only=True)
class CallWarning(Finding):
    """Accepted, but worth knowing: an unknown state, an evicted call, a deprecated form."""

    severity: str = attrs.field(init=False, default="warning")


@attrs.frozen(kw_only=True)
class StepRecord:
    """One step a call took, as a tracker's observer is told of it, after the decision.

    ``event`` and ``source`` are ``None`` for the state a call was first seen in;
    ``violation`` is the finding the step came with, if any.
    """

    line: int
    call_id: str
    event: str | None
    kind: str | None
    source: str | None
    dest: str
    violation: Violation | None = None
