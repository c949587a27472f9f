"""Concurrent webhook handlers: several threads ingesting into one tracker lose no update."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import orjson

from callstate.verdict import Finding, Tracker
from tests.verdict.conftest import envelope, note, opening, signal_note

THREADS = 4
CALLS_PER_THREAD = 300


def lifecycle(call: str, ends: bool) -> list[bytes]:
    """A whole transfer for ``call``: success (ended) or failure (back to established)."""
    bodies = [
        *opening(call),
        envelope(note("established", call=call, mediaState={"audio": "active"})),
        envelope(note("transferring", call=call)),
        envelope(note("transferAccepted", call=call)),
        envelope(signal_note("complete_transfer", "blind", call=call))
        if ends
        else envelope(signal_note("fail_transfer", "consultative", call=call)),
    ]
    return [orjson.dumps(b) for b in bodies]


def interleaved(calls: list[str]) -> Iterator[bytes]:
    """Round-robin over the calls' lifecycles: each call's own order kept."""
    lives = [lifecycle(c, ends=i % 2 == 0) for i, c in enumerate(calls)]
    for step in range(len(lives[0])):
        for life in lives:
            yield life[step]


class TestConcurrentIngest:
    """Threads that each own some calls, interleaved, at a tiny switch interval."""

    def test_no_update_lost(self) -> None:
        """Every call ends where its lifecycle leads; counters equal the totals; no finding."""
        tracker = Tracker()
        owned = [[f"t{t}-c{i}" for i in range(CALLS_PER_THREAD)] for t in range(THREADS)]
        findings: list[list[Finding]] = [[] for _ in range(THREADS)]
        barrier = threading.Barrier(THREADS)

        def worker(index: int) -> None:
            barrier.wait()
            for body in interleaved(owned[index]):
                findings[index] += tracker.ingest(body)

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)
        calls = [c for mine in owned for c in mine]
        per_call = len(lifecycle("x", ends=True))
        expected: tuple[object, ...] = (
            [[] for _ in range(THREADS)],
            {
                c: "terminated" if i % 2 == 0 else "established"
                for mine in owned
                for i, c in enumerate(mine)
            },
            len(calls) * per_call,
            len(calls) * per_call,
            len(calls),
            len(calls) // 2,
        )
        actual = (
            findings,
            {c: tracker.state(c) for c in calls},
            tracker.bodies,
            tracker.notifications,
            tracker.calls_started,
            len(tracker),
        )
        assert expected == actual


class TestSharedCalls:
    """Threads racing on the same calls: the lock makes each body one atomic step."""

    def test_a_call_is_started_once(self) -> None:
        """Many threads deliver the same openings (webhook retries); each call starts once."""
        tracker = Tracker()
        calls = [f"shared-{i}" for i in range(400)]
        bodies = [orjson.dumps(envelope(note("incoming", change="created", call=c))) for c in calls]
        barrier = threading.Barrier(THREADS)
        findings: list[Finding] = []

        def worker() -> None:
            barrier.wait()
            for body in bodies:
                findings.extend(tracker.ingest(body))

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            threads = [threading.Thread(target=worker) for _ in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)
        expected = ([], len(calls), THREADS * len(calls), {"incoming"})
        actual = (
            findings,
            tracker.calls_started,
            tracker.notifications,
            {tracker.state(c) for c in calls},
        )
        assert expected == actual
