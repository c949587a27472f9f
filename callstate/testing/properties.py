"""The properties the kit proves, to check a machine definition of your own.

A :class:`Property` pairs a strategy (what to draw, for the definition under test)
with a check (``None`` when the draw conforms, else why not). The machine-level
properties reuse :data:`~callstate.machine.invariants.INVARIANTS` on generated
walks, so each is stated once; the stream-level ones run callstate's validator,
built from the definition under test, over streams drawn from a *reference*
definition: :func:`properties` builds the suite for any checked reference, and
:data:`PROPERTIES` is the suite whose streams encode the spec (:data:`CALL_MACHINE`).
A broken definition fails them, which the mutation tests show for every property.

To check a definition ``mine``: ``for p in properties(mine): assert
counterexample(p, mine) is None`` (its own streams), or use :data:`PROPERTIES` to
check that it still accepts the spec's streams.
"""

from __future__ import annotations

from callstate._extras import require

require("hypothesis", "testing", part="callstate.testing.properties")

import functools
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs
import orjson
from hypothesis import HealthCheck, Phase, find, settings, strategies as st
from hypothesis.errors import NoSuchExample

from callstate.errors import UsageError
from callstate.facts import Result
from callstate.graph.wire import read_result, untimed
from callstate.machine import CALL_MACHINE, MachineDefinition, Marker
from callstate.machine.invariants import INVARIANTS, Invariant, Moves, Step
from callstate.simulate import expect, flows
from callstate.strategies import (
    MutatedStream,
    NotificationStream,
    mutated_streams,
    mutation_rules,
    notification_streams,
    signal_sequences,
    walks,
)
from callstate.verdict import Finding, StepRecord, Tracker, validate_lines

__all__ = [
    "HUNT",
    "PROPERTIES",
    "Property",
    "counterexample",
    "properties",
    "property_named",
    "snapshot_restore",
]

#: ``definition under test -> what to draw``.
Strategy = Callable[[MachineDefinition], st.SearchStrategy[Any]]
#: ``(definition under test, a draw) -> why it breaks the property``, or ``None``.
Check = Callable[[MachineDefinition, Any], "str | None"]


@attrs.frozen
class Property:
    """A named property: draw with ``strategy(definition)``, judge with ``check``."""

    name: str
    doc: str
    strategy: Strategy
    check: Check


def _invariant(name: str) -> Invariant:
    return next(i for i in INVARIANTS if i.name == name)


def _along(invariant: Invariant, definition: MachineDefinition, path: Iterable[Step]) -> str | None:
    """The invariant on a path: every step, then every state it visits."""
    steps = tuple(path)
    found = invariant.check_path(definition, steps)
    if found is not None:
        return " / ".join(found)
    moves = Moves(definition)
    for state in dict.fromkeys([definition.initial, *(s.dest for s in steps)]):
        found = invariant.check_state(moves, state)
        if found is not None:
            return f"after reaching {state}: " + " / ".join(found)
    return None


def _walk_property(name: str) -> Property:
    invariant = _invariant(name)

    def strategy(definition: MachineDefinition) -> st.SearchStrategy[Any]:
        return walks(definition=definition, max_steps=12)

    def check(definition: MachineDefinition, walk: tuple[Step, ...]) -> str | None:
        return _along(invariant, definition, walk)

    return Property(name, invariant.doc, strategy, check)


def _sequence_property(name: str) -> Property:
    """The invariant along arbitrary notification sequences: refused ones leave the state."""
    invariant = _invariant(name)

    def strategy(definition: MachineDefinition) -> st.SearchStrategy[Any]:
        return signal_sequences(definition=definition, max_size=30)

    def check(definition: MachineDefinition, sequence: list[tuple[str, str | None]]) -> str | None:
        moves = Moves(definition)
        state, path = definition.initial, []
        for event, kind in sequence:
            step = moves.step(state, event, kind)
            if step is not None:
                path.append(step)
                state = step.dest
        return _along(invariant, definition, path)

    return Property(name, invariant.doc, strategy, check)


def _observed(
    definition: MachineDefinition, lines: Iterable[bytes]
) -> tuple[list[StepRecord], Tracker, list[Finding]]:
    steps: list[StepRecord] = []
    tracker = Tracker(definition=definition, on_step=steps.append)
    findings: list[Finding] = []
    for number, line in enumerate(lines, 1):
        tracker.ingest_into(line, findings, line=number)
    return steps, tracker, findings


def _violations(findings: Iterable[Finding]) -> list[str]:
    return [str(f) for f in findings if f.severity == "violation"]


def _result(line: Any) -> Result | None:
    """The result a stream line's call notification carries, read by the one wire reader."""
    line = untimed(line)
    if not isinstance(line, dict) or "value" not in line:
        return None
    data = line["value"][0].get("resourceData")
    if not isinstance(data, dict):
        return None
    code, subcode = read_result(data.get("resultInfo"), "/value/0/resourceData/resultInfo")
    return Result(code, subcode, data.get("terminationReason"))


def _carries(line: Any, markers: Iterable[Marker]) -> bool:
    """Whether a stream line carries one of ``markers`` (codes, or a termination reason)."""
    found = _result(line)
    if found is None:
        return False
    for m in markers:
        if m.code is not None and (found.code, found.subcode) == (m.code, m.subcode):
            return True
        if m.termination_reason is not None and found.termination_reason == m.termination_reason:
            return True
    return False


def _failure_in_streams(definition: MachineDefinition, stream: NotificationStream) -> str | None:
    steps, _tracker, findings = _observed(definition, stream.jsonl())
    reference = flows(stream.definition)
    kinds = {plan.call_id: plan.kind for plan in stream.plans}
    failures = 0
    for step in steps:
        line, call_id, event, kind, source, dest = (
            step.line,
            step.call_id,
            step.event,
            step.kind,
            step.source,
            step.dest,
        )
        planned = kinds[call_id]
        if planned is None:
            continue
        failure = reference.flow(planned).failure
        if not _carries(stream.lines[line - 1], failure.markers):
            continue
        failures += 1
        back = reference.machine.step(source or "", *failure.signal)
        want = None if back is None else back.dest
        if (event, kind, dest) != (failure.event, planned, want):
            return (
                f"line {line}: a {planned} transfer failure from {source} was read as "
                f"{event}[{kind}] -> {dest}, not back to {want}"
            )
    wanted = sum(p.failures for p in stream.plans)
    if failures != wanted:
        return f"{failures} transfer failures observed, {wanted} in the stream"
    return "; ".join(_violations(findings)) or None


def _success_in_streams(definition: MachineDefinition, stream: NotificationStream) -> str | None:
    steps, tracker, findings = _observed(definition, stream.jsonl())
    if problems := _violations(findings):
        return "; ".join(problems)
    reference = flows(stream.definition)
    for plan in stream.plans:
        if plan.kind is None or plan.outcome != "success":
            continue
        success = reference.flow(plan.kind).success
        mine = [s for s in steps if s.call_id == plan.call_id and s.kind is not None]
        outcomes = [(s.event, s.kind, s.dest) for s in mine]
        final = [o for o in outcomes if o[0] == success.event]
        if len(final) != 1 or final[0][1] != plan.kind or final[0][2] not in definition.final:
            return f"call {plan.call_id} ({plan.kind}): outcome steps {outcomes}"
        if tracker.state(plan.call_id) not in definition.final:
            return f"call {plan.call_id}: {tracker.state(plan.call_id)} after a successful transfer"
    return None


def _valid_accepted(definition: MachineDefinition, stream: NotificationStream) -> str | None:
    _steps, tracker, findings = _observed(definition, stream.jsonl())
    if problems := _violations(findings):
        return "; ".join(problems)
    for plan in stream.plans:
        want = expect(plan, definition=stream.definition).final_state
        if tracker.state(plan.call_id) != want:
            return f"call {plan.call_id}: {tracker.state(plan.call_id)}, expected {want}"
    return None


def _mutated_reported(definition: MachineDefinition, mutated: MutatedStream) -> str | None:
    report = validate_lines(mutated.lines, definition=definition)
    got = [(v.line, v.rule, v.call_id) for v in report.violations]
    want = [(mutated.line, mutated.rule, mutated.call_id)]
    if got != want:
        return f"{mutated.change}: expected {want}, validator said {got}"
    return None


def snapshot_restore(
    definition: MachineDefinition,
    drawn: tuple[NotificationStream, int],
    *,
    as_json: bool = False,
) -> str | None:
    """Restore a tracker snapshotted after line ``cut`` and feed it the rest of the stream.

    ``as_json`` stores the snapshot as JSON bytes (:meth:`Tracker.snapshot_json`), as a
    scaled-out bot would; otherwise as the :meth:`Tracker.snapshot` mapping.
    """
    stream, cut = drawn
    lines = stream.jsonl()
    cut = min(cut, len(lines))
    _s, straight, straight_found = _observed(definition, lines)
    _s, first, found = _observed(definition, lines[:cut])
    snapshot: Any = first.snapshot_json() if as_json else first.snapshot()
    resumed = Tracker.restore(snapshot, definition=definition)
    again = resumed.snapshot()
    if again != (orjson.loads(snapshot) if as_json else snapshot):
        return "snapshot(restore(snapshot)) differs from the snapshot"
    for number, line in enumerate(lines[cut:], cut + 1):
        resumed.ingest_into(line, found, line=number)
    if found != straight_found:
        return f"findings differ after restoring at line {cut}"
    for call_id in stream.call_ids:
        if resumed.state(call_id) != straight.state(call_id):
            restored, kept = resumed.state(call_id), straight.state(call_id)
            return f"call {call_id}: {restored} after restore, {kept} without"
    return None


def _failure_labels(definition: MachineDefinition) -> str:
    """``500/7000 blind, 500/7700 consultative``: each kind's failure markers, for docs."""
    return ", ".join(
        f"{', '.join(m.label for m in flow.failure.markers)} {kind}"
        for kind, flow in flows(definition).kinds.items()
    )


def _streams(reference: MachineDefinition, **options: Any) -> Strategy:
    return lambda definition: notification_streams(definition=reference, **options)


def _mutations(reference: MachineDefinition, rule: str, **options: Any) -> Strategy:
    return lambda definition: mutated_streams(rules=rule, definition=reference, **options)


@functools.lru_cache(maxsize=8)
def properties(reference: MachineDefinition = CALL_MACHINE) -> tuple[Property, ...]:
    """The whole suite, its streams drawn from ``reference`` (any checked definition).

    In the order the mutation tests try them: the walk and sequence properties, the
    stream properties, one mutated-stream property per rule of
    :func:`~callstate.strategies.mutation_rules`, then snapshot and restore.
    """
    if not isinstance(reference, MachineDefinition):
        raise UsageError("reference", f"expected a MachineDefinition, got {reference!r}")
    transfers = flows(reference).transfer_scenarios
    return (
        _walk_property("transfer-failure-returns-to-established"),
        _walk_property("terminated-is-absorbing"),
        _walk_property("transferAccepted-follows-transferring"),
        _walk_property("successful-transfer-outcome"),
        _sequence_property("states-within-definition"),
        Property(
            "failure-in-streams",
            "Every transfer failure in a stream takes the call back to established, read as a "
            f"failure of the transfer's own kind ({_failure_labels(reference)}).",
            _streams(reference, scenarios=transfers, outcomes="failure"),
            _failure_in_streams,
        ),
        Property(
            "success-in-streams",
            "Every successful transfer in a stream ends its call in terminated, with exactly "
            "one outcome step, of the transfer's own kind.",
            _streams(reference, scenarios=transfers),
            _success_in_streams,
        ),
        Property(
            "valid-streams-accepted",
            "The validator accepts every generated valid stream, and leaves each call where "
            "the spec says it ends.",
            _streams(reference),
            _valid_accepted,
        ),
        *(
            Property(
                f"mutated-streams-reported[{rule}]",
                f"A stream changed in one place to break {rule} is reported exactly there, once.",
                _mutations(reference, rule),
                _mutated_reported,
            )
            for rule in mutation_rules(reference)
            if rule != "success-without-transfer"
        ),
        Property(
            "mutated-streams-reported[success-without-transfer]",
            "A transfer success with no transfer in progress is reported exactly there, once.",
            _mutations(
                reference,
                "success-without-transfer",
                scenarios=(*transfers, "redirect"),
                outcomes="failure",
            ),
            _mutated_reported,
        ),
        Property(
            "snapshot-restore",
            "A tracker snapshotted mid-stream and restored carries on exactly as one that never "
            "stopped, and restoring then snapshotting gives the same snapshot.",
            lambda definition: st.tuples(
                notification_streams(definition=reference), st.integers(0, 60)
            ),
            snapshot_restore,
        ),
    )


#: The suite whose streams encode the spec: :func:`properties` of :data:`CALL_MACHINE`.
PROPERTIES: Final[tuple[Property, ...]] = properties()


def property_named(name: str, *, reference: MachineDefinition = CALL_MACHINE) -> Property:
    """The property called ``name`` in ``properties(reference)``; ``KeyError`` if none is."""
    for prop in properties(reference):
        if prop.name == name:
            return prop
    raise KeyError(name)


#: Settings for hunting a counterexample on a broken definition: quick, no database.
HUNT: Final = settings(
    max_examples=150,
    database=None,
    deadline=None,
    phases=(Phase.generate, Phase.shrink),
    suppress_health_check=list(HealthCheck),
)


def _fails(prop: Property, definition: MachineDefinition, drawn: Any) -> bool:
    try:
        return prop.check(definition, drawn) is not None
    except Exception:  # a crash on a broken definition is a failed property too
        return True


def counterexample(
    prop: Property, definition: MachineDefinition, *, using: settings = HUNT
) -> Any | None:
    """The smallest draw that breaks ``prop`` on ``definition``, or ``None`` if none was found."""
    try:
        return find(
            prop.strategy(definition), lambda d: _fails(prop, definition, d), settings=using
        )
    except NoSuchExample:
        return None
