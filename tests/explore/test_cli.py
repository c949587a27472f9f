"""`callstate explore` end to end: output formats, exit codes, usage errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

from callstate.explorer import explore
from callstate.machine import CALL_MACHINE, Transition
from callstate.machine.invariants import INVARIANTS

RunCli = Callable[..., tuple[int, str, str]]


class TestOutput:
    def test_json_is_exactly_one_object(self, run_cli: RunCli) -> None:
        """--format json prints one JSON object on one line, equal to the API's to_json()."""
        code, out, err = run_cli(["--format", "json"])
        expected: object = (0, "", 1)
        assert expected == (code, err, out.count("\n"))
        assert explore().to_json() == orjson.loads(out)

    def test_json_depth_is_passed_through(self, run_cli: RunCli) -> None:
        """--depth reaches the exploration and the JSON reports it."""
        code, out, _err = run_cli(["--depth", "1", "--format", "json"])
        assert (0, explore(depth=1).to_json()) == (code, orjson.loads(out))

    def test_text_lists_coverage_and_every_invariant(self, run_cli: RunCli) -> None:
        """The text report has coverage lines and one 'holds' line per invariant."""
        code, out, err = run_cli([])
        expected: object = (0, "")
        assert expected == (code, err)
        total = len(CALL_MACHINE.transitions)
        assert f"transitions  {total}/{total} covered" in out
        expected = [f"  holds  {inv.name}" for inv in INVARIANTS]
        assert expected == [line for line in out.splitlines() if line.startswith("  holds")]

    def test_text_prints_numbered_counterexample(self, run_cli: RunCli) -> None:
        """A failing invariant is followed by its counterexample, one numbered step a line."""
        broken = CALL_MACHINE.replace(
            transitions=(
                *CALL_MACHINE.transitions,
                Transition("terminated", "hang_up", "terminating"),
            ),
            check=False,
        )
        code, out, _err = run_cli([], broken)
        result = {r.name: r for r in explore(broken).invariants}["terminated-is-absorbing"]
        assert result.counterexample is not None
        expected = [f"{n}. {step}" for n, step in enumerate(result.counterexample, 1)]
        lines = out.splitlines()
        start = lines.index("  FAILS  terminated-is-absorbing") + 1
        assert (1, expected) == (
            code,
            [line.strip() for line in lines[start : start + len(expected)]],
        )

    def test_text_names_unreached_and_uncovered(self, run_cli: RunCli) -> None:
        """A shallow run lists what it did not reach, and exits 0: nothing failed."""
        code, out, _err = run_cli(["--depth", "2"])
        expected: object = 0
        assert expected == code
        assert "  unreached    transferAccepted" in out.splitlines()


class TestUsage:
    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--depth", "-1"], "must be >= 0"),
            (["--depth", "two"], "must be a whole number"),
            (["--format", "yaml"], "invalid choice"),
            (["--bogus"], "unrecognized arguments"),
        ],
    )
    def test_bad_arguments_exit_2_with_one_line(
        self, run_cli: RunCli, argv: list[str], message: str
    ) -> None:
        """Bad arguments exit 2 with one clear line on stderr and nothing on stdout."""
        code, out, err = run_cli(argv)
        expected: object = (2, "", 1)
        assert expected == (code, out, err.count("\n"))
        assert message in err


class TestDepthBound:
    """A depth that cuts the exploration leaves reachability open instead of failing it."""

    def test_shallow_depth_is_undecided_not_failed(self, run_command: Any) -> None:
        """``--depth 2`` reports transferAccepted as not reached within depth 2, and exits 0."""
        code, out, _ = run_command(["explore", "--depth", "2"])
        expected = (0, True, True, False)
        assert expected == (
            code,
            "  open   every-state-reachable" in out,
            "transferAccepted: not reached within depth 2" in out,
            "FAILS" in out,
        )

    def test_text_shows_the_shortest_path_to_each_state(self, run_command: Any) -> None:
        """The text report lists every reached state with its shortest path."""
        _, out, _ = run_command(["explore"])
        expected = "  transferAccepted  connect -> transfer -> accept_transfer"
        assert expected in out.splitlines()
