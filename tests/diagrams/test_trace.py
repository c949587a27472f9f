"""A call's path drawn on the map: numbered visited edges, the first violation in red."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from callstate.diagrams import TraceStep, render_trace
from callstate.errors import UsageError
from callstate.machine import CALL_MACHINE

RULE = "transfer-order"


def _walk(events: list[tuple[str, str | None]]) -> list[TraceStep]:
    """Steps that follow ``events`` through the definition from its initial state."""
    state = CALL_MACHINE.initial
    steps = [TraceStep(1, 1, None, state, None)]
    for index, (event, kind) in enumerate(events, start=2):
        transition = CALL_MACHINE.resolve(state, event, kind)
        assert transition is not None, f"{event} is not allowed in {state}"
        steps.append(TraceStep(index, index, state, transition.dest, event, kind=kind))
        state = transition.dest
    return steps


def _path() -> list[TraceStep]:
    """Held twice, then a blind transfer that failed, then a skipped transferring."""
    steps = _walk(
        [
            ("establish", None),
            ("connect", None),
            ("hold", None),
            ("connect", None),
            ("hold", None),
            ("connect", None),
            ("transfer", None),
            ("fail_transfer", "blind"),
        ]
    )
    last = steps[-1]
    bad = TraceStep(
        len(steps) + 1,
        42,
        last.dest,
        "transferAccepted",
        "accept_transfer",
        RULE,
        "transferAccepted came before transferring",
    )
    return [*steps, bad]


def _edge_lines(dot: str, source: str, dest: str) -> list[str]:
    return [line for line in dot.splitlines() if line.strip().startswith(f'"{source}" -> "{dest}"')]


class TestTraceDot:
    def test_repeated_edge_numbered_in_order(self) -> None:
        """An edge taken twice carries both step numbers, in order."""
        steps = _path()
        numbers = ", ".join(
            str(s.index) for s in steps if (s.source, s.dest) == ("established", "hold")
        )
        dot = render_trace(steps, call_id="c1", format="dot")
        assert [
            f"<B>{numbers}</B>" in line for line in _edge_lines(dot, "established", "hold")
        ] == [True]

    def test_marker_kind_picks_the_guarded_edge(self) -> None:
        """The blind failure is numbered, the consultative one is not."""
        steps = _path()
        step = next(s for s in steps if s.event == "fail_transfer")
        dot = render_trace(steps, call_id="c1", format="dot")
        lines = _edge_lines(dot, step.source or "", step.dest)
        assert [f"<B>{step.index}</B>" in line for line in lines] == [True, False]

    def test_violation_dashed_red_and_state_named(self) -> None:
        """The illegal step is a dashed red edge and its state names the broken rule."""
        steps = _path()
        bad = steps[-1]
        dot = render_trace(steps, call_id="c1", format="dot")
        edges = [line for line in _edge_lines(dot, bad.source or "", bad.dest) if "dashed" in line]
        state = next(
            line for line in dot.splitlines() if line.strip().startswith(f'"{bad.source}" [')
        )
        assert (
            len(edges),
            "#cf222e" in edges[0],
            f"step {bad.index}, line 42: {RULE}" in state,
        ) == (1, True, True)

    def test_clean_trace_has_no_red(self) -> None:
        """A trace without violations draws nothing red."""
        dot = render_trace(
            _walk([("establish", None), ("connect", None)]), call_id="c2", format="dot"
        )
        assert ("#cf222e" in dot, "no violation" in dot) == (False, True)

    def test_unknown_state_is_drawn(self) -> None:
        """A step into a state the definition lacks adds a dashed node for it."""
        steps = [*_walk([]), TraceStep(2, 2, CALL_MACHINE.initial, "parked", "park", "known-state")]
        dot = render_trace(steps, call_id="c3", format="dot")
        assert (
            len([line for line in dot.splitlines() if line.strip().startswith('"parked" [')]) == 1
        )


class TestTraceOtherFormats:
    def test_mermaid_lines_and_classes(self, read: SimpleNamespace) -> None:
        """The mermaid trace still parses, numbers edges, and classes the violation."""
        steps = _path()
        text = render_trace(steps, call_id="c1", format="mermaid")
        read.mermaid_statements(text)
        bad = steps[-1]
        assert (
            f"    class {bad.source} violation" in text,
            f"{bad.source} --> {bad.dest} : {bad.index} - {bad.event} (not allowed)" in text,
        ) == (True, True)

    @pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
    def test_svg_well_formed(self) -> None:
        """The trace SVG is well-formed XML that names the rule."""
        root = ET.fromstring(render_trace(_path(), call_id="c1", format="svg"))
        assert any(RULE in (t.text or "") for t in root.iter("{http://www.w3.org/2000/svg}text"))

    def test_table_is_refused(self) -> None:
        """A trace cannot be a table."""
        with pytest.raises(UsageError, match=r"^format: "):
            render_trace(_path(), call_id="c1", format="table")
