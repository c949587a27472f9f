""":func:`build` renders a :class:`Plan` into a call's lines; :func:`expect` says what the
machine makes of them.

The call's story is written in Graph's words, the states its notifications carry;
which event reports each, which signal ends a transfer of each kind with which
markers, and which notifications lead from ``established`` to where a transfer
fails or succeeds, all come from the definition (:mod:`callstate.simulate._flows`).
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import attrs

from callstate.errors import IllegalTransition, UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition, Marker
from callstate.simulate._flows import ESTABLISHED, Flows, TransferFlow, TransferOutcome, flows
from callstate.simulate._payload import (
    JSONObject,
    event_notification,
    notification,
    operation_notification,
    participants_notification,
    result_info,
    transfer_request,
)
from callstate.simulate._plan import CALL_END_CODES, Plan

__all__ = ["Expected", "build", "duplicable", "expect"]

# Step tags that render as a call notification (the ones ``duplicates`` count).
_NOTIFICATIONS: Final = frozenset({"event", "bare", "data"})
# The Graph states a simulated call passes through on its own (a transfer's come from
# the definition): the spec's words, which the definition's unmarked events report.
_ESTABLISHING: Final = "establishing"
_RINGING: Final = "ringing"
_HOLD: Final = "hold"
_REDIRECTING: Final = "redirecting"
_TERMINATING: Final = "terminating"


class _Step(NamedTuple):
    """One line of a call before rendering; ``event`` is ``None`` for data and sub-resources."""

    tag: str  # event, bare (deleted, no state), data, request, operation, participants
    event: str | None = None
    kind: str | None = None
    fields: JSONObject | None = None
    marker: int = 0


def _media(audio: str) -> _Step:
    return _Step("data", fields={"mediaState": {"audio": audio}})


def _ended(f: Flows, argument: str) -> str:
    """The unmarked event of the state a call ends in."""
    end = f.machine.end_state
    if end is None:
        raise UsageError(argument, f"the {f.definition.name} machine declares no ended state")
    return f.event_for(end, argument=argument)


def _ending(plan: Plan, f: Flows, steps: list[_Step]) -> None:
    if plan.ending is None:
        return
    code, subcode = plan.end_code
    meaning = CALL_END_CODES[plan.end_code]
    info = result_info(
        code,
        subcode,
        f"{meaning[0].upper()}{meaning[1:]}. DiagCode: {code}#{subcode}.@",
        subcode_key=plan.subcode_key,
        string_codes=plan.string_codes,
    )
    if plan.ending == "terminating":
        steps.append(_Step("event", f.event_for(_TERMINATING, argument="ending")))
    tag = "bare" if plan.ending == "deleted-bare" else "event"
    steps.append(_Step(tag, _ended(f, "ending"), fields={"resultInfo": info}))


def _marker(plan: Plan, outcome: TransferOutcome, name: str) -> int:
    index: int = getattr(plan, name)
    if index >= len(outcome.markers):
        raise UsageError(
            name,
            f"a {outcome.kind} {outcome.event} has {len(outcome.markers)} marker(s), got {index}",
        )
    return index


def _source(plan: Plan, flow: TransferFlow, outcome: str) -> str:
    """Where an attempt ending in ``outcome`` ends from."""
    if outcome == "success":
        if not flow.success.sources:
            raise UsageError("outcome", f"a {flow.kind.name} transfer can never succeed")
        return flow.success.sources[0]
    sources = flow.failure.sources
    if not sources:
        raise UsageError("outcome", f"a {flow.kind.name} transfer can never fail")
    if plan.fail_from is None:
        return sources[-1]
    if plan.fail_from not in sources:
        raise UsageError(
            "fail_from",
            f"a {flow.kind.name} transfer fails from one of {list(sources)}, "
            f"got {plan.fail_from!r}",
        )
    return plan.fail_from


def _transfers(plan: Plan, f: Flows, steps: list[_Step]) -> bool:
    """Append each transfer; ``True`` when one completed and so ended the call."""
    assert plan.kind is not None
    flow = f.flow(plan.kind)
    state = ESTABLISHED
    for outcome in ("failure", plan.outcome) if plan.retry else (plan.outcome,):
        source = _source(plan, flow, outcome)
        route = f.route(state, source)
        if not route:
            raise UsageError("retry", f"no transfer leads from {state!r} to {source!r}")
        if plan.request:
            steps.append(_Step("request"))
        for number, event in enumerate(route):
            steps.append(_Step("event", event))
            if number == 0 and plan.media_inactive == "before":
                steps.append(_media("inactive"))
        if plan.media_inactive == "after":
            steps.append(_media("inactive"))
        if outcome == "success":
            marker = _marker(plan, flow.success, "success_marker")
            steps.append(_Step("event", flow.success.event, plan.kind, marker=marker))
            return True
        echo = flow.kind.selected_by is not None and plan.replaces_context
        fields = {"replacesContext": plan.replaces_call_id} if echo else None
        marker = _marker(plan, flow.failure, "failure_marker")
        steps.append(_Step("event", flow.failure.event, plan.kind, fields, marker))
        if plan.media_inactive != "none":
            steps.append(_media("active"))
        step = f.machine.step(source, *flow.failure.signal)
        assert step is not None
        state = step.dest
    return False


def _script(plan: Plan, f: Flows) -> list[_Step]:
    """The call's lines as steps, before duplicates."""
    if plan.kind is not None:
        f.flow(plan.kind)
    opening = f.event_for(f.definition.initial, argument="definition")
    steps = [
        _Step("event", opening, fields={"direction": "incoming", "callChainId": plan.chain_id})
    ]
    if plan.scenario == "reject":
        steps.append(_Step("bare", _ended(f, "scenario")))
        return steps
    if plan.scenario == "redirect":
        steps.append(_Step("event", f.event_for(_REDIRECTING, argument="scenario")))
        _ending(plan, f, steps)
        return steps
    ringing = (_RINGING,) if plan.ringing else ()
    if plan.late_establishing:
        states = (ESTABLISHED, _ESTABLISHING, *ringing)
    else:
        states = (_ESTABLISHING, *ringing, ESTABLISHED)
    steps += [_Step("event", f.event_for(s, argument="scenario")) for s in states]
    if plan.hold != "none":
        steps.append(_Step("event", f.event_for(_HOLD, argument="hold")))
        if plan.hold == "ends":
            _ending(plan, f, steps)
            return steps
        steps.append(_Step("event", f.event_for(ESTABLISHED, argument="hold")))
    if plan.participants:
        steps.append(_Step("participants"))
    if plan.operation is not None:
        steps += [_Step("operation", "running"), _Step("operation", "completed")]
    if plan.kind is not None and _transfers(plan, f, steps):
        return steps
    _ending(plan, f, steps)
    return steps


def _notification_count(steps: list[_Step]) -> int:
    return sum(1 for s in steps if s.tag in _NOTIFICATIONS)


def duplicable(plan: Plan, *, definition: MachineDefinition = CALL_MACHINE) -> range:
    """The positions ``plan.duplicates`` may name: one per call notification, in order."""
    return range(_notification_count(_script(plan, flows(definition))))


def _render(plan: Plan, step: _Step, f: Flows) -> JSONObject:
    codes: dict[str, Any] = {"subcode_key": plan.subcode_key, "string_codes": plan.string_codes}
    fields = step.fields or {}
    if step.tag == "event":
        assert step.event is not None
        return event_notification(
            plan.call_id,
            step.event,
            step.kind,
            marker=step.marker,
            definition=f.definition,
            **codes,
            **fields,
        )
    if step.tag == "bare":
        return notification(plan.call_id, change_type="deleted", **fields)
    if step.tag == "data":
        return notification(plan.call_id, **fields)
    if step.tag == "request":
        assert plan.kind is not None
        assert plan.target is not None
        return transfer_request(
            plan.call_id,
            target=plan.target,
            client_context=plan.client_context,
            selected_by=f.flow(plan.kind).kind.selected_by,
            selector=plan.replaces_call_id,
        )
    if step.tag == "operation":
        assert plan.operation is not None
        assert step.event is not None
        return operation_notification(
            plan.call_id,
            plan.operation_id,
            plan.operation,
            status=step.event,
            client_context=plan.client_context,
            **codes,
        )
    return participants_notification(plan.call_id, caller_id=plan.caller_id)


def build(plan: Plan, *, definition: MachineDefinition = CALL_MACHINE) -> list[JSONObject]:
    """The call's lines in order: commsNotifications envelopes and request records.

    Pure: the same plan always gives equal lines. ``definition`` may be any checked
    definition; raises :class:`UsageError` when the plan asks for what it does not
    have (a transfer kind, a state to fail from, a marker), or when
    ``plan.duplicates`` names a position past the call's notifications, and
    :class:`IllegalTransition` when it refuses one of the call's notifications (a
    definition without the spec's hold or ringing, say): it never builds a call
    its own tracker would reject.
    """
    f = flows(definition)
    steps = _script(plan, f)
    _walk(plan, steps, f)
    count = _notification_count(steps)
    if plan.duplicates and max(plan.duplicates) >= count:
        raise UsageError(
            "duplicates", f"this call has {count} notifications, got {sorted(plan.duplicates)}"
        )
    lines: list[JSONObject] = []
    position = 0
    for step in steps:
        lines.append(_render(plan, step, f))
        if step.tag in _NOTIFICATIONS:
            if position in plan.duplicates:
                lines.append(_render(plan, step, f))
            position += 1
    return lines


@attrs.frozen
class Expected:
    """What the model makes of a plan's call.

    ``events`` are the ``(event, kind)`` its notifications report, duplicates and
    data-only updates left out; ``marker`` is the last transfer-outcome marker carried.
    """

    final_state: str
    marker: Marker | None
    events: tuple[tuple[str, str | None], ...]


def _walk(plan: Plan, steps: list[_Step], f: Flows) -> tuple[str, Marker | None]:
    """Where the call's notifications take it, and the last outcome marker carried.

    The first notification sets the state, as a trace that starts mid-call would.
    Raises :class:`IllegalTransition` at the first notification the machine refuses.
    """
    machine = f.machine
    state: str | None = None
    marker: Marker | None = None
    for s in steps:
        if s.tag != "event" and s.tag != "bare":
            continue
        event = str(s.event)
        if s.kind is not None:
            marker = f.definition.event(event).markers_of(s.kind)[s.marker]
        if state is None:
            state = machine.reports[event]
            continue
        step = machine.step(state, event, s.kind)
        if step is None:
            raise IllegalTransition(plan.call_id, state, event, machine.allowed_events(state))
        state = step.dest
    assert state is not None
    return state, marker


def expect(plan: Plan, *, definition: MachineDefinition = CALL_MACHINE) -> Expected:
    """Walk the plan's events through ``definition``; :class:`IllegalTransition` if one is refused.

    The first notification sets the state, as a trace that starts mid-call would.
    """
    f = flows(definition)
    steps = _script(plan, f)
    state, marker = _walk(plan, steps, f)
    events = tuple((str(s.event), s.kind) for s in steps if s.tag == "event" or s.tag == "bare")
    return Expected(state, marker, events)
