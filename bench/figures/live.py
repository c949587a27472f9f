"""A million live calls: bytes per call, and the cost of starting one as the tracker grows.

Bytes per live call come from tracemalloc (the allocation sites are listed) with an RSS
cross-check. The scaling figure is the tracker's (start one call at N live over at
``small``) divided by a plain dict's (get + insert one new id, same sizes): a dict at a
million entries misses the CPU caches whatever the code around it does, so only the
tracker's excess over that floor is the tracker's. Rounds interleave the four
measurements (CPU time, the collector paused); the figure is the median of per-round
ratios.
"""

from __future__ import annotations

import gc
import linecache
import statistics
import sys
import tracemalloc
from pathlib import Path
from typing import Any, Final

from bench.figures._calls import body, call_id, fill, rss_bytes
from bench.figures._engines import Slot
from bench.report import Row, Target
from bench.settings import Settings, say
from bench.spread import clock, spread

TITLE: Final = "live calls: bytes per call, and starting a call as the tracker grows"
IN_WORKER: Final = True
TARGETS: Final = (
    Target("bytes_per_live_call", "<=", 175.0),
    Target("add_call_scaling_vs_dict", "<=", 1.0),
)


def _tracker_round(tracker: Any, r: int, batch: int, live: int) -> float:
    """Seconds per started call at ``live`` live calls; the batch is ended again, untimed."""
    ids = [call_id(100_000_000 + r * batch + j) for j in range(batch)]
    starts = [body(cid, "created", "incoming") for cid in ids]
    ends = [body(cid, "deleted", None) for cid in ids]
    found: list[Any] = []
    ingest = tracker.ingest_into
    gc.collect()
    gc.disable()  # a full collection over a million objects would land in one batch
    try:
        start = clock()
        for b in starts:
            ingest(b, found)
        seconds = (clock() - start) / batch
    finally:
        gc.enable()
    for b in ends:
        ingest(b, found)
    if len(tracker) != live:
        raise RuntimeError(f"expected {live} live calls, found {len(tracker)}")
    return seconds


def _dict_round(table: dict[str, Slot], r: int, batch: int) -> float:
    """Seconds per get + insert of a new id in a plain dict; the ids are deleted again."""
    ids = [call_id(200_000_000 + r * batch + j) for j in range(batch)]
    gc.collect()
    gc.disable()
    try:
        start = clock()
        for cid in ids:
            if table.get(cid) is None:
                table[cid] = Slot("incoming")
        seconds = (clock() - start) / batch
    finally:
        gc.enable()
    for cid in ids:
        del table[cid]
    return seconds


def _sites(stats: list[tracemalloc.Statistic], calls: int) -> list[dict[str, Any]]:
    return [
        {
            "site": f"{Path(st.traceback[0].filename).name}:{st.traceback[0].lineno}",
            "code": linecache.getline(st.traceback[0].filename, st.traceback[0].lineno).strip(),
            "bytes_per_call": st.size / calls,
        }
        for st in stats[:6]
    ]


def measure(s: Settings) -> dict[str, Any]:
    """RSS fill, interleaved scaling rounds, then a tracemalloc fill."""
    from callstate import Tracker

    for name, module in list(sys.modules.items()):  # name allocation sites as imported
        path = getattr(module, "__file__", None)
        if name.startswith("callstate") and path:
            linecache.getlines(path)
    calls, small, batch = s.live_calls, s.small_live_calls, s.add_batch
    cap = calls + batch + 1  # past max_calls the tracker evicts: keep eviction out of this
    say(f"live: filling a tracker to {calls:,} calls (RSS)")
    gc.collect()
    rss0 = rss_bytes()
    large = Tracker(max_calls=cap)
    start = clock()
    fill(large, 0, calls)
    fill_s = clock() - start
    gc.collect()
    rss_per_call = (rss_bytes() - rss0) / calls
    little = Tracker(max_calls=cap)
    fill(little, 0, small)
    dict_large = {call_id(i): Slot("incoming") for i in range(calls)}
    dict_small = {call_id(i): Slot("incoming") for i in range(small)}
    say(f"live: {s.add_rounds} interleaved scaling rounds of {batch:,} calls")
    rounds: dict[str, list[float]] = {"ts": [], "ds": [], "tl": [], "dl": []}
    for r in range(s.add_rounds):
        rounds["ts"].append(_tracker_round(little, r, batch, small))
        rounds["ds"].append(_dict_round(dict_small, r, batch))
        rounds["tl"].append(_tracker_round(large, r + s.add_rounds, batch, calls))
        rounds["dl"].append(_dict_round(dict_large, r + s.add_rounds, batch))
    del large, little, dict_large, dict_small
    gc.collect()
    say(f"live: filling a tracker to {calls:,} calls (tracemalloc)")
    tracemalloc.start()
    tracker = Tracker(max_calls=cap)
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    fill(tracker, 0, calls)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    stats = tracemalloc.take_snapshot().statistics("lineno")
    tracemalloc.stop()
    med = {k: statistics.median(v) for k, v in rounds.items()}
    per_round = [
        (tl / ts) / (dl / ds)
        for ts, ds, tl, dl in zip(*(rounds[k] for k in ("ts", "ds", "tl", "dl")), strict=True)
    ]
    out: dict[str, Any] = {
        "live_calls": calls,
        "small_live_calls": small,
        "bytes_per_live_call": held / calls,
        "rss_bytes_per_live_call": rss_per_call,
        "fill_us_per_call": fill_s / calls * 1e6,
        "add_call_us_small": med["ts"] * 1e6,
        "add_call_us_large": med["tl"] * 1e6,
        "add_call_scaling": med["tl"] / med["ts"],
        "dict_insert_scaling": med["dl"] / med["ds"],
        "memory_sites": _sites(stats, calls),
    }
    out.update(spread(per_round).fields("add_call_scaling_vs_dict"))
    for i, site in enumerate(out["memory_sites"]):
        out[f"memory_site{i}_bytes_per_call"] = site["bytes_per_call"]
    return out


def rows(fig: dict[str, Any]) -> list[Row]:
    """Bytes first (with the top allocation sites), then the scaling."""
    n, small = fig.get("live_calls", 0), fig.get("small_live_calls", 0)
    out = [
        Row(f"bytes per live call at {n:,} (tracemalloc)", "bytes_per_live_call", headline=True),
        Row("bytes per live call (RSS, cross-check)", "rss_bytes_per_live_call", headline=True),
    ]
    for i, site in enumerate(fig.get("memory_sites", ())):
        out.append(Row(f"  {site['site']}", f"memory_site{i}_bytes_per_call", site["code"][:60]))
    return [
        *out,
        Row(
            f"tracker scaling {n:,}/{small:,} over dict scaling",
            "add_call_scaling_vs_dict",
            headline=True,
        ),
        Row(f"start one call at {small:,} live, us", "add_call_us_small"),
        Row(f"start one call at {n:,} live, us", "add_call_us_large"),
        Row("tracker scaling (add_call_scaling, retired target)", "add_call_scaling"),
        Row("plain dict get+insert scaling (memory floor)", "dict_insert_scaling"),
    ]
