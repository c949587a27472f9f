"""The machine definition as a plain graph, the one thing every renderer reads.

Renderers never look at :class:`MachineDefinition` themselves: they draw a
:class:`DiagramGraph`, so every format shows the same nodes, edges and labels,
in definition order, and a change to the definition reaches all of them.
"""

from __future__ import annotations

import attrs

from callstate.errors import UsageError
from callstate.facts import Result, meaning
from callstate.machine.definition import CALL_MACHINE, MachineDefinition, Transition

__all__ = ["PARTS", "DiagramGraph", "Edge", "LegendEntry", "Node", "extract"]

#: The parts ``extract(only=...)`` can draw; ``None`` draws the whole machine.
PARTS = ("transfer",)


@attrs.frozen
class Node:
    """A state, and whether a call starts or ends there."""

    state: str
    initial: bool = False
    final: bool = False


@attrs.frozen
class Edge:
    """One transition of the definition, with the text every renderer puts on it.

    ``marker`` is the result the notification carries (``Marker.label``, e.g.
    ``500/7000``); ``teardown`` marks the edges an event takes from every live
    state, which renderers draw quietly so they do not drown the rest.
    """

    source: str
    dest: str
    event: str
    guard: str | None = None
    marker: str | None = None
    internal: bool = False
    note: str = ""
    teardown: bool = False
    ends_call: bool = False

    @property
    def label(self) -> str:
        """``event [guard] / marker (note)``: the same text in every format."""
        text = self.event
        if self.guard is not None:
            text += f" [{self.guard}]"
        if self.marker is not None:
            text += f" / {self.marker}"
        notes = [n for n in ("internal" if self.internal else "", self.note) if n]
        if notes:
            text += f" ({', '.join(notes)})"
        return text


@attrs.frozen
class LegendEntry:
    """What a result code on an edge means: which event carries it, for which kind."""

    marker: str
    event: str
    kind: str
    reports: str
    doc: str
    #: What Graph documents the result to mean (:func:`callstate.facts.meaning`), or "".
    meaning: str = ""


@attrs.frozen
class DiagramGraph:
    """Nodes, edges and the legend of the codes, in definition order."""

    name: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    legend: tuple[LegendEntry, ...]

    def node(self, state: str) -> Node:
        """The node of ``state``; ``KeyError`` if it is not drawn."""
        for node in self.nodes:
            if node.state == state:
                return node
        raise KeyError(state)


def extract(
    definition: MachineDefinition = CALL_MACHINE, *, only: str | None = None
) -> DiagramGraph:
    """The graph of ``definition``, or of one part of it (``only="transfer"``).

    The transfer part is derived, never listed: the events that carry a marker are
    the transfer outcomes, the states they leave are the transfer states, and the
    part is every marked edge plus every edge into a transfer state.
    """
    if only is not None and only not in PARTS:
        raise UsageError("only", f"unknown part {only!r}; choose one of {', '.join(PARTS)}")
    transitions = definition.transitions
    if only == "transfer":
        transitions = _transfer_part(definition)
    teardown = _teardown_events(definition)
    edges = tuple(_edge(definition, t, teardown) for t in transitions)
    drawn = {e.source for e in edges} | {e.dest for e in edges}
    if only is None:
        drawn |= set(definition.states)
    nodes = tuple(
        Node(s, initial=s == definition.initial, final=s in definition.final)
        for s in definition.states
        if s in drawn
    )
    shown = {(e.event, e.guard) for e in edges}
    legend = tuple(
        LegendEntry(m.label, event.name, m.kind, event.reports, event.doc, _meaning(m.result))
        for event in definition.events
        for m in event.markers
        if any(ev == event.name and _kind(definition, g) in (None, m.kind) for ev, g in shown)
    )
    title = f"{definition.name}: " + ("every state" if only is None else f"the {only} part")
    return DiagramGraph(definition.name, title, nodes, edges, legend)


def _transfer_part(definition: MachineDefinition) -> tuple[Transition, ...]:
    marked = {e.name for e in definition.events if e.markers}
    transfer_states = {t.source for t in definition.transitions if t.event in marked}
    return tuple(
        t
        for t in definition.transitions
        if t.event in marked or (t.dest in transfer_states and t.source != t.dest)
    )


def _meaning(result: Result) -> str:
    return meaning(result.code, result.subcode, result.termination_reason) or ""


def _kind(definition: MachineDefinition, guard: str | None) -> str | None:
    return None if guard is None else definition.guard(guard).kind


def _teardown_events(definition: MachineDefinition) -> frozenset[str]:
    """Events taken from every state that is neither final nor their own target."""
    live = [s for s in definition.states if s not in definition.final]
    out: set[str] = set()
    for event in {t.event for t in definition.transitions}:
        edges = [t for t in definition.transitions if t.event == event]
        dests = {t.dest for t in edges}
        sources = {t.source for t in edges}
        if len(dests) == 1 and sources == {s for s in live if s not in dests}:
            out.add(event)
    return frozenset(out)


def _edge(definition: MachineDefinition, t: Transition, teardown: frozenset[str]) -> Edge:
    event = definition.event(t.event)
    kind = _kind(definition, t.guard)
    markers = [m for m in event.markers if kind is None or m.kind == kind]
    marker = " or ".join(m.label for m in markers) if markers else None
    return Edge(
        source=t.source,
        dest=t.dest,
        event=t.event,
        guard=t.guard,
        marker=marker,
        internal=t.internal,
        note=t.note,
        teardown=t.event in teardown,
        ends_call=t.dest in definition.final,
    )
