"""Snapshot blocking: how long one ``ingest`` can wait while another thread snapshots.

A tracker holds N live calls. One thread ingests without pause (a call started, then
ended, over and over), timing every ``ingest`` call; the main thread takes
``snapshot_json()``. The figure is the longest single ingest that ended during a
snapshot. The same window without a snapshot is the noise floor (reference); the
longest gap between two ingests returning, which also counts time the ingest thread
never got the GIL, is a reference too (what an event loop would feel). So are the
full collections meanwhile: at a million live calls one stalls every thread for tens
of ms whichever thread triggered it, so a long wait can be told apart from the snapshot.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any, Final

from bench.figures._calls import body, call_id, fill
from bench.report import Row, Target
from bench.settings import Settings, say

TITLE: Final = "snapshot blocking: longest ingest while another thread takes snapshot_json()"
IN_WORKER: Final = True
TARGETS: Final = (Target("snapshot_max_ingest_wait_ms", "<=", 50.0),)


class _Ingester(threading.Thread):
    """Ingests start/end pairs of fresh calls until stopped, keeping the worst waits."""

    def __init__(self, tracker: Any) -> None:
        super().__init__(daemon=True)
        self.tracker = tracker
        self.stop = threading.Event()
        self.reset()

    def reset(self) -> None:
        """Start a new window: forget the worst wait, gap and count so far."""
        self.worst = 0.0
        self.worst_gap = 0.0
        self.count = 0
        self.last = time.perf_counter()

    def run(self) -> None:
        ingest, perf = self.tracker.ingest, time.perf_counter
        i = 0
        while not self.stop.is_set():
            cid = call_id(300_000_000 + i)
            i += 1
            for b in (body(cid, "created", "incoming"), body(cid, "deleted", None)):
                start = perf()
                ingest(b)
                end = perf()
                self.worst = max(self.worst, end - start)
                self.worst_gap = max(self.worst_gap, end - self.last)
                self.last = end
                self.count += 1


class _FullCollections:
    """The full (generation 2) collections while it is installed, and the longest, in s.

    One can stall every thread for tens of ms at a million live calls whoever triggered
    it, snapshot or not: counted beside the figure, so a stall can be told apart."""

    def __init__(self) -> None:
        self.count = 0
        self.longest = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count += 1
            self.longest = max(self.longest, time.perf_counter() - self._started)


def _window(ingester: _Ingester, action: Any) -> tuple[float, float, int, float, _FullCollections]:
    """Run ``action`` (or sleep) with the ingester running: worst wait, gap, count, seconds,
    and the full collections meanwhile."""
    ingester.reset()
    collections = _FullCollections()
    gc.callbacks.append(collections)
    try:
        start = time.perf_counter()
        action()
        seconds = time.perf_counter() - start
        time.sleep(0.05)  # let the ingest in flight when the action ended finish and be counted
    finally:
        gc.callbacks.remove(collections)
    return ingester.worst, ingester.worst_gap, ingester.count, seconds, collections


def measure(s: Settings) -> dict[str, Any]:
    """Fill, time snapshot and restore alone, then the windows with the ingest thread."""
    from callstate import Tracker

    calls = s.snapshot_calls
    say(f"snapshot: filling a tracker to {calls:,} calls")
    tracker = Tracker(max_calls=calls + 10)
    fill(tracker, 0, calls)
    gc.collect()
    start = time.perf_counter()
    data = tracker.snapshot_json()
    alone_s = time.perf_counter() - start
    start = time.perf_counter()
    restored = Tracker.restore(data)
    restore_s = time.perf_counter() - start
    if len(restored) != calls:
        raise RuntimeError(f"restore gave {len(restored)} live calls, not {calls}")
    size_mb = len(data) / 1e6
    del restored, data
    gc.collect()
    ingester = _Ingester(tracker)
    ingester.start()
    time.sleep(0.2)
    waits: list[tuple[float, float, int, float, _FullCollections]] = []
    try:
        quiet = _window(ingester, lambda: time.sleep(alone_s))
        for k in range(s.snapshots):
            say(f"snapshot: snapshot_json {k + 1}/{s.snapshots} while ingesting")
            waits.append(_window(ingester, tracker.snapshot_json))
    finally:
        ingester.stop.set()
        ingester.join(10)
    return {
        "snapshot_live_calls": calls,
        "snapshot_mb": size_mb,
        "snapshot_json_s": alone_s,
        "restore_s": restore_s,
        "snapshot_max_ingest_wait_ms": max(w[0] for w in waits) * 1e3,
        "snapshot_max_ingest_gap_ms": max(w[1] for w in waits) * 1e3,
        "snapshot_ingests_during": min(w[2] for w in waits),
        "snapshot_json_contended_s": max(w[3] for w in waits),
        "snapshot_full_collections": sum(w[4].count for w in waits),
        "snapshot_longest_full_collection_ms": max(w[4].longest for w in waits) * 1e3,
        "quiet_full_collections": quiet[4].count,
        "quiet_max_ingest_wait_ms": quiet[0] * 1e3,
        "quiet_max_ingest_gap_ms": quiet[1] * 1e3,
    }


def rows(fig: dict[str, Any]) -> list[Row]:
    """The worst wait, its references, and the snapshot's own costs."""
    n = fig.get("snapshot_live_calls", 0)
    return [
        Row(
            f"longest ingest during snapshot_json at {n:,} live, ms",
            "snapshot_max_ingest_wait_ms",
            headline=True,
        ),
        Row("longest gap between ingests during it, ms", "snapshot_max_ingest_gap_ms"),
        Row("fewest ingests during one snapshot", "snapshot_ingests_during"),
        Row("full collections during the snapshots (any thread)", "snapshot_full_collections"),
        Row("longest of them, ms", "snapshot_longest_full_collection_ms"),
        Row("same window, no snapshot: longest ingest, ms", "quiet_max_ingest_wait_ms"),
        Row("same window, no snapshot: full collections", "quiet_full_collections"),
        Row(
            f"snapshot_json at {n:,} live, alone, s",
            "snapshot_json_s",
            "(reference)",
            headline=True,
        ),
        Row("snapshot_json while ingesting, s", "snapshot_json_contended_s"),
        Row(f"restore at {n:,} live, s", "restore_s", "(reference)", headline=True),
        Row("snapshot size, MB", "snapshot_mb"),
    ]
