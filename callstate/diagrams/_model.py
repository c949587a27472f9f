"""The machine definition as a plain graph, the one thing every renderer reads.

Renderers never look at :class:`MachineDefinition` themselves: they draw a
:class:`DiagramGraph`, so every format shows the same nodes, edges and labels,
in definition order, and a change to the definition reaches all of them. Graph's
notifications are edges, and so are the bot's requests (``actor == "bot"``): an
edge from each state a request is allowed in to where Graph takes the call once
it accepts it, with the window of any timeout that judges it on its label.
"""

from __future__ import annotations

import attrs

from callstate.errors import UsageError
from callstate.facts import Result, meaning
from callstate.machine.definition import (
    CALL_MACHINE,
    Actor,
    MachineDefinition,
    Request,
    Timeout,
    Transition,
)

__all__ = [
    "PARTS",
    "START",
    "DiagramGraph",
    "Edge",
    "LegendEntry",
    "Node",
    "Window",
    "duration",
    "extract",
    "http_form",
]

#: The source of a request that opens a call: outside the machine, before any state.
START = "[*]"

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
    #: Each result on its own (``marker`` joins them with "or").
    markers: tuple[str, ...] = ()
    #: Who sends it: Graph (a notification) or the bot (a request).
    actor: Actor = "graph"
    #: A request's HTTP form, ``POST answer``; empty for a notification.
    http: str = ""
    #: The windows of the timeouts that judge (or restart at) a request: ``≤ 15 s``.
    window: str = ""
    #: A request allowed in every live state: drawn once, from "any live state".
    everywhere: bool = False

    @property
    def request(self) -> bool:
        """Whether the bot sends it (a request), rather than Graph (a notification)."""
        return self.actor == "bot"

    @property
    def label(self) -> str:
        """``event [guard] / marker (note)``, or ``POST answer ≤ 15 s`` for a request."""
        if self.request:
            return " ".join(p for p in (self.http, self.window) if p)
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
class Window:
    """A timeout drawn on request edges: how long, what it judges, how Graph ends the call."""

    name: str
    window: str
    requests: tuple[str, ...]
    summary: str
    ends_with: str
    #: What Graph documents the ending result to mean, or "".
    meaning: str = ""


@attrs.frozen
class DiagramGraph:
    """Nodes, edges, the legend of the codes and the time windows, in definition order."""

    name: str
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    legend: tuple[LegendEntry, ...]
    windows: tuple[Window, ...] = ()

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
    requests = _request_edges(definition)
    if only == "transfer":
        states = {s for t in transitions for s in (t.source, t.dest)}
        requests = tuple(e for e in requests if not e.everywhere and {e.source, e.dest} <= states)
    edges = (*(_edge(definition, t, teardown) for t in transitions), *requests)
    drawn = ({e.source for e in edges} | {e.dest for e in edges}) - {START}
    if only is None:
        drawn |= set(definition.states)
    nodes = tuple(
        Node(s, initial=s == definition.initial, final=s in definition.final)
        for s in definition.states
        if s in drawn
    )
    title = f"{definition.name}: " + ("every state" if only is None else f"the {only} part")
    judged = {e.event for e in edges if e.request}
    windows = tuple(
        _window_entry(definition, t)
        for t in definition.timeouts
        if set((*t.judged, *t.reset_by)) & judged
    )
    legend = _legend(definition, {(e.event, e.guard) for e in edges if not e.request})
    return DiagramGraph(definition.name, title, nodes, edges, legend, windows)


def _legend(
    definition: MachineDefinition, shown: set[tuple[str, str | None]]
) -> tuple[LegendEntry, ...]:
    """A row per result drawn; a result several kinds of one event share is one row."""
    rows: dict[tuple[str, str], LegendEntry] = {}
    for event in definition.events:
        for m in event.markers:
            if not any(
                ev == event.name and _kind(definition, g) in (None, m.kind) for ev, g in shown
            ):
                continue
            key = (event.name, m.label)
            # A shared result moves to where its last kind is: after the results of each kind.
            found = rows.pop(key, None)
            kind = m.kind if found is None else f"{found.kind} or {m.kind}"
            rows[key] = LegendEntry(
                m.label, event.name, kind, event.reports, event.doc, _meaning(m.result)
            )
    return tuple(rows.values())


def duration(seconds: float) -> str:
    """``15 s``, ``45 min``: a window as a reader says it."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def _windows(definition: MachineDefinition, request: Request) -> str:
    """``≤ 15 s`` for each timeout that judges ``request`` or restarts at it."""
    return ", ".join(
        f"≤ {duration(t.seconds)}"
        for t in definition.timeouts
        if request.name in t.judged or request.name in t.reset_by
    )


def _window_entry(definition: MachineDefinition, timeout: Timeout) -> Window:
    return Window(
        name=timeout.name,
        window=f"≤ {duration(timeout.seconds)}",
        requests=tuple(
            http_form(definition.request(name)) for name in (*timeout.judged, *timeout.reset_by)
        ),
        summary=timeout.summary,
        ends_with=timeout.ends_with.label,
        meaning=_meaning(timeout.ends_with),
    )


def http_form(request: Request) -> str:
    """``POST answer``, ``DELETE call``, ``POST calls``: the request as a reader spots it."""
    target = "calls" if request.opens is not None else request.action or "call"
    return f"{request.method} {target}"


def _request_edges(definition: MachineDefinition) -> tuple[Edge, ...]:
    """An edge per request and allowed state, to ``leads_to`` (a loop without one)."""
    live = set(definition.live)
    edges: list[Edge] = []
    for request in definition.requests:

        def edge(source: str, dest: str, *, everywhere: bool = False, r: Request = request) -> Edge:
            return Edge(
                source,
                dest,
                r.name,
                ends_call=dest in definition.final,
                actor=r.actor,
                http=http_form(r),
                window=_windows(definition, r),
                everywhere=everywhere,
            )

        if request.opens is not None:
            edges.append(edge(START, request.opens))
        everywhere = bool(live) and set(request.allowed) == live
        edges += [edge(s, request.leads_to or s, everywhere=everywhere) for s in request.allowed]
    return tuple(edges)


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
    labels = tuple(dict.fromkeys(m.label for m in markers))
    marker = " or ".join(labels) if labels else None
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
        markers=labels,
    )
