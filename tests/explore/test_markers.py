"""Several markers of one kind: explored as one outcome, each exported and accepted."""

from __future__ import annotations

import attrs
import orjson

from callstate.explorer import explore, export_paths, path_calls
from callstate.facts import BLIND, TRANSFER_FAILURE, Result
from callstate.machine import CALL_MACHINE, TRANSFER_KINDS, call_machine
from callstate.verdict import validate_lines

#: A second failure code for blind transfers: made up, so no documented kind has it.
EXTRA = Result(500, 7001)
TWO_CODES = call_machine(
    kinds=tuple(
        attrs.evolve(k, failure=(*k.failure, EXTRA)) if k.name == BLIND else k
        for k in TRANSFER_KINDS
    )
)


def _codes(lines: list[bytes]) -> set[tuple[int, int]]:
    found = set()
    for line in lines:
        info = orjson.loads(line)["value"][0]["resourceData"].get("resultInfo")
        if info is not None:
            found.add((info["code"], info["subcode"]))
    return found


class TestSeveralMarkersOfAKind:
    def test_every_invariant_holds(self) -> None:
        """Two failure codes of one kind break no invariant, and every edge is covered."""
        exploration = explore(TWO_CODES)
        expected: object = (True, len(TWO_CODES.transitions))
        assert expected == (exploration.ok, exploration.covered)

    def test_signals_are_unchanged(self) -> None:
        """Markers of one kind are one signal: as many pairs are tried as without the code."""
        assert explore(CALL_MACHINE).tried == explore(TWO_CODES).tried

    def test_each_marker_is_exported(self) -> None:
        """The extra code is sent once per edge of its signal, beside the first code."""
        lines = list(export_paths(explore(TWO_CODES)))
        blind = {(r.code, r.subcode) for r in TRANSFER_FAILURE[BLIND]}
        assert blind | {(EXTRA.code, EXTRA.subcode)} <= _codes(lines)

    def test_one_more_call_per_edge_of_the_marked_signal(self) -> None:
        """Each blind-failure edge is exported once more: once per marker, named apart."""
        calls = path_calls(explore(TWO_CODES))
        failure = TWO_CODES.event("fail_transfer")
        last = f".marker{len(failure.markers_of(BLIND))}"
        extra = [c.call_id for c in calls if c.call_id.endswith(last) and f".{BLIND}." in c.call_id]
        edges = [t for t in TWO_CODES.transitions if (t.event, t.guard) == (failure.name, BLIND)]
        expected: object = (len(path_calls(explore(CALL_MACHINE))) + len(edges), len(edges))
        assert expected == (len(calls), len(extra))

    def test_validator_accepts_the_export_strictly(self) -> None:
        """The tracker of the same definition accepts every exported call, strictly."""
        lines = list(export_paths(explore(TWO_CODES)))
        report = validate_lines(lines, definition=TWO_CODES, strict=True)
        expected: object = ([], [])
        assert expected == (report.violations, report.warnings)

    def test_call_machine_export_is_one_call_per_transition_and_marker(self) -> None:
        """One call per transition, and one more per further marker of its event and kind."""
        extra = sum(
            len(CALL_MACHINE.event(t.event).markers_of(CALL_MACHINE.guard(t.guard).kind)) - 1
            for t in CALL_MACHINE.transitions
            if t.guard is not None
        )
        expected: object = len(CALL_MACHINE.transitions) + extra
        assert expected == len(path_calls(explore()))
