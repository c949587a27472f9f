"""Which transitions the dot drawing draws as one line, so the picture stays readable.

The Markdown table and Mermaid keep one line per transition; Graphviz draws for
people, so it merges what would only repeat itself:

- parallel edges of one style (the blind and consultative outcomes of a transfer,
  the late events a state ignores) become one edge with one label line each;
- a teardown (an event taken from every other live state) becomes one edge from a
  single "any live state" node, unless its transition carries a note of its own or
  leaves a state a teardown leads to (``terminating``).

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
    """How an edge is drawn: ``teardown``, ``ends`` (a transfer completed), ``returns``
    (a transfer failed), ``internal`` or ``plain``."""
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
        if style == "teardown" and not edge.note and edge.source not in ends:
            key: tuple[str, ...] = ("live", edge.event, edge.dest)
        else:
            key = (edge.source, edge.dest, style, edge.note, edge.event if edge.marker else "")
        keys.setdefault(key, []).append(index)
    out = []
    for key, members in keys.items():
        first = graph.edges[members[0]]
        source = LIVE if key[0] == "live" else first.source
        out.append(DrawnEdge(source, first.dest, tuple(members)))
    return out


def group_lines(edges: Sequence[Edge]) -> list[str]:
    """The label of edges drawn as one: the event(s), then a line per guard, then the notes.

    One edge reads ``event [guard]``, its marker and its notes, as in every format.
    """
    first = edges[0]
    notes = [n for n in ("internal" if first.internal else "", first.note) if n]
    if len(edges) == 1:
        lines = [first.event if first.guard is None else f"{first.event} [{first.guard}]"]
        if first.marker is not None:
            lines.append(first.marker)
    elif all(e.event == first.event for e in edges):
        lines = [first.event]
        lines += [
            " ".join(p for p in (f"[{e.guard}]" if e.guard else "", e.marker or "") if p)
            for e in edges
        ]
    else:
        lines = [", ".join(dict.fromkeys(e.event for e in edges))]
    if notes:
        lines.append(f"({', '.join(notes)})")
    return [line for line in lines if line]
