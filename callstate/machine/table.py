"""The definition compiled into a flat lookup table, for the tracker's hot path.

A test proves that this table and the ``transitions`` engine agree on every
(state, event, marker kind) triple, so the fast path cannot drift from the engine.
"""

from __future__ import annotations

from typing import TypeAlias

from callstate.machine.definition import MachineDefinition, Transition

__all__ = ["Step", "TransitionTable", "compile_table", "signals"]

#: ``(dest, transition)``; ``transition`` is ``None`` for a same-state update.
Step: TypeAlias = tuple[str, Transition | None]
#: Keyed by ``(state, event, marker kind or None)``; a missing key is illegal.
TransitionTable: TypeAlias = dict[tuple[str, str, str | None], Step]


def signals(definition: MachineDefinition) -> list[tuple[str, str | None]]:
    """Every ``(event, marker kind)`` a notification can carry, in definition order."""
    out: list[tuple[str, str | None]] = []
    for event in definition.events:
        if event.markers:
            out.extend((event.name, m.kind) for m in event.markers)
        else:
            out.append((event.name, None))
    return out


def compile_table(definition: MachineDefinition) -> TransitionTable:
    """Every legal step of ``definition``, precomputed."""
    table: TransitionTable = {}
    for state in definition.states:
        for event, kind in signals(definition):
            transition = definition.resolve(state, event, kind)
            if transition is not None:
                table[(state, event, kind)] = (transition.dest, transition)
            elif definition.is_same_state_update(state, event):
                table[(state, event, kind)] = (state, None)
    return table
