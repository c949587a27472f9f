"""The engines the tracker is compared with, each replaying one pre-classified step sequence.

A hand-written dict table (the floor), ``transitions`` with one shared Machine (by
``add_model`` per call, the issue's baseline, and by ``events[e].trigger``, its faster
add_model-free way) and python-statemachine (one instance per call). The states and
transitions all come from ``CALL_MACHINE``, none restated here.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from typing import Any

from bench.spread import clock

Op = tuple[str, str | None, str | None, str]  # call id, event (None: first seen), kind, dest


class Slot:
    """The hand-written baseline's call: one slot."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Model:
    """A transitions model: add_model writes trigger methods into its ``__dict__``."""

    def __init__(self, state: str) -> None:
        self.state = state


def time_dict_table(ops: Sequence[Op]) -> float:
    """A dict of slotted objects stepping through the compiled table: the floor."""
    from callstate import CALL_MACHINE

    try:
        from callstate.machine.compiled import compiled

        table = compiled(CALL_MACHINE).table
    except ImportError:  # before the one-definition rewrite
        from callstate.machine.table import compile_table  # type: ignore[import-not-found]

        table = compile_table(CALL_MACHINE)
    final = CALL_MACHINE.final
    live: dict[str, Slot] = {}
    gc.collect()
    start = clock()
    for cid, event, kind, dest in ops:
        if event is None:
            live[cid] = Slot(dest)
            continue
        call = live[cid]
        state = table[(call.state, event, kind)][0]
        if state in final:
            del live[cid]
        else:
            call.state = state
    return clock() - start


def _transitions_machine() -> Any:
    """A fresh shared Machine built from CALL_MACHINE by the engine (states not restated)."""
    from callstate import CALL_MACHINE, Engine

    return Engine(CALL_MACHINE).machine


def time_transitions_add_model(ops: Sequence[Op]) -> float:
    """transitions, one shared Machine: ``add_model`` per call, then ``model.trigger``."""
    from callstate import CALL_MACHINE

    machine = _transitions_machine()
    final = CALL_MACHINE.final
    live: dict[str, Model] = {}
    gc.collect()
    start = clock()
    for cid, event, kind, dest in ops:
        if event is None:
            model = live[cid] = Model(dest)
            machine.add_model(model, initial=dest)
            continue
        model = live[cid]
        model.trigger(event, kind=kind)  # type: ignore[attr-defined]
        if model.state in final:
            machine.remove_model(model)
            del live[cid]
    return clock() - start


def time_transitions_trigger(ops: Sequence[Op]) -> float:
    """transitions, one shared Machine, no add_model: ``machine.events[e].trigger(model)``."""
    from callstate import CALL_MACHINE

    machine = _transitions_machine()
    events = machine.events
    final = CALL_MACHINE.final
    live: dict[str, Slot] = {}
    gc.collect()
    start = clock()
    for cid, event, kind, dest in ops:
        if event is None:
            live[cid] = Slot(dest)
            continue
        model = live[cid]
        events[event].trigger(model, kind=kind)
        if model.state in final:
            del live[cid]
    return clock() - start


def statemachine_class() -> Any:
    """A python-statemachine class generated from CALL_MACHINE (one instance per call)."""
    from statemachine import State, StateMachine

    from callstate import CALL_MACHINE as D

    states = {s: State(s, value=s, initial=s == D.initial, final=s in D.final) for s in D.states}
    attributes: dict[str, Any] = dict(states)

    def guard(kind: str) -> Callable[..., bool]:
        def holds(kind_: str | None = None, **kwargs: Any) -> bool:
            return kwargs.get("kind", kind_) == kind

        return holds

    for i, t in enumerate(D.transitions):
        cond = {"cond": guard(D.guard(t.guard).kind)} if t.guard else {}
        source = states[t.source]
        if t.internal:
            attributes[f"_t{i}"] = source.to.itself(  # type: ignore[no-untyped-call]
                event=t.event, internal=True, **cond
            )
        else:
            attributes[f"_t{i}"] = source.to(states[t.dest], event=t.event, **cond)
    return type("CallStateMachine", (StateMachine,), attributes)


def time_statemachine(ops: Sequence[Op], cls: Any) -> float:
    """python-statemachine 3.2: one instance per call, ``send`` per event."""
    from callstate import CALL_MACHINE

    final = CALL_MACHINE.final
    live: dict[str, Any] = {}
    gc.collect()
    start = clock()
    for cid, event, kind, dest in ops:
        if event is None:
            live[cid] = cls(start_value=dest)
            continue
        sm = live[cid]
        sm.send(event, kind=kind)
        if sm.current_state_value in final:
            del live[cid]
    return clock() - start


def first_calls(ops: Sequence[Op], calls: int) -> list[Op]:
    """The ops of the first ``calls`` calls to start: a prefix workload for slow engines."""
    keep: set[str] = set()
    out: list[Op] = []
    for op in ops:
        if op[1] is None and len(keep) < calls:
            keep.add(op[0])
        if op[0] in keep:
            out.append(op)
    return out
