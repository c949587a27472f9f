""":func:`build` renders a :class:`Plan` into a call's lines; :func:`expect` says what the
machine makes of them.

The steps come from :mod:`callstate.simulate._script`; what each request and
notification does, and how long each window of the definition is, from the
compiled machine. A timed plan's lines carry their time (``{"at": ..., "body": ...}``
for a notification, ``{"at": ..., "request": ..., "response": ...}`` for a request).
"""

from __future__ import annotations

import datetime
from typing import Any, Final

import attrs

from callstate.errors import IllegalTransition, UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition, Marker
from callstate.simulate._flows import LEGACY, Flows, flows
from callstate.simulate._payload import (
    JSONObject,
    event_notification,
    notification,
    operation_notification,
    participant_id,
    participants_notification,
    transfer_request,
)
from callstate.simulate._plan import Plan
from callstate.simulate._requests import record, request_url, transferee
from callstate.simulate._script import Script, Step, script
from callstate.simulate._situations import legacy, legacy_operation

__all__ = ["Expected", "build", "duplicable", "expect", "rfc3339"]

# Step tags that render as a call notification (the ones ``duplicates`` count).
_NOTIFICATIONS: Final = frozenset({"event", "bare", "data"})
# Step tags that render as a request record.
_REQUESTS: Final = frozenset({"transfer", "bot", "create"})


def _notification_count(steps: list[Step]) -> int:
    return sum(1 for s in steps if s.tag in _NOTIFICATIONS)


def duplicable(plan: Plan, *, definition: MachineDefinition = CALL_MACHINE) -> range:
    """The positions ``plan.duplicates`` may name: one per call notification, in order."""
    return range(_notification_count(script(plan, flows(definition)).steps))


def rfc3339(seconds: float) -> str:
    """``seconds`` since the Unix epoch as RFC 3339 in UTC, to the millisecond."""
    moment = datetime.datetime.fromtimestamp(round(seconds, 3), tz=datetime.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _transfer(plan: Plan, f: Flows) -> JSONObject:
    kind = plan.kind
    selected_by = None if kind is None else f.flow(kind).kind.selected_by
    line = transfer_request(
        plan.call_id,
        target=plan.target or "user",
        client_context=plan.client_context,
        selected_by=selected_by,
        selector=plan.replaces_call_id,
    )
    request = f.transfer_request()
    if plan.group:
        line["request"]["body"]["transferee"] = transferee(
            participant_id(plan.call_id, 0), plan.caller_id
        )
    if plan.scenario == LEGACY:
        line["request"]["url"] = request_url(request, plan.call_id, legacy=True)
    if plan.timing is not None or plan.group or plan.scenario == LEGACY:
        line["response"] = {"status": request.status}
    return line


def _render(plan: Plan, step: Step, f: Flows) -> JSONObject:
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
    if step.tag == "transfer":
        return _transfer(plan, f)
    if step.tag in ("bot", "create"):
        assert step.event is not None
        request = f.definition.request(step.event)
        legacy_path = plan.scenario == LEGACY
        return record(request, plan.call_id, status=step.status, legacy=legacy_path)
    if step.tag == "legacy":
        assert step.event is not None
        word = f.machine.reports[step.event]
        return legacy_operation(plan.call_id, plan.operation_id, word=word, done=bool(step.marker))
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
    return participants_notification(plan.call_id, caller_id=plan.caller_id, count=step.size)


def _line(plan: Plan, step: Step, f: Flows, number: int) -> JSONObject:
    """One rendered line: in the 2019 form for a legacy call, with its time when timed."""
    line = _render(plan, step, f)
    if plan.scenario == LEGACY and step.tag not in _REQUESTS:
        line = legacy(line, number)
    if plan.timing is None or step.at is None:
        return line
    at = rfc3339(plan.timing.start + step.at)
    if step.tag in _REQUESTS:
        return {"at": at, **line}
    return {"at": at, "body": line}


def build(plan: Plan, *, definition: MachineDefinition = CALL_MACHINE) -> list[JSONObject]:
    """The call's lines in order: commsNotifications envelopes and request records.

    Pure: the same plan always gives equal lines. ``definition`` may be any checked
    definition; raises :class:`UsageError` when the plan asks for what it does not
    have (a transfer kind, a state to fail from, a marker, a request), or when
    ``plan.duplicates`` names a position past the call's notifications, and
    :class:`IllegalTransition` when it refuses one of the call's notifications (a
    definition without the spec's hold or ringing, say): it never builds a call
    its own tracker would reject.
    """
    f = flows(definition)
    steps = script(plan, f).steps
    _walk(plan, steps, f)
    count = _notification_count(steps)
    if plan.duplicates and max(plan.duplicates) >= count:
        raise UsageError(
            "duplicates", f"this call has {count} notifications, got {sorted(plan.duplicates)}"
        )
    lines: list[JSONObject] = []
    position = 0
    for number, step in enumerate(steps):
        lines.append(_line(plan, step, f, number))
        if step.tag in _NOTIFICATIONS:
            if position in plan.duplicates:
                lines.append(_line(plan, step, f, number))
            position += 1
    return lines


@attrs.frozen
class Expected:
    """What the model makes of a plan's call.

    ``events`` are the ``(event, kind)`` its notifications report, duplicates and
    data-only updates left out; ``marker`` is the last transfer-outcome marker
    carried; ``findings`` the rules the call breaks on purpose (a late answer, a
    forgotten keepAlive, a transfer in meeting mode, the ``/app`` path), sorted.
    """

    final_state: str
    marker: Marker | None
    events: tuple[tuple[str, str | None], ...]
    findings: tuple[str, ...] = ()


def _walk(plan: Plan, steps: list[Step], f: Flows) -> tuple[str, Marker | None, list[str]]:
    """Where the call's lines take it, the last outcome marker, and the timeouts run out.

    The first notification (or the request creating the call) sets the state, as a
    trace that starts mid-call would. A timeout is judged where the definition says
    (at its requests, or any line), by the state the bot was last told; its clock
    starts as the call enters its states and restarts at each accepted request that
    resets it. Raises :class:`IllegalTransition` at the first notification the
    machine refuses.
    """
    machine = f.machine
    timeouts = f.definition.timeouts
    state: str | None = None
    marker: Marker | None = None
    started: dict[int, float] = {}
    broken: list[str] = []
    for s in steps:
        if state is not None and s.at is not None and state not in machine.final:
            judged = machine.judged_always
            if s.tag in _REQUESTS and s.event is not None:
                judged = (*judged, *machine.judged_at.get(s.event, ()))
            for i in judged:
                if i in started and s.at - started[i] > timeouts[i].seconds:
                    broken.append(timeouts[i].rule)
                    del started[i]
            if s.tag == "bot" and s.status is None and s.event is not None:
                started.update((i, s.at) for i in machine.reset_at.get(s.event, ()))
        before = state
        if s.tag == "create":
            assert s.event is not None
            state = f.definition.request(s.event).opens
        elif s.tag in ("event", "bare", "legacy"):
            event = str(s.event)
            if s.kind is not None:
                marker = f.definition.event(event).markers_of(s.kind)[s.marker]
            if state is None:
                state = machine.reports[event]
            else:
                step = machine.step(state, event, s.kind)
                if step is None:
                    raise IllegalTransition(
                        plan.call_id, state, event, machine.allowed_events(state)
                    )
                state = step.dest
        for i, states in enumerate(machine.timeout_states):
            if state in states and (before not in states) and s.at is not None:
                started[i] = s.at
            elif state not in states:
                started.pop(i, None)
    assert state is not None
    return state, marker, broken


def expect(plan: Plan, *, definition: MachineDefinition = CALL_MACHINE) -> Expected:
    """Walk the plan's lines through ``definition``; :class:`IllegalTransition` if one is refused.

    The first notification sets the state, as a trace that starts mid-call would.
    """
    f = flows(definition)
    s: Script = script(plan, f)
    state, marker, broken = _walk(plan, s.steps, f)
    events = tuple((str(x.event), x.kind) for x in s.steps if x.tag in ("event", "bare", "legacy"))
    return Expected(state, marker, events, tuple(sorted((*broken, *s.findings))))
