"""Notification streams: valid ones for every scenario, and ones broken in exactly one place.

Valid streams are drawn as :class:`~callstate.simulate.Plan` objects (so Hypothesis
shrinks the *choices*: fewer calls, simpler scenarios, fewer freedoms) and rendered
by :func:`callstate.simulate.build`, the one builder of faithful payloads.

A mutated stream inserts one line into a valid stream. What the validator must say
about it is worked out from the definition's compiled table and the documented
recovery rule (after a violation the call takes the state that arrived; terminated
stays terminated; an exact duplicate of the previous notification is accepted), and
a mutation is only offered when that model sees exactly one violation, at the
inserted line: so every label is exact, never a guess.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, Final

import attrs
import orjson
from hypothesis import reject, strategies as st

from callstate.errors import ParseError, UsageError
from callstate.graph import parse_resource_url
from callstate.graph.wire import read_result
from callstate.machine.compiled import Compiled, compiled
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.simulate import (
    CALL_END_CODES,
    ENDINGS,
    HOLDS,
    MEDIA_PLACEMENTS,
    OPERATIONS,
    OUTCOMES,
    SCENARIOS,
    SUBCODE_KEYS,
    TRANSFER_SCENARIOS,
    JSONObject,
    Plan,
    build,
    duplicable,
    event_notification,
    flows,
    result_info,
)

__all__ = [
    "MUTATION_RULES",
    "MutatedStream",
    "NotificationStream",
    "call_id_for",
    "mutated_streams",
    "notification_streams",
    "plans",
]

#: ``(event, marker kind or None)``
Signal = tuple[str, str | None]

#: Rules a mutated stream can break (``illegal-transition`` etc. come from the definition).
_FIXED_RULES: Final = ("terminated-is-absorbing", "misplaced-marker", "malformed")


def _mutation_rules(definition: MachineDefinition) -> tuple[str, ...]:
    rules = dict.fromkeys(e.rule for e in definition.events)
    return (*_FIXED_RULES, *(r for r in rules if r not in _FIXED_RULES))


#: Every rule :func:`mutated_streams` can label a stream with, for :data:`CALL_MACHINE`.
MUTATION_RULES: Final = _mutation_rules(CALL_MACHINE)


def call_id_for(index: int) -> str:
    """The id of the ``index``-th call of a drawn stream: a readable, valid Graph call id."""
    return str(uuid.UUID(int=index + 1))


def _choice(name: str, value: object, options: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return options
    chosen = (value,) if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]
    if not chosen or any(v not in options for v in chosen):
        raise UsageError(name, f"expected None or some of {list(options)}, got {value!r}")
    return chosen


def _fail_sources(definition: MachineDefinition) -> tuple[str, ...]:
    """The states a transfer fails from, read from the definition: where a Plan's failure goes."""
    return tuple(
        dict.fromkeys(t.source for t in definition.transitions if t.event == "fail_transfer")
    )


@st.composite
def _plans(
    draw: st.DrawFn, scenarios: tuple[str, ...], outcomes: tuple[str, ...], call_id: str | None
) -> Plan:
    scenario = draw(st.sampled_from(scenarios))
    transfer = scenario in TRANSFER_SCENARIOS
    outcome = draw(st.sampled_from(outcomes)) if transfer else "success"
    retry = draw(st.booleans()) if transfer else False
    f = flows(CALL_MACHINE)
    sources = f.flow(f.scenario_kinds[scenario]).failure.sources if transfer else ()
    plan = Plan(
        scenario=scenario,
        call_id=call_id if call_id is not None else str(draw(st.uuids())),
        outcome=outcome,
        late_establishing=draw(st.booleans()),
        ringing=draw(st.booleans()),
        hold=draw(st.sampled_from(HOLDS if scenario == "hang-up" else HOLDS[:2])),
        media_inactive=draw(st.sampled_from(MEDIA_PLACEMENTS)),
        fail_from=draw(st.sampled_from(sources)) if sources else None,
        retry=retry,
        replaces_context=draw(st.booleans()),
        subcode_key=draw(st.sampled_from(SUBCODE_KEYS)),
        string_codes=draw(st.booleans()),
        request=draw(st.booleans()),
        operation=draw(st.none() | st.sampled_from(tuple(OPERATIONS))),
        participants=draw(st.booleans()),
        ending=draw(st.sampled_from(ENDINGS if scenario == "hang-up" else (*ENDINGS, None))),
        end_code=draw(st.sampled_from(tuple(CALL_END_CODES))),
    )
    positions = tuple(duplicable(plan))
    duplicates = draw(st.frozensets(st.sampled_from(positions), max_size=2)) if positions else None
    return attrs.evolve(plan, duplicates=duplicates) if duplicates else plan


def plans(
    *,
    scenarios: str | tuple[str, ...] | None = None,
    outcomes: str | tuple[str, ...] | None = None,
    call_id: str | None = None,
) -> st.SearchStrategy[Plan]:
    """Every choice for one call: scenario, outcome and every documented freedom.

    Freedoms: establishing/established order, ringing, a hold (resumed, or ended on
    hold for a hang-up), media-inactive before or after
    transferAccepted, ``subcode``/``subCode``, string codes, request records,
    operations and rosters, a retried transfer, the ending and its code, and
    duplicate deliveries. A call usually ends; ``ending=None`` leaves it live, as a
    trace cut mid-call does. Shrinks towards a plain blind
    transfer to a user that succeeds.
    """
    chosen = _choice("scenarios", scenarios, SCENARIOS)
    wanted = _choice("outcomes", outcomes, OUTCOMES)
    if call_id is not None and not isinstance(call_id, str):
        raise UsageError("call_id", f"expected a str or None, got {call_id!r}")
    return _plans(chosen, wanted, call_id)


@attrs.frozen
class NotificationStream:
    """Calls interleaved, each call's own order kept: the plans and the lines they make."""

    plans: tuple[Plan, ...]
    lines: tuple[JSONObject, ...]

    def jsonl(self) -> tuple[bytes, ...]:
        """The lines as JSON Lines (no newline), ready for :func:`~callstate.validate_lines`."""
        return tuple(orjson.dumps(line) for line in self.lines)

    @property
    def call_ids(self) -> tuple[str, ...]:
        """The ids of its calls, in the order the calls were drawn."""
        return tuple(plan.call_id for plan in self.plans)


def _sizes(min_calls: object, max_calls: object) -> tuple[int, int]:
    for name, value in (("min_calls", min_calls), ("max_calls", max_calls)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(name, f"expected a whole number >= 1, got {value!r}")
    assert isinstance(min_calls, int)
    assert isinstance(max_calls, int)
    if max_calls < min_calls:
        raise UsageError("max_calls", f"must be >= min_calls ({min_calls}), got {max_calls}")
    return min_calls, max_calls


@st.composite
def _streams(
    draw: st.DrawFn,
    sizes: tuple[int, int],
    scenarios: tuple[str, ...],
    outcomes: tuple[str, ...],
) -> NotificationStream:
    count = draw(st.integers(*sizes))
    drawn = tuple(draw(_plans(scenarios, outcomes, call_id_for(i))) for i in range(count))
    pending = [list(reversed(build(plan))) for plan in drawn]
    total = sum(len(p) for p in pending)
    picks = draw(st.lists(st.integers(0, count - 1), min_size=total, max_size=total))
    lines: list[JSONObject] = []
    live = [p for p in pending if p]
    for pick in picks:
        index = pick % len(live)
        lines.append(live[index].pop())
        if not live[index]:
            live.pop(index)
    return NotificationStream(drawn, tuple(lines))


def notification_streams(
    *,
    min_calls: int = 1,
    max_calls: int = 3,
    scenarios: str | tuple[str, ...] | None = None,
    outcomes: str | tuple[str, ...] | None = None,
) -> st.SearchStrategy[NotificationStream]:
    """Valid streams of ``min_calls`` to ``max_calls`` calls, interleaved line by line.

    Each call is a :func:`plans` draw for one of ``scenarios`` (default all) and
    ``outcomes``; the validator accepts every stream this draws. Shrinks towards
    one call, then towards its lines one call after another.
    """
    return _streams(
        _sizes(min_calls, max_calls),
        _choice("scenarios", scenarios, SCENARIOS),
        _choice("outcomes", outcomes, OUTCOMES),
    )


# -- the reference model of one call's lines -----------------------------------------


@attrs.frozen
class _Line:
    """One line of a call as the model sees it: ``tag`` says what it does to the call."""

    obj: object
    tag: str  # event, data, other (sub-resource, request, malformed), misplaced
    signal: Signal | None = None


def _model_line(obj: JSONObject, machine: Compiled) -> _Line:
    if "request" in obj:
        return _Line(obj, "other")
    note = obj["value"][0]
    if parse_resource_url(note["resourceUrl"]).kind != "call":
        return _Line(obj, "other")
    data = note.get("resourceData") or {}
    code, subcode = read_result(data.get("resultInfo"), "/resourceData/resultInfo")
    state = data.get("state")
    signal = machine.classify(
        None if state is None else machine.state_names.get(state, state),
        deleted=note["changeType"] == "deleted" and state is None,
        code=code,
        subcode=subcode,
        termination_reason=data.get("terminationReason"),
    )
    return _Line(note, "data" if signal is None else "event", signal)


class _Model:
    """Walks one call's lines through a definition's table the way the contract says."""

    def __init__(self, definition: MachineDefinition) -> None:
        self.definition = definition
        self.machine = compiled(definition)

    def refusals(self, lines: list[_Line]) -> tuple[list[int], list[str | None]]:
        """Indexes of the lines a validator must report, and the state after each line."""
        state: str | None = None
        last: object = None
        refused: list[int] = []
        states: list[str | None] = []
        for index, line in enumerate(lines):
            if state in self.definition.final and line.tag != "other":
                if line.obj != last:
                    refused.append(index)
            elif line.tag == "data":
                last = None
            elif line.tag == "misplaced":
                refused.append(index)
                last = None
            elif line.tag == "event" and line.signal is not None:
                event, kind = line.signal
                if state is None:
                    opening = self.machine.openings[line.signal]
                    state = opening.dest
                    last = line.obj if opening.remember or opening.ends else None
                else:
                    step = self.machine.step(state, event, kind)
                    if step is None and last is not None and line.obj == last:
                        pass
                    elif step is not None and step.transition is None:
                        last = None
                    else:
                        if step is None:
                            refused.append(index)
                            step = self.machine.refused[line.signal]
                        state = step.dest
                        last = line.obj if step.remember or step.ends else None
            states.append(state)
        return refused, states


# -- mutations ---------------------------------------------------------------------


@attrs.frozen
class MutatedStream:
    """A valid stream with one line inserted, and what a validator must report about it.

    ``line`` is the 1-based line of the inserted line in ``lines``, ``rule`` the one
    rule it breaks, ``call_id`` the call the violation names (``None`` when the line
    names no call), ``change`` what was done, in words.
    """

    lines: tuple[bytes, ...]
    line: int
    rule: str
    call_id: str | None
    change: str
    original: NotificationStream = attrs.field(repr=False)


@attrs.frozen
class _Candidate:
    """An insertion into one call: after its line ``after`` (-1: before its first)."""

    call: int
    after: int
    line: bytes
    rule: str
    call_id: str | None
    change: str


def _envelope(note: JSONObject) -> JSONObject:
    return {"@odata.type": "#microsoft.graph.commsNotifications", "value": [note]}


def _corruptions(obj: JSONObject, call_id: str) -> Iterator[tuple[bytes, str | None, str]]:
    text = orjson.dumps(obj)
    yield text[: len(text) // 2], None, "a copy cut in half (not JSON)"
    if "value" not in obj:
        return
    note = obj["value"][0]
    yield (
        orjson.dumps(_envelope({**note, "changeType": "moved"})),
        call_id,
        "a copy with changeType 'moved'",
    )
    data = note.get("resourceData")
    if isinstance(data, dict) and "state" in data:
        broken = {**note, "resourceData": {**data, "state": 7}}
        yield orjson.dumps(_envelope(broken)), call_id, "a copy whose state is the number 7"


class _Mutator:
    """Every single-line insertion into a stream whose verdict the model can tell exactly."""

    def __init__(self, definition: MachineDefinition, rules: tuple[str, ...]) -> None:
        self.model = _Model(definition)
        self.rules = rules
        self.definition = definition
        self.signals = self.model.machine.signals
        self.markers = [(event, marker) for event in definition.events for marker in event.markers]

    def candidates(self, stream: NotificationStream) -> list[_Candidate]:
        found: list[_Candidate] = []
        for index, plan in enumerate(stream.plans):
            objs = build(plan)
            lines = [_model_line(obj, self.model.machine) for obj in objs]
            found += self._for_call(index, plan, objs, lines)
        return found

    def _single(self, lines: list[_Line], at: int, new: _Line) -> bool:
        refused, _ = self.model.refusals([*lines[: at + 1], new, *lines[at + 1 :]])
        return refused == [at + 1]

    def _for_call(
        self, call: int, plan: Plan, objs: list[JSONObject], lines: list[_Line]
    ) -> Iterator[_Candidate]:
        cid = plan.call_id
        _, states = self.model.refusals(lines)
        final = self.definition.final
        codes: dict[str, Any] = {"subcode_key": plan.subcode_key, "string_codes": plan.string_codes}
        if "malformed" in self.rules:
            for at, obj in enumerate(objs):
                for text, who, what in _corruptions(obj, cid):
                    yield _Candidate(call, at, text, "malformed", who, f"inserted {what}")
        for at, state in enumerate(states):
            if state is None:
                continue
            if state in final:
                if at == len(lines) - 1 and "terminated-is-absorbing" in self.rules:
                    yield from self._absorbing(call, cid, lines, at, codes)
                continue
            yield from self._illegal(call, cid, lines, at, state, codes)
            if "misplaced-marker" in self.rules:
                yield from self._misplaced(call, cid, lines, at, state, codes)

    def _notification(self, cid: str, event: str, kind: str | None, **fields: Any) -> JSONObject:
        return event_notification(cid, event, kind, definition=self.definition, **fields)

    def _absorbing(
        self, call: int, cid: str, lines: list[_Line], at: int, codes: dict[str, Any]
    ) -> Iterator[_Candidate]:
        for event, kind in self.signals:
            obj = self._notification(cid, event, kind, **codes)
            new = _Line(obj["value"][0], "event", (event, kind))
            if self._single(lines, at, new):
                yield _Candidate(
                    call,
                    at,
                    orjson.dumps(obj),
                    "terminated-is-absorbing",
                    cid,
                    f"appended {event} after the call ended",
                )

    def _illegal(
        self, call: int, cid: str, lines: list[_Line], at: int, state: str, codes: dict[str, Any]
    ) -> Iterator[_Candidate]:
        for event, kind in self.signals:
            rule = self.definition.event(event).rule
            if rule not in self.rules or (state, event, kind) in self.model.machine.table:
                continue
            obj = self._notification(cid, event, kind, **codes)
            new = _Line(obj["value"][0], "event", (event, kind))
            if self._single(lines, at, new):
                label = event if kind is None else f"{event}[{kind}]"
                yield _Candidate(
                    call, at, orjson.dumps(obj), rule, cid, f"inserted {label} while {state}"
                )

    def _misplaced(
        self, call: int, cid: str, lines: list[_Line], at: int, state: str, codes: dict[str, Any]
    ) -> Iterator[_Candidate]:
        signal = self.model.machine.plain.get(state)
        update = None if signal is None else self.model.machine.step(state, *signal)
        if signal is None or update is None or update.transition is not None:
            return
        plain = signal[0]
        for event, marker in self.markers:
            if event.reports == state:
                continue
            fields: dict[str, Any] = {}
            if marker.code is not None and marker.subcode is not None:
                fields["resultInfo"] = result_info(marker.code, marker.subcode, event.doc, **codes)
            if marker.termination_reason is not None:
                fields["terminationReason"] = marker.termination_reason
            obj = self._notification(cid, plain, None, **codes, **fields)
            if self._single(lines, at, _Line(obj["value"][0], "misplaced")):
                yield _Candidate(
                    call,
                    at,
                    orjson.dumps(obj),
                    "misplaced-marker",
                    cid,
                    f"inserted {state} carrying {marker.label} ({event.name}, {marker.kind})",
                )


def _position(stream: NotificationStream, call_id: str, after: int) -> int:
    """Where in the interleaved stream the line after the call's line ``after`` goes."""
    seen = -1
    for position, line in enumerate(stream.lines):
        if _line_call(line) == call_id:
            seen += 1
            if seen == after:
                return position + 1
    raise AssertionError(f"call {call_id} has no line {after}")


def _line_call(line: JSONObject) -> str | None:
    try:
        if "request" in line:
            return str(line["request"]["url"]).rsplit("/", 2)[-2]
        return parse_resource_url(line["value"][0]["resourceUrl"]).call_id
    except (KeyError, IndexError, ParseError):
        return None


@st.composite
def _mutated(
    draw: st.DrawFn,
    sizes: tuple[int, int],
    scenarios: tuple[str, ...],
    outcomes: tuple[str, ...],
    mutator: _Mutator,
) -> MutatedStream:
    stream = draw(_streams(sizes, scenarios, outcomes))
    options = mutator.candidates(stream)
    if not options:
        reject()
    rule = draw(st.sampled_from(sorted({c.rule for c in options}, key=mutator.rules.index)))
    chosen = draw(st.sampled_from([c for c in options if c.rule == rule]))
    at = _position(stream, stream.plans[chosen.call].call_id, chosen.after)
    lines = stream.jsonl()
    return MutatedStream(
        lines=(*lines[:at], chosen.line, *lines[at:]),
        line=at + 1,
        rule=chosen.rule,
        call_id=chosen.call_id,
        change=chosen.change,
        original=stream,
    )


def mutated_streams(
    *,
    min_calls: int = 1,
    max_calls: int = 3,
    scenarios: str | tuple[str, ...] | None = None,
    outcomes: str | tuple[str, ...] | None = None,
    rules: str | tuple[str, ...] | None = None,
    definition: MachineDefinition = CALL_MACHINE,
) -> st.SearchStrategy[MutatedStream]:
    """A valid stream with one line inserted that breaks exactly one of ``rules``.

    The insertion is one of: a notification of an event the call's state refuses
    (the event's rule: ``transfer-not-in-progress``, ``transfer-from-non-established``,
    ``failure-without-transfer``, ...), a change after the call ended
    (``terminated-is-absorbing``), a transfer-outcome marker on a state it does not
    belong to (``misplaced-marker``), or a corrupted copy of a line (``malformed``).
    ``definition`` is the *reference*: the rules the stream is labelled by.
    """
    if not isinstance(definition, MachineDefinition):
        raise UsageError("definition", f"expected a MachineDefinition, got {definition!r}")
    known = _mutation_rules(definition)
    chosen = _choice("rules", rules, known)
    return _mutated(
        _sizes(min_calls, max_calls),
        _choice("scenarios", scenarios, SCENARIOS),
        _choice("outcomes", outcomes, OUTCOMES),
        _Mutator(definition, chosen),
    )
