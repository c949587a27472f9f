"""One call's path drawn on the map: visited edges numbered, the first violation in red.

The tracker turns a trace file into :class:`TraceStep` values; this module only
draws them, over the same graph every other diagram is drawn from.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

import attrs

from callstate.diagrams._dot import (
    START,
    Attrs,
    Html,
    attr_list,
    edge_lines,
    edge_statement,
    node_attrs,
    quote,
    render_dot,
)
from callstate.diagrams._legend import swatch, visible
from callstate.diagrams._mermaid import (
    HEADER,
    declarations,
    edge_line,
    everywhere_lines,
    mermaid_id,
    mermaid_text,
)
from callstate.diagrams._model import DiagramGraph, Edge, extract
from callstate.machine.definition import MachineDefinition

__all__ = ["TRACE_FORMATS", "TraceStep", "trace_dot", "trace_mermaid"]

TRACE_FORMATS = ("mermaid", "dot", "svg", "png")

VISITED = "#0969da"
VISITED_FILL = "#ddf4ff"
BROKEN = "#cf222e"
BROKEN_FILL = "#ffebe9"


@attrs.frozen
class TraceStep:
    """One notification of one call, as the tracker saw it.

    ``source`` is ``None`` for the call's first notification; ``rule`` names the
    rule broken at this step, if one was; ``kind`` is the marker kind (blind or
    consultative), when the notification carried one, so guarded edges can be told apart.
    """

    index: int
    line: int | None
    source: str | None
    dest: str
    event: str | None
    rule: str | None = None
    message: str = ""
    kind: str | None = None


@attrs.frozen
class _Drawn:
    """Where each step lands on the graph: numbers per edge, updates, off-map edges."""

    on_edges: dict[int, list[int]]
    on_start: list[int]
    updates: dict[str, list[int]]
    off_map: dict[tuple[str, str, str], list[int]]
    visited: set[str]
    unknown: list[str]
    first_violation: TraceStep | None


def _numbers(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _place(
    graph: DiagramGraph, definition: MachineDefinition, steps: Sequence[TraceStep]
) -> _Drawn:
    drawn = _Drawn({}, [], {}, {}, set(), [], next((s for s in steps if s.rule), None))
    for step in steps:
        for state in (step.source, step.dest):
            if state is None:
                continue
            drawn.visited.add(state)
            if state not in definition.states and state not in drawn.unknown:
                drawn.unknown.append(state)
        if step.source is None and step.dest == definition.initial and step.rule is None:
            drawn.on_start.append(step.index)
            continue
        matches = [i for i, e in enumerate(graph.edges) if _matches(definition, e, step)]
        if matches and step.rule is None:
            for i in matches:
                drawn.on_edges.setdefault(i, []).append(step.index)
        elif step.source == step.dest and step.rule is None:
            drawn.updates.setdefault(step.dest, []).append(step.index)
        else:
            key = (step.source or START, step.dest, step.event or "?")
            drawn.off_map.setdefault(key, []).append(step.index)
    return drawn


def _matches(definition: MachineDefinition, edge: Edge, step: TraceStep) -> bool:
    if (edge.source, edge.dest) != (step.source, step.dest):
        return False
    if edge.request and step.event != edge.event:
        return False
    if step.event is not None and edge.event != step.event:
        return False
    if step.kind is None or edge.guard is None:
        return True
    return definition.guard(edge.guard).kind == step.kind


def _title(call_id: str, steps: Sequence[TraceStep], first: TraceStep | None) -> str:
    plural = "" if len(steps) == 1 else "s"
    verdict = "no violation" if first is None else f"first violation at step {first.index}"
    return f"call {call_id}: {len(steps)} step{plural}, {verdict}"


def _violation_text(step: TraceStep) -> list[str]:
    where = f"step {step.index}" + (f", line {step.line}" if step.line is not None else "")
    lines = [f"{where}: {step.rule}"]
    lines += textwrap.wrap(step.message, width=44)
    return lines


def trace_dot(steps: Sequence[TraceStep], *, call_id: str, definition: MachineDefinition) -> str:
    """The dot source of the whole machine with ``steps`` drawn on it."""
    graph = extract(definition)
    drawn = _place(graph, definition, steps)
    first = drawn.first_violation
    broken_state = None if first is None else (first.source or first.dest)
    nodes: dict[str, Attrs] = {}
    for node in graph.nodes:
        attrs: dict[str, str] = {}
        lines = [visible(node.state)]
        if node.state in drawn.updates:
            lines.append(
                f'<FONT POINT-SIZE="9">updates {_numbers(drawn.updates[node.state])}</FONT>'
            )
        if node.state == broken_state and first is not None:
            lines += [
                f'<FONT POINT-SIZE="9" COLOR="{BROKEN}">{visible(t)}</FONT>'
                for t in _violation_text(first)
            ]
            attrs |= {
                "color": BROKEN,
                "fillcolor": BROKEN_FILL,
                "fontcolor": BROKEN,
                "penwidth": "2.5",
            }
        elif node.state in drawn.visited:
            attrs |= {"color": VISITED, "fillcolor": VISITED_FILL, "penwidth": "2"}
        if len(lines) > 1:
            attrs["label"] = Html("<BR/>".join(lines))
        nodes[node.state] = node_attrs(node) | attrs
    edges: dict[int, Attrs] = {}
    for index, numbers in drawn.on_edges.items():
        edges[index] = _visited_edge(edge_lines(graph.edges[index]), numbers)
    return render_dot(
        graph,
        nodes=nodes,
        edges=edges,
        extra=_extra(drawn, broken_state, first),
        legend_rows=_legend_rows(drawn),
        title=_title(call_id, steps, first),
        start=_visited_edge([], drawn.on_start) if drawn.on_start else None,
    )


def _visited_edge(lines: list[str], numbers: list[int]) -> dict[str, str]:
    body = "<BR/>".join([f"<B>{_numbers(numbers)}</B>", *(visible(t) for t in lines)])
    return {
        "label": Html(f'<FONT COLOR="{VISITED}">{body}</FONT>'),
        "color": VISITED,
        "penwidth": "2.8",
        "fontcolor": VISITED,
    }


def _extra(drawn: _Drawn, broken_state: str | None, first: TraceStep | None) -> list[str]:
    lines: list[str] = []
    for state in drawn.unknown:
        attrs = {"style": "dashed,rounded", "color": BROKEN, "fontcolor": BROKEN}
        if state == broken_state and first is not None:
            texts = [visible(state)] + [
                f'<FONT POINT-SIZE="9">{visible(t)}</FONT>' for t in _violation_text(first)
            ]
            attrs["label"] = Html("<BR/>".join(texts))
        lines.append(f"{quote(state)}{attr_list(attrs)};")
    for (source, dest, event), numbers in drawn.off_map.items():
        label = Html(f"<B>{_numbers(numbers)}</B><BR/>{visible(event)}")
        attrs = {
            "label": label,
            "style": "dashed",
            "color": BROKEN,
            "fontcolor": BROKEN,
            "penwidth": "2",
        }
        lines.append(edge_statement(source, dest, attrs))
    return lines


def _legend_rows(drawn: _Drawn) -> list[tuple[str, str]]:
    rows = [(swatch(VISITED, bold=True), "visited; the numbers are the steps, in order")]
    if drawn.off_map:
        rows.append((swatch(BROKEN, dashed=True), "a step the definition has no edge for"))
    if drawn.first_violation is not None:
        rule = drawn.first_violation.rule
        rows.append(
            (
                f'<TD BORDER="2" STYLE="rounded" COLOR="{BROKEN}" BGCOLOR="{BROKEN_FILL}">'
                f'<FONT COLOR="{BROKEN}">state</FONT></TD>',
                f"first violation: {rule}",
            )
        )
    return rows


def trace_mermaid(
    steps: Sequence[TraceStep], *, call_id: str, definition: MachineDefinition
) -> str:
    """Mermaid text of the machine with ``steps`` on it: numbers on edges, classes on states."""
    graph = extract(definition)
    drawn = _place(graph, definition, steps)
    first = drawn.first_violation
    broken_state = None if first is None else (first.source or first.dest)
    m = mermaid_id
    lines = [HEADER, f"    %% {mermaid_text(_title(call_id, steps, first))}"]
    lines += [f"    {d}" for d in declarations([*(n.state for n in graph.nodes), *drawn.unknown])]
    start_label = f" : {_numbers(drawn.on_start)}" if drawn.on_start else ""
    lines += [f"    [*] --> {m(n.state)}{start_label}" for n in graph.nodes if n.initial]
    for index, edge in enumerate(graph.edges):
        if edge.everywhere:
            continue
        numbers = drawn.on_edges.get(index)
        label = edge.label if numbers is None else f"{_numbers(numbers)} - {edge.label}"
        lines.append(f"    {edge_line(edge, label)}")
    lines += [f"    {line}" for line in everywhere_lines(graph)]
    for (source, dest, event), numbers in drawn.off_map.items():
        start = "[*]" if source == START else m(source)
        label = mermaid_text(f"{_numbers(numbers)} - {event} (not allowed)")
        lines.append(f"    {start} --> {m(dest)} : {label}")
    lines += [f"    {m(n.state)} --> [*]" for n in graph.nodes if n.final]
    lines += [
        f"    classDef visited fill:{VISITED_FILL},stroke:{VISITED},stroke-width:2px",
        f"    classDef violation fill:{BROKEN_FILL},stroke:{BROKEN},color:{BROKEN}"
        ",stroke-width:3px",
    ]
    visited = [
        s for s in [*definition.states, *drawn.unknown] if s in drawn.visited and s != broken_state
    ]
    if visited:
        lines.append(f"    class {','.join(m(s) for s in visited)} visited")
    if broken_state is not None and first is not None:
        lines.append(f"    class {m(broken_state)} violation")
        note = mermaid_text(f"step {first.index} broke {first.rule}")
        lines.append(f"    note right of {m(broken_state)} : {note}")
    return "\n".join(lines) + "\n"
