"""``callstate validate`` against the JSON floors, as interleaved pairs of whole processes.

The trace is ``callstate simulate mix --calls N --seed S``. Each pair runs validate, then
the floor; the figure is the median of the per-pair ratios of wall time, with their min
and max. The same ratio of CPU time (user + system, from ``wait4``) is a reference: it
moves less when other processes share the cores.
"""

from __future__ import annotations

import statistics
from typing import Any, Final

import orjson

from bench import commands, traces
from bench.processes import paired
from bench.report import Row, Target
from bench.settings import Settings, say

TITLE: Final = "validate against the JSON floors (whole processes, interleaved pairs)"
IN_WORKER: Final = False
TARGETS: Final = (
    Target("validate_vs_json_floor", "<=", 1.0, stretch=0.8),
    Target("validate_peak_rss_mb", "<=", 150.0),
)


def measure(s: Settings) -> dict[str, Any]:
    """validate / stdlib floor and validate / orjson floor, with the runs' peak RSS."""
    path = traces.mix(s.validate_calls, s.seed)
    validate = commands.validate(str(path), "--format", "json")
    stdlib = paired(
        validate, commands.json_floor(path), pairs=s.validate_pairs, say=say, label="vs json floor"
    )
    fast = paired(
        validate, commands.orjson_floor(path), pairs=s.orjson_pairs, say=say, label="vs orjson"
    )
    report = orjson.loads(stdlib.a[-1].stdout.splitlines()[-1])
    validates = stdlib.a + fast.a
    out: dict[str, Any] = {
        "validate_command": commands.callstate_cli()[1],
        "validate_trace": path.name,
        "validate_trace_mb": round(path.stat().st_size / 1e6, 1),
        "validate_lines": report.get("lines"),
        "validate_ok": report.get("ok"),
        "validate_exit": stdlib.a[-1].code,
        "validate_s": statistics.median(r.seconds for r in validates),
        "json_floor_s": statistics.median(r.seconds for r in stdlib.b),
        "orjson_floor_s": statistics.median(r.seconds for r in fast.b),
        "validate_peak_rss_mb": max(r.peak_rss_mb for r in validates),
        "json_floor_peak_rss_mb": max(r.peak_rss_mb for r in stdlib.b),
        "orjson_floor_peak_rss_mb": max(r.peak_rss_mb for r in fast.b),
    }
    out.update(stdlib.ratio.fields("validate_vs_json_floor"))
    out.update(fast.ratio.fields("validate_vs_orjson_floor"))
    out.update(stdlib.cpu_ratio.fields("validate_vs_json_floor_cpu"))
    out.update(fast.cpu_ratio.fields("validate_vs_orjson_floor_cpu"))
    return out


def rows(fig: dict[str, Any]) -> list[Row]:
    """Ratios first, then the seconds and peaks they come from."""
    return [
        Row(
            f"validate / stdlib floor ({fig.get('validate_lines', 0):,} lines)",
            "validate_vs_json_floor",
            headline=True,
        ),
        Row("validate / orjson floor", "validate_vs_orjson_floor", "(reference)", headline=True),
        Row(
            "validate / stdlib floor, CPU time",
            "validate_vs_json_floor_cpu",
            "(reference)",
            headline=True,
        ),
        Row("validate / orjson floor, CPU time", "validate_vs_orjson_floor_cpu", "(reference)"),
        Row(f"{fig.get('validate_command', 'validate')} --format json, s", "validate_s"),
        Row("stdlib json.loads floor, s", "json_floor_s"),
        Row("orjson.loads floor, s", "orjson_floor_s"),
        Row("validate peak RSS, MB", "validate_peak_rss_mb", headline=True),
        Row("stdlib floor peak RSS, MB", "json_floor_peak_rss_mb", "(reference)", headline=True),
        Row("orjson floor peak RSS, MB", "orjson_floor_peak_rss_mb", "(reference)"),
    ]
