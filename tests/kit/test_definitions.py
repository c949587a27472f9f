"""Strategies over any checked definition: drawn from it, and judged by its own tracker."""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import HealthCheck, find, given, settings, strategies as st

from callstate.facts import BLIND, Result
from callstate.machine import CALL_MACHINE, TRANSFER_KINDS, MachineDefinition, call_machine
from callstate.simulate import flows
from callstate.strategies import definitions, mutated_streams, notification_streams, plans
from callstate.verdict import validate_lines

_QUICK = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: A variant's own second failure code, sent out of meeting mode (unlike 8523).
EXTRA = Result(500, 7001)
TWO_CODES = call_machine(
    kinds=tuple(
        attrs.evolve(k, failure=(*k.failure, EXTRA)) if k.name == BLIND else k
        for k in TRANSFER_KINDS
    )
)
FAILURE = CALL_MACHINE.event("fail_transfer").name
NARROW = CALL_MACHINE.replace(
    transitions=tuple(
        t
        for t in CALL_MACHINE.transitions
        if not (t.event == FAILURE and t.source == "transferring")
    )
)


class TestDrawnFromTheDefinition:
    @_QUICK
    @given(plans(definition=NARROW, outcomes="failure"))
    def test_failures_come_from_where_the_definition_accepts_them(self, plan: Any) -> None:
        """With no failure edge out of transferring, no plan fails from there."""
        if plan.kind is not None:
            assert plan.fail_from in flows(NARROW).flow(plan.kind).failure.sources
            assert "transferring" != plan.fail_from

    def test_the_second_marker_is_drawn(self) -> None:
        """Some plan of the variant carries its own blind failure code (after 7000 and 8523)."""
        found = find(
            plans(definition=TWO_CODES, scenarios="blind-user", outcomes="failure"),
            lambda p: p.failure_marker == 2,
            settings=settings(database=None, max_examples=200),
        )
        assert 2 == found.failure_marker

    @_QUICK
    @given(notification_streams(definition=TWO_CODES, max_calls=3))
    def test_streams_of_the_variant_are_accepted(self, stream: Any) -> None:
        """The variant's tracker accepts every stream drawn from it, with no violation."""
        assert [] == validate_lines(stream.jsonl(), definition=TWO_CODES).violations
        assert TWO_CODES == stream.definition

    @_QUICK
    @given(mutated_streams(definition=TWO_CODES, max_calls=2))
    def test_mutated_streams_of_the_variant_are_reported_there(self, mutated: Any) -> None:
        """Each mutation of a variant's stream is reported by its tracker at the inserted line."""
        report = validate_lines(mutated.lines, definition=TWO_CODES)
        expected = [(mutated.line, mutated.rule, mutated.call_id)]
        assert expected == [(v.line, v.rule, v.call_id) for v in report.violations]


WITHOUT_RESUME = CALL_MACHINE.replace(
    transitions=tuple(
        t for t in CALL_MACHINE.transitions if (t.source, t.dest) != ("hold", "established")
    )
)


@_QUICK
@given(notification_streams(definition=WITHOUT_RESUME, max_calls=2))
def test_streams_only_tell_what_the_definition_accepts(stream: Any) -> None:
    """With no way back from hold, no drawn plan resumes one, and every stream is accepted."""
    held = {p.hold for p in stream.plans if p.scenario not in ("reject", "redirect")}
    assert "resumed" not in held
    assert [] == validate_lines(stream.jsonl(), definition=WITHOUT_RESUME).violations


_TRANSFER = flows(CALL_MACHINE).transfer_request().name
#: The call machine without its transfer request: a bot that never asks for one.
LACKING = CALL_MACHINE.replace(
    requests=tuple(r for r in CALL_MACHINE.requests if r.name != _TRANSFER)
)


class TestAnyDefinition:
    """The kit's strategies compose: streams of any drawn definition, told and accepted."""

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data(), definition=definitions())
    def test_streams_of_drawn_definitions_are_accepted(
        self, data: st.DataObject, definition: MachineDefinition
    ) -> None:
        """Whatever edges or requests a drawn definition lacks, its streams draw and pass."""
        stream = data.draw(notification_streams(definition=definition, max_calls=2))
        assert [] == validate_lines(stream.jsonl(), definition=definition).violations

    def test_a_definition_without_a_transfer_request(self) -> None:
        """Group and legacy transfers are told by the request: without one, not drawn."""
        scenarios = flows(LACKING).every_scenario
        assert (False, False) == (
            any(s.startswith("group-") for s in scenarios),
            "legacy" in scenarios,
        )

    @_QUICK
    @given(mutated_streams(definition=LACKING, max_calls=2))
    def test_mutated_streams_without_a_transfer_request(self, mutated: Any) -> None:
        """Its streams are broken as any other's, and reported at the inserted line."""
        report = validate_lines(mutated.lines, definition=LACKING)
        expected = [(mutated.line, mutated.rule, mutated.call_id)]
        assert expected == [(v.line, v.rule, v.call_id) for v in report.violations]
