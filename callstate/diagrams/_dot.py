"""Graphviz ``dot`` source: the layout-aware drawing, with a legend of the result codes.

The drawing keeps the call's main path readable: the states run top to bottom in
definition order, the transfer outcomes are coloured, and the teardown edges
(hang-ups from every live state) are drawn thin and grey so they do not drown it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from callstate.diagrams._model import DiagramGraph, Edge, Node

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

INK = "#24292f"
QUIET = "#8c959f"
RETURNS = "#bc4c00"
ENDS = "#1a7f37"


class Html(str):
    """A Graphviz HTML-like label: written between ``<`` and ``>``, not quoted."""

    __slots__ = ()


Attrs = Mapping[str, str]


def quote(value: str) -> str:
    """A Graphviz ID or attribute value, quoted and escaped, or an HTML label as is."""
    if isinstance(value, Html):
        return f"<{value}>"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


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
    lines = [edge.event if edge.guard is None else f"{edge.event} [{edge.guard}]"]
    if edge.marker is not None:
        lines.append(edge.marker)
    notes = [n for n in ("internal" if edge.internal else "", edge.note) if n]
    if notes:
        lines.append(f"({', '.join(notes)})")
    return lines


def html_lines(lines: Iterable[str], *, padding: int = 2) -> Html:
    """Lines as a padded HTML label: Graphviz then keeps neighbouring labels apart."""
    body = "<BR/>".join(escape(line) for line in lines)
    return Html(
        f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{padding}">'
        f"<TR><TD>{body}</TD></TR></TABLE>"
    )


def edge_attrs(edge: Edge) -> dict[str, str]:
    """How a transition looks: its label, and a colour for transfer outcomes and teardowns."""
    attrs: dict[str, str] = {
        "label": html_lines(edge_lines(edge), padding=4 if edge.internal else 1)
    }
    if edge.teardown:
        attrs |= {"color": QUIET, "fontcolor": QUIET, "fontsize": "9", "arrowsize": "0.6"}
    elif edge.marker is not None:
        colour = ENDS if edge.ends_call else RETURNS
        attrs |= {"color": colour, "fontcolor": colour, "penwidth": "1.6"}
    if edge.internal:
        attrs |= {"style": "dashed"}
    return attrs


def legend_label(
    graph: DiagramGraph, title: str, extra_rows: Iterable[tuple[str, str]] = ()
) -> Html:
    """The title over the legend: one row per result code on the edges, then ``extra_rows``."""
    heading = f'<FONT POINT-SIZE="18"><B>{escape(title)}</B></FONT>'
    cells = [f'<TR><TD COLSPAN="2" BORDER="0">{heading}</TD></TR>']
    if graph.legend:
        cells.append('<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Results on edges</B></TD></TR>')
    for entry in graph.legend:
        meaning = f"{entry.event} [{entry.kind}]: {entry.doc}"
        cells.append(
            f'<TR><TD ALIGN="LEFT"><B>{escape(entry.marker)}</B></TD>'
            f'<TD ALIGN="LEFT">{escape(meaning)}</TD></TR>'
        )
    if any(e.teardown for e in graph.edges):
        cells.append(
            f'<TR><TD ALIGN="LEFT"><FONT COLOR="{QUIET}">grey</FONT></TD>'
            '<TD ALIGN="LEFT">teardown: taken from every live state</TD></TR>'
        )
    for key, text in extra_rows:
        cells.append(f'<TR><TD ALIGN="LEFT">{key}</TD><TD ALIGN="LEFT">{escape(text)}</TD></TR>')
    return Html(
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
        + "".join(cells)
        + "</TABLE>"
    )


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
    how a trace is drawn on the map.
    """
    nodes = nodes or {}
    edges = edges or {}
    label = legend_label(graph, title or graph.title, legend_rows)
    body = [
        f"graph{attr_list(_graph_attrs(label))};",
        f"node{attr_list(_NODE)};",
        f"edge{attr_list(_EDGE)};",
    ]
    initial = [n.state for n in graph.nodes if n.initial]
    if initial:
        body.append(f"{quote(START)}{attr_list(_START)};")
    for node in graph.nodes:
        attrs = node_attrs(node) | dict(nodes.get(node.state, {}))
        body.append(f"{quote(node.state)}{attr_list(attrs)};")
    body += [edge_statement(START, state, dict(start or {})) for state in initial]
    for index, edge in enumerate(graph.edges):
        body.append(
            edge_statement(edge.source, edge.dest, edge_attrs(edge) | dict(edges.get(index, {})))
        )
    body += extra
    finals = " ".join(quote(n.state) for n in graph.nodes if n.final)
    if finals:
        body.append(f"{{ rank=sink; {finals} }}")
    return "\n".join(
        [
            f"// {graph.title} (generated by `callstate diagram` from the machine definition)",
            f"digraph {quote(graph.name)} {{",
            *(f"    {line}" for line in body),
            "}",
            "",
        ]
    )


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
