"""A variant definition, built in one place, is followed everywhere with no other edit.

``VARIANTS`` are declared here and only here: a second blind failure code (a made-up
one: 8523 is now documented for every kind), a third transfer kind selected by
a request field with its own results, and both at once. Every test then takes a
variant as it is: the explorer's invariants, the simulator, the strategies, the
tracker and the diagrams follow it. The last test shows the divergent definition of
issue 9 (two unmarked events reporting one state) is refused when it is built.
"""

from __future__ import annotations

from typing import Any

import attrs
import orjson
import pytest
from hypothesis import HealthCheck, find, given, settings, strategies as st

from callstate.diagrams import render
from callstate.errors import DefinitionError
from callstate.explorer import explore, export_paths
from callstate.facts import BLIND, CONSULTATIVE, TRANSFER_SUCCESS, Result
from callstate.machine import (
    CALL_MACHINE,
    TRANSFER_KINDS,
    Event,
    MachineDefinition,
    TransferKind,
    Transition,
    call_machine,
)
from callstate.simulate import (
    event_notification,
    flows,
    jsonl,
    mix,
    simulate,
    transfer_request,
)
from callstate.strategies import mutated_streams, notification_streams
from callstate.verdict import Tracker, validate_lines

#: A second blind failure code, made up (8523, meeting mode, is now documented for both kinds).
MEETING_MODE = Result(500, 7001)
#: A hypothetical third kind: selected by a request field, with results of its own.
GROUP = TransferKind(
    name="group",
    selected_by="/transferTarget/groupCallId",
    failure=(Result(500, 7900),),
    success=(Result(0, 7915),),
    doc="A transfer out of a group call: groupCallId.",
)
_BLIND_TWO_CODES = tuple(
    attrs.evolve(k, failure=(*k.failure, MEETING_MODE)) if k.name == BLIND else k
    for k in TRANSFER_KINDS
)
#: The variants, each built once, here.
VARIANTS: dict[str, MachineDefinition] = {
    "second-blind-code": call_machine(kinds=_BLIND_TWO_CODES),
    "new-kind": call_machine(kinds=(*TRANSFER_KINDS, GROUP)),
    "both": call_machine(kinds=(*_BLIND_TWO_CODES, GROUP)),
}
#: What each variant adds: ``(kind, outcome, result)``.
ADDED: dict[str, tuple[tuple[str, str, Result], ...]] = {
    "second-blind-code": ((BLIND, "failure", MEETING_MODE),),
    "new-kind": (
        (GROUP.name, "failure", GROUP.failure[0]),
        (GROUP.name, "success", GROUP.success[0]),
    ),
    "both": (
        (BLIND, "failure", MEETING_MODE),
        (GROUP.name, "failure", GROUP.failure[0]),
        (GROUP.name, "success", GROUP.success[0]),
    ),
}
_HYPOTHESIS = settings(
    max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _results(lines: list[dict[str, Any]]) -> set[Result]:
    """Every result a call notification of ``lines`` carries, read straight from the JSON."""
    found = set()
    for line in lines:
        data = line.get("value", [{}])[0].get("resourceData")
        if not isinstance(data, dict):
            continue
        info = data.get("resultInfo") or {}
        code, subcode = info.get("code"), info.get("subcode", info.get("subCode"))
        if code is not None:
            found.add(Result(int(code), int(subcode)))
        if data.get("terminationReason"):
            found.add(Result(termination_reason=data["terminationReason"]))
    return found


@pytest.fixture(params=list(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    """The name of one variant."""
    name: str = request.param
    return name


class TestExplorer:
    def test_every_invariant_holds(self, variant: str) -> None:
        """Exploring the variant finds no counterexample, and covers every edge."""
        definition = VARIANTS[variant]
        exploration = explore(definition)
        failing = [r.name for r in exploration.invariants if not r.holds]
        expected: object = ([], len(definition.transitions), ())
        assert expected == (failing, exploration.covered, exploration.uncovered)

    def test_new_edges_are_covered(self, variant: str) -> None:
        """The edges the variant adds (over the call machine) are among the covered ones."""
        definition = VARIANTS[variant]
        added = set(definition.transitions) - set(CALL_MACHINE.transitions)
        assert added <= set(explore(definition).transition_paths)
        assert bool(added) == (GROUP.name in {k.name for k in definition.kinds})

    def test_exported_paths_carry_every_added_result(self, variant: str) -> None:
        """The exported paths send each added result, and the variant's tracker accepts them."""
        definition = VARIANTS[variant]
        lines = list(export_paths(explore(definition)))
        report = validate_lines(lines, definition=definition, strict=True)
        expected: object = ([], [])
        assert expected == (report.violations, report.warnings)
        sent = _results([orjson.loads(line) for line in lines])
        assert {result for _k, _o, result in ADDED[variant]} <= sent


class TestSimulator:
    def test_emits_every_added_result(self, variant: str) -> None:
        """Across seeds, the simulator sends each added result, in a call of its kind."""
        definition = VARIANTS[variant]
        for kind, outcome, result in ADDED[variant]:
            sent: set[Result] = set()
            for seed in range(30):
                sent |= _results(
                    simulate(f"{kind}-user", outcome=outcome, seed=seed, definition=definition)
                )
            assert result in sent, (kind, outcome, result)

    def test_its_tracker_accepts_what_it_simulates(self, variant: str) -> None:
        """A mix of every scenario of the variant passes ``validate_lines`` with it."""
        definition = VARIANTS[variant]
        lines = list(mix(60, seed=9, definition=definition))
        report = validate_lines(lines, definition=definition)
        expected: object = ([], 60)
        assert expected == (report.violations, report.calls)

    def test_scenarios_follow_the_kinds(self, variant: str) -> None:
        """The variant's transfer scenarios are its kinds times the targets."""
        definition = VARIANTS[variant]
        kinds = [s.rpartition("-")[0] for s in flows(definition).transfer_scenarios]
        assert [k.name for k in definition.kinds] == list(dict.fromkeys(kinds))


class TestStrategies:
    @pytest.mark.parametrize("name", list(VARIANTS))
    @_HYPOTHESIS
    @given(data=st.data())
    def test_valid_streams_are_accepted(self, name: str, data: Any) -> None:
        """Streams drawn from the variant pass the variant's tracker."""
        definition = VARIANTS[name]
        stream = data.draw(notification_streams(definition=definition, max_calls=3))
        assert [] == validate_lines(stream.jsonl(), definition=definition).violations

    @pytest.mark.parametrize("name", list(VARIANTS))
    @_HYPOTHESIS
    @given(data=st.data())
    def test_mutated_streams_are_reported_at_the_line(self, name: str, data: Any) -> None:
        """A mutated stream of the variant is reported once, at the inserted line."""
        definition = VARIANTS[name]
        mutated = data.draw(mutated_streams(definition=definition, max_calls=2))
        report = validate_lines(mutated.lines, definition=definition)
        expected = [(mutated.line, mutated.rule, mutated.call_id)]
        assert expected == [(v.line, v.rule, v.call_id) for v in report.violations]

    def test_the_new_kind_is_drawn(self) -> None:
        """Some drawn stream has a call of the new kind that fails with its own result."""
        definition = VARIANTS["new-kind"]
        found = find(
            notification_streams(definition=definition, scenarios="group-pstn", outcomes="failure"),
            lambda s: GROUP.failure[0] in _results(list(s.lines)),
            settings=settings(database=None, max_examples=50),
        )
        assert GROUP.failure[0] in _results(list(found.lines))


class TestTracker:
    def _call(self, definition: MachineDefinition, kind: str, ends_as: str) -> list[bytes]:
        """A call whose request selects ``kind`` and whose transfer completes as ``ends_as``."""
        f = flows(definition)
        opening = [f.event_for(s, argument="state") for s in ("incoming", "established")]
        route = f.route("established", f.flow(ends_as).success.sources[0]) or ()
        request = transfer_request(
            "c1",
            target="user",
            client_context="ctx",
            selected_by=f.flow(kind).kind.selected_by,
            selector="other-call",
        )
        notes = [event_notification("c1", e, definition=definition) for e in (*opening, *route)]
        done = event_notification(
            "c1", f.flow(ends_as).success.event, ends_as, definition=definition
        )
        return list(jsonl([notes[0], notes[1], request, *notes[2:], done]))

    @pytest.mark.parametrize(("kind", "ends_as"), [(GROUP.name, BLIND), (CONSULTATIVE, GROUP.name)])
    def test_kind_mismatch_of_the_new_kind(self, kind: str, ends_as: str) -> None:
        """A request of one kind that completes with another's result is a kind mismatch."""
        definition = VARIANTS["new-kind"]
        tracker = Tracker(definition=definition)
        findings = [
            f for line in self._call(definition, kind, ends_as) for f in tracker.ingest(line)
        ]
        expected = ["transfer-kind-mismatch"]
        assert expected == [f.rule for f in findings]

    def test_matching_kind_is_accepted(self) -> None:
        """A request of the new kind that completes with its own result is fine."""
        definition = VARIANTS["new-kind"]
        tracker = Tracker(definition=definition)
        lines = self._call(definition, GROUP.name, GROUP.name)
        expected: object = ([], definition.ended)
        assert expected == (
            [f for line in lines for f in tracker.ingest(line)],
            tracker.state("c1"),
        )

    def test_request_field_selects_the_kind(self) -> None:
        """The declared field selects the new kind; without it the default kind is read."""
        definition = VARIANTS["new-kind"]
        body = {"transferTarget": {"groupCallId": "g"}}
        expected = (GROUP.name, BLIND)
        assert expected == (definition.kind_of(body), definition.kind_of({"transferTarget": {}}))


class TestDiagrams:
    def test_mermaid_shows_the_added_markers_and_guards(self, variant: str) -> None:
        """The variant's mermaid diagram shows each added result, and each kind as a guard."""
        text = render(VARIANTS[variant], format="mermaid")
        assert all(result.label in text for _k, _o, result in ADDED[variant])
        assert all(f"[{k.name}]" in text for k in VARIANTS[variant].kinds)

    def test_call_machine_diagram_has_none_of_them(self) -> None:
        """The documented machine's diagram shows no added result (the test can fail)."""
        text = render(CALL_MACHINE, format="mermaid")
        added = {r.label for results in ADDED.values() for _k, _o, r in results}
        assert set() == {label for label in added if label in text}
        assert TRANSFER_SUCCESS[BLIND][0].label in text


class TestDivergentDefinition:
    def test_a_second_unmarked_event_for_a_state_is_refused(self) -> None:
        """Issue 9's divergence: ``resume`` reports established too, so the build refuses it."""
        hold_connect = Transition("hold", "connect", "established", note="resume")
        assert hold_connect in CALL_MACHINE.transitions
        with pytest.raises(DefinitionError) as caught:
            CALL_MACHINE.replace(
                events=(*CALL_MACHINE.events, Event("resume", "established")),
                transitions=(
                    *(t for t in CALL_MACHINE.transitions if t != hold_connect),
                    Transition("hold", "resume", "established"),
                ),
            )
        expected = "one-event-per-state"
        assert expected == caught.value.rule
