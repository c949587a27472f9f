"""``outcome`` is how a call's transfers end: ``failure`` means none of them succeeds."""

from __future__ import annotations

import random
from typing import Any

import pytest

from callstate.facts import BLIND, CONSULTATIVE, TRANSFER_FAILURE, TRANSFER_SUCCESS, Result
from callstate.machine import CALL_MACHINE
from callstate.simulate import (
    TRANSFER_SCENARIOS,
    Plan,
    expect,
    flows,
    jsonl,
    random_plan,
    simulate,
)
from callstate.verdict import validate_lines

SEEDS = range(40)
CALL = "341a0500-d4bf-4224-8b19-1581168d328b"


def _results(lines: list[dict[str, Any]]) -> list[Result]:
    """The result each call notification carries, read from the JSON; retries skipped."""
    found = []
    previous = None
    for line in lines:
        if "value" not in line or line == previous:
            continue
        previous = line
        data = line["value"][0]["resourceData"]
        if not isinstance(data, dict) or "state" not in data:
            continue
        info = data.get("resultInfo") or {}
        subcode = info.get("subcode", info.get("subCode"))
        code = None if info.get("code") is None else int(info["code"])
        found.append(
            Result(code, None if subcode is None else int(subcode), data.get("terminationReason"))
        )
    return found


def _outcomes(lines: list[dict[str, Any]], kind: str) -> list[str]:
    """``failure`` / ``success`` for each documented transfer result the lines carry."""
    labels = {r: "failure" for r in TRANSFER_FAILURE[kind]}
    labels |= {r: "success" for r in TRANSFER_SUCCESS[kind]}
    return [labels[r] for r in _results(lines) if r in labels]


def _kind(scenario: str) -> str:
    return scenario.rpartition("-")[0]


class TestFailureMeansNoSuccess:
    @pytest.mark.parametrize("scenario", TRANSFER_SCENARIOS)
    def test_no_seed_succeeds(self, scenario: str) -> None:
        """With outcome failure no seed's call carries a success result; each is valid."""
        for seed in SEEDS:
            lines = simulate(scenario, outcome="failure", seed=seed)
            outcomes = _outcomes(lines, _kind(scenario))
            expected: object = (seed, [], True)
            assert expected == (
                seed,
                validate_lines(list(jsonl(lines))).violations,
                outcomes in (["failure"], ["failure", "failure"]),
            )

    def test_some_failing_seed_retries(self) -> None:
        """Across seeds, a failing call is sometimes retried, and fails again."""
        counts = {
            len(_outcomes(simulate(f"{BLIND}-user", outcome="failure", seed=s), BLIND))
            for s in SEEDS
        }
        expected = {1, 2}
        assert expected == counts

    def test_failure_ends_by_hang_up(self) -> None:
        """A call whose transfers all failed still ends, with no transfer result last."""
        plan = Plan(scenario="consultative-pstn", call_id=CALL, outcome="failure", retry=True)
        expected = (CALL_MACHINE.ended, None)
        assert expected == (expect(plan).final_state, expect(plan).events[-1][1])


class TestSuccessMayFollowAFailure:
    @pytest.mark.parametrize("scenario", TRANSFER_SCENARIOS)
    def test_every_seed_succeeds_last(self, scenario: str) -> None:
        """With outcome success every seed's call ends with its kind's success result."""
        for seed in SEEDS:
            lines = simulate(scenario, outcome="success", seed=seed)
            outcomes = _outcomes(lines, _kind(scenario))
            expected: object = (seed, [], True)
            assert expected == (
                seed,
                validate_lines(list(jsonl(lines))).violations,
                outcomes in (["success"], ["failure", "success"]),
            )

    def test_some_succeeding_seed_fails_first(self) -> None:
        """Across seeds, a successful call sometimes fails first: fail, retry, succeed."""
        counts = {
            len(_outcomes(simulate(f"{CONSULTATIVE}-user", seed=s), CONSULTATIVE)) for s in SEEDS
        }
        expected = {1, 2}
        assert expected == counts

    def test_retry_is_one_failure_then_the_outcome(self) -> None:
        """``retry`` with outcome success: the kind's failure, then its success."""
        plan = Plan(scenario="consultative-user", call_id=CALL, outcome="success", retry=True)
        flow = flows(CALL_MACHINE).flow(CONSULTATIVE)
        expected = [flow.failure.signal, flow.success.signal]
        assert expected == [s for s in expect(plan).events if s[1] is not None]

    def test_random_plan_failures_count(self) -> None:
        """``Plan.failures`` counts the failed transfers the call's lines carry."""
        for seed in SEEDS:
            for outcome in ("success", "failure"):
                plan = random_plan(random.Random(seed), "blind-pstn", outcome)
                signal = flows(CALL_MACHINE).flow(BLIND).failure.signal
                failures = [s for s in expect(plan).events if s == signal]
                assert plan.failures == len(failures)
