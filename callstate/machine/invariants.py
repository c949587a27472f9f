"""The properties a machine definition must keep, written once as data.

The explorer checks every invariant on every reachable state, and the property
tests check the same objects against generated paths, so a property is stated in
exactly one place. Each one is judged against what the compiled table *does*
(the engine's behaviour), not against what the definition says it intends, so a
definition built with ``check=False`` is caught.

An invariant has up to three parts: ``step`` judges one accepted step on its own
(so it applies to any path, step by step), ``state`` judges a state by what it
accepts and refuses (notifications, and the bot's requests), and ``reached``
judges the set of reached states as a whole.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from callstate.facts import (
    INCOMING_ONLY_ACTIONS,
    TRANSFER_ACTION,
    TRANSFER_FAILURE,
    TRANSFER_SUCCESS,
    Result,
)
from callstate.machine._request_invariants import (
    accepted_after_end,
    incoming_only,
    transfer_only_from_established,
)
from callstate.machine.compiled import compiled
from callstate.machine.definition import MachineDefinition, Transition

__all__ = [
    "INVARIANTS",
    "Invariant",
    "Moves",
    "Step",
    "signal_label",
]

#: The domain words the properties are stated in (the issue's own words, not edges).
_ESTABLISHED = "established"
_TRANSFERRING = "transferring"
_ACCEPTED = "transferAccepted"
_IN_TRANSFER = (_TRANSFERRING, _ACCEPTED)
_FAIL = "fail_transfer"
_COMPLETE = "complete_transfer"


def _expected(definition: MachineDefinition, outcome: str) -> dict[str, frozenset[Result]]:
    """The results each kind's ``outcome`` must be recognised by: the kinds the definition
    declares, or, when it declares none, the documented ones (:mod:`callstate.facts`)."""
    if definition.kinds:
        return {
            k.name: frozenset(k.failure if outcome == "failure" else k.success)
            for k in definition.kinds
        }
    table = TRANSFER_FAILURE if outcome == "failure" else TRANSFER_SUCCESS
    return {kind: frozenset(results) for kind, results in table.items()}


def _documented(table: Mapping[str, tuple[Result, ...]], joiner: str) -> str:
    """``500/7000 (blind) or 500/7700 (consultative)``: the documented results, for docs."""
    return joiner.join(
        f"{', '.join(r.label for r in results)} ({kind})" for kind, results in table.items()
    )


def signal_label(event: str, kind: str | None) -> str:
    """``event`` or ``event[kind]``: how paths and counterexamples name a notification."""
    return event if kind is None else f"{event}[{kind}]"


@attrs.frozen
class Step:
    """One accepted notification: ``transition`` is ``None`` for a same-state update."""

    source: str
    event: str
    kind: str | None
    dest: str
    transition: Transition | None

    @property
    def signal(self) -> str:
        """The notification that made this step, as ``event[kind]``."""
        return signal_label(self.event, self.kind)

    @property
    def label(self) -> str:
        """``source --event[kind]--> dest``, marked when it only updates data."""
        text = f"{self.source} --{self.signal}--> {self.dest}"
        return text if self.transition is not None else f"{text} (same-state update)"


class Moves:
    """What a definition's compiled table accepts and refuses, state by state."""

    def __init__(self, definition: MachineDefinition) -> None:
        self.definition = definition
        self.machine = compiled(definition)
        self.signals = self.machine.signals

    def step(self, state: str, event: str, kind: str | None) -> Step | None:
        """The step ``(event, kind)`` makes from ``state``, or ``None`` when it is refused."""
        found = self.machine.step(state, event, kind)
        if found is None:
            return None
        return Step(state, event, kind, found.dest, found.transition)

    def steps(self, state: str) -> list[Step]:
        """Every step accepted in ``state``, in signal order."""
        return [s for e, k in self.signals if (s := self.step(state, e, k)) is not None]

    def candidates(self, state: str, event: str, kind: str | None) -> list[str]:
        """Every way the definition could answer ``(event, kind)`` in ``state``.

        Determinism means at most one: a transition whose guard holds, or a
        same-state update. (The definition's own answers, before compiling picks one.)
        """
        d = self.definition
        found = [t.dest for t in d.matching(state, event, kind)]
        if state in d.states and d.is_same_state_update(state, event):
            found.append(f"{state} (same-state update)")
        return found

    def can_end(self, state: str) -> bool:
        """Whether some sequence of accepted steps takes ``state`` to a final state."""
        seen = {state}
        queue = deque([state])
        while queue:
            current = queue.popleft()
            if current in self.definition.final:
                return True
            for step in self.steps(current):
                if step.dest not in seen:
                    seen.add(step.dest)
                    queue.append(step.dest)
        return False


def _guard_kind(definition: MachineDefinition, guard: str) -> str | None:
    try:
        return definition.guard(guard).kind
    except KeyError:
        return None


#: ``(definition, step) -> reason`` when the step breaks the property.
StepCheck = Callable[[MachineDefinition, Step], "str | None"]
#: ``(moves, state) -> steps and reason, after reaching state`` when the state breaks it.
StateCheck = Callable[[Moves, str], "tuple[str, ...] | None"]
#: ``(definition, reached states) -> reasons`` when the reached set breaks it.
ReachedCheck = Callable[[MachineDefinition, Iterable[str]], "tuple[str, ...] | None"]


@attrs.frozen
class Invariant:
    """A named property of a definition, with the checks that find its counterexamples."""

    name: str
    doc: str
    step: StepCheck | None = None
    state: StateCheck | None = None
    reached: ReachedCheck | None = None

    def check_step(self, definition: MachineDefinition, step: Step) -> str | None:
        """Why ``step`` breaks this property, or ``None``."""
        return None if self.step is None else self.step(definition, step)

    def check_path(
        self, definition: MachineDefinition, path: Sequence[Step]
    ) -> tuple[str, ...] | None:
        """The path up to and including its first step that breaks this property, or ``None``."""
        for index, step in enumerate(path):
            reason = self.check_step(definition, step)
            if reason is not None:
                return (*(s.label for s in path[:index]), f"{step.label}: {reason}")
        return None

    def check_state(self, moves: Moves, state: str) -> tuple[str, ...] | None:
        """What, after reaching ``state``, breaks this property: its steps, then its own check."""
        for step in moves.steps(state):
            reason = self.check_step(moves.definition, step)
            if reason is not None:
                return (f"{step.label}: {reason}",)
        return None if self.state is None else self.state(moves, state)

    def check_reached(
        self, definition: MachineDefinition, reached: Iterable[str]
    ) -> tuple[str, ...] | None:
        """What about the set of reached states breaks this property, or ``None``."""
        return None if self.reached is None else self.reached(definition, reached)


def _refused(state: str, event: str, kind: str | None) -> str:
    return f"{state} --{signal_label(event, kind)}--> refused"


def _marker_problem(
    definition: MachineDefinition, event: str, kind: str | None, outcome: str
) -> str | None:
    expected = _expected(definition, outcome)
    if kind not in expected:
        return f"no transfer kind (expected one of {sorted(expected)})"
    markers = frozenset(m.result for m in definition.event(event).markers_of(kind))
    want = expected[kind]
    if markers != want:
        shown = ", ".join(sorted(r.label for r in want))
        got = ", ".join(sorted(r.label for r in markers)) or "nothing"
        return f"{kind} outcome marked {got}, expected {shown}"
    return None


def _failure_step(definition: MachineDefinition, step: Step) -> str | None:
    if step.event != _FAIL:
        return None
    if step.source not in _IN_TRANSFER:
        return f"a transfer failure while no transfer is in progress ({step.source})"
    if step.dest != _ESTABLISHED:
        return f"a failed transfer must return to {_ESTABLISHED}, not {step.dest}"
    return _marker_problem(definition, step.event, step.kind, "failure")


def _failure_state(moves: Moves, state: str) -> tuple[str, ...] | None:
    if state not in _IN_TRANSFER:
        return None
    for kind in _expected(moves.definition, "failure"):
        if moves.step(state, _FAIL, kind) is None:
            return (f"{_refused(state, _FAIL, kind)}: a {kind} transfer cannot fail from {state}",)
    return None


def _absorbing_step(definition: MachineDefinition, step: Step) -> str | None:
    if step.source in definition.final:
        return f"final state {step.source} accepts a notification"
    return None


def _accepted_step(definition: MachineDefinition, step: Step) -> str | None:
    if step.dest == _ACCEPTED and step.source not in (_TRANSFERRING, _ACCEPTED):
        return f"{_ACCEPTED} entered from {step.source}, not from {_TRANSFERRING}"
    return None


def _success_step(definition: MachineDefinition, step: Step) -> str | None:
    if step.event != _COMPLETE:
        return None
    if step.source != _ACCEPTED:
        return f"a transfer succeeded from {step.source}, before the target accepted it"
    if step.dest not in definition.final:
        return f"a successful transfer must end the call, not move it to {step.dest}"
    if step.transition is None or _guard_kind(definition, step.transition.guard or "") != step.kind:
        return f"the {step.kind} outcome took an edge guarded for another kind"
    return _marker_problem(definition, step.event, step.kind, "success")


def _success_state(moves: Moves, state: str) -> tuple[str, ...] | None:
    if state != _ACCEPTED:
        return None
    for kind in _expected(moves.definition, "success"):
        if moves.step(state, _COMPLETE, kind) is None:
            return (f"{_refused(state, _COMPLETE, kind)}: a {kind} transfer cannot succeed",)
    return None


def _known_step(definition: MachineDefinition, step: Step) -> str | None:
    if step.dest not in definition.states:
        return f"{step.dest!r} is not a state of the definition"
    return None


def _reachable(definition: MachineDefinition, reached: Iterable[str]) -> tuple[str, ...] | None:
    seen = set(reached)
    if missing := [s for s in definition.states if s not in seen]:
        return tuple(
            f"{s}: no sequence of notifications from {definition.initial} reaches it"
            for s in missing
        )
    return None


def _can_end(moves: Moves, state: str) -> tuple[str, ...] | None:
    if moves.can_end(state):
        return None
    return (f"{state}: no sequence of notifications leads on to a final state",)


def _deterministic(moves: Moves, state: str) -> tuple[str, ...] | None:
    for event, kind in moves.signals:
        found = moves.candidates(state, event, kind)
        if len(found) > 1:
            return (
                f"{state} --{signal_label(event, kind)}--> {{{', '.join(found)}}}: "
                f"{len(found)} answers to one notification",
            )
    return None


#: Every property of a definition, in the order reports list them.
INVARIANTS: tuple[Invariant, ...] = (
    Invariant(
        "transfer-failure-returns-to-established",
        "A transfer can fail from transferring and transferAccepted, only then, and the call "
        f"goes back to established, marked {_documented(TRANSFER_FAILURE, ' or ')}.",
        step=_failure_step,
        state=_failure_state,
    ),
    Invariant(
        "terminated-is-absorbing",
        "A final state accepts no notification at all: nothing moves a call out of terminated.",
        step=_absorbing_step,
    ),
    Invariant(
        "transferAccepted-follows-transferring",
        "transferAccepted is only ever entered from transferring.",
        step=_accepted_step,
    ),
    Invariant(
        "successful-transfer-outcome",
        "A transfer succeeds only from transferAccepted, of either kind, and ends the call with "
        f"exactly one outcome marker, the one of its kind: {_documented(TRANSFER_SUCCESS, ', ')}.",
        step=_success_step,
        state=_success_state,
    ),
    Invariant(
        "states-within-definition",
        "No sequence of notifications reaches a state outside the definition.",
        step=_known_step,
    ),
    Invariant(
        "every-state-reachable",
        "Every state of the definition is reached by some sequence of notifications.",
        reached=_reachable,
    ),
    Invariant(
        "final-state-reachable",
        "From every reachable state some sequence of notifications ends the call.",
        state=_can_end,
    ),
    Invariant(
        "no-request-after-the-end",
        "A final state accepts no request of the bot: Graph answers those with 404.",
        state=accepted_after_end,
    ),
    Invariant(
        "answer-reject-redirect-only-from-incoming",
        f"The {', '.join(INCOMING_ONLY_ACTIONS)} requests are accepted only while incoming.",
        state=incoming_only,
    ),
    Invariant(
        "transfer-request-only-from-established",
        f"A {TRANSFER_ACTION} request is accepted only while established.",
        state=transfer_only_from_established,
    ),
    Invariant(
        "deterministic",
        "In every state, one notification (event and marker kind) has at most one answer.",
        state=_deterministic,
    ),
)
