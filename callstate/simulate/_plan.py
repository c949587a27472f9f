"""A :class:`Plan` holds every choice for one simulated call; :func:`build` renders it.

Random simulation (:func:`random_plan`) and Hypothesis strategies drive the same
builder: whoever makes the choices, :func:`build` turns them into the call's lines,
and :func:`expect` says what the machine makes of them.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any, Final, NamedTuple

import attrs

from callstate.errors import IllegalTransition, UsageError
from callstate.machine.compiled import compiled
from callstate.machine.definition import CALL_MACHINE, MachineDefinition, Marker
from callstate.simulate._payload import (
    OPERATIONS,
    SUBCODE_KEYS,
    JSONObject,
    event_notification,
    notification,
    operation_notification,
    participants_notification,
    result_info,
    transfer_request,
)

__all__ = [
    "CALL_END_CODES",
    "ENDINGS",
    "HOLDS",
    "MEDIA_PLACEMENTS",
    "OUTCOMES",
    "SCENARIOS",
    "TRANSFER_SCENARIOS",
    "Expected",
    "Plan",
    "build",
    "duplicable",
    "expect",
    "random_plan",
]

#: The four documented transfer examples: kind (blind, consultative) and target (user, pstn).
TRANSFER_SCENARIOS: Final = ("blind-user", "blind-pstn", "consultative-user", "consultative-pstn")
#: Every scenario: the transfers, and calls that end without one.
SCENARIOS: Final = (*TRANSFER_SCENARIOS, "hang-up", "reject", "redirect")
#: A transfer's outcome. Scenarios without a transfer have only ``success``.
OUTCOMES: Final = ("success", "failure")
#: Where the ``mediaState`` audio-inactive update falls: right after transferring
#: (``before`` transferAccepted), right before the outcome (``after`` it), or nowhere.
MEDIA_PLACEMENTS: Final = ("before", "after", "none")
#: How a call still live at the end is ended: ``terminating`` then ``deleted``, straight
#: ``deleted`` with state terminated, or ``deleted`` with no state.
ENDINGS: Final = ("terminating", "deleted", "deleted-bare")
#: A hold while the call is up: none, put on hold then resumed, or ended while on hold
#: (a call with no transfer only).
HOLDS: Final = ("none", "resumed", "ends")
#: A transfer fails from ``transferring`` or from ``transferAccepted``.
FAIL_FROM: Final = ("transferring", "transferAccepted")
#: Codes of normal call ends (Graph reference, "call: delete") and what they mean.
CALL_END_CODES: Final = {
    (200, 4097): "Call ended by the other participant.",
    (200, 4521): "Call ended by the other participant.",
    (200, 5000): "Removed by another participant.",
    (200, 5001): "The conversation has ended.",
    (200, 5002): "All other participants left.",
    (200, 5003): "The conversation has ended.",
    (200, 5010): "Only one participant remained.",
    (200, 7000): "The conversation was ended by the bot.",
    (200, 10550): "Call ended by the bot.",
    (200, 540000): "Call ended by the PSTN user.",
    (408, 8537): "Call ended: keepAlive timeout.",
    (410, 301005): "Call ended: media connectivity failure.",
}

_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_OPERATION_NAMES: Final = tuple(OPERATIONS)
# Step tags that render as a call notification (the ones ``duplicates`` count).
_NOTIFICATIONS: Final = frozenset({"event", "bare", "data"})


def _one_of(options: tuple[Any, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value not in options:
            raise UsageError(attribute.name, f"expected one of {list(options)}, got {value!r}")

    return check


def _identifier(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or _CALL_ID.fullmatch(value) is None:
        raise UsageError(
            attribute.name, f"expected letters, digits, '.', '_' or '-' (a uuid), got {value!r}"
        )


def _positions(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset) or not all(
        isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in value
    ):
        raise UsageError(attribute.name, f"expected a frozenset of ints >= 0, got {value!r}")


def _derived(name: str) -> Any:
    def make(plan: Plan) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{plan.call_id}/{name}"))

    return attrs.Factory(make, takes_self=True)


@attrs.frozen(kw_only=True)
class Plan:
    """Every choice for one simulated call, so that one builder serves random and Hypothesis.

    Transfer fields apply to the transfer scenarios only. ``retry`` is the outcome of a
    second transfer after a failed one. ``ending`` ends a call that is still live once
    its story is told (``None`` leaves it live). ``duplicates`` are positions among the
    call's notifications (see :func:`duplicable`) delivered twice in a row, as webhook
    retries are. The ids default to values derived from ``call_id``.
    """

    scenario: str = attrs.field(validator=_one_of(SCENARIOS))
    call_id: str = attrs.field(validator=_identifier)
    outcome: str = attrs.field(default="success", validator=_one_of(OUTCOMES))
    #: ``establishing`` arrives after ``established``.
    late_establishing: bool = False
    #: The far end rings (beta's ``ringing``) before the call is up; late too with
    #: ``late_establishing``.
    ringing: bool = False
    #: A hold while the call is up, see :data:`HOLDS` (reject and redirect have none).
    hold: str = attrs.field(default="none", validator=_one_of(HOLDS))
    media_inactive: str = attrs.field(default="none", validator=_one_of(MEDIA_PLACEMENTS))
    fail_from: str = attrs.field(default="transferAccepted", validator=_one_of(FAIL_FROM))
    retry: str | None = attrs.field(default=None, validator=_one_of((None, *OUTCOMES)))
    #: A consultative failure carries ``replacesContext`` (Example 2 does, Example 4 not).
    replaces_context: bool = False
    subcode_key: str = attrs.field(default="subcode", validator=_one_of(SUBCODE_KEYS))
    #: Result codes as digit strings (``"500"``) rather than integers.
    string_codes: bool = False
    #: A ``{"request": ...}`` record precedes each transfer.
    request: bool = False
    #: A commsOperation (running, then completed as ``deleted``) while the call is up.
    operation: str | None = attrs.field(default=None, validator=_one_of((None, *OPERATIONS)))
    #: A roster notification while the call is up.
    participants: bool = False
    ending: str | None = attrs.field(default="terminating", validator=_one_of((None, *ENDINGS)))
    end_code: tuple[int, int] = attrs.field(
        default=(200, 5001), validator=_one_of(tuple(CALL_END_CODES))
    )
    duplicates: frozenset[int] = attrs.field(default=frozenset(), validator=_positions)
    chain_id: str = attrs.field(default=_derived("chain"), validator=_identifier)
    replaces_call_id: str = attrs.field(default=_derived("replaces"), validator=_identifier)
    client_context: str = attrs.field(default=_derived("context"), validator=_identifier)
    operation_id: str = attrs.field(default=_derived("operation"), validator=_identifier)
    caller_id: str = attrs.field(default=_derived("caller"), validator=_identifier)

    def __attrs_post_init__(self) -> None:
        if self.scenario not in TRANSFER_SCENARIOS:
            if self.outcome != "success":
                raise UsageError(
                    "outcome", f"scenario {self.scenario!r} has no transfer, so no failure"
                )
            if self.retry is not None:
                raise UsageError("retry", f"scenario {self.scenario!r} has no transfer to retry")
        elif self.retry is not None and self.outcome != "failure":
            raise UsageError("retry", "a second transfer follows only a failed first one")
        if self.scenario == "hang-up" and self.ending is None:
            raise UsageError("ending", "a hang-up needs an ending")
        if self.hold == "ends" and self.scenario != "hang-up":
            raise UsageError("hold", "only a hang-up can end while on hold")

    @property
    def kind(self) -> str | None:
        """``blind`` or ``consultative`` for a transfer scenario, else ``None``."""
        if self.scenario not in TRANSFER_SCENARIOS:
            return None
        return self.scenario.partition("-")[0]


class _Step(NamedTuple):
    """One line of a call before rendering; ``event`` is ``None`` for data and sub-resources."""

    tag: str  # event, bare (deleted, no state), data, request, operation, participants
    event: str | None = None
    kind: str | None = None
    fields: JSONObject | None = None


def _ending(plan: Plan, steps: list[_Step]) -> None:
    if plan.ending is None:
        return
    code, subcode = plan.end_code
    info = result_info(
        code,
        subcode,
        f"{CALL_END_CODES[plan.end_code]} DiagCode: {code}#{subcode}.@",
        subcode_key=plan.subcode_key,
        string_codes=plan.string_codes,
    )
    if plan.ending == "terminating":
        steps.append(_Step("event", "hang_up"))
    tag = "bare" if plan.ending == "deleted-bare" else "event"
    steps.append(_Step(tag, "terminate", fields={"resultInfo": info}))


def _transfers(plan: Plan, steps: list[_Step]) -> bool:
    """Append each transfer; ``True`` when one completed and so ended the call."""
    kind = plan.kind
    for outcome in (plan.outcome, plan.retry):
        if outcome is None:
            break
        if plan.request:
            steps.append(_Step("request"))
        steps.append(_Step("event", "transfer"))
        if plan.media_inactive == "before":
            steps.append(_Step("data", fields={"mediaState": {"audio": "inactive"}}))
        if outcome == "success" or plan.fail_from == "transferAccepted":
            steps.append(_Step("event", "accept_transfer"))
        if plan.media_inactive == "after":
            steps.append(_Step("data", fields={"mediaState": {"audio": "inactive"}}))
        if outcome == "success":
            steps.append(_Step("event", "complete_transfer", kind))
            return True
        context = kind == "consultative" and plan.replaces_context
        fields = {"replacesContext": plan.replaces_call_id} if context else None
        steps.append(_Step("event", "fail_transfer", kind, fields))
        if plan.media_inactive != "none":
            steps.append(_Step("data", fields={"mediaState": {"audio": "active"}}))
    return False


def _script(plan: Plan) -> list[_Step]:
    """The call's lines as steps, before duplicates."""
    steps = [
        _Step("event", "offer", fields={"direction": "incoming", "callChainId": plan.chain_id})
    ]
    if plan.scenario == "reject":
        steps.append(_Step("bare", "terminate"))
        return steps
    if plan.scenario == "redirect":
        steps.append(_Step("event", "redirect"))
        _ending(plan, steps)
        return steps
    if plan.late_establishing:
        opening = ("connect", "establish", "ring") if plan.ringing else ("connect", "establish")
    else:
        opening = ("establish", "ring", "connect") if plan.ringing else ("establish", "connect")
    steps += [_Step("event", name) for name in opening]
    if plan.hold != "none":
        steps.append(_Step("event", "hold"))
        if plan.hold == "ends":
            _ending(plan, steps)
            return steps
        steps.append(_Step("event", "connect"))
    if plan.participants:
        steps.append(_Step("participants"))
    if plan.operation is not None:
        steps += [_Step("operation", "running"), _Step("operation", "completed")]
    if plan.scenario in TRANSFER_SCENARIOS and _transfers(plan, steps):
        return steps
    _ending(plan, steps)
    return steps


def _notification_count(steps: list[_Step]) -> int:
    return sum(1 for s in steps if s.tag in _NOTIFICATIONS)


def duplicable(plan: Plan) -> range:
    """The positions ``plan.duplicates`` may name: one per call notification, in order."""
    return range(_notification_count(_script(plan)))


def _render(plan: Plan, step: _Step, definition: MachineDefinition) -> JSONObject:
    codes: dict[str, Any] = {"subcode_key": plan.subcode_key, "string_codes": plan.string_codes}
    fields = step.fields or {}
    if step.tag == "event":
        assert step.event is not None
        return event_notification(
            plan.call_id, step.event, step.kind, definition=definition, **codes, **fields
        )
    if step.tag == "bare":
        return notification(plan.call_id, change_type="deleted", **fields)
    if step.tag == "data":
        return notification(plan.call_id, **fields)
    if step.tag == "request":
        target = plan.scenario.partition("-")[2]
        consultative = plan.kind == "consultative"
        return transfer_request(
            plan.call_id,
            target=target,
            client_context=plan.client_context,
            replaces_call_id=plan.replaces_call_id if consultative else None,
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

    Pure: the same plan always gives equal lines. Raises :class:`UsageError` when
    ``plan.duplicates`` names a position past the call's notifications.
    """
    steps = _script(plan)
    count = _notification_count(steps)
    if plan.duplicates and max(plan.duplicates) >= count:
        raise UsageError(
            "duplicates", f"this call has {count} notifications, got {sorted(plan.duplicates)}"
        )
    lines: list[JSONObject] = []
    position = 0
    for step in steps:
        lines.append(_render(plan, step, definition))
        if step.tag in _NOTIFICATIONS:
            if position in plan.duplicates:
                lines.append(_render(plan, step, definition))
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


def expect(plan: Plan, *, definition: MachineDefinition = CALL_MACHINE) -> Expected:
    """Walk the plan's events through ``definition``; :class:`IllegalTransition` if one is refused.

    The first notification sets the state, as a trace that starts mid-call would.
    """
    events = tuple(
        (str(s.event), s.kind) for s in _script(plan) if s.tag == "event" or s.tag == "bare"
    )
    machine = compiled(definition)
    state: str | None = None
    marker: Marker | None = None
    for event, kind in events:
        if kind is not None:
            marker = definition.event(event).markers_of(kind)[0]
        if state is None:
            state = machine.reports[event]
            continue
        step = machine.step(state, event, kind)
        if step is None:
            raise IllegalTransition(plan.call_id, state, event, machine.allowed_events(state))
        state = step.dest
    assert state is not None
    return Expected(state, marker, events)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_plan(
    rng: random.Random, scenario: str, outcome: str = "success", *, call_id: str | None = None
) -> Plan:
    """A plan for ``scenario`` and ``outcome`` with every freedom drawn from ``rng``.

    The call always ends (a hang-up follows a transfer that finally failed), and ids
    are drawn from ``rng`` too, so the same generator state gives the same plan.
    """
    rand = rng.random
    transfer = scenario in TRANSFER_SCENARIOS
    retry = None
    if transfer and outcome == "failure" and rand() < 0.4:
        retry = "success" if rand() < 0.7 else "failure"
    plan = Plan(
        scenario=scenario,
        call_id=call_id if call_id is not None else _uuid(rng),
        outcome=outcome,
        late_establishing=rand() < 0.3,
        media_inactive=MEDIA_PLACEMENTS[int(rand() * 3)],
        fail_from=FAIL_FROM[int(rand() * 2)],
        retry=retry,
        replaces_context=rand() < 0.5,
        subcode_key=SUBCODE_KEYS[int(rand() * 2)],
        string_codes=rand() < 0.2,
        request=rand() < 0.5,
        operation=_OPERATION_NAMES[int(rand() * 3)] if rand() < 0.3 else None,
        participants=rand() < 0.3,
        ending=ENDINGS[0] if rand() < 0.6 else ENDINGS[1 + int(rand() * 2)],
        end_code=rng.choice(tuple(CALL_END_CODES)),
        chain_id=_uuid(rng),
        replaces_call_id=_uuid(rng),
        client_context=_uuid(rng),
        operation_id=_uuid(rng),
        caller_id=_uuid(rng),
    )
    plan = attrs.evolve(
        plan,
        ringing=rand() < 0.2,
        hold=("ends" if scenario == "hang-up" and rand() < 0.5 else "resumed")
        if rand() < 0.2
        else "none",
    )
    dups = frozenset(p for p in duplicable(plan) if rand() < 0.08)
    return attrs.evolve(plan, duplicates=dups) if dups else plan
