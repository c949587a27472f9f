"""Per-line cost model of ``callstate validate``: what each piece of the hot path costs.

Run ``python bench/costs.py [TRACE]`` (default: the 30,000-call mix that ``bench/run.py``
times, generated once into ``bench/out``). Each row times one ingredient over every line
of the trace, in this process, and prints microseconds per line, so the rows can be
compared with the whole ``Tracker.ingest_into`` cost and with the stdlib ``json.loads``
floor. It profiles; it asserts nothing.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

if __package__ in (None, ""):  # run as a script: import the bench package from the checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _each(fn: Callable[[Any], object], items: list[Any]) -> None:
    """Call ``fn`` on every item, keeping nothing: retained results would time the GC."""
    for item in items:
        fn(item)


def main() -> int:
    """Print microseconds per line for each ingredient of the validate hot path."""
    from bench import traces
    from callstate.graph import parse_resource_url
    from callstate.verdict import Tracker
    from callstate.verdict.tracker import MAX_BODY_BYTES

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else traces.mix(30_000, 1)
    raw = path.read_bytes().splitlines(keepends=True)
    bodies = [orjson.loads(line) for line in raw]
    n = len(raw)
    urls: list[str] = [
        item["resourceUrl"]
        for b in bodies
        for item in b.get("value", ())
        if type(item) is dict and item.get("resourceUrl")
    ]
    requests = [b for b in bodies if "request" in b]
    ids = [u.split("/")[3] for u in urls]
    rows: list[tuple[str, float, int]] = []

    def add(label: str, seconds: float, count: int) -> None:
        rows.append((label, seconds, count))

    def read_plain() -> None:
        with path.open("rb") as f:
            for line in f:
                line.strip()

    def read_bounded() -> None:
        with path.open("rb") as f:
            readline = f.readline
            while line := readline(MAX_BODY_BYTES + 1):
                line.isspace()

    add("read lines: for line in file", _best(read_plain), n)
    add("read lines: readline(limit), as the tracker reads", _best(read_bounded), n)
    add("json.loads (stdlib)", _best(lambda: _each(json.loads, raw)), n)
    add("orjson.loads", _best(lambda: _each(orjson.loads, raw)), n)
    lock = threading.Lock()

    def locked() -> None:
        for _ in raw:
            with lock:
                pass

    add("with threading.Lock()", _best(locked), n)
    add(
        "parse_resource_url (ResourceRef)",
        _best(lambda: _each(parse_resource_url, urls)),
        len(urls),
    )
    prefix = len("/communications/calls/")
    add(
        "url[prefix:] slice (fast path)",
        _best(lambda: _each(lambda u: u[prefix:], urls)),
        len(urls),
    )
    od: OrderedDict[str, int] = OrderedDict.fromkeys(ids, 0)
    plain: dict[str, int] = dict.fromkeys(ids, 0)

    def move_to_end() -> None:
        m = od.move_to_end
        for k in ids:
            m(k)

    def dict_get() -> None:
        g = plain.get
        for k in ids:
            g(k)

    def dict_reinsert() -> None:
        for k in ids:
            plain[k] = plain.pop(k)

    add("OrderedDict.move_to_end", _best(move_to_end), len(ids))
    add("dict.get (call lookup)", _best(dict_get), len(ids))
    add("dict pop + reinsert (LRU on a plain dict)", _best(dict_reinsert), len(ids))

    def fingerprint() -> None:
        for b in bodies:
            hash(orjson.dumps(b, option=orjson.OPT_SORT_KEYS))

    add("_fingerprint: orjson.dumps(SORT_KEYS)+hash", _best(fingerprint), n)
    add("hash(raw line bytes) (alternative)", _best(lambda: _each(hash, raw)), n)
    if requests:
        from callstate.transfer import validate_transfer_request

        def transfer() -> None:
            for r in requests:
                req = r["request"]
                validate_transfer_request(req.get("body"), path=req.get("url"))

        add("validate_transfer_request (request lines only)", _best(transfer), len(requests))

    def tracker_dicts() -> None:
        tracker = Tracker()
        out: list[Any] = []
        ingest = tracker.ingest_into
        for i, b in enumerate(bodies, 1):
            ingest(b, out, line=i)

    def tracker_bytes() -> None:
        tracker = Tracker()
        out: list[Any] = []
        ingest = tracker.ingest_into
        for i, b in enumerate(raw, 1):
            ingest(b, out, line=i)

    add("Tracker.ingest_into, pre-decoded dicts", _best(tracker_dicts), n)
    add("Tracker.ingest_into, raw lines (orjson inside)", _best(tracker_bytes), n)

    def validate() -> None:
        from callstate.verdict import validate_path

        validate_path(path)

    add("validate_path (in process, no startup)", _best(validate), n)
    print(
        f"trace: {path.name}, {n:,} lines, {len(urls):,} resource URLs, {len(requests):,} requests"
    )
    print(f"{'ingredient':<56}{'us/item':>9}{'items':>10}{'us/line':>9}")
    for label, seconds, count in rows:
        print(f"{label:<56}{seconds / count * 1e6:>9.3f}{count:>10,}{seconds / n * 1e6:>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
