"""Many live calls for the live-call and snapshot figures: ids, bodies, filling a tracker."""

from __future__ import annotations

import os
from typing import Any, Final

CALL_URL: Final = "/communications/calls/"


def call_id(i: int) -> str:
    """A 36-character uuid-shaped id, distinct for every ``i``."""
    return f"{i:08x}-0000-4000-8000-{(i * 2654435761) % (1 << 48):012x}"


def body(cid: str, change: str, state: str | None) -> dict[str, Any]:
    """A webhook body with one call notification."""
    data: dict[str, Any] = {"@odata.type": "#microsoft.graph.call"}
    if state is not None:
        data["state"] = state
    return {"value": [{"changeType": change, "resourceUrl": CALL_URL + cid, "resourceData": data}]}


def fill(tracker: Any, start: int, count: int) -> None:
    """Start ``count`` calls (``incoming``); each body is built and dropped at once."""
    ingest = tracker.ingest_into
    found: list[Any] = []
    for i in range(start, start + count):
        ingest(body(call_id(i), "created", "incoming"), found)
    if found:
        raise RuntimeError(f"filling the tracker reported {found[:2]}")


def rss_bytes() -> int:
    """This process's resident set now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_mb() -> float:
    """This process's own high-water RSS (``VmHWM``): exact, as a worker starts fresh."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")
