"""Self-check: a child's peak RSS is its own, whatever the bench parent holds.

While this process holds ``parent_hold_mb`` of touched memory, ``python -c pass`` is
run through the launcher (the figure, which must stay small) and the old way, ``Popen``
then ``wait4`` from here (a reference that shows the error the launcher avoids).
"""

from __future__ import annotations

import sys
from typing import Any, Final

from bench.processes import run, run_naive
from bench.report import Row, Target
from bench.settings import Settings, say

TITLE: Final = "RSS self-check: python -c pass while the bench parent holds memory"
IN_WORKER: Final = False
TARGETS: Final = (Target("rss_check_pass_peak_rss_mb", "<=", 30.0),)


def _resident(mb: int) -> bytearray:
    """``mb`` MiB of memory that is really resident (every page written)."""
    return bytearray(b"\x01") * (mb << 20)


def measure(s: Settings) -> dict[str, Any]:
    """Peak RSS of ``python -c pass``, through the launcher and naively, under a big parent."""
    say(f"rss check: holding {s.parent_hold_mb} MiB in the parent")
    held = _resident(s.parent_hold_mb)
    try:
        launched = [run([sys.executable, "-c", "pass"]) for _ in range(3)]
        naive = run_naive([sys.executable, "-c", "pass"])
    finally:
        del held
    return {
        "rss_check_parent_hold_mb": s.parent_hold_mb,
        "rss_check_pass_peak_rss_mb": max(r.peak_rss_mb for r in launched),
        "rss_check_naive_peak_rss_mb": naive.peak_rss_mb,
    }


def rows(fig: dict[str, Any]) -> list[Row]:
    """The launcher's figure against the naive one."""
    hold = fig.get("rss_check_parent_hold_mb", "?")
    return [
        Row(
            f"python -c pass peak RSS via launcher, MB (parent holds {hold} MiB)",
            "rss_check_pass_peak_rss_mb",
            headline=True,
        ),
        Row(
            "same, Popen + wait4 from the parent (the old error), MB",
            "rss_check_naive_peak_rss_mb",
            "(reference)",
        ),
    ]
