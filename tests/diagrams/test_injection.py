"""Text from a trace (a call id, a state name) cannot add a statement to Mermaid or dot."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import orjson
import pytest

from callstate.cli import main
from callstate.diagrams import TraceStep, render_trace
from callstate.machine import CALL_MACHINE

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

#: Each would be a statement of its own if the newline reached the output raw.
FORGED_MERMAID = "incoming --> terminated : forged"
HOSTILE_IDS = [
    f"c1\n    {FORGED_MERMAID}",
    "c1\r\n    class incoming violation",
    'c1"; "x" -> "y"; //',
    "c1 </B></FONT>> ]; x -> y; <",
    "c1\x01\x1b[31m\u2028",
]


def _steps(unknown: str | None = None) -> list[TraceStep]:
    steps = [
        TraceStep(1, 1, None, CALL_MACHINE.initial, None),
        TraceStep(2, 2, CALL_MACHINE.initial, "establishing", "establish"),
    ]
    if unknown is not None:
        steps.append(TraceStep(3, 3, "establishing", unknown, "park", "known-state", "odd"))
    return steps


def _dot_statements(dot: str) -> int:
    """Statements of the dot source: lines of the body that end with ``;``."""
    return sum(1 for line in dot.splitlines() if line.startswith("    ") and line.endswith(";"))


class TestMermaid:
    @pytest.mark.parametrize("call_id", HOSTILE_IDS)
    def test_call_id_stays_in_its_comment(self, read: SimpleNamespace, call_id: str) -> None:
        """Every line is still a statement, and none is the forged one."""
        text = render_trace(_steps(), call_id=call_id, format="mermaid")
        statements = read.mermaid_statements(text)
        assert (
            len(render_trace(_steps(), call_id="c1", format="mermaid").splitlines()),
            False,
        ) == (
            len(statements) + 1,
            FORGED_MERMAID in [line.strip() for line in text.splitlines()],
        )

    @pytest.mark.parametrize("state", ["parked state", "x\n    [*] --> hacked", 'a"b:c;d#e'])
    def test_odd_state_is_declared_under_a_safe_id(self, read: SimpleNamespace, state: str) -> None:
        """A state that is no identifier is declared once, quoted, and adds no statement."""
        text = render_trace(_steps(state), call_id="c1", format="mermaid")
        read.mermaid_statements(text)
        lines = [line.strip() for line in text.splitlines()]
        declared = [line for line in lines if line.startswith('state "') and "any live" not in line]
        assert (1, False) == (len(declared), "[*] --> hacked" in lines)


class TestDot:
    @pytest.mark.parametrize("call_id", HOSTILE_IDS)
    def test_call_id_adds_no_statement(self, call_id: str) -> None:
        """The dot source has as many statements as with a plain call id."""
        plain = render_trace(_steps(), call_id="c1", format="dot")
        hostile = render_trace(_steps(), call_id=call_id, format="dot")
        assert _dot_statements(plain) == _dot_statements(hostile)

    @pytest.mark.parametrize("state", ['x\n"a" -> "b";', 'p"]; "q', "s\x01"])
    def test_odd_state_adds_no_statement(self, state: str) -> None:
        """An odd state name is one quoted node, its statement on one line."""
        plain = render_trace(_steps("parked"), call_id="c1", format="dot")
        hostile = render_trace(_steps(state), call_id="c1", format="dot")
        assert _dot_statements(plain) == _dot_statements(hostile)

    @needs_dot
    @pytest.mark.parametrize("call_id", HOSTILE_IDS)
    def test_graphviz_lays_it_out(self, call_id: str) -> None:
        """Graphviz reads the escaped source, and the title shows the call id escaped."""
        svg = render_trace(_steps(), call_id=call_id, format="svg")
        texts = [t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
        title = next(t for t in texts if t.startswith("call c1"))
        assert (False, True) == ("\n" in title, title.endswith("2 steps, no violation"))


def test_cli_trace_with_newline_call_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``diagram --trace`` of a call whose id holds a newline draws nothing: that id is no
    call's (``render_trace`` above escapes any id it is given)."""
    call = f"c1\n{FORGED_MERMAID}"
    body = {
        "value": [
            {
                "changeType": "created",
                "resourceUrl": f"/communications/calls/{call}",
                "resourceData": {"state": "incoming"},
            }
        ]
    }
    trace = tmp_path / "t.jsonl"
    trace.write_bytes(orjson.dumps(body) + b"\n")
    code = main(["diagram", "--trace", str(trace)])
    out, err = capsys.readouterr()
    expected = (2, "", [f"callstate diagram: error: {trace}: the trace names no call to draw"])
    assert expected == (code, out, err.splitlines())
