"""``validate --jobs 2`` over ``--jobs 1`` on the mix trace, as interleaved pairs.

Skipped, and said so, while ``callstate validate`` has no ``--jobs`` option. Meant for
two free cores: the machine's load average is recorded beside it.
"""

from __future__ import annotations

from typing import Any, Final

from bench import commands, host, traces
from bench.processes import paired
from bench.report import Row, Target
from bench.settings import Settings, say

TITLE: Final = "validate --jobs 2 over --jobs 1 (whole processes, interleaved pairs)"
IN_WORKER: Final = False
TARGETS: Final = (Target("jobs2_vs_jobs1", "<=", 0.6),)
NOT_AVAILABLE: Final = "not available: `callstate validate` has no --jobs option yet"


def measure(s: Settings) -> dict[str, Any]:
    """The ratio, or only a note when the option does not exist."""
    if "--jobs" not in commands.validate_help():
        say(f"jobs: {NOT_AVAILABLE}")
        return {"jobs_status": NOT_AVAILABLE}
    path = traces.mix(s.validate_calls, s.seed)
    two = commands.validate(str(path), "--format", "json", "--jobs", "2")
    one = commands.validate(str(path), "--format", "json", "--jobs", "1")
    load = host.load()
    pairs = paired(two, one, pairs=s.jobs_pairs, say=say, label="jobs 2 vs 1")
    same = pairs.a[-1].stdout == pairs.b[-1].stdout
    out: dict[str, Any] = {
        "jobs_status": "measured",
        "jobs_load_before": load,
        "jobs_output_identical": same,
        "jobs2_peak_rss_mb": max(r.peak_rss_mb for r in pairs.a),
    }
    out.update(pairs.ratio.fields("jobs2_vs_jobs1"))
    return out


def statuses(fig: dict[str, Any]) -> dict[str, str]:
    """Not available while the CLI has no ``--jobs``."""
    return {"jobs2_vs_jobs1": "not available"} if fig.get("jobs_status") == NOT_AVAILABLE else {}


def rows(fig: dict[str, Any]) -> list[Row]:
    """The ratio, whether the outputs agree, or why it was skipped."""
    return [
        Row("validate --jobs 2 / --jobs 1", "jobs2_vs_jobs1", headline=True),
        Row("--jobs 2 output identical to --jobs 1", "jobs_output_identical"),
        Row("status", "jobs_status"),
    ]
