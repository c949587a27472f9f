"""The rules, once: what one notice does to one call's record.

:func:`decide` is a pure function of the call's record and the notice (plus the
compiled machine and the tracker's options): it returns the record that follows
and appends what it found. The tracker, the CLI's loop and any shared store all
go through it, so there is one verdict whatever the input form, observer or store.

A record is ``(state, kind, fingerprint, history)``: the state (``None`` until a
notification names one), the transfer kind a request announced, the fingerprint of
the last notification when its exact repeat must be recognised, and the packed
history. An ended call keeps only its last fingerprint.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from callstate.machine.compiled import Compiled, Step
from callstate.verdict._notice import Notice, fingerprint, received
from callstate.verdict.finding import CallWarning, Finding, Violation

__all__ = ["KEEP", "Decision", "Ended", "Record", "announce", "decide", "new_record"]

#: ``(state, kind, fingerprint, packed history)`` of a live call.
Record = tuple[str | None, str | None, int | None, int]


class Ended(NamedTuple):
    """The call ended: this fingerprint recognises a retry of its last notification."""

    fp: int | None


class _Keep:
    """Nothing changes: a recognised retry, or anything after the end."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()

#: What follows a notice: a live record, the end, or nothing at all.
Decision = Record | Ended | _Keep


_NO_RECORD: Final[Record] = (None, None, None, 0)


def new_record(kind: str | None = None) -> Record:
    """The record of a call seen for the first time (a request may announce its kind)."""
    return (None, kind, None, 0)


def announce(
    machine: Compiled,
    record: Record | None,
    ended: Ended | None,
    call_id: str,
    kind: str | None,
    line: int,
    out: list[Finding],
) -> Decision:
    """The record after the bot's transfer request announced ``kind`` for the call."""
    if record is None and ended is not None:
        out.append(
            Violation(
                line=line,
                call_id=call_id,
                rule="terminated-is-absorbing",
                message="transfer request after the call ended",
                state=machine.end_state,
                received="transfer request",
            )
        )
        return KEEP
    state, _, fp, hist = record if record is not None else new_record()
    return (state, kind, fp, hist)


def decide(
    machine: Compiled,
    record: Record | None,
    ended: Ended | None,
    notice: Notice,
    line: int,
    out: list[Finding],
    strict: bool,
    push: int,
) -> tuple[Decision, Step | None, Violation | None]:
    """The record after ``notice``, the step taken (for observers) and its violation.

    ``record`` is ``None`` for a call not live; ``ended`` is set when it ended
    recently. ``push`` is the history mask (0 keeps none).
    """
    call_id, signal, problem_found, _, unknown, raw, _, _, _, _, body = notice
    state, kind, fp, hist = record if record is not None else _NO_RECORD
    problem: Violation | None = None
    if unknown:
        out.append(
            CallWarning(
                line=line,
                call_id=call_id,
                rule="unknown-state",
                message=f"unknown state {_shown(raw)}: read as unknownFutureValue, state unchanged",
                state=machine.end_state if ended is not None else state,
                received=raw,
            )
        )
    if problem_found is not None:
        rule, message = problem_found
        problem = Violation(
            line=line,
            call_id=call_id,
            rule=rule,
            message=message,
            state=machine.end_state if ended is not None else state,
            received=raw,
        )
        if record is not None and fp is not None and fp == fingerprint(body):
            return KEEP, None, None
    if record is None and ended is not None:
        if fingerprint(body) != ended.fp:
            out.append(
                Violation(
                    line=line,
                    call_id=call_id,
                    rule="terminated-is-absorbing",
                    message=f"{received(notice)} after the call ended: nothing may follow but "
                    "an exact duplicate",
                    state=machine.end_state,
                    received=raw,
                )
            )
        return KEEP, None, None
    if problem is not None:
        out.append(problem)
    if signal is None:
        return (
            (state, kind, None if problem is None else fingerprint(body), hist),
            None,
            None,
        )
    violation = problem
    #: A broken rule of the notification itself makes its exact repeat one to recognise;
    #: ``strict-start`` is about where the trace starts, so it does not.
    odd = problem is not None
    if state is None:
        step = machine.openings[signal]
        if strict and step.dest != machine.initial:
            violation = Violation(
                line=line,
                call_id=call_id,
                rule="strict-start",
                message=f"the call's first state is {step.dest}, not {machine.initial} (--strict)",
                state=None,
                received=step.dest,
            )
            out.append(violation)
    else:
        found = machine.steps[state].get(signal)
        if found is None:
            # After a reported misplaced marker, no second finding for the same notification.
            if violation is None:
                if fp is not None and fp == fingerprint(body):
                    return KEEP, None, None
                rule, refusal = machine.refusals[signal[0]]
                violation = Violation(
                    line=line,
                    call_id=call_id,
                    rule=rule,
                    message=f"{received(notice)} while {state}: {refusal}",
                    state=state,
                    received=raw,
                )
                out.append(violation)
            odd = True
            step = machine.refused[signal]
        else:
            step = found
            if signal[1] is not None and kind is not None and signal[1] != kind:
                violation = Violation(
                    line=line,
                    call_id=call_id,
                    rule="transfer-kind-mismatch",
                    message=f"a {kind} transfer ended with the {signal[1]} result "
                    f"{received(notice)}",
                    state=state,
                    received=raw,
                )
                out.append(violation)
                odd = True
            if step.transition is None:  # a same-state update
                keep = fingerprint(body) if odd else None
                return (state, kind, keep, hist), None, None
        if step.settles:
            kind = None
    if step.ends:
        return Ended(fingerprint(body)), step, violation
    keep = fingerprint(body) if odd or step.remember else None
    return (
        (step.dest, kind, keep, ((hist << machine.history.width) | step.code) & push),
        step,
        violation,
    )


def _shown(text: str | None) -> str:
    """``text`` quoted, and cut short past 40 characters."""
    if text is None or len(text) <= 40:
        return repr(text)
    return repr(text[:37] + "...")
