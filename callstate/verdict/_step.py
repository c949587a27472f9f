"""The rules, once: what one notice does to one call's record.

:func:`decide` is a pure function of the call's record and the notice (plus the
compiled machine and the tracker's options): it returns the record that follows
and appends what it found. The tracker, the CLI's loop and any shared store all
go through it, so there is one verdict whatever the input form, observer or store.

A record is ``(state, ledger, fingerprint, history)``: the state (``None`` until a
notification names one), the :class:`~callstate.verdict._ledger.Ledger` of what is
known beyond it (``None`` until something is: requests, time, the roster), the
fingerprint of the last notification when its exact repeat must be recognised, and
the packed history. An ended call keeps only its last fingerprint and end time.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from callstate.machine.compiled import Compiled, Step
from callstate.verdict._asked import KEEP, Keep, Policy, after_step, on_line, traits_of
from callstate.verdict._ledger import EMPTY, Ledger
from callstate.verdict._notice import Notice, fingerprint, received
from callstate.verdict.finding import CallWarning, Finding, Violation

__all__ = ["KEEP", "Decision", "Ended", "Policy", "Record", "decide", "new_record"]

#: ``(state, ledger, fingerprint, packed history)`` of a live call.
Record = tuple[str | None, Ledger | None, int | None, int]


class Ended(NamedTuple):
    """The call ended: this fingerprint recognises a retry of its last notification, and
    ``at`` (when known) is when: a request sent before it was not late."""

    fp: int | None
    at: float | None = None


#: What follows a notice: a live record, the end, or nothing at all.
Decision = Record | Ended | Keep

_NO_RECORD: Final[Record] = (None, None, None, 0)


def new_record(ledger: Ledger | None = None) -> Record:
    """The record of a call seen for the first time."""
    return (None, ledger, None, 0)


def decide(
    machine: Compiled,
    record: Record | None,
    ended: Ended | None,
    notice: Notice,
    line: int,
    out: list[Finding],
    policy: Policy,
    at: float | None = None,
) -> tuple[Decision, Step | None, Violation | None]:
    """The record after ``notice`` (received at ``at``, when known), the step taken (for
    observers) and its violation.

    ``record`` is ``None`` for a call not live; ``ended`` is set when it ended
    recently.
    """
    call_id, signal, problem_found, _, unknown, raw, _, code, subcode, _, body, traits, _ = notice
    state, ledger, fp, hist = record if record is not None else _NO_RECORD
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
    if traits or at is not None or ledger is not None:
        ledger = traits_of(EMPTY if ledger is None else ledger, traits)
        if at is not None and machine.judged_always:
            ledger = on_line(
                machine, policy, ledger, state, at, call_id, line, out, machine.judged_always
            )
    if signal is None:
        return (
            (state, ledger, None if problem is None else fingerprint(body), hist),
            None,
            None,
        )
    kind = None if ledger is None else ledger.kind
    if signal[1] is not None and machine.shared_kinds:  # a result several kinds send
        signal = machine.sharing(state, signal, kind, code, subcode)
    violation = problem
    #: A broken rule of the notification itself makes its exact repeat one to recognise;
    #: ``strict-start`` is about where the trace starts, so it does not.
    odd = problem is not None
    if state is None:
        step = machine.openings[signal]
        first = machine.opened_at if ledger is not None and ledger.outgoing else machine.initial
        if policy.strict and step.dest != first:
            violation = Violation(
                line=line,
                call_id=call_id,
                rule="strict-start",
                message=f"the call's first state is {step.dest}, not {first} (--strict)",
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
            if (
                signal[1] is not None
                and kind is not None
                and signal[1] != kind
                and not (ledger is not None and ledger.legacy)  # 2019: AppTransferred for any
            ):
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
                return (state, ledger, keep, hist), None, None
        if step.settles and ledger is not None and ledger.kind is not None:
            ledger = ledger.but(kind=None)
    if ledger is not None:
        ledger = after_step(machine, policy, ledger, state, step.dest, at, call_id, line, out)
    elif policy.require_requests and step.dest in machine.in_transfer:
        ledger = after_step(machine, policy, EMPTY, state, step.dest, at, call_id, line, out)
    if step.ends:
        return Ended(fingerprint(body), at), step, violation
    keep = fingerprint(body) if odd or step.remember else None
    # A roster or a kind is not EMPTY's: two reads spare the field-by-field compare.
    if ledger is not None and ledger.roster is None and ledger.kind is None and ledger == EMPTY:
        ledger = None
    return (
        (step.dest, ledger, keep, ((hist << machine.history.width) | step.code) & policy.push),
        step,
        violation,
    )


def _shown(text: str | None) -> str:
    """``text`` quoted, and cut short past 40 characters."""
    if text is None or len(text) <= 40:
        return repr(text)
    return repr(text[:37] + "...")
