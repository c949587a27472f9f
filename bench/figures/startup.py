"""Startup: ``callstate validate`` on a one-line file, over ``python -c pass``.

Interleaved pairs; the figure is the median of the per-pair differences in milliseconds.
The interpreter's own startup is in both sides, so what is left is callstate's. The same
difference in CPU time is a reference: wall time of a 60 ms process swings with load.
A second pairing, against a process that only imports callstate's core dependencies
(attrs and orjson), says how much of the startup is callstate's own code and models.
"""

from __future__ import annotations

import statistics
import sys
from typing import Any, Final

from bench import commands, traces
from bench.processes import paired
from bench.report import Row, Target
from bench.settings import Settings, say

TITLE: Final = "startup: callstate validate on a one-line file, over python -c pass"
IN_WORKER: Final = False
TARGETS: Final = (Target("startup_over_python_ms", "<=", 30.0),)
#: What ``callstate validate`` cannot start without: the core dependencies' imports.
DEPENDENCIES: Final = "import attrs, orjson"


def measure(s: Settings) -> dict[str, Any]:
    """Paired differences, and both sides' medians and peak RSS."""
    path = traces.one_line(s.seed)
    say(f"startup: {s.startup_pairs} pairs")
    validate = commands.validate(str(path))
    pairs = paired(validate, [sys.executable, "-c", "pass"], pairs=s.startup_pairs, warmup=2)
    out: dict[str, Any] = {
        "startup_command": f"{commands.callstate_cli()[1]} validate ONE-LINE-FILE",
        "startup_validate_ms": statistics.median(r.seconds for r in pairs.a) * 1e3,
        "startup_python_ms": statistics.median(r.seconds for r in pairs.b) * 1e3,
        "startup_validate_peak_rss_mb": max(r.peak_rss_mb for r in pairs.a),
        "startup_python_peak_rss_mb": max(r.peak_rss_mb for r in pairs.b),
    }
    out.update(pairs.difference_ms.fields("startup_over_python_ms"))
    out.update(pairs.cpu_difference_ms.fields("startup_over_python_cpu_ms"))
    floor = paired(validate, [sys.executable, "-c", DEPENDENCIES], pairs=s.startup_pairs)
    out.update(floor.difference_ms.fields("startup_over_dependencies_ms"))
    out["startup_dependencies_ms"] = statistics.median(r.seconds for r in floor.b) * 1e3
    return out


def rows(fig: dict[str, Any]) -> list[Row]:
    """The difference, then both sides."""
    return [
        Row("startup over python -c pass, ms", "startup_over_python_ms", headline=True),
        Row(
            "startup over python -c pass, CPU time, ms",
            "startup_over_python_cpu_ms",
            "(reference)",
            headline=True,
        ),
        Row(
            f"startup over python -c {DEPENDENCIES!r}, ms",
            "startup_over_dependencies_ms",
            "(reference)",
            headline=True,
        ),
        Row("callstate validate (one line), ms", "startup_validate_ms"),
        Row(f"python -c {DEPENDENCIES!r}, ms", "startup_dependencies_ms"),
        Row("python -c pass, ms", "startup_python_ms"),
        Row("callstate validate (one line) peak RSS, MB", "startup_validate_peak_rss_mb"),
        Row("python -c pass peak RSS, MB", "startup_python_peak_rss_mb"),
    ]
