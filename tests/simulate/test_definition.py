"""The simulator reads its scenarios, failure sources and markers from the definition."""

from __future__ import annotations

import random

import attrs
import orjson
import pytest

from callstate.errors import IllegalTransition, UsageError
from callstate.facts import BLIND, MEETING_MODE_FAILURE, Result
from callstate.machine import CALL_MACHINE, TRANSFER_KINDS, TransferKind, call_machine, compiled
from callstate.simulate import (
    PLAIN_SCENARIOS,
    SCENARIOS,
    TARGETS,
    TRANSFER_SCENARIOS,
    Plan,
    build,
    flows,
    jsonl,
    mix,
    random_plan,
    simulate,
)
from callstate.verdict import validate_lines

CALL = "341a0500-d4bf-4224-8b19-1581168d328b"
# A second blind failure result of a variant (not meeting mode's: that one is sent only
# on calls in meeting mode).
EXTRA = Result(500, 7099)
TWO_CODES = call_machine(
    kinds=tuple(
        attrs.evolve(k, failure=(*k.failure, EXTRA)) if k.name == BLIND else k
        for k in TRANSFER_KINDS
    )
)
GROUP = TransferKind(
    name="group",
    selected_by="/transferTarget/groupCallId",
    failure=(Result(500, 7900),),
    success=(Result(0, 7915),),
)
THREE_KINDS = call_machine(kinds=(*TRANSFER_KINDS, GROUP))


def _codes(lines: list[dict[str, object]]) -> set[tuple[object, object]]:
    found = set()
    for line in lines:
        value = line.get("value")
        if not isinstance(value, list):
            continue
        data = value[0]["resourceData"]
        info = data.get("resultInfo") if isinstance(data, dict) else None
        if info:
            found.add((int(info["code"]), int(info.get("subcode", info.get("subCode")))))
    return found


class TestScenarios:
    def test_call_machine_scenarios_are_its_kinds_times_targets(self) -> None:
        """The four documented scenarios are the declared kinds times the targets."""
        expected = tuple(f"{k.name}-{t}" for k in CALL_MACHINE.kinds for t in TARGETS)
        assert expected == TRANSFER_SCENARIOS
        assert (*expected, *PLAIN_SCENARIOS) == SCENARIOS

    def test_a_new_kind_is_two_more_scenarios(self) -> None:
        """A third kind adds its two scenarios and nothing else."""
        expected = (*TRANSFER_SCENARIOS, "group-user", "group-pstn")
        assert expected == flows(THREE_KINDS).transfer_scenarios

    def test_no_kinds_no_transfers(self) -> None:
        """A definition without transfer kinds tells only the calls without a transfer."""
        bare = CALL_MACHINE.replace(kinds=())
        assert PLAIN_SCENARIOS == flows(bare).scenarios

    def test_unknown_kind_is_refused_by_build(self) -> None:
        """A plan for a kind the definition lacks is a usage error naming the scenario."""
        with pytest.raises(UsageError) as caught:
            build(Plan(scenario="group-user", call_id=CALL))
        expected = "scenario"
        assert expected == caught.value.argument


class TestFailSources:
    def test_read_from_the_compiled_machine(self) -> None:
        """A transfer fails from every state the compiled machine accepts its failure in."""
        machine = compiled(CALL_MACHINE)
        for kind, flow in flows(CALL_MACHINE).kinds.items():
            event = flow.failure.event
            expected = tuple(
                s
                for s in CALL_MACHINE.states
                if s != "established" and machine.step(s, event, kind) is not None
            )
            assert expected == flow.failure.sources

    def test_a_dropped_edge_is_a_dropped_source(self) -> None:
        """Without the failure edges out of transferring, no plan fails from there."""
        failure = CALL_MACHINE.event("fail_transfer").name
        kept = tuple(
            t
            for t in CALL_MACHINE.transitions
            if not (t.event == failure and t.source == "transferring")
        )
        narrow = CALL_MACHINE.replace(transitions=kept)
        expected = ("transferAccepted",)
        assert expected == flows(narrow).flow(BLIND).failure.sources
        plan = Plan(
            scenario="blind-user", call_id=CALL, outcome="failure", fail_from="transferring"
        )
        with pytest.raises(UsageError) as caught:
            build(plan, definition=narrow)
        assert "fail_from" == caught.value.argument
        drawn = {
            random_plan(random.Random(s), "blind-user", "failure", definition=narrow).fail_from
            for s in range(20)
        }
        assert expected == tuple(drawn)


class TestMarkers:
    def test_seeds_emit_every_failure_code(self) -> None:
        """With two blind failure codes, some seeds send one and some the other."""
        seen = set()
        for seed in range(30):
            seen |= _codes(
                simulate("blind-user", outcome="failure", seed=seed, definition=TWO_CODES)
            )
        assert {(500, 7000), (EXTRA.code, EXTRA.subcode)} <= seen

    def test_the_variant_accepts_what_it_simulates(self) -> None:
        """Its own tracker accepts a mix of the variant's calls."""
        lines = list(mix(40, seed=3, definition=TWO_CODES))
        report = validate_lines(lines, definition=TWO_CODES)
        expected: object = ([], 40)
        assert expected == (report.violations, report.calls)

    def test_marker_out_of_range_is_refused(self) -> None:
        """A marker index past the outcome's markers is a usage error naming the field."""
        last = len(flows(TWO_CODES).flow(BLIND).failure.markers)
        plan = Plan(scenario="blind-user", call_id=CALL, outcome="failure", failure_marker=last)
        with pytest.raises(UsageError) as caught:
            build(plan, definition=TWO_CODES)
        assert "failure_marker" == caught.value.argument
        second = attrs.evolve(plan, failure_marker=last - 1)
        assert (EXTRA.code, EXTRA.subcode) in _codes(build(second, definition=TWO_CODES))


class TestMeetingMode:
    """500/8523 is sent only where Graph sends it: on a call in meeting mode."""

    def test_only_meeting_mode_calls_carry_it(self) -> None:
        """Over many seeds and both kinds, no peer-to-peer failure carries the meeting code."""
        meeting = (MEETING_MODE_FAILURE.code, MEETING_MODE_FAILURE.subcode)
        for scenario in TRANSFER_SCENARIOS:
            for seed in range(30):
                for timed in (False, True):
                    lines = simulate(scenario, outcome="failure", seed=seed, timed=timed)
                    plan = random_plan(random.Random(seed), scenario, "failure", timed=timed)
                    assert (meeting in _codes(lines)) == plan.meeting

    def test_a_meeting_call_fails_with_it(self) -> None:
        """A plan in meeting mode fails with the meeting code, and only with it."""
        for kind in CALL_MACHINE.kinds:
            eligible = flows(CALL_MACHINE).flow(kind.name).failure.eligible(True)
            plan = Plan(
                scenario=f"{kind.name}-user",
                call_id=CALL,
                outcome="failure",
                meeting=True,
                failure_marker=eligible[0],
            )
            failures = {(r.code, r.subcode) for r in kind.failure}
            expected = {(MEETING_MODE_FAILURE.code, MEETING_MODE_FAILURE.subcode)}
            assert expected == _codes(build(plan)) & failures

    def test_the_meeting_code_out_of_meeting_mode_is_refused(self) -> None:
        """Asking for the meeting code on a peer-to-peer call is a usage error on the marker."""
        eligible = flows(CALL_MACHINE).flow(BLIND).failure.eligible(True)
        plan = Plan(
            scenario="blind-user", call_id=CALL, outcome="failure", failure_marker=eligible[0]
        )
        with pytest.raises(UsageError) as caught:
            build(plan)
        assert "failure_marker" == caught.value.argument


class TestNewKind:
    def test_request_selects_the_kind(self) -> None:
        """The request record carries the field that selects the kind, so it is read as it."""
        plan = Plan(scenario="group-pstn", call_id=CALL, request=True)
        (record,) = [
            line["request"] for line in build(plan, definition=THREE_KINDS) if "request" in line
        ]
        expected = "group"
        assert expected == THREE_KINDS.kind_of(record["body"])
        assert plan.replaces_call_id == record["body"]["transferTarget"]["groupCallId"]

    @pytest.mark.parametrize("outcome", ["success", "failure"])
    def test_calls_of_the_new_kind_are_valid(self, outcome: str) -> None:
        """Every seed's call of the new kind passes the variant's tracker, with its own codes."""
        codes = set()
        for seed in range(12):
            lines = simulate("group-user", outcome=outcome, seed=seed, definition=THREE_KINDS)
            report = validate_lines(list(jsonl(lines)), definition=THREE_KINDS)
            assert [] == report.violations
            codes |= _codes(lines)
        wanted = (0, 7915) if outcome == "success" else (500, 7900)
        assert wanted in codes

    def test_the_call_machine_refuses_the_new_kind(self) -> None:
        """The documented machine reads the new kind's result as no marker of its own."""
        lines = simulate("group-user", outcome="failure", seed=1, definition=THREE_KINDS)
        report = validate_lines([orjson.dumps(line) for line in lines])
        assert report.violations


class TestStoryTheDefinitionRefuses:
    """A checked definition without a step of the spec's story is never silently simulated."""

    WITHOUT_RESUME = CALL_MACHINE.replace(
        transitions=tuple(
            t for t in CALL_MACHINE.transitions if (t.source, t.dest) != ("hold", "established")
        )
    )

    def test_build_refuses_a_call_it_would_reject(self) -> None:
        """A resumed hold on a machine with no way back from hold raises, naming the state."""
        plan = Plan(scenario="blind-user", call_id=CALL, hold="resumed")
        with pytest.raises(IllegalTransition) as caught:
            build(plan, definition=self.WITHOUT_RESUME)
        expected = ("hold", "connect")
        assert expected == (caught.value.state, caught.value.event)

    def test_the_rest_is_still_simulated(self) -> None:
        """Without a hold the same plan builds, and its tracker accepts it."""
        plan = Plan(scenario="blind-user", call_id=CALL)
        lines = list(jsonl(build(plan, definition=self.WITHOUT_RESUME)))
        assert [] == validate_lines(lines, definition=self.WITHOUT_RESUME).violations
