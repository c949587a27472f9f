"""A :class:`Plan`'s call as steps: Graph's notifications and the bot's requests, timed.

The story is written in Graph's words, the states its notifications carry; which
event reports each, which signal ends a transfer of each kind with which markers,
which request the bot sends to move the call where, and how long each window is,
all come from the definition (:mod:`callstate.simulate._flows`). With a
:class:`Timing` every step gets a time, in seconds from the call's first line.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from callstate.errors import UsageError
from callstate.facts import END_CODES, Result
from callstate.graph.wire import describe_argument
from callstate.machine.definition import Request
from callstate.simulate._flows import ESTABLISHED, LEGACY, Flows, TransferFlow, TransferOutcome
from callstate.simulate._payload import JSONObject, result_info
from callstate.simulate._plan import Plan, Timing
from callstate.simulate._requests import GONE
from callstate.simulate._situations import group_fields

__all__ = ["DEPRECATED_PATH", "MEETING_MODE_TRANSFER", "Script", "Step", "script"]

#: The warning for a request under the deprecated ``/app`` path (the transfer checks').
DEPRECATED_PATH: Final = "deprecated-path"
#: The warning for a transfer without ``transferee`` on a call in meeting mode.
MEETING_MODE_TRANSFER: Final = "meeting-mode-transfer"

# The Graph states a simulated call passes through on its own (a transfer's come from
# the definition): the spec's words, which the definition's unmarked events report.
_ESTABLISHING: Final = "establishing"
_RINGING: Final = "ringing"
_HOLD: Final = "hold"
_REDIRECTING: Final = "redirecting"
_TERMINATING: Final = "terminating"
# The end codes that say the bot hung up: it sent the DELETE first.
_BY_BOT: Final = frozenset(code for code, m in END_CODES.items() if m.endswith("by the bot"))
# A roster: the caller and the bot; a group call's has a guest too.
_PAIR: Final = 2


class Step(NamedTuple):
    """One line of a call before rendering.

    ``tag`` is event, bare (deleted, no state), data, transfer (the transfer request),
    bot (another request: ``event`` is its name), operation, legacy (a 2019 operation
    reporting ``event``), participants (``size`` of them). ``at`` is the line's time in
    seconds from the call's first line, when the plan is timed; ``status`` a request's
    answer when Graph refuses it.
    """

    tag: str
    event: str | None = None
    kind: str | None = None
    fields: JSONObject | None = None
    marker: int = 0
    at: float | None = None
    status: int | None = None
    size: int = _PAIR


class Script:
    """The steps of one call as they are written, with the clock of a timed plan."""

    def __init__(self, plan: Plan, f: Flows) -> None:
        self.plan = plan
        self.f = f
        self.steps: list[Step] = []
        #: Rules the call breaks on purpose, that no timeout of the definition judges.
        self.findings: list[str] = []
        self.timing: Timing | None = plan.timing
        self.now = 0.0

    def add(self, step: Step, after: float | None = None) -> None:
        """Append ``step``, ``after`` seconds after the previous line (the plan's gap)."""
        if self.timing is not None:
            if self.steps:
                self.now += self.timing.gap if after is None else after
            step = step._replace(at=self.now)
        self.steps.append(step)

    def event(self, state: str, argument: str, **fields: object) -> None:
        """The notification that reports ``state``."""
        self.add(Step("event", self.f.event_for(state, argument=argument), fields=fields or None))

    def bot(
        self, request: Request, *, after: float | None = None, status: int | None = None
    ) -> None:
        """A request the bot sends, recorded only in a timed plan (its log)."""
        if self.timing is not None:
            if self.plan.scenario == LEGACY:
                self.findings.append(DEPRECATED_PATH)
            self.add(Step("bot", request.name, status=status), after)


def _media(audio: str) -> Step:
    return Step("data", fields={"mediaState": {"audio": audio}})


def _ended(f: Flows, argument: str) -> str:
    """The unmarked event of the state a call ends in."""
    end = f.machine.end_state
    if end is None:
        raise UsageError(argument, f"the {f.definition.name} machine declares no ended state")
    return f.event_for(end, argument=argument)


def _end_info(plan: Plan, code: tuple[int, int], meaning: str) -> JSONObject:
    return result_info(
        *code,
        f"{meaning[0].upper()}{meaning[1:]}. DiagCode: {code[0]}#{code[1]}.@",
        subcode_key=plan.subcode_key,
        string_codes=plan.string_codes,
    )


def _ending(s: Script, code: tuple[int, int] | None = None, after: float | None = None) -> None:
    """End the call with the plan's ending: ``code`` when Graph ends it (a timeout)."""
    plan, f = s.plan, s.f
    if plan.ending is None:
        return
    by_bot = code is None and plan.end_code in _BY_BOT
    code = plan.end_code if code is None else code
    info = _end_info(plan, code, END_CODES[code])
    if by_bot and plan.ending != "deleted-bare" and s.steps:
        state = _story_state(s)
        s.bot(f.request_to(state, _TERMINATING, argument="ending"), after=after)
        after = None
    if plan.ending == "terminating":
        s.add(Step("event", f.event_for(_TERMINATING, argument="ending")), after)
        after = None
    tag = "bare" if plan.ending == "deleted-bare" else "event"
    s.add(Step(tag, _ended(f, "ending"), fields={"resultInfo": info}), after)


def _story_state(s: Script) -> str:
    """The state the call's last notification reported, for the bot's next request."""
    for step in reversed(s.steps):
        if step.tag in ("event", "legacy") and step.event is not None:
            return s.f.machine.reports[step.event]
    opens = s.f.request_to("", None, argument="scenario").opens
    assert opens is not None
    return opens


def _marker(plan: Plan, outcome: TransferOutcome, name: str) -> int:
    index: int = getattr(plan, name)
    eligible = outcome.eligible(plan.meeting)
    if index >= len(outcome.markers):
        raise UsageError(
            name,
            f"a {outcome.kind} {outcome.event} has {len(outcome.markers)} marker(s), got {index}",
        )
    if index not in eligible:
        where = "in meeting mode" if plan.meeting else "out of meeting mode"
        raise UsageError(
            name,
            f"marker {index} of a {outcome.kind} {outcome.event} is never sent {where}: "
            f"expected one of {list(eligible)}",
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
            f"got {describe_argument(plan.fail_from)}",
        )
    return plan.fail_from


def _transfers(s: Script) -> bool:
    """Append each transfer; ``True`` when one completed and so ended the call."""
    plan, f = s.plan, s.f
    assert plan.kind is not None
    flow = f.flow(plan.kind)
    state = ESTABLISHED
    for outcome in ("failure", plan.outcome) if plan.retry else (plan.outcome,):
        source = _source(plan, flow, outcome)
        route = f.route(state, source)
        if not route:
            raise UsageError("retry", f"no transfer leads from {state!r} to {source!r}")
        if plan.requested:
            f.transfer_request()  # told when expected, not only when built
            s.add(Step("transfer"))
            if plan.meeting:
                s.findings.append(MEETING_MODE_TRANSFER)
        for number, event in enumerate(route):
            s.add(Step("event", event))
            if number == 0 and plan.media_inactive == "before":
                s.add(_media("inactive"))
        if plan.media_inactive == "after":
            s.add(_media("inactive"))
        if outcome == "success":
            marker = _marker(plan, flow.success, "success_marker")
            s.add(Step("event", flow.success.event, plan.kind, marker=marker))
            return True
        echo = flow.kind.selected_by is not None and plan.replaces_context
        fields = {"replacesContext": plan.replaces_call_id} if echo else None
        marker = _marker(plan, flow.failure, "failure_marker")
        s.add(Step("event", flow.failure.event, plan.kind, fields, marker))
        if plan.media_inactive != "none":
            s.add(_media("active"))
        step = f.machine.step(source, *flow.failure.signal)
        assert step is not None
        state = step.dest
    return False


def _legacy(s: Script) -> None:
    """The 2019 flow: a transfer's progress on its operation, then the call transferred."""
    f = s.f
    told = f.legacy_success()
    if told is None:
        f.transfer_request()  # the one to blame, when it is missing
        raise UsageError(
            "scenario",
            f"the {f.definition.name} machine has no legacy success: a success marker with "
            f"a termination reason, where a transfer from {ESTABLISHED!r} leads",
        )
    flow, marker, route = told
    s.add(Step("transfer"))
    s.findings.append(DEPRECATED_PATH)
    for number, event in enumerate(route):
        s.add(Step("legacy", event, marker=int(number == len(route) - 1)))
    s.add(Step("event", flow.success.event, flow.kind.name, marker=marker))


def _code(result: Result) -> tuple[int, int]:
    """``(code, subcode)`` of the result Graph ends a call with when a window runs out."""
    if result.code is None or result.subcode is None:
        raise UsageError("definition", f"a timeout must end the call with a code, got {result}")
    return (result.code, result.subcode)


def _answer(s: Script, dest: str) -> bool:
    """The bot's answer (reject, redirect) to an incoming call; ``False`` when too late.

    A late answer finds the call gone: Graph refuses it and ends the call with
    the window's result.
    """
    f, timing = s.f, s.timing
    request = f.request_to(f.definition.initial, dest, argument="scenario")
    if timing is None:
        return True
    windows = [f.definition.timeouts[i] for i in f.machine.judged_at[request.name]]
    late = [t for t in windows if timing.answer_after > t.seconds]
    s.bot(request, after=timing.answer_after, status=GONE if late else None)
    if not late:
        return True
    code = _code(late[0].ends_with)
    info = _end_info(s.plan, code, END_CODES.get(code, "the call ended"))
    s.add(Step("event", _ended(f, "timing"), fields={"resultInfo": info}))
    return False


def _keep_alive(s: Script) -> bool:
    """The call stays up ``length`` seconds; ``False`` when Graph ended it for no keepAlive."""
    timing = s.timing
    if timing is None:
        return True
    f = s.f
    request = f.keep_alive("timing")
    window = min(f.definition.timeouts[i].seconds for i in f.machine.judged_always)
    until = s.now + timing.length
    every = timing.keepalive_every
    if every is not None and every >= window:
        raise UsageError("keepalive_every", f"expected less than {window} s, got {every}")
    last = 0.0
    while every is not None and last + every < until:
        last += every
        s.bot(request, after=last - s.now)
    if every is None and until > window:
        ended = f.definition.timeouts[f.machine.judged_always[0]].ends_with
        _ending(s, _code(ended), after=window + timing.gap - s.now)
        return False
    s.now = until
    return True


def script(plan: Plan, f: Flows) -> Script:
    """The call's steps, before duplicates."""
    s = Script(plan, f)
    if plan.kind is not None:
        f.flow(plan.kind)
    if plan.scenario == "outgoing":
        create = f.request_to(f.definition.initial, None, argument="scenario")
        s.add(Step("create", create.name))
    else:
        opening = f.event_for(f.definition.initial, argument="definition")
        fields: JSONObject = {"direction": "incoming", "callChainId": plan.chain_id}
        if plan.group:
            fields.update(group_fields(plan.call_id))
        s.add(Step("event", opening, fields=fields))
        if plan.scenario == "reject":
            ended = _ended(f, "scenario")
            if _answer(s, f.machine.reports[ended]):
                s.add(Step("bare", ended))
            return s
        if plan.scenario == "redirect":
            if _answer(s, _REDIRECTING):
                s.event(_REDIRECTING, "scenario")
                _ending(s)
            return s
        if not _answer(s, _ESTABLISHING):
            return s
    states: tuple[str, ...] = (_ESTABLISHING, ESTABLISHED)
    ringing = (_RINGING,) if plan.ringing else ()
    if plan.late_establishing:
        states = (ESTABLISHED, *states[:-1], *ringing)
    else:
        states = (*states[:-1], *ringing, ESTABLISHED)
    for state in states:
        s.event(state, "scenario")
    if plan.hold != "none":
        s.event(_HOLD, "hold")
        if plan.hold == "ends":
            _ending(s)
            return s
        s.event(ESTABLISHED, "hold")
    if plan.group:
        s.add(Step("participants", size=_PAIR + 1))
    elif plan.participants or plan.meeting:
        s.add(Step("participants"))
    if plan.meeting:
        s.add(Step("participants", size=_PAIR + 1))
    if plan.operation is not None:
        s.add(Step("operation", "running"))
        s.add(Step("operation", "completed"))
    if not _keep_alive(s):
        return s
    if plan.scenario == LEGACY:
        _legacy(s)
        return s
    if plan.kind is not None and _transfers(s):
        return s
    _ending(s)
    return s
