"""Following one call through a trace, and drawing it from the CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from callstate.cli import main
from callstate.diagrams import follow_call
from callstate.errors import CallstateError

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


class TestFollowCall:
    """``follow_call`` picks the call and records its steps in order."""

    def test_first_violating_call_is_chosen(self) -> None:
        """Without a call id, the first call with a violation is drawn, violation marked."""
        followed = follow_call(EXAMPLES / "violations.jsonl")
        first = followed.report.violations[0]
        assert first.call_id == followed.call_id
        marked = [s for s in followed.steps if s.rule is not None]
        assert first.rule == marked[0].rule
        assert first.line == marked[0].line

    def test_clean_trace_draws_its_first_call(self) -> None:
        """A trace without violations draws its first call, every step legal."""
        followed = follow_call(EXAMPLES / "blind-user-success.jsonl")
        assert "341a0500-d4bf-4224-8b19-1581168d328b" == followed.call_id
        assert [None] == sorted({s.rule for s in followed.steps}, key=str)
        assert "terminated" == followed.steps[-1].dest
        assert list(range(1, len(followed.steps) + 1)) == [s.index for s in followed.steps]

    def test_steps_chain(self) -> None:
        """Each step starts where the previous one ended."""
        steps = follow_call(EXAMPLES / "consultative-pstn-failure.jsonl").steps
        assert [s.dest for s in steps[:-1]] == [s.source for s in steps[1:]]

    def test_violation_without_a_move_is_drawn(self) -> None:
        """A change after the end moves nothing, yet appears as a marked step."""
        report = follow_call(EXAMPLES / "violations.jsonl").report
        ended = next(v for v in report.violations if v.rule == "terminated-is-absorbing")
        followed = follow_call(EXAMPLES / "violations.jsonl", call_id=ended.call_id)
        assert "terminated-is-absorbing" in {s.rule for s in followed.steps}

    def test_unknown_call_is_an_error(self) -> None:
        """Asking for a call the trace never names is a clear callstate error."""
        with pytest.raises(CallstateError, match="no-such-call"):
            follow_call(EXAMPLES / "blind-user-success.jsonl", call_id="no-such-call")


class TestValidateDiagram:
    """``callstate validate TRACE --diagram OUT``."""

    @pytest.mark.skipif(
        not __import__("shutil").which("dot"), reason="Graphviz dot is not installed"
    )
    def test_svg_is_drawn_and_exit_code_kept(self, tmp_path: Path) -> None:
        """The SVG is well-formed, and the exit code still reports the violations."""
        out = tmp_path / "call.svg"
        code = main(["validate", str(EXAMPLES / "violations.jsonl"), "--diagram", str(out)])
        assert 1 == code
        ET.fromstring(out.read_bytes())

    def test_mermaid_by_suffix(self, tmp_path: Path) -> None:
        """The output format follows the suffix; a clean trace exits 0."""
        out = tmp_path / "call.mmd"
        code = main(["validate", str(EXAMPLES / "blind-user-success.jsonl"), "--diagram", str(out)])
        assert 0 == code
        assert out.read_text().startswith("stateDiagram-v2")

    def test_call_needs_diagram(self, capsys: pytest.CaptureFixture[str]) -> None:
        """``--call`` alone is a usage error."""
        assert 2 == main(["validate", str(EXAMPLES / "mixed.jsonl"), "--call", "x"])
        assert "--call needs --diagram" in capsys.readouterr().err
