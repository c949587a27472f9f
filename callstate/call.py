"""The ``Call`` model: the Graph call resource, driven by the ``transitions`` engine.

It sits above the parse layer (:mod:`callstate.graph`) and the machine
(:mod:`callstate.machine`), so neither depends on the other.
"""

from __future__ import annotations

from typing import NamedTuple

import attrs

from callstate.graph._schema import RUNTIME
from callstate.graph.call import Call as CallResource
from callstate.machine.definition import Transition
from callstate.machine.engine import ENGINE, Engine

__all__ = ["Call", "HistoryEntry"]


class HistoryEntry(NamedTuple):
    """One step a call took: ``event`` (with its marker ``kind``) moved it ``source`` -> ``dest``.

    Same-state updates and internal transitions are recorded too, with ``source == dest``.
    A named tuple, not an attrs class: one is built per event, on the measured hot path.
    """

    event: str
    source: str
    dest: str
    kind: str | None = None


_new_entry = tuple.__new__


@attrs.define
class Call(CallResource):
    """A Graph ``call`` that moves: :meth:`fire` an event and the shared engine moves it.

    ``history`` is runtime data: it is neither written to JSON nor compared.
    ``engine`` drives it (the call machine's :data:`~callstate.machine.ENGINE` by
    default); pass another :class:`~callstate.machine.Engine` for another definition.
    """

    history: list[HistoryEntry] = attrs.field(
        factory=list, kw_only=True, eq=False, repr=False, metadata=RUNTIME
    )
    engine: Engine = attrs.field(
        default=ENGINE, kw_only=True, eq=False, repr=False, metadata=RUNTIME
    )

    @classmethod
    def of(cls, resource: CallResource, *, engine: Engine = ENGINE) -> Call:
        """The model of a parsed call resource, with the same fields."""
        fields = {a.name: getattr(resource, a.name) for a in attrs.fields(CallResource) if a.init}
        return cls(**{k.lstrip("_"): v for k, v in fields.items()}, engine=engine)

    def fire(self, event: str, *, kind: str | None = None) -> Transition | None:
        """Move the call by ``event`` (``kind`` is the marker kind, for guarded events).

        Returns the transition taken, or None for a same-state update. Raises
        :class:`~callstate.errors.IllegalTransition` naming the call, its state, the
        event and the allowed events, or :class:`~callstate.errors.UsageError` for an
        unknown event or a missing kind; the call is then left unchanged.
        """
        source = self.state
        step = self.engine.fire(self, event, kind=kind)
        # tuple.__new__ skips the named tuple's Python-level __new__: this runs once per event.
        self.history.append(_new_entry(HistoryEntry, (event, source, self.state, kind)))
        return step

    def allowed_events(self) -> tuple[str, ...]:
        """The events the call accepts in its current state."""
        if self.state is None:
            return ()
        return self.engine.allowed_events(self.state)
