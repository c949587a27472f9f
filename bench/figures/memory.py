"""Memory bounded by bytes (issue 10): peak RSS of whole processes on hostile inputs.

- ``callstate validate`` on N lines that are each malformed (every line a finding);
- the URL-cache repro: distinct 256 KiB call ids through
  ``Tracker(max_calls=100, ended_limit=100)``, each call created, established, its roster
  updated (a sub-resource URL, which the tracker reads in full) and deleted;
- the classification-cache repro (reference): distinct 900 KB termination reasons.

Each runs through the launcher with an RSS cap, so a regression is reported as
"stopped at the cap" instead of taking the shared machine down. The repros run as
``python -m bench.figures.memory REPRO N SIZE`` and print their own VmHWM too.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from bench import commands, traces
from bench.processes import Run, run
from bench.report import Row, Target
from bench.settings import Settings, say

TITLE: Final = "memory bounded by bytes: peak RSS on hostile inputs (whole processes)"
IN_WORKER: Final = False
TARGETS: Final = (
    Target("malformed_peak_rss_mb", "<=", 100.0),
    Target("url_cache_peak_rss_mb", "<=", 300.0),
)
_TIME_LIMIT_S: Final = 300.0
_CALL: Final = b'{"value":[{"changeType":"%s","resourceUrl":"/communications/calls/%s",'
_DATA: Final = b'"resourceData":{"@odata.type":"#microsoft.graph.call"%s}}]}'
_ROSTER: Final = (
    b'{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/%s/participants",'
    b'"resourceData":[]}]}'
)


def _notification(change: bytes, cid: bytes, data: bytes = b"") -> bytes:
    return _CALL % (change, cid) + _DATA % data


def _url_cache(ids: int, kib: int) -> int:
    """The URL-cache repro; returns the number of findings (held by nobody)."""
    from callstate import Tracker

    tracker = Tracker(max_calls=100, ended_limit=100)
    pad = b"x" * (kib * 1024 - 8)
    findings = 0
    for i in range(ids):
        cid = b"%08d" % i + pad
        findings += len(tracker.ingest(_notification(b"created", cid, b',"state":"incoming"')))
        findings += len(tracker.ingest(_notification(b"updated", cid, b',"state":"established"')))
        findings += len(tracker.ingest(_ROSTER % cid))  # a sub-resource URL: read in full
        findings += len(tracker.ingest(_notification(b"deleted", cid)))
    return findings


def _reason_cache(reasons: int, kb: int) -> int:
    """The classification-cache repro: each call ends with its own huge terminationReason."""
    from callstate import Tracker

    tracker = Tracker()
    findings = 0
    for i in range(reasons):
        cid = b"%08d-0000-4000-8000-000000000000" % i
        reason = b"%08d" % i + b"r" * (kb * 1000 - 8)
        findings += len(tracker.ingest(_notification(b"created", cid, b',"state":"incoming"')))
        end = b',"state":"terminated","terminationReason":"%s"' % reason
        findings += len(tracker.ingest(_notification(b"deleted", cid, end)))
    return findings


_REPROS: Final = {"url-cache": _url_cache, "reason-cache": _reason_cache}


def _repro(name: str, count: int, size: int, cap_mb: float) -> tuple[Run, dict[str, Any]]:
    argv = [sys.executable, "-m", "bench.figures.memory", name, str(count), str(size)]
    done = run(argv, rss_cap_mb=cap_mb, time_limit_s=_TIME_LIMIT_S)
    own: dict[str, Any] = {}
    if done.stopped is None and done.stdout.strip():
        own = json.loads(done.stdout.splitlines()[-1])
    return done, own


def _peak(done: Run) -> float:
    """The peak; a run stopped at the RSS cap shows at least the cap, so it fails."""
    return done.peak_rss_mb


def measure(s: Settings) -> dict[str, Any]:
    """The three peaks, each with what the process did."""
    path = traces.malformed(s.malformed_lines)
    say(f"memory: validate on {s.malformed_lines:,} malformed lines")
    with tempfile.TemporaryDirectory(prefix="callstate-bench-") as tmp:
        printed = Path(tmp) / "out.txt"
        done = run(
            commands.validate(str(path)),
            stdout=printed,
            rss_cap_mb=s.rss_cap_mb,
            time_limit_s=_TIME_LIMIT_S,
        )
        with printed.open("rb") as f:
            lines_out = sum(1 for _ in f)
    out: dict[str, Any] = {
        "malformed_lines": s.malformed_lines,
        "malformed_peak_rss_mb": _peak(done),
        "malformed_stopped": done.stopped or "no",
        "malformed_exit": done.code,
        "malformed_output_lines": lines_out,
        "malformed_s": done.seconds,
    }
    say(f"memory: URL-cache repro, {s.url_ids:,} ids of {s.url_id_kib} KiB")
    url, own = _repro("url-cache", s.url_ids, s.url_id_kib, s.rss_cap_mb)
    out |= {
        "url_cache_ids": s.url_ids,
        "url_cache_peak_rss_mb": _peak(url),
        "url_cache_stopped": url.stopped or "no",
        "url_cache_own_hwm_mb": own.get("peak_rss_mb"),
        "url_cache_findings": own.get("findings"),
    }
    say(f"memory: classification-cache repro, {s.reasons:,} reasons of {s.reason_kb} KB")
    reason, own = _repro("reason-cache", s.reasons, s.reason_kb, s.rss_cap_mb)
    out |= {
        "reason_cache_reasons": s.reasons,
        "reason_cache_peak_rss_mb": _peak(reason),
        "reason_cache_stopped": reason.stopped or "no",
        "reason_cache_findings": own.get("findings"),
    }
    return out


def statuses(fig: dict[str, Any]) -> dict[str, str]:
    """A run stopped at the time limit has no peak to judge."""
    return {
        f"{name}_peak_rss_mb": "stopped at the time limit"
        for name in ("malformed", "url_cache")
        if fig.get(f"{name}_stopped") == "time"
    }


def rows(fig: dict[str, Any]) -> list[Row]:
    """Each peak, then what the processes did."""
    n = fig.get("malformed_lines", 0)
    ids, reasons = fig.get("url_cache_ids", 0), fig.get("reason_cache_reasons", 0)
    return [
        Row(
            f"validate, {n:,} malformed lines: peak RSS, MB", "malformed_peak_rss_mb", headline=True
        ),
        Row("  stopped at the RSS cap or time limit", "malformed_stopped"),
        Row("  lines printed (findings + summary)", "malformed_output_lines"),
        Row("  seconds", "malformed_s"),
        Row(
            f"URL-cache repro, {ids:,} ids of 256 KiB: peak RSS, MB",
            "url_cache_peak_rss_mb",
            headline=True,
        ),
        Row("  stopped at the RSS cap or time limit", "url_cache_stopped"),
        Row("  its own VmHWM, MB", "url_cache_own_hwm_mb"),
        Row(
            f"classification-cache repro, {reasons:,} reasons of 900 KB: peak RSS, MB",
            "reason_cache_peak_rss_mb",
            "(reference)",
            headline=True,
        ),
        Row("  stopped at the RSS cap or time limit", "reason_cache_stopped"),
    ]


def _main(argv: list[str]) -> int:
    """``python -m bench.figures.memory REPRO COUNT SIZE``: run one repro, print JSON."""
    from bench.figures._calls import peak_rss_mb

    name, count, size = argv[0], int(argv[1]), int(argv[2])
    start = time.perf_counter()
    findings = _REPROS[name](count, size)
    seconds = time.perf_counter() - start
    print(json.dumps({"findings": findings, "seconds": seconds, "peak_rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
