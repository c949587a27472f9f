"""The benchmark harness still runs: ``python bench/run.py --quick`` ends with its JSON line.

No timing assertions: the figures are noise on a shared machine; only their shape is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

#: The figures of the Performance issue, each a number in the JSON line.
FIGURES = (
    "validate_vs_json_floor",
    "tracker_events_per_s",
    "tracker_vs_transitions",
    "tracker_vs_dict_table",
    "bytes_per_live_call",
    "add_call_scaling",
    "dict_insert_scaling",
    "call_model_event_us",
    "validate_peak_rss_mb",
)
#: The figures that carry a target, each with a pass/fail verdict.
TARGETED = (
    "validate_vs_json_floor",
    "tracker_vs_transitions",
    "bytes_per_live_call",
    "add_call_scaling",
    "call_model_event_us",
    "validate_peak_rss_mb",
)


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    """One ``--quick`` run of the harness, shared by the tests below."""
    return subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@pytest.fixture(scope="module")
def figures(quick_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON object on the last line of the run's stdout."""
    assert 0 == quick_run.returncode, quick_run.stderr[-2000:]
    last = quick_run.stdout.rstrip("\n").splitlines()[-1]
    data = json.loads(last)
    assert dict is type(data)
    return data


class TestQuickRun:
    """``bench/run.py --quick`` prints a table, then one JSON object as its last line."""

    def test_table_comes_before_the_json_line(
        self, quick_run: subprocess.CompletedProcess[str]
    ) -> None:
        """The readable table (machine first) precedes the JSON line."""
        lines = quick_run.stdout.rstrip("\n").splitlines()
        assert True is lines[1].startswith("machine:")
        assert [] == [line for line in lines[:-1] if line.startswith("{")]

    def test_every_figure_is_a_number(self, figures: dict[str, Any]) -> None:
        """Each figure of the issue is present and numeric (not a bool, not null)."""
        bad = {
            key: figures.get(key) for key in FIGURES if type(figures.get(key)) not in (int, float)
        }
        assert {} == bad

    def test_every_target_has_a_verdict(self, figures: dict[str, Any]) -> None:
        """``targets`` maps each targeted figure to its limit and a boolean pass."""
        targets = figures["targets"]
        assert sorted(TARGETED) == sorted(targets)
        assert {key: bool for key in TARGETED} == {k: type(v["pass"]) for k, v in targets.items()}

    def test_quick_mode_says_so(self, figures: dict[str, Any]) -> None:
        """A ``--quick`` run marks its figures as quick and tracks fewer than a million calls."""
        assert (True, True) == (figures["quick"], figures["live_calls"] < 1_000_000)
