"""Checked machine definitions, drawn: to prove a property for every definition, not one.

Each is a variation of the Graph call machine: some of its edges dropped, edges
added between its states, extra transfer-result codes for its kinds. Only
definitions that pass every check at build time are drawn, so whatever a
property finds is a difference in behaviour, never a broken definition.
"""

from __future__ import annotations

from hypothesis import strategies as st

from callstate.errors import DefinitionError
from callstate.facts import Result
from callstate.machine.definition import (
    TRANSFER_KINDS,
    MachineDefinition,
    TransferKind,
    Transition,
    call_machine,
)

__all__ = ["definitions"]

#: Result codes no documented marker uses, to give kinds extra results.
_SPARE_CODES = tuple(Result(500, 9000 + i) for i in range(4))


@st.composite
def _kinds(draw: st.DrawFn) -> tuple[TransferKind, ...]:
    spare = list(_SPARE_CODES)
    kinds = []
    for kind in TRANSFER_KINDS:
        extra = draw(st.integers(min_value=0, max_value=1))
        taken, spare = spare[:extra], spare[extra:]
        kinds.append(
            TransferKind(
                name=kind.name,
                selected_by=kind.selected_by,
                failure=(*kind.failure, *taken),
                success=kind.success,
                doc=kind.doc,
            )
        )
    return tuple(kinds)


@st.composite
def _definition(draw: st.DrawFn) -> MachineDefinition:
    base = call_machine(kinds=draw(_kinds()))
    count = len(base.transitions)
    # One edge in eight dropped; values shrink towards 0, keeping the edge.
    drop = draw(st.lists(st.integers(0, 7), min_size=count, max_size=count))
    plain = [e for e in base.events if not e.markers]
    added = draw(
        st.lists(
            st.tuples(st.sampled_from(base.live), st.sampled_from(plain)),
            max_size=4,
            unique=True,
        )
    )
    extra = []
    for source, event in added:
        if not any(t.source == source and t.event == event.name for t in base.transitions):
            extra.append(Transition(source, event.name, event.reports))
    kept = [t for t, d in zip(base.transitions, drop, strict=True) if d != 7]
    for transitions in ((*kept, *extra), (*base.transitions, *extra)):
        try:
            return base.replace(name="drawn", transitions=transitions)
        except DefinitionError:
            continue
    return base.replace(name="drawn")


def definitions() -> st.SearchStrategy[MachineDefinition]:
    """Checked variations of the call machine (named ``drawn``), shrinking towards it."""
    return _definition()
