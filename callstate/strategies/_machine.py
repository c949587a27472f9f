"""Strategies over a machine definition itself: notifications as events, and walks.

Everything is read from the definition handed in (``signals``, the compiled table),
so a strategy over a broken definition explores what that definition really does.
"""

from __future__ import annotations

from hypothesis import strategies as st

from callstate.errors import UsageError
from callstate.machine.compiled import compiled
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.machine.invariants import Moves, Step

__all__ = ["signal_sequences", "signals", "walks"]

#: ``(event, marker kind or None)``: what one notification reports.
Signal = tuple[str, str | None]


def _definition(definition: object) -> MachineDefinition:
    if not isinstance(definition, MachineDefinition):
        raise UsageError("definition", f"expected a MachineDefinition, got {definition!r}")
    return definition


def size(name: str, value: object, low: int = 0) -> int:
    """``value`` checked to be a whole number of at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise UsageError(name, f"expected a whole number >= {low}, got {value!r}")
    return value


def signals(*, definition: MachineDefinition = CALL_MACHINE) -> st.SearchStrategy[Signal]:
    """Any ``(event, kind)`` a notification can report, legal or not, in definition order."""
    return st.sampled_from(compiled(_definition(definition)).signals)


def signal_sequences(
    *, definition: MachineDefinition = CALL_MACHINE, max_size: int = 20
) -> st.SearchStrategy[list[Signal]]:
    """Arbitrary sequences of notifications, most of them refused: to try every corner."""
    return st.lists(signals(definition=definition), max_size=size("max_size", max_size))


def walks(
    *,
    definition: MachineDefinition = CALL_MACHINE,
    start: str | None = None,
    max_steps: int = 20,
) -> st.SearchStrategy[tuple[Step, ...]]:
    """Paths of accepted steps from ``start`` (the initial state), as the compiled table takes them.

    Each step is drawn among the steps the current state accepts, so walks reach
    deep states (transferAccepted) quickly, and shrink towards the first accepted
    step of each state and towards fewer steps. A walk stops early in a state that
    accepts nothing.
    """
    defn = _definition(definition)
    first = defn.initial if start is None else start
    if first not in defn.states:
        raise UsageError("start", f"expected one of {list(defn.states)}, got {start!r}")
    limit = size("max_steps", max_steps)
    moves = Moves(defn)

    @st.composite
    def draw_walk(draw: st.DrawFn) -> tuple[Step, ...]:
        count = draw(st.integers(min_value=0, max_value=limit))
        path: list[Step] = []
        state = first
        for _ in range(count):
            options = moves.steps(state)
            if not options:
                break
            step = draw(st.sampled_from(options))
            path.append(step)
            state = step.dest
        return tuple(path)

    return draw_walk()
