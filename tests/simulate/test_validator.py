"""The validator accepts every simulated stream."""

from __future__ import annotations

import pytest

from callstate.simulate import OUTCOMES, SCENARIOS, TRANSFER_SCENARIOS, jsonl, mix, simulate
from callstate.verdict import validate_lines


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_scenario_and_seed(scenario: str) -> None:
    """Each scenario and outcome, over many seeds, conforms with no warning."""
    outcomes = OUTCOMES if scenario in TRANSFER_SCENARIOS else ("success",)
    for outcome in outcomes:
        for seed in range(40):
            lines = list(jsonl(simulate(scenario, outcome=outcome, seed=seed)))
            report = validate_lines(lines, strict=True)
            expected: tuple[object, ...] = (scenario, outcome, seed, [], [])
            assert expected == (scenario, outcome, seed, report.violations, report.warnings)


def test_mix() -> None:
    """A mix of 2,000 calls conforms, and every call is counted."""
    report = validate_lines(mix(2000, seed=11), strict=True)
    expected: tuple[object, ...] = ([], [], 2000)
    assert expected == (report.violations, report.warnings, report.calls)
