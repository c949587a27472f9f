"""The runtime engine: one shared ``transitions`` Machine drives every call.

A ``Machine`` per call costs about 1.4 ms and 68 KB, so the engine never adds
models to its machine (which would also inject a method per trigger into each
one); it triggers events against any object with a ``state`` attribute. A test
proves it agrees with the compiled machine on every ``(state, event, kind)``.
"""

from __future__ import annotations

from typing import Any, Protocol

from transitions import EventData, Machine, MachineError

from callstate.errors import IllegalTransition, UsageError
from callstate.machine.compiled import Compiled, compiled
from callstate.machine.definition import CALL_MACHINE, MachineDefinition, Transition

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

    def __init__(self, definition: MachineDefinition | None = None) -> None:
        definition = CALL_MACHINE if definition is None else definition
        self.definition = definition
        self.compiled: Compiled = compiled(definition)
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
        self._kinds = {e.name: e.kinds for e in definition.events}

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """Events accepted in ``state``."""
        return self.compiled.allowed_events(state)

    def fire(self, model: Stateful, event: str, *, kind: str | None = None) -> Transition | None:
        """Move ``model`` by ``event``; ``None`` means a same-state update, not a transition.

        Raises :class:`UsageError` for an event the definition does not have, or a
        marked event without one of its kinds, and :class:`IllegalTransition` when
        ``state`` has no transition for it.
        """
        kinds = self._kinds.get(event)
        if kinds is None:
            raise UsageError(
                "event", f"unknown event {event!r}; the events are {', '.join(self._kinds)}"
            )
        if kinds and kind not in kinds:
            raise UsageError(
                "kind", f"event {event!r} needs kind= one of {', '.join(kinds)}, got {kind!r}"
            )
        if not kinds and kind is not None:
            raise UsageError("kind", f"event {event!r} takes no kind, got {kind!r}")
        state = model.state
        step = self.compiled.step(state, event, kind) if state is not None else None
        if step is not None and step.transition is None:
            return None
        trigger = self._triggers.get(event)  # an event no transition takes has no trigger
        try:
            moved = trigger is not None and trigger(model, kind=kind)
        except MachineError:
            moved = False
        except ValueError:  # transitions' word for a state it does not know
            if state in self.compiled.steps:
                raise
            moved = False
        if not moved:
            raise IllegalTransition(
                getattr(model, "id", None), str(state), event, self.allowed_events(str(state))
            )
        return step.transition if step is not None else None


#: The engine for :data:`~callstate.machine.definition.CALL_MACHINE`, shared by every call.
ENGINE = Engine()
