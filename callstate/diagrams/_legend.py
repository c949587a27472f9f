"""The legend of the dot drawing: what each result code, line style and node shape means.

Every row is derived from the graph: a result row per marker drawn, a colour row
per transfer outcome drawn (with its event's documentation), a style row only
for the styles the drawing uses, and a row per time window a request edge shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from callstate.diagrams._model import DiagramGraph, Window

__all__ = [
    "ENDS",
    "INK",
    "QUIET",
    "REQUEST",
    "RETURNS",
    "legend_label",
    "swatch",
    "visible",
    "window_text",
]

INK = "#24292f"
QUIET = "#8c959f"
RETURNS = "#bc4c00"
ENDS = "#1a7f37"
REQUEST = "#8250df"


def visible(text: str) -> str:
    """``text`` for an HTML-like label: control characters shown escaped, then HTML-escaped."""
    from callstate.cli._output import escape as shown

    return escape(shown(text))


def swatch(colour: str, *, dashed: bool = False, bold: bool = False) -> str:
    """A legend cell that shows a line of ``colour``: solid, or dashed."""
    if dashed:
        return (
            f'<TD WIDTH="34" HEIGHT="10" FIXEDSIZE="TRUE" BORDER="2" SIDES="B" '
            f'STYLE="dashed" COLOR="{colour}"></TD>'
        )
    height = 4 if bold else 2
    return (
        f'<TD WIDTH="34" HEIGHT="{height}" FIXEDSIZE="TRUE" BGCOLOR="{colour}"'
        ' VALIGN="MIDDLE"></TD>'
    )


def _section(title: str, rows: list[tuple[str, str]]) -> str:
    """A titled two-column table: a key cell (already markup) and a text cell (markup)."""
    cells = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>{escape(title)}</B></TD></TR>']
    cells += [f'<TR>{key}<TD ALIGN="LEFT">{text}</TD></TR>' for key, text in rows]
    return '<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="1">' + "".join(cells) + "</TABLE>"


def _results(graph: DiagramGraph) -> list[tuple[str, str]]:
    return [
        (
            f'<TD ALIGN="LEFT"><B>{visible(entry.marker)}</B></TD>',
            visible(entry.meaning or f"{entry.event} [{entry.kind}]"),
        )
        for entry in graph.legend
    ]


def _lines(graph: DiagramGraph) -> list[tuple[str, str]]:
    rows = [(swatch(INK), "a state change a notification reports")]
    for colour, ends in ((RETURNS, False), (ENDS, True)):
        events = dict.fromkeys(
            e.event for e in graph.edges if e.marker is not None and e.ends_call == ends
        )
        for event in events:
            doc = next(x.doc for x in graph.legend if x.event == event)
            rows.append((swatch(colour, bold=True), visible(f"{event}: {doc}")))
    if any(e.internal for e in graph.edges):
        rows.append(
            (swatch(INK, dashed=True), "internal: accepted, and the call stays where it is")
        )
    if any(e.request and not e.everywhere for e in graph.edges):
        rows.append(
            (
                swatch(REQUEST, dashed=True),
                f'<FONT COLOR="{REQUEST}">a request the bot sends: to where Graph takes the call '
                "once it accepts it</FONT>",
            )
        )
    if any(e.everywhere for e in graph.edges):
        rows.append(
            (
                swatch(REQUEST, dashed=True),
                f'<FONT COLOR="{REQUEST}">a request allowed in every live state (drawn once, '
                "from &quot;any live state&quot;; a loop: the call stays)</FONT>",
            )
        )
    if any(e.teardown for e in graph.edges):
        rows.append(
            (
                swatch(QUIET),
                f'<FONT COLOR="{QUIET}">teardown: taken from every other live state '
                "(drawn once, from &quot;any live state&quot;)</FONT>",
            )
        )
    return rows


def window_text(window: Window) -> tuple[str, str]:
    """What a time window on request edges means: where it is judged, and how Graph ends it."""
    ends = window.ends_with + (f" ({window.meaning})" if window.meaning else "")
    return (
        f"the {window.name} window, at {', '.join(window.requests)}",
        f"Graph ends the call with {ends}",
    )


def _windows(graph: DiagramGraph) -> list[tuple[str, str]]:
    return [
        (
            f'<TD ALIGN="LEFT" VALIGN="TOP"><B>{visible(w.window)}</B></TD>',
            visible(window_text(w)[0])
            + '<BR ALIGN="LEFT"/>'
            + visible(f"past it, {window_text(w)[1]}")
            + '<BR ALIGN="LEFT"/>',
        )
        for w in graph.windows
    ]


def _states(graph: DiagramGraph) -> list[tuple[str, str]]:
    rows = []
    if any(n.initial for n in graph.nodes):
        rows.append(
            (
                '<TD BORDER="2" STYLE="rounded" BGCOLOR="#f6f8fa" CELLPADDING="3">'
                '<FONT POINT-SIZE="9">state</FONT></TD>',
                "where a call starts (the arrow from the dot)",
            )
        )
    if any(n.final for n in graph.nodes):
        rows.append(('<TD ALIGN="LEFT">double circle</TD>', "a final state: the call has ended"))
    return rows


def legend_label(
    graph: DiagramGraph, title: str, extra_rows: Iterable[tuple[str, str]] = ()
) -> str:
    """The title over the legend: result codes, line styles (and ``extra_rows``), shapes.

    ``extra_rows`` are ``(key cell, text)`` pairs: a ``<TD>`` (see :func:`swatch`) and
    text, escaped here.
    """
    heading = f'<FONT POINT-SIZE="18"><B>{visible(title)}</B></FONT>'
    lines = _lines(graph) + [(cell, visible(text)) for cell, text in extra_rows]
    left = []
    if graph.legend:
        left.append(_section("Results on edges", _results(graph)))
    if graph.windows:
        left.append(_section("Time", _windows(graph)))
    if states := _states(graph):
        left.append(_section("States", states))
    columns = [
        "".join(f"<TR><TD>{s}</TD></TR>" for s in left),
        f"<TR><TD>{_section('Lines', lines)}</TD></TR>",
    ]
    cells = "".join(
        f'<TD VALIGN="TOP"><TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0">{c}</TABLE></TD>'
        for c in columns
        if c
    )
    return (
        '<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="4">'
        f'<TR><TD COLSPAN="{len([c for c in columns if c])}">{heading}</TD></TR>'
        f"<TR>{cells}</TR></TABLE>"
    )
