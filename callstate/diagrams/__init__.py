"""Diagrams of the call machine, derived from its one definition so they never drift.

``extract`` turns a :class:`~callstate.machine.MachineDefinition` into a plain
:class:`DiagramGraph`; ``render`` draws it as Mermaid, Graphviz dot, a Markdown
table, or (with the Graphviz ``dot`` program) SVG and PNG. ``write_committed``
regenerates the files under ``diagrams/`` and ``check_committed`` says which of
them no longer match the definition. ``render_trace`` draws one call's path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, overload

from callstate.diagrams._committed import (
    COMMITTED,
    Drift,
    check_committed_files,
    dot_available,
    expected_files,
)
from callstate.diagrams._dot import render_dot
from callstate.diagrams._follow import FollowedCall, follow_call
from callstate.diagrams._graphviz import GRAPHVIZ_FORMATS, GraphvizMissing, run_dot
from callstate.diagrams._mermaid import render_mermaid
from callstate.diagrams._model import DiagramGraph, Edge, LegendEntry, Node, extract
from callstate.diagrams._table import render_table
from callstate.diagrams._trace import TRACE_FORMATS, TraceStep, trace_dot, trace_mermaid
from callstate.errors import UsageError
from callstate.machine.definition import CALL_MACHINE, MachineDefinition

__all__ = [
    "COMMITTED",
    "FORMATS",
    "TRACE_FORMATS",
    "DiagramGraph",
    "Drift",
    "Edge",
    "FollowedCall",
    "GraphvizMissing",
    "LegendEntry",
    "Node",
    "TraceStep",
    "check_committed",
    "committed_files",
    "extract",
    "follow_call",
    "render",
    "render_trace",
    "write_committed",
]

#: Every format ``render`` draws; svg and png need the Graphviz ``dot`` program.
FORMATS = ("mermaid", "dot", "svg", "png", "table")

TextFormat = Literal["mermaid", "dot", "svg", "table"]

_TEXT = {"mermaid": render_mermaid, "dot": render_dot, "table": render_table}


@overload
def render(
    source: DiagramGraph | MachineDefinition = ...,
    *,
    format: Literal["png"],
    only: str | None = ...,
) -> bytes: ...
@overload
def render(
    source: DiagramGraph | MachineDefinition = ...,
    *,
    format: TextFormat = ...,
    only: str | None = ...,
) -> str: ...
@overload
def render(
    source: DiagramGraph | MachineDefinition = ...,
    *,
    format: str,
    only: str | None = ...,
) -> str | bytes: ...
def render(
    source: DiagramGraph | MachineDefinition = CALL_MACHINE,
    *,
    format: str = "mermaid",
    only: str | None = None,
) -> str | bytes:
    """``source`` drawn as ``format``: text for every format but png, which is bytes.

    ``source`` is a definition (``only`` picks a part of it, e.g. ``"transfer"``) or
    a graph from :func:`extract`. svg and png raise :class:`GraphvizMissing` when the
    ``dot`` program is not installed.
    """
    if format not in FORMATS:
        raise UsageError("format", f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if isinstance(source, DiagramGraph):
        if only is not None:
            raise UsageError("only", "pick a part when extracting; this graph is already drawn")
        graph = source
    else:
        graph = extract(source, only=only)
    if format in _TEXT:
        return _TEXT[format](graph)
    return _laid_out(render_dot(graph), format)


def _laid_out(dot: str, format: str) -> str | bytes:
    """``dot`` itself, or laid out as svg (text) or png (bytes)."""
    if format not in GRAPHVIZ_FORMATS:
        return dot
    drawn = run_dot(dot, format)
    return drawn.decode("utf-8") if format == "svg" else drawn


@overload
def render_trace(
    steps: Sequence[TraceStep],
    *,
    call_id: str,
    format: Literal["png"],
    definition: MachineDefinition = ...,
) -> bytes: ...
@overload
def render_trace(
    steps: Sequence[TraceStep],
    *,
    call_id: str,
    format: Literal["mermaid", "dot", "svg"],
    definition: MachineDefinition = ...,
) -> str: ...
@overload
def render_trace(
    steps: Sequence[TraceStep],
    *,
    call_id: str,
    format: str,
    definition: MachineDefinition = ...,
) -> str | bytes: ...
def render_trace(
    steps: Sequence[TraceStep],
    *,
    call_id: str,
    format: str,
    definition: MachineDefinition = CALL_MACHINE,
) -> str | bytes:
    """The whole machine with one call's ``steps`` on it.

    Visited edges are highlighted and numbered by step ("1, 4" when taken twice),
    steps with no edge in the definition are dashed red, and the state where the
    first violation happened is red and names the broken rule.
    """
    if format not in TRACE_FORMATS:
        raise UsageError(
            "format", f"cannot draw a trace as {format!r}; choose one of {', '.join(TRACE_FORMATS)}"
        )
    if format == "mermaid":
        return trace_mermaid(steps, call_id=call_id, definition=definition)
    return _laid_out(trace_dot(steps, call_id=call_id, definition=definition), format)


def committed_files(
    definition: MachineDefinition = CALL_MACHINE, *, svg: bool | None = None
) -> dict[str, bytes]:
    """Every committed diagram's file name and the bytes ``definition`` gives it now.

    ``svg=None`` includes the SVGs when Graphviz is installed; ``svg=True`` requires it.
    """

    def draw(part: str | None, format: str) -> str:
        return _TEXT[format](extract(definition, only=part))

    return expected_files(draw, svg=dot_available() if svg is None else svg)


def write_committed(
    directory: str | Path = "diagrams", *, definition: MachineDefinition = CALL_MACHINE
) -> tuple[Path, ...]:
    """Regenerate every committed diagram in ``directory``; returns the paths written.

    Everything is drawn before anything is written, so a missing Graphviz leaves
    the directory as it was.
    """
    files = committed_files(definition, svg=True)
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = target / name
        path.write_bytes(data)
        written.append(path)
    return tuple(written)


def check_committed(
    directory: str | Path = "diagrams",
    *,
    definition: MachineDefinition = CALL_MACHINE,
    svg: bool | None = None,
) -> tuple[Drift, ...]:
    """The committed diagrams in ``directory`` that differ from what ``definition`` gives now.

    SVGs are compared byte for byte when they were laid out by the Graphviz
    installed here, and by their titles and labels when by another version; they
    are skipped when Graphviz is missing and ``svg`` is ``None``.
    """
    return check_committed_files(Path(directory), committed_files(definition, svg=svg))
