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
    _check_signals(definition)
    _check_kinds(definition)
    _check_requests(definition)
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


def _check_signals(d: MachineDefinition) -> None:
    """A notification maps to exactly one event: one unmarked event a state, one owner a marker."""
    plain: dict[str, str] = {}
    for event in d.events:
        if event.markers:
            continue
        if event.reports in plain:
            raise DefinitionError(
                "one-event-per-state",
                f"events {plain[event.reports]!r} and {event.name!r} both report "
                f"{event.reports!r} with no marker: a notification would map to two events",
            )
        plain[event.reports] = event.name
    owners: dict[tuple[object, ...], tuple[str, str]] = {}
    for event in d.events:
        for m in event.markers:
            keys: list[tuple[object, ...]] = []
            if m.code is not None and m.subcode is not None:
                keys.append(("result", m.code, m.subcode))
            if m.termination_reason is not None:
                keys.append(("reason", m.termination_reason.lower()))
            if not keys:
                raise DefinitionError(
                    "unique-markers",
                    f"event {event.name!r}: a {m.kind} marker needs a code and subcode, "
                    "or a terminationReason",
                )
            # Kinds of one event may share a result (it then tells the outcome, and the
            # request the kind); two events may not.
            for key in keys:
                owner = owners.setdefault(key, (event.name, m.kind))
                if owner[0] != event.name:
                    raise DefinitionError(
                        "unique-markers",
                        f"marker {m.label} means both {owner[0]}[{owner[1]}] and "
                        f"{event.name}[{m.kind}]",
                    )
    if d.ended is not None:
        if d.ended not in d.final:
            raise DefinitionError("known-names", f"ended state {d.ended!r} is not a final state")
        if d.ended not in plain:
            raise DefinitionError(
                "known-names", f"no unmarked event reports the ended state {d.ended!r}"
            )


def _check_kinds(d: MachineDefinition) -> None:
    if not d.kinds:
        return
    names = [k.name for k in d.kinds]
    if dupes := _duplicates(names):
        raise DefinitionError("unique-names", f"transfer kinds defined twice: {dupes}")
    defaults = [k.name for k in d.kinds if k.selected_by is None]
    if len(defaults) != 1:
        raise DefinitionError(
            "transfer-kinds",
            f"exactly one transfer kind must be the default (no selected_by), got {defaults}",
        )
    guarded = {g.kind for g in d.guards}
    for event in d.events:
        if unknown := sorted(set(event.kinds) - set(names)):
            raise DefinitionError(
                "transfer-kinds", f"event {event.name!r} has markers of undeclared kinds {unknown}"
            )
    if missing := sorted(set(names) - guarded):
        raise DefinitionError("transfer-kinds", f"transfer kinds with no guard: {missing}")


def _check_requests(d: MachineDefinition) -> None:
    """The bot's requests: named apart from Graph's events, sent from live states, one
    per path, and timeouts that name known states and requests."""
    names = [r.name for r in d.requests]
    if dupes := _duplicates(names + [e.name for e in d.events]):
        raise DefinitionError("unique-names", f"request or event names defined twice: {dupes}")
    states = set(d.states)
    paths: dict[tuple[str, str | None, bool], str] = {}
    for r in d.requests:
        where = f"request {r.name!r}"
        if bad := [s for s in r.allowed if s not in states or s in d.final]:
            raise DefinitionError("known-names", f"{where} is allowed in no live state {bad}")
        for role, state in (("leads_to", r.leads_to), ("opens", r.opens)):
            if state is not None and state not in states:
                raise DefinitionError("known-names", f"{where}: unknown {role} state {state!r}")
        if r.expect is not None:
            if bad := [s for s in r.expect.states if s not in states]:
                raise DefinitionError("known-names", f"{where} expects unknown states {bad}")
            if r.leads_to is not None and r.leads_to not in r.expect.states:
                raise DefinitionError(
                    "requests", f"{where} leads to {r.leads_to!r}, which it does not expect"
                )
        if (r.opens is None) == (not r.allowed):
            raise DefinitionError(
                "requests", f"{where}: a request either opens a call or is allowed in states"
            )
        key = (r.method, r.action, r.opens is not None)
        if key in paths:
            raise DefinitionError(
                "requests", f"requests {paths[key]!r} and {r.name!r} have the same method and path"
            )
        paths[key] = r.name
    for t in d.timeouts:
        where = f"timeout {t.name!r}"
        if not t.seconds > 0:
            raise DefinitionError("requests", f"{where}: seconds must be positive")
        if bad := [s for s in t.states if s not in states]:
            raise DefinitionError("known-names", f"{where}: unknown states {bad}")
        if bad := [n for n in (*t.reset_by, *t.judged) if n not in names]:
            raise DefinitionError("known-names", f"{where}: unknown requests {bad}")
    if dupes := _duplicates([t.name for t in d.timeouts]):
        raise DefinitionError("unique-names", f"timeout names defined twice: {dupes}")


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
