"""The benchmark harness still runs: ``python bench/run.py --quick`` ends with its JSON line.

No timing assertions: the figures are noise on a shared machine; only their shape is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN = REPO / "bench" / "run.py"

#: Figures of the Performance issues, each a number in the JSON line of a quick run.
FIGURES = (
    "rss_check_pass_peak_rss_mb",
    "validate_vs_json_floor",
    "validate_vs_orjson_floor",
    "validate_peak_rss_mb",
    "startup_over_python_ms",
    "ingest_vs_orjson",
    "tracker_events_per_s",
    "tracker_vs_transitions",
    "tracker_vs_dict_table",
    "bytes_per_live_call",
    "rss_bytes_per_live_call",
    "add_call_scaling",
    "dict_insert_scaling",
    "add_call_scaling_vs_dict",
    "snapshot_max_ingest_wait_ms",
    "snapshot_json_s",
    "restore_s",
    "malformed_peak_rss_mb",
    "url_cache_peak_rss_mb",
    "call_model_event_us",
)
#: Ratios measured as pairs or rounds: each carries its spread.
PAIRED = (
    "validate_vs_json_floor",
    "validate_vs_orjson_floor",
    "startup_over_python_ms",
    "ingest_vs_orjson",
    "tracker_vs_transitions",
    "add_call_scaling_vs_dict",
    "call_model_event_us",
)


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), *args], capture_output=True, text=True, cwd=REPO, timeout=180
    )


def _markdown(run: subprocess.CompletedProcess[str], tmp_path: Path) -> list[str]:
    """``--markdown --from`` a saved run's output, as lines."""
    saved = tmp_path / "run.json"
    saved.write_text(run.stdout)
    done = _bench("--markdown", "--from", str(saved))
    assert 0 == done.returncode, done.stderr[-2000:]
    return done.stdout.splitlines()


def _last_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert 0 == done.returncode, done.stderr[-2000:]
    data = json.loads(done.stdout.rstrip("\n").splitlines()[-1])
    assert dict is type(data)
    return data


@pytest.fixture(scope="module")
def figure_modules() -> Iterator[dict[str, ModuleType]]:
    """The figure modules of ``bench/figures``, by name (their targets are read, not restated)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(REPO))
        from bench import figures

        yield {name: figures.load(name) for name in figures.NAMES}


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    """One ``--quick`` run of the harness, shared by the tests below."""
    return _bench("--quick")


@pytest.fixture(scope="module")
def call_model_run() -> subprocess.CompletedProcess[str]:
    """One ``--quick`` run of the smallest figure alone: what the default suite can afford."""
    return _bench("--quick", "--figure", "call_model")


@pytest.fixture(scope="module")
def figures(quick_run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The JSON object on the last line of the run's stdout."""
    return _last_json(quick_run)


# About 20 s of two cores (every figure in a fresh process): in the slow step, so the
# default suite stays under its 90 s.
@pytest.mark.slow
class TestQuickRun:
    """``bench/run.py --quick`` prints a table, then one JSON object as its last line."""

    def test_table_comes_before_the_json_line(
        self, quick_run: subprocess.CompletedProcess[str]
    ) -> None:
        """The readable table (machine first) precedes the JSON line."""
        lines = quick_run.stdout.rstrip("\n").splitlines()
        assert True is lines[1].startswith("machine:")
        assert [] == [line for line in lines[:-1] if line.startswith("{")]

    def test_markdown_of_the_whole_run(
        self, quick_run: subprocess.CompletedProcess[str], tmp_path: Path
    ) -> None:
        """The whole run renders as one table, with validate's row."""
        lines = _markdown(quick_run, tmp_path)
        header = "| figure | measured: median (min to max, n) | target | met |"
        assert 1 == lines.count(header)
        assert True is any("validate / stdlib floor" in line for line in lines)

    def test_no_figure_failed(self, figures: dict[str, Any]) -> None:
        """Every figure ran without error."""
        assert {} == figures["errors"]

    def test_every_figure_is_a_number(self, figures: dict[str, Any]) -> None:
        """Each figure of the issues is present and numeric (not a bool, not null)."""
        bad = {
            key: figures.get(key) for key in FIGURES if type(figures.get(key)) not in (int, float)
        }
        assert {} == bad

    def test_paired_ratios_carry_their_spread(self, figures: dict[str, Any]) -> None:
        """Each paired ratio has min <= median <= max and a count of pairs."""
        bad = [
            key
            for key in PAIRED
            if not figures[f"{key}_min"] <= figures[key] <= figures[f"{key}_max"]
            or figures[f"{key}_n"] < 1
        ]
        assert [] == bad

    def test_every_target_has_a_verdict(
        self, figures: dict[str, Any], figure_modules: dict[str, ModuleType]
    ) -> None:
        """``targets`` maps every declared target to a verdict: a bool pass, or null and why."""
        declared = {t.key for m in figure_modules.values() for t in m.TARGETS}
        targets = figures["targets"]
        assert declared == set(targets)
        shapes = {
            key: (v["status"] in ("pass", "fail")) == (type(v["pass"]) is bool)
            for key, v in targets.items()
        }
        assert {key: True for key in declared} == shapes

    def test_retired_target_is_gone(self, figures: dict[str, Any]) -> None:
        """``add_call_scaling`` is still reported but no longer judged."""
        assert (True, False) == (
            "add_call_scaling" in figures,
            "add_call_scaling" in figures["targets"],
        )

    def test_jobs_is_measured_or_said_unavailable(self, figures: dict[str, Any]) -> None:
        """Without ``--jobs`` the figure says so instead of passing or failing."""
        verdict = figures["targets"]["jobs2_vs_jobs1"]
        if figures["jobs_status"] == "measured":
            assert bool is type(verdict["pass"])
        else:
            assert ("not available", None) == (verdict["status"], verdict["pass"])

    def test_a_workers_scan_is_part_of_its_time(self, figures: dict[str, Any]) -> None:
        """A worker owning no call still reads every line: some of a worker's time, not all."""
        share = figures["jobs_scan_share"]
        assert True is (0 < share < 1), share

    def test_launcher_peak_is_the_childs_own(self, figures: dict[str, Any]) -> None:
        """Under a big parent, the launcher's ``python -c pass`` peak is below the naive one."""
        launched = figures["rss_check_pass_peak_rss_mb"]
        naive = figures["rss_check_naive_peak_rss_mb"]
        assert True is (launched < figures["rss_check_parent_hold_mb"] < naive)

    def test_machine_is_named(self, figures: dict[str, Any]) -> None:
        """The JSON names the CPU, cores, Python and package versions."""
        machine = figures["machine"]
        assert {"cpu", "cores", "python", "packages", "commit"} <= set(machine)
        assert True is ("orjson" in machine["packages"])

    def test_quick_mode_says_so(self, figures: dict[str, Any]) -> None:
        """A ``--quick`` run marks its figures as quick and tracks fewer than a million calls."""
        assert (True, True) == (figures["quick"], figures["live_calls"] < 1_000_000)


class TestOptions:
    """``--figure`` runs one figure; ``--markdown --from`` renders a saved run."""

    def test_one_figure(
        self,
        call_model_run: subprocess.CompletedProcess[str],
        figure_modules: dict[str, ModuleType],
    ) -> None:
        """``--figure call_model`` runs that figure alone, with only its targets."""
        data = _last_json(call_model_run)
        expected = {t.key for t in figure_modules["call_model"].TARGETS}
        assert (["call_model"], expected) == (data["figures_run"], set(data["targets"]))

    def test_json_only(self) -> None:
        """``--json-only`` prints the JSON line and nothing else."""
        done = _bench("--quick", "--figure", "call_model", "--json-only")
        lines = done.stdout.splitlines()
        assert (1, ["call_model"]) == (len(lines), _last_json(done)["figures_run"])

    def test_markdown_from_a_saved_run(
        self, call_model_run: subprocess.CompletedProcess[str], tmp_path: Path
    ) -> None:
        """The README table is rendered from a saved run: machine line, then a table with
        the figure's rows. (The whole quick run's table is checked in the slow step.)"""
        lines = _markdown(call_model_run, tmp_path)
        assert True is lines[0].startswith("Measured by `python bench/run.py` on ")
        header = "| figure | measured: median (min to max, n) | target | met |"
        assert 1 == lines.count(header)
        assert True is any("Call.fire / raw trigger" in line for line in lines)
