"""``Tracker.ingest(bytes)`` per body over ``orjson.loads`` per body, in one process.

Both read the same raw lines of a mix trace; rounds alternate (parse, track, parse,
track ...), timed by this thread's CPU clock, and the figure is the median of the
per-round ratios. A fresh tracker per
round, so every round sees each call start and end.
"""

from __future__ import annotations

import gc
import statistics
from typing import Any, Final

import orjson

from bench import traces
from bench.report import Row, Target
from bench.settings import Settings, say
from bench.spread import clock, ratio_pairs

TITLE: Final = "Tracker.ingest(bytes) per body over orjson.loads per body (in process)"
IN_WORKER: Final = True
TARGETS: Final = (Target("ingest_vs_orjson", "<=", 3.0),)


def _parse(lines: list[bytes]) -> float:
    loads = orjson.loads
    gc.collect()
    start = clock()
    for line in lines:
        loads(line)
    return clock() - start


def _track(lines: list[bytes]) -> float:
    from callstate import Tracker

    ingest = Tracker().ingest
    gc.collect()
    start = clock()
    for line in lines:
        ingest(line)
    return clock() - start


def _findings(lines: list[bytes]) -> int:
    """How many findings the trace gives (it should conform): untimed, also a warm-up."""
    from callstate import Tracker

    ingest = Tracker().ingest
    return sum(len(ingest(line)) for line in lines)


def measure(s: Settings) -> dict[str, Any]:
    """Alternating rounds over every non-blank line of the trace."""
    path = traces.mix(s.ingest_calls, s.seed)
    lines = [line for line in path.read_bytes().splitlines() if line.strip()]
    findings = _findings(lines)
    parse: list[float] = []
    track: list[float] = []
    for r in range(s.ingest_rounds):
        say(f"ingest: round {r + 1}/{s.ingest_rounds} over {len(lines):,} bodies")
        parse.append(_parse(lines))
        track.append(_track(lines))
    out: dict[str, Any] = {
        "ingest_trace": path.name,
        "ingest_bodies": len(lines),
        "ingest_findings": findings,
        "ingest_us_per_body": statistics.median(track) / len(lines) * 1e6,
        "orjson_loads_us_per_body": statistics.median(parse) / len(lines) * 1e6,
    }
    out.update(ratio_pairs(track, parse).fields("ingest_vs_orjson"))
    return out


def rows(fig: dict[str, Any]) -> list[Row]:
    """The ratio and both per-body costs."""
    return [
        Row("Tracker.ingest(bytes) / orjson.loads, per body", "ingest_vs_orjson", headline=True),
        Row("Tracker.ingest(bytes), us per body", "ingest_us_per_body"),
        Row("orjson.loads, us per body", "orjson_loads_us_per_body"),
        Row("findings on the trace (0: it conforms)", "ingest_findings"),
    ]
