"""Graphviz ``dot`` source: the drawing for people, with a legend of codes and styles.

The drawing keeps the call's main path readable: the transfer outcomes are
coloured, parallel edges of one style are drawn as one, and the teardowns (an
event taken from every live state) are drawn once each, thin and grey, from an
"any live state" node, so they do not drown the rest. The bot's requests are
dashed purple, their HTTP form and time window on the label; a request that
opens a call starts at the start dot, one allowed in every live state at
"any live state". Every text is escaped: a
label or title from a trace cannot end its string or add a statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from callstate.diagrams._groups import LIVE, DrawnEdge, group_edges, group_lines, style_of
from callstate.diagrams._legend import ENDS, INK, QUIET, REQUEST, RETURNS, legend_label, visible
from callstate.diagrams._model import START as OUTSIDE, DiagramGraph, Edge, Node

__all__ = [
    "START",
    "Attrs",
    "Html",
    "attr_list",
    "edge_lines",
    "edge_statement",
    "html_lines",
    "node_attrs",
    "quote",
    "render_dot",
]

#: The name of the point node the initial arrow starts from.
START = "__start"
FONT = "Helvetica"


class Html(str):
    """A Graphviz HTML-like label: written between ``<`` and ``>``, not quoted."""

    __slots__ = ()


Attrs = Mapping[str, str]


def quote(value: str) -> str:
    """A Graphviz ID or attribute value, quoted and escaped, or an HTML label as is.

    A newline stays a line break (``\\n``); any other control character is shown
    escaped, as text.
    """
    if isinstance(value, Html):
        return f"<{value}>"
    lines = [_shown(part).replace("\\", "\\\\").replace('"', '\\"') for part in value.split("\n")]
    return '"' + "\\n".join(lines) + '"'


def _shown(text: str) -> str:
    from callstate.cli._output import escape as shown

    return shown(text)


def attr_list(attrs: Attrs) -> str:
    """`` [k="v", ...]``, or nothing for no attributes."""
    if not attrs:
        return ""
    return " [" + ", ".join(f"{k}={quote(v)}" for k, v in attrs.items()) + "]"


def edge_statement(source: str, dest: str, attrs: Attrs) -> str:
    """``"a" -> "b" [..];``: one edge, the way every edge is written."""
    return f"{quote(source)} -> {quote(dest)}{attr_list(attrs)};"


def node_attrs(node: Node) -> dict[str, str]:
    """How a state looks: final states are double circles, the first one is bold."""
    attrs: dict[str, str] = {}
    if node.final:
        attrs |= {"shape": "doublecircle", "style": "filled", "fillcolor": "#eaeef2"}
    if node.initial:
        attrs |= {"penwidth": "2"}
    return attrs


def edge_lines(edge: Edge) -> list[str]:
    """The edge's label over up to three short lines, so labels stay narrow."""
    return group_lines([edge])


def html_lines(lines: Iterable[str], *, padding: int = 2) -> Html:
    """Lines as a padded HTML label: Graphviz then keeps neighbouring labels apart."""
    body = "<BR/>".join(visible(line) for line in lines)
    return Html(
        f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{padding}">'
        f"<TR><TD>{body}</TD></TR></TABLE>"
    )


def edge_attrs(edges: Sequence[Edge], *, tooltip: str) -> dict[str, str]:
    """How a drawn edge looks: its label, and a colour for transfer outcomes and teardowns."""
    first = edges[0]
    style = style_of(first)
    attrs: dict[str, str] = {
        "label": html_lines(group_lines(edges), padding=4 if first.internal else 1),
        "tooltip": tooltip,
    }
    if style == "request":
        attrs |= {"color": REQUEST, "fontcolor": REQUEST, "style": "dashed"}
        if first.everywhere:
            attrs |= {"fontsize": "9", "arrowsize": "0.6"}
    elif style == "teardown":
        attrs |= {"color": QUIET, "fontcolor": QUIET, "fontsize": "9", "arrowsize": "0.6"}
    elif style in ("ends", "returns"):
        colour = ENDS if style == "ends" else RETURNS
        attrs |= {"color": colour, "fontcolor": colour, "penwidth": "1.6"}
    if first.internal:
        attrs |= {"style": "dashed"}
    return attrs


def tooltip_of(graph: DiagramGraph, drawn: DrawnEdge) -> str:
    """Every transition a drawn edge stands for, one a line: ``source -> dest: label``."""
    edges = [graph.edges[i] for i in drawn.members]
    if drawn.from_every_live_state:
        sources = ", ".join(e.source for e in edges)
        dest = "itself" if drawn.dest == LIVE else edges[0].dest
        return f"{edges[0].label} -> {dest}, from {sources}"
    return "\n".join(f"{e.source} -> {e.dest}: {e.label}" for e in edges)


def render_dot(
    graph: DiagramGraph,
    *,
    nodes: Mapping[str, Attrs] | None = None,
    edges: Mapping[int, Attrs] | None = None,
    extra: Iterable[str] = (),
    legend_rows: Iterable[tuple[str, str]] = (),
    title: str | None = None,
    start: Attrs | None = None,
) -> str:
    """The dot source of ``graph``, in definition order.

    ``nodes`` (by state), ``edges`` (by position in ``graph.edges``) and ``start``
    (the initial arrow) override attributes, and ``extra`` adds statements: this is
    how a trace is drawn on the map. An edge in ``edges`` is drawn on its own, out of
    the group it would be drawn in (see :func:`group_edges`).
    """
    nodes = nodes or {}
    edges = edges or {}
    label = Html(legend_label(graph, title or graph.title, legend_rows))
    body = [
        f"graph{attr_list(_graph_attrs(label))};",
        f"node{attr_list(_NODE)};",
        f"edge{attr_list(_EDGE)};",
    ]
    initial = [n.state for n in graph.nodes if n.initial]
    if initial or any(e.source == OUTSIDE for e in graph.edges):
        body.append(f"{quote(START)}{attr_list(_START)};")
    for node in graph.nodes:
        attrs = node_attrs(node) | dict(nodes.get(node.state, {}))
        body.append(f"{quote(node.state)}{attr_list(attrs)};")
    drawn = group_edges(graph, alone=edges.keys())
    if any(d.from_every_live_state for d in drawn):
        body.append(f"{quote(LIVE)}{attr_list(_LIVE)};")
    body += [edge_statement(START, state, dict(start or {})) for state in initial]
    for line in drawn:
        members = [graph.edges[i] for i in line.members]
        attrs = edge_attrs(members, tooltip=tooltip_of(graph, line))
        if len(line.members) == 1:
            attrs |= dict(edges.get(line.members[0], {}))
        source = START if line.source == OUTSIDE else line.source
        body.append(edge_statement(source, line.dest, attrs))
    body += extra
    finals = " ".join(quote(n.state) for n in graph.nodes if n.final)
    if finals:
        body.append(f"{{ rank=sink; {finals} }}")
    return "\n".join(
        [
            f"// {visible_comment(graph.title)} (generated by `callstate diagram` from the "
            "machine definition)",
            f"digraph {quote(graph.name)} {{",
            *(f"    {line}" for line in body),
            "}",
            "",
        ]
    )


def visible_comment(text: str) -> str:
    """``text`` for a ``//`` comment: control characters (a newline) shown escaped."""
    return _shown(text)


_NODE = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "#f6f8fa",
    "color": "#57606a",
    "fontname": FONT,
    "fontsize": "12",
}
_EDGE = {"fontname": FONT, "fontsize": "10", "color": INK}
_START = {"shape": "point", "width": "0.2", "label": ""}
_LIVE = {
    "label": "any live state",
    "style": "dashed,rounded",
    "color": QUIET,
    "fontcolor": QUIET,
    "fontsize": "11",
}


def _graph_attrs(label: Html) -> dict[str, str]:
    return {
        "label": label,
        "labelloc": "t",
        "fontname": FONT,
        "fontsize": "11",
        "rankdir": "TB",
        "nodesep": "0.5",
        "ranksep": "0.55",
    }
