"""The runtime engine: one shared ``transitions`` Machine drives every call.

A ``Machine`` per call costs about 1.4 ms and 68 KB, so the engine never adds
models to its machine (which would also inject a method per trigger into each
one); it triggers events against any object with a ``state`` attribute.
"""

from __future__ import annotations

from typing import Any, Protocol

from transitions import EventData, Machine, MachineError

from callstate.errors import IllegalTransition
from callstate.machine.definition import CALL_MACHINE, MachineDefinition, Transition
from callstate.machine.table import TransitionTable, compile_table

__all__ = ["ENGINE", "Engine", "Stateful"]


class Stateful(Protocol):
    """Anything the engine can drive: it only reads and writes ``state``."""

    state: str | None


def _guard(kind: str) -> Any:
    def holds(event_data: EventData) -> bool:
        return bool(event_data.kwargs.get("kind") == kind)

    holds.__name__ = f"marker_is_{kind}"
    return holds


class Engine:
    """Fires events at models through one ``transitions`` Machine built from a definition."""

    def __init__(self, definition: MachineDefinition = CALL_MACHINE) -> None:
        self.definition = definition
        self.table: TransitionTable = compile_table(definition)
        self.machine = Machine(
            model=None,
            states=list(definition.states),
            initial=definition.initial,
            auto_transitions=False,
            send_event=True,
        )
        for t in definition.transitions:
            self.machine.add_transition(
                t.event,
                t.source,
                None if t.internal else t.dest,
                conditions=[_guard(definition.guard(t.guard).kind)] if t.guard else None,
            )
        self._triggers = {name: event.trigger for name, event in self.machine.events.items()}
        self._allowed = {s: definition.allowed_events(s) for s in definition.states}

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """Events accepted in ``state``."""
        return self._allowed.get(state, ())

    def fire(self, model: Stateful, event: str, *, kind: str | None = None) -> Transition | None:
        """Move ``model`` by ``event``; ``None`` means a same-state update, not a transition.

        Raises :class:`IllegalTransition` when ``state`` has no transition for it.
        """
        state = model.state
        step = self.table.get((state, event, kind))  # type: ignore[arg-type]  # None: a miss
        if step is not None and step[1] is None:
            return None
        trigger = self._triggers.get(event)
        try:
            moved = trigger is not None and trigger(model, kind=kind)
        except MachineError:
            moved = False
        except ValueError:  # transitions' word for a state it does not know
            if state in self._allowed:
                raise
            moved = False
        if not moved:
            raise IllegalTransition(
                getattr(model, "id", None), str(state), event, self.allowed_events(str(state))
            )
        return step[1] if step is not None else None


#: The engine for :data:`~callstate.machine.definition.CALL_MACHINE`, shared by every call.
ENGINE = Engine()
