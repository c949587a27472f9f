"""The CallStore protocol, kept by MemoryStore and by RedisStore on a real redis-server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from callstate.simulate import event_notification, mix
from callstate.strategies import mutated_streams, notification_streams
from callstate.verdict import CallStore, Finding, Saved, Stored, Tracker
from callstate.verdict._ledger import Ledger
from callstate.verdict._step import Ended, Record

#: The ``stores`` fixture: ``(count, max_calls=...) -> count stores on one new set of calls``.
Stores = Callable[..., list[CallStore]]

_EXAMPLES = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def findings(found: list[Finding]) -> list[tuple[Any, ...]]:
    """Comparable findings, in line order."""
    return sorted((f.line, f.call_id, f.rule, f.message, f.state) for f in found)


def alone(lines: list[bytes]) -> tuple[Any, ...]:
    """Findings, final states and histories of one tracker with its own tables."""
    tracker = Tracker()
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        tracker.ingest_into(line, found, line=number)
    ids = {*tracker.live_calls(), *tracker.ended_calls()}
    return findings(found), {cid: (tracker.state(cid), tracker.history(cid)) for cid in ids}


def shared(lines: list[bytes], stores: list[CallStore]) -> tuple[Any, ...]:
    """The same lines dealt round-robin, in order, to one tracker per store."""
    trackers = [Tracker(store=store) for store in stores]
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        trackers[number % len(trackers)].ingest_into(line, found, line=number)
    ids = {*stores[0].live_calls(), *stores[0].ended_calls()}
    first = trackers[0]
    return findings(found), {cid: (first.state(cid), first.history(cid)) for cid in ids}


def _offer(call_id: str) -> bytes:
    return orjson.dumps(event_notification(call_id, "offer"))


class TestTrackersOnOneStore:
    """Trackers on one store give the verdict one tracker gives, whatever the store."""

    @_EXAMPLES
    @given(stream=notification_streams(max_calls=4))
    def test_valid_streams(self, stores: Stores, stream: Any) -> None:
        """Generated valid traffic: the same (empty) findings, states and histories."""
        lines = list(stream.jsonl())
        assert alone(lines) == shared(lines, stores(3))

    @_EXAMPLES
    @given(mutated=mutated_streams())
    def test_mutated_streams(self, stores: Stores, mutated: Any) -> None:
        """Traffic broken in one place: the same findings, at the same lines."""
        lines = list(mutated.lines)
        assert alone(lines) == shared(lines, stores(3))

    def test_mix(self, stores: Stores) -> None:
        """A simulated mix of every scenario."""
        lines = list(mix(40, seed=3))
        assert alone(lines) == shared(lines, stores(3))

    def test_bound_on_live_calls_evicts_with_a_warning(self, stores: Stores) -> None:
        """A store's bound evicts the longest-idle call, reported by the tracker that did."""
        (store,) = stores(max_calls=1)
        tracker = Tracker(store=store)
        tracker.ingest(_offer("a"))
        found = tracker.ingest(_offer("b"))
        expected = ([("evicted", "a", "incoming")], ["b"])
        assert expected == ([(f.rule, f.call_id, f.state) for f in found], list(store.live_calls()))


#: Records that must come back exactly: no state yet, a kind, a 64-bit fingerprint, a
#: packed history past 64 bits, and a whole ledger (clocks, a roster, the flags).
RECORDS: list[Record] = [
    (None, None, None, 0),
    ("established", Ledger(kind="consultative"), (1 << 64) - 1, (1 << 100) + 5),
    (
        "transferring",
        Ledger(
            kind="blind",
            expect="transfer_call",
            expect_line=12,
            told_at=1714564800.25,
            before="established",
            clocks=(None, 1714564800.0),
            group=True,
            roster=frozenset({"p-1", "p-2", "p-3"}),
            outgoing=True,
        ),
        7,
        1,
    ),
]


class TestProtocol:
    """Each operation of the protocol, on each store."""

    def test_is_a_call_store(self, stores: Stores) -> None:
        """The store meets the protocol, and knows nothing of a call it never saw."""
        (store,) = stores()
        assert isinstance(store, CallStore)
        assert (Stored(None, None, 0), 0, [], []) == (
            store.load("nobody"),
            len(store),
            list(store.live_calls()),
            list(store.ended_calls()),
        )

    @pytest.mark.parametrize("record", RECORDS)
    def test_a_record_reads_back_as_saved(self, stores: Stores, record: Record) -> None:
        """A saved record reads back whole, at a version that is not 0."""
        (store,) = stores()
        assert Saved(True) == store.save("c", 0, record)
        stored = store.load("c")
        assert (record, None, True) == (stored.record, stored.ended, stored.version != 0)

    @pytest.mark.parametrize("call_id", ["a:b*c?[d]\\", "a\ud800b", "é", ""])
    def test_any_call_id_is_kept_as_it_is(self, stores: Stores, call_id: str) -> None:
        """Ids with glob characters, colons, a lone surrogate or nothing at all round-trip."""
        (store,) = stores()
        store.save(call_id, 0, RECORDS[1])
        store.save(call_id + "-ended", 0, Ended(None))
        assert (RECORDS[1], [call_id], [call_id + "-ended"]) == (
            store.load(call_id).record,
            list(store.live_calls()),
            list(store.ended_calls()),
        )

    def test_a_stale_version_is_refused(self, stores: Stores) -> None:
        """Compare-and-set: only the version just read may write, once."""
        (store,) = stores()
        store.save("c", 0, RECORDS[0])
        version = store.load("c").version
        outcomes = [
            store.save("c", 0, RECORDS[1]).ok,
            store.save("c", version, RECORDS[1]).ok,
            store.save("c", version, RECORDS[2]).ok,
        ]
        assert ([False, True, False], RECORDS[1]) == (outcomes, store.load("c").record)

    def test_stores_of_one_set_see_each_others_writes(self, stores: Stores) -> None:
        """Two stores on one set of calls: a write through one moves the other's version."""
        first, second = stores(2)
        first.save("c", 0, RECORDS[0])
        version = second.load("c").version
        second.save("c", version, RECORDS[1])
        assert (False, RECORDS[1]) == (
            first.save("c", version, RECORDS[2]).ok,
            first.load("c").record,
        )

    def test_an_end_moves_the_call_to_the_ended_ids(self, stores: Stores) -> None:
        """An ended call is no longer live; its end keeps the last fingerprint."""
        (store,) = stores()
        store.save("a", 0, RECORDS[0])
        store.save("b", 0, RECORDS[0])
        store.save("a", store.load("a").version, Ended(42))
        store.save("z", 0, Ended(None))
        assert (Stored(None, Ended(42), 0), Stored(None, Ended(None), 0), 1, ["b"], ["a", "z"]) == (
            store.load("a"),
            store.load("z"),
            len(store),
            list(store.live_calls()),
            list(store.ended_calls()),
        )

    def test_live_calls_are_longest_idle_first(self, stores: Stores) -> None:
        """A write or a touch makes a call the most recently active."""
        (store,) = stores()
        for call_id in "abcd":
            store.save(call_id, 0, RECORDS[0])
        store.save("a", store.load("a").version, RECORDS[1])
        store.touch("b")
        store.touch("nobody")
        assert (["c", "d", "a", "b"], Stored(None, None, 0)) == (
            list(store.live_calls()),
            store.load("nobody"),
        )

    def test_a_new_call_past_the_bound_evicts_the_longest_idle(self, stores: Stores) -> None:
        """The evicted call and its state come back with the save that pushed it out."""
        (store,) = stores(max_calls=2)
        store.save("a", 0, RECORDS[1])
        store.save("b", 0, RECORDS[2])
        store.touch("a")
        saved = store.save("c", 0, RECORDS[0])
        updated = store.save("c", store.load("c").version, RECORDS[1])
        assert (Saved(True, ("b", "transferring")), Saved(True), ["a", "c"], 2) == (
            saved,
            updated,
            list(store.live_calls()),
            len(store),
        )


class _Racing:
    """A store where a second tracker writes between the first one's read and write.

    ``blind`` writes without comparing versions, as a broken store would.
    """

    def __init__(
        self, inner: CallStore, interloper: threading.Event, done: threading.Event, *, blind: bool
    ) -> None:
        self.inner = inner
        self.max_calls = inner.max_calls
        self.interloper = interloper
        self.done = done
        self.blind = blind
        self.armed = True

    def load(self, call_id: str) -> Stored:
        return self.inner.load(call_id)

    def save(self, call_id: str, version: int, decision: Record | Ended) -> Saved:
        if self.armed and threading.current_thread().name == "first":
            self.armed = False
            self.interloper.set()  # let the second tracker in now
            self.done.wait(5)
        if self.blind:
            version = self.inner.load(call_id).version
        return self.inner.save(call_id, version, decision)

    def touch(self, call_id: str) -> None:
        self.inner.touch(call_id)

    def live_calls(self) -> Iterator[str]:
        return self.inner.live_calls()

    def ended_calls(self) -> Iterator[str]:
        return self.inner.ended_calls()

    def __len__(self) -> int:
        return len(self.inner)


def _timed(second: int, line: dict[str, Any]) -> bytes:
    """``line`` as a timed trace line, ``second`` seconds into the call."""
    at = f"2024-05-01T12:00:{second:02d}Z"
    return orjson.dumps({"at": at, **line} if "request" in line else {"at": at, "body": line})


def _race(stores: Stores, *, blind: bool) -> tuple[str | None, list[str]]:
    """A transfer request and a transferring notification for one call, raced.

    Timed, as a bot's log is: the request was sent before ``transferring`` was told,
    so whichever tracker writes first, the request is judged by ``established``.
    """
    interloper, done = threading.Event(), threading.Event()
    one, two = (_Racing(s, interloper, done, blind=blind) for s in stores(2))
    first, second = Tracker(store=one), Tracker(store=two)
    for second_, event in enumerate(("offer", "establish", "connect")):
        first.ingest(_timed(second_, event_notification("c", event)))
    request = {
        "request": {
            "method": "POST",
            "url": "/communications/calls/c/transfer",
            "body": {"transferTarget": {"identity": {"user": {"id": "u"}}}},
        }
    }
    found: list[Finding] = []
    thread = threading.Thread(
        target=lambda: first.ingest_into(_timed(4, request), found, line=4), name="first"
    )
    thread.start()
    assert interloper.wait(5)
    second.ingest_into(_timed(5, event_notification("c", "transfer")), found, line=5)
    done.set()
    thread.join(5)
    second.ingest_into(_timed(6, event_notification("c", "accept_transfer")), found, line=6)
    consultative = event_notification("c", "complete_transfer", "consultative")
    second.ingest_into(_timed(7, consultative), found, line=7)
    return second.state("c"), [f[2] for f in findings(found)]


class TestCompareAndSet:
    """The race a shared store must survive, forced step by step."""

    def test_compare_and_set_loses_nothing(self, stores: Stores) -> None:
        """Both updates land: the call transfers, and the kind mismatch is still seen."""
        assert ("terminated", ["transfer-kind-mismatch"]) == _race(stores, blind=False)

    def test_a_blind_write_loses_an_update(self, stores: Stores) -> None:
        """Without the comparison one update is lost, and the verdict changes."""
        assert ("terminated", ["transfer-kind-mismatch"]) != _race(stores, blind=True)
