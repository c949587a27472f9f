"""``validate --jobs 2`` over ``--jobs 1`` on the mix trace, as interleaved pairs.

Skipped, and said so, while ``callstate validate`` has no ``--jobs`` option. Meant for
two free cores: the machine's load average is recorded beside it. A reference says what
bounds it: one worker's CPU time, and that of a worker that owns no call (index ``jobs``),
which only reads every line to find its calls, the same code with nothing to validate.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

import orjson

from bench import commands, host, traces
from bench.processes import ROOT, child_env, paired
from bench.report import Row, Target
from bench.settings import Settings, say

TITLE: Final = "validate --jobs 2 over --jobs 1 (whole processes, interleaved pairs)"
IN_WORKER: Final = False
TARGETS: Final = (Target("jobs2_vs_jobs1", "<=", 0.6),)
NOT_AVAILABLE: Final = "not available: `callstate validate` has no --jobs option yet"
#: CPU seconds of worker 0 and of a worker owning no call, in a fresh process.
_WORKERS: Final = """
import json, sys, time
from callstate.verdict import _partition
_partition._JOB.update(path=sys.argv[1], options={}, jobs=2)
times = []
for index in (0, 2):
    start = time.process_time()
    _partition._work(index)
    times.append(time.process_time() - start)
print(json.dumps(times))
"""


def _worker_seconds(path: Path, rounds: int) -> tuple[float, float]:
    """Median CPU seconds of one worker of two, and of its scan alone."""
    runs = []
    for _ in range(rounds):
        done = subprocess.run(
            [sys.executable, "-c", _WORKERS, str(path)],
            capture_output=True,
            cwd=ROOT,
            env=child_env(),
            check=True,
            timeout=600,
        )
        runs.append(orjson.loads(done.stdout))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


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
    worker, scan = _worker_seconds(path, max(1, s.jobs_pairs // 2))
    out.update(jobs_worker_cpu_s=worker, jobs_scan_cpu_s=scan, jobs_scan_share=scan / worker)
    return out


def statuses(fig: dict[str, Any]) -> dict[str, str]:
    """Not available while the CLI has no ``--jobs``."""
    return {"jobs2_vs_jobs1": "not available"} if fig.get("jobs_status") == NOT_AVAILABLE else {}


def rows(fig: dict[str, Any]) -> list[Row]:
    """The ratio, whether the outputs agree, or why it was skipped."""
    return [
        Row("validate --jobs 2 / --jobs 1", "jobs2_vs_jobs1", headline=True),
        Row("--jobs 2 output identical to --jobs 1", "jobs_output_identical"),
        Row("one worker of two, CPU s", "jobs_worker_cpu_s"),
        Row("a worker owning no call (reading every line), CPU s", "jobs_scan_cpu_s"),
        Row("its share of a worker", "jobs_scan_share", "(reference)"),
        Row("status", "jobs_status"),
    ]
