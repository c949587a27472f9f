"""Which transitions the dot drawing draws as one line, so the picture stays readable.

The Markdown table and Mermaid keep one line per transition; Graphviz draws for
people, so it merges what would only repeat itself:

- parallel edges of one style (the blind and consultative outcomes of a transfer,
  the late events a state ignores) become one edge with one label line each;
- a teardown (an event taken from every other live state) becomes one edge from a
  single "any live state" node, unless its transition carries a note of its own or
  leaves a state a teardown leads to (``terminating``);
- a request allowed in every live state (hang up, keepAlive) is grouped the same
  way: one edge from "any live state" to where it leads, or a loop on that node
  when the call stays where it is.

Every transition is in exactly one drawn edge; its ``tooltip`` names them all.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import attrs

from callstate.diagrams._model import DiagramGraph, Edge

__all__ = ["LIVE", "DrawnEdge", "group_edges", "group_lines", "style_of"]

#: The node teardown edges start from: every live state at once.
LIVE = "__live"


@attrs.frozen
class DrawnEdge:
    """One line of the drawing: its ends and the transitions (indices into the graph) it draws."""

    source: str
    dest: str
    members: tuple[int, ...]

    @property
    def from_every_live_state(self) -> bool:
        """True for the merged teardown edge, drawn from the "any live state" node."""
        return self.source == LIVE


def style_of(edge: Edge) -> str:
    """How an edge is drawn: ``request`` (the bot's), ``teardown``, ``ends`` (a transfer
    completed), ``returns`` (a transfer failed), ``internal`` or ``plain``."""
    if edge.request:
        return "request"
    if edge.teardown:
        return "teardown"
    if edge.marker is not None:
        return "ends" if edge.ends_call else "returns"
    if edge.internal:
        return "internal"
    return "plain"


def group_edges(graph: DiagramGraph, *, alone: Collection[int] = ()) -> list[DrawnEdge]:
    """The drawn edges of ``graph``, in the order of their first transition.

    Transitions in ``alone`` (a trace's visited edges) are each drawn on their own,
    from their own source.
    """
    keys: dict[tuple[str, ...], list[int]] = {}
    # A teardown out of a teardown's own end (terminating -> terminated) is how that
    # state goes on: drawn from it, not from "any live state".
    ends = {e.dest for e in graph.edges if e.teardown}
    for index, edge in enumerate(graph.edges):
        if index in alone:
            keys[("alone", str(index))] = [index]
            continue
        style = style_of(edge)
        if edge.everywhere:
            key: tuple[str, ...] = ("live", edge.event, "request")
        elif style == "request":
            key = (edge.source, edge.dest, style, edge.event)
        elif style == "teardown" and not edge.note and edge.source not in ends:
            key = ("live", edge.event, edge.dest)
        else:
            key = (edge.source, edge.dest, style, edge.note, edge.event if edge.marker else "")
        keys.setdefault(key, []).append(index)
    out = []
    for key, members in keys.items():
        first = graph.edges[members[0]]
        source = LIVE if key[0] == "live" else first.source
        dest = first.dest
        if key[-1] == "request":
            # Where the request leads from every live state; a loop when the call stays.
            leads = [e.dest for e in (graph.edges[i] for i in members) if e.dest != e.source]
            dest = leads[0] if leads else LIVE
        out.append(DrawnEdge(source, dest, tuple(members)))
    return out


def group_lines(edges: Sequence[Edge]) -> list[str]:
    """The label of edges drawn as one: the event(s), then a line per guard, then the notes.

    One edge reads ``event [guard]``, its marker and its notes, as in every format.
    """
    first = edges[0]
    notes = [n for n in ("internal" if first.internal else "", first.note) if n]
    if first.request:
        lines = [first.http, first.window]
    elif len(edges) == 1:
        lines = [first.event if first.guard is None else f"{first.event} [{first.guard}]"]
        if first.marker is not None:
            lines.append(first.marker)
    elif all(e.event == first.event for e in edges):
        lines = [first.event, *_guard_lines(edges)]
    else:
        lines = [", ".join(dict.fromkeys(e.event for e in edges))]
    if notes:
        lines.append(f"({', '.join(notes)})")
    return [line for line in lines if line]


def _guard_lines(edges: Sequence[Edge]) -> list[str]:
    """A line per guard with its own results; a result every guard shares goes last, once."""
    shared = [m for m in edges[0].markers if all(m in e.markers for e in edges)]
    lines = []
    for e in edges:
        own = " or ".join(m for m in e.markers if m not in shared) or (
            "" if e.markers else e.marker or ""
        )
        lines.append(" ".join(p for p in (f"[{e.guard}]" if e.guard else "", own) if p))
    if shared and len(edges) > 1:
        guards = ", ".join(dict.fromkeys(e.guard for e in edges if e.guard))
        lines.append(
            " ".join(p for p in (f"[{guards}]" if guards else "", " or ".join(shared)) if p)
        )
    return lines
