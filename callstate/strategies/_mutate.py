"""Notification streams broken in exactly one place, labelled with that line and rule.

A mutated stream inserts one line into a valid stream (:func:`notification_streams`).
What the validator must say about it is worked out by the reference model
(:mod:`callstate.strategies._model`, the definition's compiled machine plus the
documented recovery rule), and a mutation is only offered when that model sees
exactly one violation, at the inserted line: so every label is exact, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import attrs
import orjson
from hypothesis import reject, strategies as st

from callstate.graph.wire import untimed
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.simulate import (
    OUTCOMES,
    JSONObject,
    Plan,
    build,
    event_notification,
    flows,
    result_info,
)
from callstate.strategies._asked import (
    REQUEST_RULES,
    Candidate,
    RequestInsertions,
    expectations_of,
    judged_by,
)
from callstate.strategies._model import ModelLine, StreamModel, model_line
from callstate.strategies._plans import NotificationStream, choice, sizes, streams

__all__ = ["MUTATION_RULES", "MutatedStream", "mutated_streams", "mutation_rules"]

#: Rules a mutated stream can break (``illegal-transition`` etc. come from the definition).
_FIXED_RULES: Final = ("terminated-is-absorbing", "misplaced-marker", "malformed")


def mutation_rules(definition: MachineDefinition = CALL_MACHINE) -> tuple[str, ...]:
    """Every rule :func:`mutated_streams` can label a stream of ``definition`` with."""
    rules = dict.fromkeys(e.rule for e in definition.events)
    asked = REQUEST_RULES if definition.requests else ()
    expected = tuple(dict.fromkeys(e.rule for e in expectations_of(definition).values()))
    return (*_FIXED_RULES, *(r for r in rules if r not in _FIXED_RULES), *asked, *expected)


#: Every rule :func:`mutated_streams` can label a stream with, for :data:`CALL_MACHINE`.
MUTATION_RULES: Final = mutation_rules(CALL_MACHINE)


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


def _envelope(note: JSONObject) -> JSONObject:
    return {"@odata.type": "#microsoft.graph.commsNotifications", "value": [note]}


def _corruptions(obj: JSONObject, call_id: str) -> Iterator[tuple[bytes, str | None, str]]:
    text = orjson.dumps(obj)
    yield text[: len(text) // 2], None, "a copy cut in half (not JSON)"
    body = untimed(obj)
    if not isinstance(body, dict) or "value" not in body:
        return
    note = body["value"][0]
    yield (
        orjson.dumps(_envelope({**note, "changeType": "moved"})),
        call_id,
        "a copy with changeType 'moved'",
    )
    data = note.get("resourceData")
    if isinstance(data, dict) and "state" in data:
        broken = {**note, "resourceData": {**data, "state": 7}}
        yield orjson.dumps(_envelope(broken)), call_id, "a copy whose state is the number 7"


class _Mutator(RequestInsertions):
    """Every single-line insertion into a stream whose verdict the model can tell exactly."""

    def __init__(self, definition: MachineDefinition, rules: tuple[str, ...]) -> None:
        self.model = StreamModel(definition)
        self.rules = rules
        self.definition = definition
        self.signals = self.model.machine.signals
        self.markers = [(event, marker) for event in definition.events for marker in event.markers]
        self.allowed = self.model.machine.allowed_requests
        self.transfer = flows(definition).transfer

    def candidates(self, stream: NotificationStream) -> list[Candidate]:
        found: list[Candidate] = []
        for index, plan in enumerate(stream.plans):
            objs = build(plan, definition=self.definition)
            lines = [model_line(obj, self.model.machine) for obj in objs]
            found += self._for_call(index, plan, objs, lines)
        return found

    def _single(self, lines: list[ModelLine], at: int, new: ModelLine) -> bool:
        """Whether inserting ``new`` after line ``at`` breaks one rule, there, and no more:
        the bot's later requests must still be judged in the states they were."""
        return self._fits(lines, at, new, [at + 1])

    def _fits(self, lines: list[ModelLine], at: int, new: ModelLine, refusing: list[int]) -> bool:
        """Whether the model refuses exactly ``refusing`` with ``new`` inserted after line
        ``at``, and the bot's later requests are judged in the states they were."""
        refused, states = self.model.refusals([*lines[: at + 1], new, *lines[at + 1 :]])
        if refused != refusing:
            return False
        _, before = self.model.refusals(lines)
        return all(
            states[j] == before[j - 1]
            for j in range(at + 1, len(lines))
            if lines[j].tag == "request"
        )

    def _for_call(
        self, call: int, plan: Plan, objs: list[JSONObject], lines: list[ModelLine]
    ) -> Iterator[Candidate]:
        cid = plan.call_id
        _, states = self.model.refusals(lines)
        final = self.definition.final
        codes: dict[str, Any] = {"subcode_key": plan.subcode_key, "string_codes": plan.string_codes}
        if "malformed" in self.rules:
            for at, obj in enumerate(objs):
                for text, who, what in _corruptions(obj, cid):
                    yield Candidate(call, at, text, "malformed", who, f"inserted {what}")
        judged = next((i for i, o in enumerate(objs) if judged_by(self.definition, o)), len(objs))
        yield from self._requests(call, plan, objs, states)
        if judged < len(objs):
            expect = judged_by(self.definition, objs[judged])
            assert expect is not None
            if expect.rule in self.rules:
                yield from self._expected(call, cid, lines, states, judged, expect, codes)
        for at, state in enumerate(states):
            if state is None or at >= judged:
                continue  # past an accepted reject or redirect, the request's rule judges too
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
        self, call: int, cid: str, lines: list[ModelLine], at: int, codes: dict[str, Any]
    ) -> Iterator[Candidate]:
        for event, kind in self.signals:
            obj = self._notification(cid, event, kind, **codes)
            new = model_line(obj, self.model.machine)
            if self._single(lines, at, new):
                yield Candidate(
                    call,
                    at,
                    orjson.dumps(obj),
                    "terminated-is-absorbing",
                    cid,
                    f"appended {event} after the call ended",
                )

    def _illegal(
        self,
        call: int,
        cid: str,
        lines: list[ModelLine],
        at: int,
        state: str,
        codes: dict[str, Any],
    ) -> Iterator[Candidate]:
        for event, kind in self.signals:
            rule = self.definition.event(event).rule
            if rule not in self.rules or (state, event, kind) in self.model.machine.table:
                continue
            obj = self._notification(cid, event, kind, **codes)
            new = model_line(obj, self.model.machine)
            if self._single(lines, at, new):
                label = event if kind is None else f"{event}[{kind}]"
                yield Candidate(
                    call, at, orjson.dumps(obj), rule, cid, f"inserted {label} while {state}"
                )

    def _misplaced(
        self,
        call: int,
        cid: str,
        lines: list[ModelLine],
        at: int,
        state: str,
        codes: dict[str, Any],
    ) -> Iterator[Candidate]:
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
            if self._single(lines, at, ModelLine(obj["value"][0], "misplaced")):
                yield Candidate(
                    call,
                    at,
                    orjson.dumps(obj),
                    "misplaced-marker",
                    cid,
                    f"inserted {state} carrying {marker.label} ({event.name}, {marker.kind})",
                )


def _position(stream: NotificationStream, call: int, after: int) -> int:
    """Where in the interleaved stream the line after the ``call``-th call's line ``after`` goes."""
    seen = -1
    for position, origin in enumerate(stream.origins):
        if origin == call:
            seen += 1
            if seen == after:
                return position + 1
    raise AssertionError(f"call {call} has no line {after}")


@st.composite
def _mutated(
    draw: st.DrawFn,
    bounds: tuple[int, int],
    scenarios: tuple[str, ...],
    outcomes: tuple[str, ...],
    mutator: _Mutator,
    timed: bool | None = None,
) -> MutatedStream:
    stream = draw(streams(flows(mutator.definition), bounds, scenarios, outcomes, timed=timed))
    options = mutator.candidates(stream)
    if not options:
        reject()
    rule = draw(st.sampled_from(sorted({c.rule for c in options}, key=mutator.rules.index)))
    chosen = draw(st.sampled_from([c for c in options if c.rule == rule]))
    at = _position(stream, chosen.call, chosen.after)
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

    The insertion is one of: a notification of an event the call's state refuses (the
    event's rule: ``transfer-not-in-progress``, ``transfer-from-non-established``,
    ``failure-without-transfer``, ...), a change after the call ended
    (``terminated-is-absorbing``), a transfer-outcome marker on a state it does not
    belong to (``misplaced-marker``), or a corrupted copy of a line (``malformed``). Or
    a change an accepted reject or redirect forbids (``state-after-reject``,
    ``state-after-redirect``; asked for alone, these draw timed reject and redirect
    calls, whose log has Graph's answer). Or an inserted request record: one the call's
    state forbids (``request-not-allowed``), or a group call's transfer without a
    ``transferee`` or naming a participant not in its roster (Graph refuses both).
    Streams may be timed; the inserted line is not. The 2019 ``legacy`` flow is left out
    by default: its progress comes on operation lines the reference model does not read.
    ``definition`` is the *reference*, any checked definition: the streams are drawn
    from it and labelled by its rules (:func:`mutation_rules`).
    """
    f = flows(definition)
    chosen = choice("rules", rules, mutation_rules(definition))
    told = f.current_scenarios if scenarios is None else f.every_scenario
    drawn = choice("scenarios", scenarios, told)
    expecting = expectations_of(definition)
    timed = None
    if scenarios is None and all(r in {e.rule for e in expecting.values()} for r in chosen):
        # Only a timed log answers the bot's reject or redirect: draw those calls, timed.
        drawn = tuple(s for s in told if s in expecting and expecting[s].rule in chosen) or drawn
        timed = True
    return _mutated(
        sizes(min_calls, max_calls),
        drawn,
        choice("outcomes", outcomes, OUTCOMES),
        _Mutator(definition, chosen),
        timed,
    )
