"""The spec's JSON blocks appear in the matching scenario's simulated output."""

from __future__ import annotations

import random
import re
from typing import Any, Protocol

import attrs
import pytest

from callstate.facts import BLIND, CONSULTATIVE
from callstate.simulate import OUTCOMES, build, random_plan, simulate
from callstate.transfer import validate_transfer_request


class SpecExample(Protocol):
    """What these tests read of the shared ``spec_examples`` fixture's examples."""

    title: str
    request_body: dict[str, Any]
    notifications: dict[str, dict[str, Any]]


SEEDS = range(16)
_PLACEHOLDER = re.compile(r"<[^>]*>|[A-Za-z]+-value")
# Per-call values the spec shows one instance of: any string matches.
_PER_CALL = frozenset({"clientContext", "replacesCallId"})
_CALL_URL = re.compile(r"(/communications/calls/)[^/]+")


def scenario_of(example: SpecExample) -> str:
    """``Example 2: Consultative transfer`` -> ``consultative-user``."""
    kind = CONSULTATIVE if "Consultative" in example.title else BLIND
    return f"{kind}-{'pstn' if 'PSTN' in example.title else 'user'}"


def _normal(value: Any, key: str = "") -> Any:
    """Spelling choices undone: ``subCode`` -> ``subcode``, digit strings -> ints, call id out."""
    if isinstance(value, dict):
        return {("subcode" if k == "subCode" else k): _normal(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if key in ("code", "subCode", "subcode") and isinstance(value, str):
        return int(value)
    if key == "resourceUrl":
        return _CALL_URL.sub(r"\1{id}", value)
    return value


def matches(spec: Any, actual: Any, *, ignore: frozenset[str] = frozenset(), key: str = "") -> bool:
    """Whether ``actual`` is ``spec`` with placeholders filled in; ``ignore`` drops keys."""
    if isinstance(spec, str) and (_PLACEHOLDER.fullmatch(spec) or key in _PER_CALL):
        return isinstance(actual, str) and bool(actual)
    if isinstance(spec, dict):
        if not isinstance(actual, dict):
            return False
        keys = set(spec) - ignore
        if keys != set(actual) - ignore:
            return False
        return all(matches(spec[k], actual[k], ignore=ignore, key=k) for k in keys)
    if isinstance(spec, list):
        return (
            isinstance(actual, list)
            and len(spec) == len(actual)
            and all(matches(s, a, ignore=ignore) for s, a in zip(spec, actual, strict=True))
        )
    return bool(spec == actual)


def appears(block: dict[str, Any], lines: list[dict[str, Any]], **options: Any) -> bool:
    """Whether the spec block matches one of the lines."""
    wanted = _normal(block)
    return any(matches(wanted, _normal(line), **options) for line in lines)


def _blocks(example: SpecExample, outcome: str) -> dict[str, dict[str, Any]]:
    left_out = "transfer failed" if outcome == "success" else "transfer completed"
    return {k: v for k, v in example.notifications.items() if k != left_out}


class TestNotifications:
    """Every notification block of each example, in that example's scenario and outcome."""

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_every_block_appears_across_seeds(
        self, spec_examples: list[SpecExample], outcome: str
    ) -> None:
        """Each block, replacesContext presence included, appears for some seed."""
        for example in spec_examples:
            outputs = [simulate(scenario_of(example), outcome=outcome, seed=s) for s in SEEDS]
            for title, block in _blocks(example, outcome).items():
                found = any(appears(block, lines) for lines in outputs)
                expected = (example.title, title, True)
                assert expected == (example.title, title, found)

    @pytest.mark.parametrize("outcome", OUTCOMES)
    def test_transferring_and_outcome_appear_for_every_seed(
        self, spec_examples: list[SpecExample], outcome: str
    ) -> None:
        """transferring and the outcome's block appear whatever the seed picks."""
        outcome_title = "transfer completed" if outcome == "success" else "transfer failed"
        ignore = frozenset({"replacesContext"})
        for example in spec_examples:
            for seed in SEEDS:
                lines = simulate(scenario_of(example), outcome=outcome, seed=seed)
                for title in ("transferring", outcome_title):
                    found = appears(example.notifications[title], lines, ignore=ignore)
                    expected = (example.title, seed, title, True)
                    assert expected == (
                        example.title,
                        seed,
                        title,
                        found,
                    )

    def test_matcher_can_fail(self, spec_examples: list[SpecExample]) -> None:
        """A blind success never shows the consultative completion, nor the reverse."""
        blind, consultative = spec_examples[0], spec_examples[1]
        lines = simulate(scenario_of(blind), outcome="success", seed=0)
        assert not appears(consultative.notifications["transfer completed"], lines)
        assert appears(blind.notifications["transfer completed"], lines)


class TestRequests:
    """Request records carry the spec example's body, with this call's ids."""

    def _request(self, scenario: str, seed: int) -> dict[str, Any]:
        plan = random_plan(random.Random(seed), scenario, "success")
        plan = attrs.evolve(plan, request=True, retry=False)
        records = [line["request"] for line in build(plan) if "request" in line]
        assert len(records) == 1
        record: dict[str, Any] = records[0]
        assert record["url"].endswith(f"/communications/calls/{plan.call_id}/transfer")
        return record

    def test_body_is_the_examples(self, spec_examples: list[SpecExample]) -> None:
        """The body matches the example's, placeholders and per-call ids aside."""
        for example in spec_examples:
            record = self._request(scenario_of(example), seed=1)
            expected = (example.title, True)
            assert expected == (
                example.title,
                matches(example.request_body, record["body"]),
            )
            method = "POST"
            assert method == record["method"]

    def test_body_validates_as_its_kind(self, spec_examples: list[SpecExample]) -> None:
        """The transfer-request validator accepts the body and sees the scenario's kind."""
        for example in spec_examples:
            scenario = scenario_of(example)
            record = self._request(scenario, seed=2)
            verdict = validate_transfer_request(record["body"], path=record["url"])
            kind, _, target = scenario.partition("-")
            expected = ((), kind, target)
            assert expected == (verdict.problems, verdict.kind, verdict.target)
