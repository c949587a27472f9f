"""callstate.strategies: what each strategy draws is what it says, and bad options are refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings, strategies as st

from callstate.errors import UsageError
from callstate.facts import CONSULTATIVE
from callstate.machine import CALL_MACHINE
from callstate.machine.invariants import Moves, Step
from callstate.simulate import SCENARIOS, TRANSFER_SCENARIOS, Plan
from callstate.strategies import (
    INVALID_REQUEST_RULES,
    MUTATION_RULES,
    e164_numbers,
    identity_sets,
    invalid_transfer_requests,
    mutated_streams,
    notification_streams,
    plans,
    signal_sequences,
    transfer_requests,
    transfer_targets,
    walks,
)
from callstate.transfer import RULES, validate_transfer_request
from callstate.verdict import validate_lines

_QUICK = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestTransferRequests:
    @given(transfer_requests())
    def test_valid_requests_pass(self, case: Any) -> None:
        """Every drawn request is valid, of the kind and target it says."""
        verdict = validate_transfer_request(case.body, path=case.path, caller=case.caller)
        assert ((), case.kind, case.target) == (verdict.problems, verdict.kind, verdict.target)

    @pytest.mark.parametrize("rule", INVALID_REQUEST_RULES)
    @_QUICK
    @given(data=st.data())
    def test_invalid_requests_break_exactly_their_rule(self, rule: str, data: Any) -> None:
        """Each invalid request has one problem: its rule, at its pointer."""
        case = data.draw(invalid_transfer_requests(rules=(rule,)))
        verdict = validate_transfer_request(case.body, path=case.path, caller=case.caller)
        assert [(rule, case.pointer)] == [(p.rule, p.pointer) for p in verdict.problems]

    def test_every_rule_is_a_transfer_rule(self) -> None:
        """Invalid requests are labelled with rule ids of callstate.transfer.RULES only."""
        assert set() == set(INVALID_REQUEST_RULES) - set(RULES)

    @given(
        st.sampled_from(["user", "phone", "applicationInstance"]).flatmap(
            lambda party: st.tuples(st.just(party), identity_sets(party=party))
        )
    )
    def test_identity_sets_name_one_party(self, drawn: Any) -> None:
        """An identity set names exactly the party asked for."""
        party, identity = drawn
        named = [n for n in ("user", "phone", "application_instance") if getattr(identity, n)]
        assert [party.replace("applicationInstance", "application_instance")] == named

    @given(e164_numbers())
    def test_phone_numbers_are_e164(self, number: str) -> None:
        """Phone numbers are '+' and 1 to 15 digits, the first not zero."""
        assert (True, True) == (number[0] == "+" and number[1] != "0", 2 <= len(number) <= 16)

    @given(transfer_targets(consultative=True))
    def test_consultative_targets_replace_a_call(self, target: Any) -> None:
        """A consultative target carries replacesCallId."""
        assert isinstance(target.replaces_call_id, str)


class TestStreams:
    @pytest.mark.parametrize("scenario", SCENARIOS)
    @_QUICK
    @given(data=st.data())
    def test_every_scenario_is_accepted(self, scenario: str, data: Any) -> None:
        """Streams of each scenario, interleaved with others, pass the validator."""
        stream = data.draw(notification_streams(scenarios=scenario, max_calls=2))
        expected: list[str] = []
        assert expected == [str(v) for v in validate_lines(stream.jsonl()).violations]

    @given(notification_streams(max_calls=4))
    def test_each_call_keeps_its_order(self, stream: Any) -> None:
        """Interleaving keeps every call's own lines in order."""
        from callstate.simulate import build

        for plan in stream.plans:
            mine = [line for line in stream.lines if plan.call_id in str(line)]
            assert build(plan) == mine

    def test_freedoms_are_drawn(self) -> None:
        """Every documented freedom occurs: late establishing, both spellings, strings, dups."""
        wanted: dict[str, Callable[[Plan], bool]] = {
            "late": lambda p: p.late_establishing,
            "subCode": lambda p: p.subcode_key == "subCode",
            "string codes": lambda p: p.string_codes,
            "duplicates": lambda p: bool(p.duplicates),
            "media before": lambda p: p.media_inactive == "before",
            "media after": lambda p: p.media_inactive == "after",
        }
        # find stops at the first plan that holds: a high budget costs only when one is rare.
        budget = settings(max_examples=2000, deadline=None, database=None)
        for name, holds in wanted.items():
            found = find(plans(scenarios=TRANSFER_SCENARIOS), holds, settings=budget)
            assert holds(found), name

    @pytest.mark.slow
    def test_failing_examples_shrink_small(self) -> None:
        """A stream that merely needs a failed consultative transfer shrinks to that one call."""
        found = find(
            notification_streams(max_calls=4),
            lambda s: any(
                p.scenario.startswith(CONSULTATIVE) and p.outcome == "failure" for p in s.plans
            ),
            settings=settings(max_examples=200, database=None),
        )
        plan = found.plans[0]
        expected: tuple[object, ...] = (1, "consultative-user", False, frozenset(), False)
        assert expected == (
            len(found.plans),
            plan.scenario,
            plan.retry,
            plan.duplicates,
            plan.request,
        )


class TestMutatedStreams:
    @pytest.mark.parametrize("rule", [r for r in MUTATION_RULES if r != "success-without-transfer"])
    @_QUICK
    @given(data=st.data())
    def test_label_names_the_inserted_line(self, rule: str, data: Any) -> None:
        """The labelled line is the inserted one: removing it gives the valid stream back."""
        mutated = data.draw(mutated_streams(rules=rule))
        kept = mutated.lines[: mutated.line - 1] + mutated.lines[mutated.line :]
        assert (rule, mutated.original.jsonl()) == (mutated.rule, kept)


def _reaches(state: str) -> Callable[[tuple[Step, ...]], bool]:
    return lambda walk: any(step.dest == state for step in walk)


class TestMachineStrategies:
    def test_walks_reach_every_state(self) -> None:
        """Walks are accepted steps and reach every state, transferAccepted included."""
        for state in CALL_MACHINE.states:
            walk = find(walks(), _reaches(state))
            assert state == walk[-1].dest

    @given(walks())
    def test_walk_steps_are_accepted(self, walk: Any) -> None:
        """Each step of a walk is what the compiled table does, from where the last one ended."""
        moves, state = Moves(CALL_MACHINE), CALL_MACHINE.initial
        for step in walk:
            assert step == moves.step(state, step.event, step.kind)
            state = step.dest

    @given(signal_sequences())
    def test_signal_sequences_are_signals(self, sequence: list[Any]) -> None:
        """Arbitrary sequences only hold notifications the definition knows."""
        from callstate.machine import compiled

        assert set() == set(sequence) - set(compiled(CALL_MACHINE).signals)


@pytest.mark.parametrize(
    ("build", "argument"),
    [
        (lambda: plans(scenarios="video-call"), "scenarios"),
        (lambda: plans(outcomes=()), "outcomes"),
        (lambda: notification_streams(min_calls=0), "min_calls"),
        (lambda: notification_streams(min_calls=3, max_calls=2), "max_calls"),
        (lambda: mutated_streams(rules="no-such-rule"), "rules"),
        (lambda: mutated_streams(definition="call"), "definition"),  # type: ignore[arg-type]
        (lambda: walks(start="limbo"), "start"),
        (lambda: walks(max_steps=-1), "max_steps"),
        (lambda: transfer_requests(kind="warm"), "kind"),
        (lambda: identity_sets(party="fax"), "party"),
        (lambda: invalid_transfer_requests(rules=("nope",)), "rules"),
    ],
)
def test_bad_options_are_usage_errors(build: Any, argument: str) -> None:
    """A bad option raises UsageError naming it, before anything is drawn."""
    with pytest.raises(UsageError) as caught:
        build()
    assert argument == caught.value.argument
