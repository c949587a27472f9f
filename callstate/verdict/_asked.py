"""The rules of the bot's side, once: its requests, the clocks, group calls and the roster.

Pure functions of a call's record, like :func:`~callstate.verdict._step.decide`,
which calls :func:`after_step` and :func:`on_line` for notifications; the tracker
calls :func:`ask` for a request record (:mod:`~callstate.verdict._roster` has the
rules of a roster or operation notification). What is allowed where, which windows
apply and what an accepted request expects all come from the compiled definition.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, NamedTuple

from callstate.machine.compiled import Compiled
from callstate.verdict._ledger import EMPTY, Ledger
from callstate.verdict._notice import GROUP, LEGACY
from callstate.verdict._request import Asked
from callstate.verdict.finding import CallWarning, Finding, Violation

if TYPE_CHECKING:
    from callstate.verdict._step import Decision, Ended, Record

__all__ = [
    "KEEP",
    "Keep",
    "Policy",
    "after_step",
    "ask",
    "on_line",
    "traits_of",
]

#: The path segment of the request whose body names a transferee.
_TRANSFER_ACTION = "transfer"


class Keep:
    """Nothing changes: a recognised retry, a request Graph refused, anything after the end."""

    def __repr__(self) -> str:
        return "KEEP"


#: The decision that changes nothing (here, as the bot's rules return it too).
KEEP: Final = Keep()


class Policy(NamedTuple):
    """A tracker's options, as the rules read them.

    ``seconds`` holds each timeout's window (the definition's, or an override).
    """

    strict: bool
    push: int
    require_requests: bool
    seconds: tuple[float, ...]
    roster_limit: int


def _finding(severity: str) -> type[Finding]:
    return Violation if severity == "violation" else CallWarning


def on_line(
    machine: Compiled,
    policy: Policy,
    ledger: Ledger,
    state: str | None,
    at: float,
    call_id: str,
    line: int,
    out: list[Finding],
    judged: tuple[int, ...],
    what: str = "a line of the call",
) -> Ledger:
    """Judge the clocks ``judged`` at a timed line, ``what`` arrived (starting a clock not
    yet running)."""
    for i in judged:
        started = ledger.clock(i)
        timeout = machine.timeouts[i]
        if started is None:
            if state in machine.timeout_states[i]:
                ledger = ledger.with_clock(i, at, len(machine.timeouts))
            continue
        late = at - started
        window = policy.seconds[i]
        if late > window:
            # The summary names the definition's window: not beside an overridden one.
            why = f": {timeout.summary}" if window == timeout.seconds else ""
            out.append(
                _finding(timeout.severity)(
                    line=line,
                    call_id=call_id,
                    rule=timeout.rule,
                    message=f"{what} {late:.0f} s into the {timeout.name} window of "
                    f"{window:g} s{why}",
                    state=state,
                )
            )
            ledger = ledger.with_clock(i, at, len(machine.timeouts))  # counts again from now
    return ledger


def after_step(
    machine: Compiled,
    policy: Policy,
    ledger: Ledger,
    source: str | None,
    dest: str,
    at: float | None,
    call_id: str,
    line: int,
    out: list[Finding],
) -> Ledger:
    """The ledger after the call's state changed from ``source`` to ``dest``."""
    expect = ledger.expect
    if (
        policy.require_requests
        and dest in machine.in_transfer
        and source not in machine.in_transfer
    ):
        asked = expect is not None and machine.requests[expect].leads_to == dest
        if not asked:
            out.append(
                Violation(
                    line=line,
                    call_id=call_id,
                    rule="transfer-without-request",
                    message=f"{dest} with no transfer request before it (--require-requests)",
                    state=source,
                    received=dest,
                )
            )
    # A late, out-of-order notice (an internal step) is not the call's next state.
    moved = source != dest
    if expect is not None and moved:
        wanted = machine.requests[expect].expect
        if wanted is not None and dest not in wanted.states:
            out.append(
                _finding(wanted.severity)(
                    line=line,
                    call_id=call_id,
                    rule=wanted.rule,
                    message=f"{dest} after the {expect} request of line {ledger.expect_line}, "
                    f"expected {' or '.join(wanted.states)}",
                    state=source,
                    received=dest,
                )
            )
    if moved:
        expect, expect_line = None, None
    else:
        expect_line = ledger.expect_line
    clocks = ledger.clocks
    if at is not None or clocks:
        running = list(clocks) + [None] * (len(machine.timeouts) - len(clocks))
        for i, states in enumerate(machine.timeout_states):
            if dest not in states:
                running[i] = None
            elif source is None and running[i] is not None:
                continue  # the request that created the call started it: its first line
            elif source is None or source not in states:
                running[i] = at
        clocks = tuple(running) if any(c is not None for c in running) else ()
    # ``before`` is read only beside a known ``told_at``: untimed, it stays unset, and
    # an unchanged ledger is the same object (no allocation on the hot path).
    before = None if at is None else source
    if (
        expect == ledger.expect
        and at == ledger.told_at
        and before == ledger.before
        and clocks == ledger.clocks
    ):
        return ledger
    return ledger.but(
        expect=expect, expect_line=expect_line, told_at=at, before=before, clocks=clocks
    )


def traits_of(ledger: Ledger, traits: int) -> Ledger:
    """The ledger after a notification with ``traits`` (a group call's, or the 2019 flow's)."""
    group = ledger.group or bool(traits & GROUP)
    legacy = ledger.legacy or bool(traits & LEGACY)
    if group == ledger.group and legacy == ledger.legacy:
        return ledger
    return ledger.but(group=group, legacy=legacy)


def ask(
    machine: Compiled,
    policy: Policy,
    record: Record | None,
    ended: Ended | None,
    asked: Asked,
    at: float | None,
    line: int,
    out: list[Finding],
) -> Decision:
    """The record after the bot's request ``asked``: judged, and applied if Graph took it."""
    call_id, name = asked.call_id, asked.name
    request = machine.requests[name]
    if record is None and ended is not None:
        if at is None or ended.at is None or at >= ended.at:
            out.append(
                Violation(
                    line=line,
                    call_id=call_id,
                    rule="request-not-allowed",
                    message=f"{name} request after the call ended (Graph answers 404)",
                    state=machine.end_state,
                    received=name,
                )
            )
        return KEEP
    state, ledger, fp, hist = record if record is not None else (None, None, None, 0)
    ledger = EMPTY if ledger is None else ledger
    told = state
    if at is not None and ledger.told_at is not None and at < ledger.told_at:
        told = ledger.before  # sent before the bot was told the current state
    refused = told is not None and name not in machine.allowed_requests[told]
    if refused:
        allowed = [s for s in machine.states if name in machine.allowed_requests[s]]
        out.append(
            Violation(
                line=line,
                call_id=call_id,
                rule="request-not-allowed",
                message=f"{name} request while {told}: allowed only in {', '.join(allowed)}",
                state=told,
                received=name,
            )
        )
    if at is not None:
        judged = machine.judged_at[name] + machine.judged_always
        ledger = on_line(
            machine, policy, ledger, told, at, call_id, line, out, judged, f"the {name} request"
        )
    if request.action == _TRANSFER_ACTION:
        _transferee_rules(ledger, asked, told, line, out)
    if refused or not asked.effect:  # Graph refuses a request the state forbids
        return KEEP if record is None else (state, ledger, fp, hist)
    changes: dict[str, object] = {}
    if asked.kind is not None:
        changes["kind"] = asked.kind
    wanted = request.expect
    if wanted is not None and asked.status is not None:  # only what Graph accepted expects
        if told == state:
            changes["expect"], changes["expect_line"] = name, line
        elif state not in wanted.states:  # the next state came before this record: judge it
            out.append(
                _finding(wanted.severity)(
                    line=line,
                    call_id=call_id,
                    rule=wanted.rule,
                    message=f"{state} followed the {name} request, expected "
                    f"{' or '.join(wanted.states)}",
                    state=told,
                    received=state,
                )
            )
    if request.opens is not None:
        changes["outgoing"] = True
    if changes:
        ledger = ledger.but(**changes)
    count = len(machine.timeouts)
    for i in machine.reset_at[name]:
        ledger = ledger.with_clock(i, at, count)
    if request.opens is not None and at is not None:
        for i, states in enumerate(machine.timeout_states):
            if request.opens in states:
                ledger = ledger.with_clock(i, at, count)
    return (state, ledger, fp, hist)


def _transferee_rules(
    ledger: Ledger, asked: Asked, state: str | None, line: int, out: list[Finding]
) -> None:
    """Group calls need a transferee, peer-to-peer calls none, and it must be in the call."""
    found: list[tuple[type[Finding], str, str]] = []
    if not asked.transferee:
        if ledger.group:
            found.append(
                (
                    Violation,
                    "transferee-required",
                    "a transfer from a group call names no transferee",
                )
            )
        elif ledger.meeting:
            found.append(
                (
                    CallWarning,
                    "meeting-mode-transfer",
                    "a transfer without a transferee on a call in meeting mode: Graph "
                    "fails it with 8523",
                )
            )
    elif not ledger.group and not ledger.meeting:
        found.append((CallWarning, "transferee-on-p2p", "a transferee on a peer-to-peer call"))
    if (
        asked.participant is not None
        and ledger.roster is not None
        and asked.participant not in ledger.roster
    ):
        found.append(
            (
                Violation,
                "transferee-not-in-call",
                f"the transferee's participantId {asked.participant!r} is not in the call's roster",
            )
        )
    for finding, rule, message in found:
        out.append(
            finding(
                line=line,
                call_id=asked.call_id,
                rule=rule,
                message=message,
                state=state,
                received="transfer request",
            )
        )
