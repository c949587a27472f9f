"""The rules a machine definition must keep, checked when it is built."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from callstate.errors import DefinitionError

if TYPE_CHECKING:
    from callstate.machine.definition import MachineDefinition

__all__ = ["check_definition"]


def check_definition(definition: MachineDefinition) -> None:
    """Raise :class:`DefinitionError` for the first rule ``definition`` breaks."""
    _check_names(definition)
    _check_final(definition)
    _check_determinism(definition)
    _check_reachable(definition)
    _check_can_end(definition)


def _duplicates(names: list[str]) -> list[str]:
    return sorted({n for n in names if names.count(n) > 1})


def _check_names(d: MachineDefinition) -> None:
    states = set(d.states)
    events = {e.name for e in d.events}
    guards = {g.name for g in d.guards}
    for label, names in (
        ("state", list(d.states)),
        ("event", [e.name for e in d.events]),
        ("guard", [g.name for g in d.guards]),
    ):
        if dupes := _duplicates(names):
            raise DefinitionError("unique-names", f"{label} names defined twice: {dupes}")
    if d.initial not in states:
        raise DefinitionError("known-names", f"initial state {d.initial!r} is not a state")
    if unknown := sorted(d.final - states):
        raise DefinitionError("known-names", f"final states {unknown} are not states")
    for event in d.events:
        if event.reports not in states:
            raise DefinitionError(
                "known-names", f"event {event.name!r} reports unknown state {event.reports!r}"
            )
    kinds = {g.kind for g in d.guards}
    for t in d.transitions:
        where = f"transition {t.source} --{t.event}--> {t.dest}"
        for role, name, known in (
            ("source", t.source, states),
            ("dest", t.dest, states),
            ("event", t.event, events),
        ):
            if name not in known:
                raise DefinitionError("known-names", f"{where}: unknown {role} {name!r}")
        if t.guard is not None and t.guard not in guards:
            raise DefinitionError("known-names", f"{where}: unknown guard {t.guard!r}")
        if t.guard is not None and d.guard(t.guard).kind not in {
            m.kind for m in d.event(t.event).markers
        }:
            raise DefinitionError(
                "known-names",
                f"{where}: guard {t.guard!r} tests a marker event {t.event!r} never carries",
            )
        if t.internal and t.dest != t.source:
            raise DefinitionError(
                "known-names", f"{where}: an internal edge must end where it starts"
            )
    for event in d.events:
        if unknown_kinds := sorted({m.kind for m in event.markers} - kinds):
            raise DefinitionError(
                "known-names",
                f"event {event.name!r} has markers of no guard's kind: {unknown_kinds}",
            )


def _check_final(d: MachineDefinition) -> None:
    for t in d.transitions:
        if t.source in d.final:
            raise DefinitionError(
                "final-is-absorbing",
                f"transition {t.source} --{t.event}--> {t.dest} leaves final state {t.source!r}",
            )


def _check_determinism(d: MachineDefinition) -> None:
    seen: dict[tuple[str, str], list[str | None]] = {}
    for t in d.transitions:
        kind = None if t.guard is None else d.guard(t.guard).kind
        guards = seen.setdefault((t.source, t.event), [])
        if None in guards or (guards and kind is None) or kind in guards:
            raise DefinitionError(
                "deterministic",
                f"state {t.source!r} has more than one transition for event {t.event!r} "
                f"that can apply at once",
            )
        guards.append(kind)


def _successors(d: MachineDefinition) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {s: set() for s in d.states}
    for t in d.transitions:
        graph[t.source].add(t.dest)
    return graph


def _closure(start: str, graph: dict[str, set[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in graph[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _check_reachable(d: MachineDefinition) -> None:
    reached = _closure(d.initial, _successors(d))
    if unreachable := [s for s in d.states if s not in reached]:
        raise DefinitionError(
            "reachable", f"states not reachable from {d.initial!r}: {unreachable}"
        )


def _check_can_end(d: MachineDefinition) -> None:
    if not d.final:
        raise DefinitionError("can-end", "the definition has no final state")
    graph = _successors(d)
    if traps := [s for s in d.states if not (_closure(s, graph) & d.final)]:
        raise DefinitionError("can-end", f"no final state is reachable from {traps}")
