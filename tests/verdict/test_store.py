"""Trackers sharing call records through a CallStore: one verdict, no lost update."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pytest
from hypothesis import given, settings, strategies as st

from callstate.errors import UsageError
from callstate.machine import CALL_MACHINE, MachineDefinition
from callstate.simulate import event_notification, mix
from callstate.strategies import definitions, mutated_streams, notification_streams
from callstate.verdict import (
    CallStore,
    Finding,
    MemoryStore,
    Stored,
    Tracker,
)
from callstate.verdict._step import Ended
from tests.verdict.conftest import drawn_traffic


def findings(found: list[Finding]) -> list[tuple[Any, ...]]:
    """Comparable findings, in line order."""
    return sorted((f.line, f.call_id, f.rule, f.message, f.state) for f in found)


def alone(
    lines: list[bytes], definition: MachineDefinition = CALL_MACHINE
) -> tuple[list[tuple[Any, ...]], dict[str, str | None]]:
    """Findings and final states of one tracker with its own tables."""
    tracker = Tracker(definition=definition)
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        tracker.ingest_into(line, found, line=number)
    ids = {*tracker.live_calls(), *tracker.ended_calls()}
    return findings(found), {cid: tracker.state(cid) for cid in ids}


def shared(
    lines: list[bytes],
    store: CallStore,
    count: int = 3,
    definition: MachineDefinition = CALL_MACHINE,
) -> tuple[Any, ...]:
    """The same lines dealt round-robin, in order, to ``count`` trackers on one store."""
    trackers = [Tracker(store=store, definition=definition) for _ in range(count)]
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        trackers[number % count].ingest_into(line, found, line=number)
    ids = {*store.live_calls(), *store.ended_calls()}
    return findings(found), {cid: trackers[0].state(cid) for cid in ids}


class TestShared:
    """Trackers on one store give the verdict one tracker gives."""

    @settings(max_examples=30, deadline=None)
    @given(stream=notification_streams(max_calls=4))
    def test_valid_streams(self, stream: Any) -> None:
        """Generated valid traffic: the same (empty) findings and the same final states."""
        lines = list(stream.jsonl())
        assert alone(lines) == shared(lines, MemoryStore())

    @settings(max_examples=30, deadline=None)
    @given(mutated=mutated_streams())
    def test_mutated_streams(self, mutated: Any) -> None:
        """Traffic broken in one place: the same findings, at the same lines."""
        lines = list(mutated.lines)
        assert alone(lines) == shared(lines, MemoryStore())

    @settings(max_examples=30, deadline=None)
    @given(data=st.data(), definition=definitions())
    def test_drawn_definitions(self, data: st.DataObject, definition: MachineDefinition) -> None:
        """On any drawn definition, timed or broken traffic: the same verdict and states."""
        lines = drawn_traffic(data, definition)
        assert alone(lines, definition) == shared(lines, MemoryStore(), 3, definition)

    def test_mix(self) -> None:
        """A simulated mix of every scenario."""
        lines = list(mix(40, seed=3))
        assert alone(lines) == shared(lines, MemoryStore())

    def test_the_validate_loop_keeps_what_a_store_keeps(self) -> None:
        """The CLI's loop, which settles most lines from remembered answers, leaves every
        call's record (a group call's roster too) as trackers on a store leave it."""
        every = list(mix(120, seed=5))
        lines = every[: len(every) // 2]  # many calls still live
        tracker = Tracker()
        found: list[Finding] = []
        tracker.read_stream(io.BytesIO(b"\n".join(lines) + b"\n"), found)
        store = MemoryStore()
        expected_findings, _ = shared(lines, store)
        expected = {cid: store.load(cid).record for cid in store.live_calls()}
        records = {cid: tracker._record(cid)[0] for cid in tracker.live_calls()}
        rosters = [r for r in records.values() if r is not None and r[1] and r[1].roster]
        assert (expected_findings, expected) == (findings(found), records)
        assert rosters  # the mix's group calls are among them

    def test_bound_on_live_calls_evicts_with_a_warning(self) -> None:
        """A store's bound evicts the longest-idle call, reported by the tracker that did."""
        store = MemoryStore(max_calls=1)
        tracker = Tracker(store=store)
        tracker.ingest(orjson.dumps(event_notification("a", "offer")))
        found = tracker.ingest(orjson.dumps(event_notification("b", "offer")))
        expected = ([("evicted", "a", "incoming")], ["b"])
        assert expected == ([(f.rule, f.call_id, f.state) for f in found], list(store.live_calls()))

    def test_snapshot_is_the_stores_job(self) -> None:
        """A tracker on a store has no tables of its own to snapshot."""
        with pytest.raises(UsageError, match="store"):
            Tracker(store=MemoryStore()).snapshot()

    def test_store_must_be_a_store(self) -> None:
        """Anything else is a usage error naming the argument."""
        with pytest.raises(UsageError, match=r"^store: "):
            Tracker(store=object())  # type: ignore[arg-type]


class TestProtocol:
    """MemoryStore as a CallStore. The race a shared store must survive is proven on both
    stores, MemoryStore and RedisStore, in tests/contrib/redis/test_store.py."""

    def test_memory_store_is_a_call_store(self) -> None:
        """MemoryStore meets the protocol, and reads back what it stored."""
        store = MemoryStore()
        assert isinstance(store, CallStore)
        assert Stored(None, None, 0) == store.load("nobody")


class TestMemoryStoreVersions:
    """Versions are never reused, so a stale read never passes for a fresh one."""

    def test_a_save_over_an_ended_call_is_refused(self) -> None:
        """A record read before the call ended cannot bring it back to life."""
        store = MemoryStore()
        assert store.save("c", 0, ("incoming", None, None, 1)).ok
        assert store.save("c", store.load("c").version, Ended(None)).ok
        expected = (False, Stored(None, Ended(None), 0))
        assert expected == (store.save("c", 0, ("incoming", None, None, 1)).ok, store.load("c"))

    def test_versions_are_not_reused_after_an_eviction(self) -> None:
        """A call evicted and started again gets a version its old readers never saw."""
        store = MemoryStore(max_calls=1)
        store.save("a", 0, ("incoming", None, None, 1))
        old = store.load("a").version
        store.save("b", 0, ("incoming", None, None, 1))  # evicts a
        store.save("a", 0, ("incoming", None, None, 1))  # evicts b, a starts again
        assert old != store.load("a").version


def test_finish_reads_the_store() -> None:
    """A tracker on a store reports calls the input left mid-transfer, like one alone."""
    store = MemoryStore()
    tracker = Tracker(store=store)
    for event in ("offer", "establish", "connect", "transfer"):
        tracker.ingest(orjson.dumps(event_notification("c", event)))
    assert ["unfinished-transfer"] == [f.rule for f in Tracker(store=store).finish(line=5)]
