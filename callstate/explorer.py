"""Exhaustive breadth-first exploration of a machine definition, like a small model checker.

Every notification the definition knows (each event with each marker kind) is tried
in every state reached, legal or not, and so is every request of the bot: a request
does not move the call (Graph's notification does), so it adds no state, but each
one a reached state accepts is covered, with the shortest path to that state.
Breadth-first order makes every recorded path a shortest one, so the paths double
as minimal test sequences and every counterexample is as short as it can be within
the depth bound.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from typing import Any

import attrs

from callstate.errors import UsageError
from callstate.machine._request_invariants import accepted_requests
from callstate.machine.compiled import Compiled, Signal, compiled
from callstate.machine.definition import CALL_MACHINE, MachineDefinition, Transition
from callstate.machine.invariants import INVARIANTS, Invariant, Moves, Step
from callstate.simulate import event_notification, jsonl

__all__ = [
    "DEFAULT_DEPTH",
    "Exploration",
    "InvariantResult",
    "PathCall",
    "explore",
    "export_paths",
    "path_calls",
    "transition_label",
]

#: Far deeper than any shortest path of :data:`CALL_MACHINE`: the default run is exhaustive.
DEFAULT_DEPTH = 12


def transition_label(definition: MachineDefinition, transition: Transition) -> str:
    """``source --event[guard]--> dest``: how reports and path keys name an edge."""
    event = (
        transition.event if transition.guard is None else f"{transition.event}[{transition.guard}]"
    )
    return f"{transition.source} --{event}--> {transition.dest}"


@attrs.frozen
class InvariantResult:
    """One invariant's verdict; ``counterexample`` is the shortest one found, or ``None``.

    ``undecided`` says why the depth bound left the invariant open: a state that no path
    within the bound reaches may still be reached by a longer one, so it is neither a
    counterexample nor a failure.
    """

    invariant: Invariant
    counterexample: tuple[str, ...] | None
    undecided: tuple[str, ...] | None = None

    @property
    def name(self) -> str:
        """The invariant's name."""
        return self.invariant.name

    @property
    def holds(self) -> bool:
        """Whether no counterexample was found within the depth bound."""
        return self.counterexample is None


@attrs.frozen
class Exploration:
    """Everything one exploration found: reached states, covered edges, shortest paths, verdicts."""

    definition: MachineDefinition = attrs.field(repr=False)
    depth: int
    #: Reached states in breadth-first order, each with its shortest path from the initial state.
    state_paths: dict[str, tuple[Step, ...]]
    #: Covered transitions in discovery order, each with its shortest path (ending with it).
    transition_paths: dict[Transition, tuple[Step, ...]]
    invariants: tuple[InvariantResult, ...]
    #: How many (state, notification) pairs were tried, and how many were accepted.
    tried: int
    accepted: int
    #: ``(state, request)`` pairs a reached state accepts, each with its shortest path.
    request_paths: dict[tuple[str, str], tuple[Step, ...]] = attrs.field(factory=dict)

    @property
    def requests_total(self) -> int:
        """How many ``(state, request)`` pairs the definition allows, reached or not."""
        return sum(len(r.allowed) for r in self.definition.requests)

    @property
    def ok(self) -> bool:
        """Whether every invariant holds."""
        return all(r.holds for r in self.invariants)

    @property
    def reachable(self) -> tuple[str, ...]:
        """The reached states, in breadth-first order."""
        return tuple(self.state_paths)

    @property
    def unreached(self) -> tuple[str, ...]:
        """States of the definition no path within the depth bound reaches."""
        return tuple(s for s in self.definition.states if s not in self.state_paths)

    @property
    def uncovered(self) -> tuple[Transition, ...]:
        """Transitions of the definition no path within the depth bound takes."""
        return tuple(t for t in self.definition.transitions if t not in self.transition_paths)

    @property
    def covered(self) -> int:
        """How many of the definition's transitions some explored path takes."""
        return len(self.definition.transitions) - len(self.uncovered)

    def to_json(self) -> dict[str, Any]:
        """The exploration as one JSON object (the ``--format json`` contract)."""
        label = transition_label
        return {
            "depth": self.depth,
            "states": {"reachable": list(self.reachable), "total": len(self.definition.states)},
            "transitions": {"covered": self.covered, "total": len(self.definition.transitions)},
            "requests": {
                "covered": [[state, name] for state, name in self.request_paths],
                "total": self.requests_total,
            },
            "invariants": [
                {
                    "name": r.name,
                    "holds": r.holds,
                    "counterexample": None if r.counterexample is None else list(r.counterexample),
                    "undecided": None if r.undecided is None else list(r.undecided),
                }
                for r in self.invariants
            ],
            "paths": {
                "states": {s: [step.signal for step in p] for s, p in self.state_paths.items()},
                "transitions": {
                    label(self.definition, t): [step.signal for step in p]
                    for t, p in self.transition_paths.items()
                },
            },
        }


def explore(
    definition: MachineDefinition = CALL_MACHINE,
    *,
    depth: int = DEFAULT_DEPTH,
    invariants: tuple[Invariant, ...] = INVARIANTS,
) -> Exploration:
    """Explore ``definition`` breadth-first, at most ``depth`` notifications deep.

    Every reached state shallower than ``depth`` is expanded by trying every
    ``(event, kind)`` of the compiled machine's
    :attr:`~callstate.machine.compiled.Compiled.signals` in it, so counterexamples and
    paths are at most ``depth`` steps long. Markers of one kind mean one outcome, so
    a signal stands for all its markers (:func:`path_calls` exports each of them).
    Every invariant is checked on every expanded state; its counterexample is the
    shortest path that breaks it, as step labels. ``definition`` may be any checked
    definition, or one built with ``check=False`` to see what breaks.
    """
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise UsageError("depth", f"must be a whole number >= 0, got {depth!r}")
    moves = Moves(definition)
    state_paths: dict[str, tuple[Step, ...]] = {definition.initial: ()}
    transition_paths: dict[Transition, tuple[Step, ...]] = {}
    request_paths: dict[tuple[str, str], tuple[Step, ...]] = {}
    expanded: list[str] = []
    tried = accepted = 0
    cut = False
    queue = deque([definition.initial])
    while queue:
        state = queue.popleft()
        path = state_paths[state]
        if len(path) >= depth:
            cut = True
            continue
        expanded.append(state)
        for request in accepted_requests(moves, state):
            request_paths.setdefault((state, request.name), path)
        for event, kind in moves.signals:
            tried += 1
            step = moves.step(state, event, kind)
            if step is None:
                continue
            accepted += 1
            longer = (*path, step)
            if step.transition is not None:
                transition_paths.setdefault(step.transition, longer)
            if step.dest not in state_paths:
                state_paths[step.dest] = longer
                queue.append(step.dest)
    results = tuple(
        _verdict(inv, moves, expanded, state_paths, depth if cut else None) for inv in invariants
    )
    return Exploration(
        definition=definition,
        depth=depth,
        state_paths=state_paths,
        transition_paths=transition_paths,
        invariants=results,
        tried=tried,
        accepted=accepted,
        request_paths=request_paths,
    )


def _verdict(
    invariant: Invariant,
    moves: Moves,
    expanded: list[str],
    state_paths: dict[str, tuple[Step, ...]],
    cut_at: int | None,
) -> InvariantResult:
    """The shortest counterexample among the expanded states; what the reached set says is
    a counterexample only when the exploration was not cut by its depth."""
    best = None
    undecided = None
    reached = invariant.check_reached(moves.definition, state_paths)
    if reached is not None:
        if cut_at is None:
            best = reached
        else:
            undecided = tuple(
                f"{line.split(':')[0]}: not reached within depth {cut_at}" for line in reached
            )
    for state in expanded:
        tail = invariant.check_state(moves, state)
        if tail is None:
            continue
        found = (*(s.label for s in state_paths[state]), *tail)
        if best is None or len(found) < len(best):
            best = found
    return InvariantResult(invariant, best, undecided)


def _to_an_end(machine: Compiled, state: str) -> list[Signal]:
    """The shortest run of accepted signals from ``state`` to a final state."""
    paths: dict[str, list[Signal]] = {state: []}
    queue = deque([state])
    while queue:
        current = queue.popleft()
        if current in machine.final:
            return paths[current]
        for signal, step in machine.steps.get(current, {}).items():
            if step.dest not in paths:
                paths[step.dest] = [*paths[current], signal]
                queue.append(step.dest)
    return []


@attrs.frozen
class PathCall:
    """One exported call: the shortest path to ``transition``, with the marker each step carries.

    ``markers[i]`` is the index of step ``i``'s marker among its event's markers of
    its kind (:meth:`~callstate.machine.definition.Event.markers_of`; 0 for an
    unmarked step). A transition whose event has several markers of its kind is
    exported once per marker, so every marker of the definition is sent.
    """

    call_id: str
    transition: Transition
    steps: tuple[Step, ...]
    markers: tuple[int, ...]


def path_calls(exploration: Exploration) -> tuple[PathCall, ...]:
    """Every call :func:`export_paths` writes, in order: one per covered transition and marker.

    A call is named ``pathNN.source.event[.guard].dest``, with ``.markerK`` added for
    the K-th marker (K >= 2) of the transition's event and kind.
    """
    d = exploration.definition
    calls: list[PathCall] = []
    for number, (transition, path) in enumerate(exploration.transition_paths.items(), 1):
        parts = (transition.source, transition.event, transition.guard, transition.dest)
        call_id = ".".join([f"path{number:02d}", *(p for p in parts if p is not None)])
        last = path[-1]
        count = len(d.event(last.event).markers_of(last.kind)) if last.kind is not None else 0
        leading = (0,) * (len(path) - 1)
        calls.append(PathCall(call_id, transition, path, (*leading, 0)))
        calls += [
            PathCall(f"{call_id}.marker{m + 1}", transition, path, (*leading, m))
            for m in range(1, count)
        ]
    return tuple(calls)


def export_paths(exploration: Exploration) -> Iterator[bytes]:
    """The calls of :func:`path_calls` as ready-made notifications, in JSON Lines.

    Each call opens with the notification that reports the initial state (when the
    definition has an unmarked event for it), so a validator sees the whole path,
    then one commsNotifications envelope per step, built by
    :func:`callstate.simulate.event_notification` with the step's marker, then the
    shortest way on to a final state, so that every call ends.
    """
    d = exploration.definition
    machine = compiled(d)
    opening = machine.plain.get(d.initial)
    for call in path_calls(exploration):
        signals = [(s.event, s.kind, m) for s, m in zip(call.steps, call.markers, strict=True)]
        if opening is not None:
            signals.insert(0, (*opening, 0))
        end = call.steps[-1].dest if call.steps else d.initial
        signals += [(event, kind, 0) for event, kind in _to_an_end(machine, end)]
        yield from jsonl(
            event_notification(call.call_id, event, kind, marker=marker, definition=d)
            for event, kind, marker in signals
        )
