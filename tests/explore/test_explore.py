"""The explorer on the real call machine: reachability, coverage, shortest paths, JSON shape."""

from __future__ import annotations

from collections import deque
from typing import Any

import attrs
import orjson
import pytest

from callstate.errors import IllegalTransition, UsageError
from callstate.explorer import DEFAULT_DEPTH, explore, transition_label
from callstate.machine import CALL_MACHINE, ENGINE, compiled
from callstate.machine.invariants import INVARIANTS, signal_label


@attrs.define
class _Call:
    state: str


def _bfs_distances() -> dict[str, int]:
    """An independent oracle: breadth-first distances over the compiled table."""
    table = compiled(CALL_MACHINE).table
    dist = {CALL_MACHINE.initial: 0}
    queue = deque([CALL_MACHINE.initial])
    while queue:
        state = queue.popleft()
        for (source, _event, _kind), step in table.items():
            dest = step.dest
            if source == state and dest not in dist:
                dist[dest] = dist[state] + 1
                queue.append(dest)
    return dist


def _parse(signal: str) -> tuple[str, str | None]:
    event, _, kind = signal.partition("[")
    return event, kind.rstrip("]") or None


class TestCallMachine:
    def test_every_invariant_holds(self) -> None:
        """No invariant has a counterexample on CALL_MACHINE."""
        exploration = explore()
        expected: object = [(inv.name, True, None) for inv in INVARIANTS]
        assert expected == [(r.name, r.holds, r.counterexample) for r in exploration.invariants]
        assert exploration.ok

    def test_every_state_reachable(self) -> None:
        """Every state of the definition is reached."""
        assert sorted(CALL_MACHINE.states) == sorted(explore().reachable)

    def test_transition_coverage_complete(self) -> None:
        """Every transition of the definition is covered."""
        exploration = explore()
        expected: object = (len(CALL_MACHINE.transitions), ())
        assert expected == (exploration.covered, exploration.uncovered)

    def test_every_state_event_pair_tried(self) -> None:
        """Every (event, kind) is tried in every reached state, legal or not."""
        exploration = explore()
        table = compiled(CALL_MACHINE).table
        legal = sum(1 for (state, _e, _k) in table if state in exploration.reachable)
        assert len(CALL_MACHINE.states) * len(compiled(CALL_MACHINE).signals) == exploration.tried
        assert legal == exploration.accepted

    def test_state_paths_are_shortest(self) -> None:
        """Each state's path is as long as its breadth-first distance."""
        paths = explore().state_paths
        assert _bfs_distances() == {state: len(path) for state, path in paths.items()}

    def test_transition_paths_are_shortest(self) -> None:
        """Each transition's path is its source's distance plus the transition itself."""
        dist = _bfs_distances()
        paths = explore().transition_paths
        expected: object = {t: dist[t.source] + 1 for t in CALL_MACHINE.transitions}
        assert expected == {t: len(p) for t, p in paths.items()}

    @pytest.mark.parametrize("state", CALL_MACHINE.states)
    def test_state_path_replays_through_engine(self, state: str) -> None:
        """Firing a state's JSON path through ENGINE reaches that state."""
        call = _Call(CALL_MACHINE.initial)
        for signal in explore().to_json()["paths"]["states"][state]:
            event, kind = _event_kind(signal)
            ENGINE.fire(call, event, kind=kind)
        assert state == call.state

    def test_transition_paths_replay_through_engine(self) -> None:
        """Each transition's JSON path ends by firing exactly that transition in ENGINE."""
        exploration = explore()
        by_label = {transition_label(CALL_MACHINE, t): t for t in CALL_MACHINE.transitions}
        for label, path in exploration.to_json()["paths"]["transitions"].items():
            call = _Call(CALL_MACHINE.initial)
            fired = [ENGINE.fire(call, e, kind=k) for e, k in map(_event_kind, path)]
            expected: object = (by_label[label], by_label[label].dest)
            assert expected == (fired[-1], call.state)

    def test_refused_pairs_are_illegal_in_engine(self) -> None:
        """Every pair the explorer counts as refused is refused by ENGINE too."""
        table = compiled(CALL_MACHINE).table
        refused = 0
        for state in explore().reachable:
            for event, kind in compiled(CALL_MACHINE).signals:
                if (state, event, kind) in table:
                    continue
                with pytest.raises(IllegalTransition):
                    ENGINE.fire(_Call(state), event, kind=kind)
                refused += 1
        exploration = explore()
        assert exploration.tried - exploration.accepted == refused


def _event_kind(signal: str) -> tuple[str, str | None]:
    event, kind = _parse(signal)
    assert signal_label(event, kind) == signal
    return event, kind


class TestDepth:
    def test_default_is_exhaustive(self) -> None:
        """The default depth is deeper than every shortest path."""
        exploration = explore()
        expected: object = DEFAULT_DEPTH
        assert expected == exploration.depth
        assert max(len(p) for p in exploration.transition_paths.values()) < DEFAULT_DEPTH

    @pytest.mark.parametrize("depth", [0, 1, 2, 3])
    def test_paths_never_longer_than_depth(self, depth: int) -> None:
        """No path, to a state or a transition, is longer than the depth bound."""
        exploration = explore(depth=depth)
        lengths = [len(p) for p in exploration.state_paths.values()]
        lengths += [len(p) for p in exploration.transition_paths.values()]
        expected: object = []
        assert expected == [n for n in lengths if n > depth]

    def test_shallow_exploration_reports_unreached(self) -> None:
        """Too shallow a bound leaves reachability open, saying the bound was the limit."""
        exploration = explore(depth=0)
        result = {r.name: r for r in exploration.invariants}["every-state-reachable"]
        expected: object = ([CALL_MACHINE.initial], 0, True, None)
        assert expected == (
            list(exploration.reachable),
            exploration.covered,
            exploration.ok,
            result.counterexample,
        )
        assert result.undecided is not None
        expected = "terminated: not reached within depth 0"
        assert expected == result.undecided[-1]

    @pytest.mark.parametrize("depth", [-1, True, 1.5, "3"])
    def test_bad_depth_is_a_usage_error(self, depth: Any) -> None:
        """A negative or non-integer depth raises UsageError naming the argument."""
        with pytest.raises(UsageError, match=r"^depth: "):
            explore(depth=depth)


class TestRequests:
    def test_every_allowed_request_covered(self) -> None:
        """Every (state, request) pair the definition allows is covered by some path."""
        exploration = explore()
        expected = {(s, r.name) for r in CALL_MACHINE.requests for s in r.allowed}
        assert expected == set(exploration.request_paths)

    def test_request_paths_are_the_state_paths(self) -> None:
        """A request's path is the shortest path to the state it is sent in."""
        exploration = explore()
        expected = {pair: exploration.state_paths[pair[0]] for pair in exploration.request_paths}
        assert expected == exploration.request_paths

    def test_no_request_covered_in_a_final_state(self) -> None:
        """No request is covered in a final state: none is accepted after the end."""
        assert [p for p in explore().request_paths if p[0] in CALL_MACHINE.final] == []


class TestJson:
    def test_exact_shape(self) -> None:
        """to_json() has exactly the documented keys and types."""
        data = explore().to_json()
        expected: object = ["depth", "states", "transitions", "requests", "invariants", "paths"]
        assert expected == list(data)
        assert int is type(data["depth"])
        expected = ["reachable", "total"]
        assert expected == list(data["states"])
        assert all(isinstance(s, str) for s in data["states"]["reachable"])
        assert int is type(data["states"]["total"])
        expected = ["covered", "total"]
        assert expected == list(data["transitions"])
        expected = {int}
        assert expected == {type(v) for v in data["transitions"].values()}
        expected = ["covered", "total"]
        assert expected == list(data["requests"])
        assert int is type(data["requests"]["total"])
        assert all(len(p) == 2 for p in data["requests"]["covered"])
        for item in data["invariants"]:
            expected = ["name", "holds", "counterexample", "undecided"]
            assert expected == list(item)
            expected = (str, bool)
            assert expected == (type(item["name"]), type(item["holds"]))
            assert item["counterexample"] is None or all(
                isinstance(s, str) for s in item["counterexample"]
            )
        expected = ["states", "transitions"]
        assert expected == list(data["paths"])

    def test_counterexample_is_list_when_failing(self) -> None:
        """A failing invariant's counterexample is a non-empty list of strings."""
        kept = [t for t in CALL_MACHINE.transitions if t.event != "accept_transfer"]
        broken = CALL_MACHINE.replace(transitions=tuple(kept), check=False)
        item = explore(broken).to_json()["invariants"]
        failing = [i for i in item if not i["holds"]]
        expected: object = ["every-state-reachable"]
        assert expected == [i["name"] for i in failing]
        assert isinstance(failing[0]["counterexample"], list)
        assert failing[0]["counterexample"]

    def test_serialises_with_orjson(self) -> None:
        """The object round-trips through JSON unchanged."""
        data = explore().to_json()
        assert data == orjson.loads(orjson.dumps(data))

    def test_counts_match_the_definition(self) -> None:
        """Totals come from the definition, not from what was reached."""
        data = explore().to_json()
        assert (len(CALL_MACHINE.states), len(CALL_MACHINE.transitions)) == (
            data["states"]["total"],
            data["transitions"]["total"],
        )
