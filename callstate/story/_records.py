"""The records of a call's story: one per line of the trace that spoke of the call.

They answer "why did my call end?": each step says what arrived, what it did to
the call, the result it carried with the meaning Graph documents for it, and what
was wrong with it. :attr:`CallStory.outcome` says how the call ended, in words.
"""

from __future__ import annotations

from typing import Any

import attrs

from callstate.facts import Result
from callstate.verdict import Finding, Violation

__all__ = ["CallStory", "StoryStep"]


@attrs.frozen(kw_only=True)
class StoryStep:
    """One line of the trace, for one call: what arrived and what it did.

    ``what`` is ``"notification"`` (the call's own), ``"operation"`` or
    ``"participants"`` (its sub-resources), ``"request"`` (a request record the bot
    logged), ``"end of input"`` (what the end of the trace says) or ``"finding"``
    (a finding about the call on a line that says nothing readable of it).
    ``source`` and ``dest`` are the call's state before and after (``source`` is
    ``None`` for the state a call is first seen in); ``moved`` is true when the
    machine took a step, false for an update, a retry or anything after the end.
    ``at`` is the line's time as given (timed lines, ``{"at": ..., "body": ...}``).
    """

    line: int | None
    call_id: str
    what: str
    at: str | None = None
    change: str | None = None
    source: str | None = None
    dest: str | None = None
    event: str | None = None
    kind: str | None = None
    moved: bool = False
    code: int | None = None
    subcode: int | None = None
    reason: str | None = None
    meaning: str | None = None
    detail: str = ""
    findings: tuple[Finding, ...] = ()

    @property
    def result(self) -> str | None:
        """The result it carried, as diagrams and reports write it (``500/7000``), or None."""
        if self.code is None and self.subcode is None and self.reason is None:
            return None
        if self.code is None and self.subcode is None:
            return self.reason
        label = Result(self.code, self.subcode).label
        return label if self.reason is None else f"{label} {self.reason}"

    @property
    def transition(self) -> str:
        """What the step did, in words: ``incoming -> establishing``, ``established, unchanged``,
        ``request POST transfer (blind)``."""
        if self.what == "request":
            return f"request {self.detail}"
        if self.what in ("operation", "participants"):
            return self.detail
        if self.moved:
            return f"-> {self.dest}" if self.source is None else f"{self.source} -> {self.dest}"
        state = self.dest or "no state yet"
        if self.what == "notification":
            return f"{state}, unchanged"
        return f"{self.what}, {state}"

    @property
    def result_meaning(self) -> str:
        """The result and its documented meaning, ``500/7000 blind transfer failed``, or ""."""
        if self.result is None:
            return ""
        return f"{self.result} {self.meaning or '(no documented meaning)'}"

    @property
    def violations(self) -> tuple[Violation, ...]:
        """The findings of this step that break the documented behaviour."""
        return tuple(f for f in self.findings if isinstance(f, Violation))

    def to_json(self) -> dict[str, Any]:
        """JSON data: every field, findings in their ``--format json`` shape."""
        return {
            "line": self.line,
            "at": self.at,
            "callId": self.call_id,
            "what": self.what,
            "change": self.change,
            "source": self.source,
            "dest": self.dest,
            "event": self.event,
            "kind": self.kind,
            "moved": self.moved,
            "code": self.code,
            "subcode": self.subcode,
            "reason": self.reason,
            "result": self.result,
            "meaning": self.meaning,
            "detail": self.detail,
            "findings": [dict(f.to_json(), severity=f.severity) for f in self.findings],
        }


@attrs.frozen(kw_only=True)
class CallStory:
    """One call, every line of the trace that spoke of it, in order, and how it ended.

    ``ending`` is the step that took the call into a final state (``None`` when the
    trace ends with the call still live); ``state`` is the call's state at the end.
    """

    call_id: str
    steps: tuple[StoryStep, ...]
    ending: StoryStep | None = None
    state: str | None = None

    @property
    def violations(self) -> tuple[Violation, ...]:
        """Every violation about this call, in line order."""
        return tuple(v for step in self.steps for v in step.violations)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding about this call, in line order."""
        return tuple(f for step in self.steps for f in step.findings)

    @property
    def last_result(self) -> StoryStep | None:
        """The last step up to the end (or the end of the trace) that carried a result."""
        stop = self.ending
        found = None
        for step in self.steps:
            if step.what == "notification" and step.result is not None:
                found = step
            if step is stop:
                break
        return found

    @property
    def outcome(self) -> str:
        """How the call ended and what that means, in one sentence.

        ``ended at line 8: 200/5001, the conversation has ended``, or, for a call the
        trace leaves live, ``not ended: established at the end of the trace``.
        """
        if self.ending is None:
            state = self.state or "no state yet"
            return f"not ended: {state} at the end of the trace"
        ending = self.ending
        when = f" ({ending.at})" if ending.at else ""
        head = f"ended at line {ending.line}{when} in {ending.dest}"
        carrier = self.last_result
        if carrier is None:
            return f"{head}: no result code given"
        said = _meaning_of(carrier)
        if carrier is ending:
            return f"{head}: {carrier.result}, {said}"
        return f"{head}; the last result, at line {carrier.line}: {carrier.result}, {said}"

    def to_json(self) -> dict[str, Any]:
        """JSON data: the call, its outcome in words, whether it ended, and its steps."""
        return {
            "callId": self.call_id,
            "outcome": self.outcome,
            "ended": self.ending is not None,
            "state": self.state,
            "violations": len(self.violations),
            "steps": [s.to_json() for s in self.steps],
        }


def _meaning_of(step: StoryStep) -> str:
    return step.meaning or "a result Graph does not document"
