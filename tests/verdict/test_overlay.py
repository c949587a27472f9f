"""The live table under a snapshot: an overlay behaves as the plain table, and folds back in."""

from __future__ import annotations

from typing import Any

from hypothesis import given, strategies as st

from callstate.verdict import Tracker
from callstate.verdict._overlay import Overlay, oldest
from tests.verdict.conftest import envelope, note

IDS = st.sampled_from(["a", "b", "c", "d", "e", "f"])
#: ``(operation, call id, record)``: what the tracker does to its live table.
OPS = st.lists(
    st.tuples(st.sampled_from(["touch", "put", "pop", "evict"]), IDS, st.integers(0, 9)),
    max_size=40,
)


def _record(n: int) -> Any:
    return ("established", None, None, n)


def _apply(table: dict[str, Any], op: str, call_id: str, n: int) -> object:
    """One operation of the tracker on ``table``; what it returned."""
    if op == "touch":  # pop and put back: the tracker's recency
        found = table.pop(call_id, None)
        if found is not None:
            table[call_id] = _record(n)
        return found
    if op == "put":  # a new call (the tracker takes a record out before it puts one back)
        if call_id not in table:
            table[call_id] = _record(n)
        return None
    if op == "pop":
        return table.pop(call_id, None)
    if not table:
        return None
    evicted = oldest(table)
    return evicted, table.pop(evicted)


def _seen(table: dict[str, Any]) -> object:
    return (
        len(table),
        list(table),
        [table.get(c) for c in "abcdefg"],
        ["a" in table, "g" in table],
    )


class TestOverlay:
    @given(base=st.dictionaries(IDS, st.integers(0, 9).map(_record)), ops=OPS)
    def test_same_as_the_plain_table(self, base: dict[str, Any], ops: list[Any]) -> None:
        """Every operation answers as on a plain table, and settling gives the same table."""
        plain = dict(base)
        below = dict(base)
        overlay = Overlay(below)
        for op, call_id, n in ops:
            assert _apply(plain, op, call_id, n) == _apply(overlay, op, call_id, n)
            assert _seen(plain) == _seen(overlay)
            assert list(plain.items()) == overlay.items()
        assert base == below  # the table below never changed before settling
        assert list(plain.items()) == list(overlay.settle().items())

    def test_eviction_does_not_rescan(self) -> None:
        """Evicting call after call walks the table below once, not once per eviction."""
        overlay = Overlay({str(i): _record(i) for i in range(5)})
        evicted = [overlay.pop(oldest(overlay)) for _ in range(3)]
        assert [_record(0), _record(1), _record(2)] == evicted
        assert "3" == overlay.oldest()


def _start(call: str) -> Any:
    return envelope(note("incoming", change="created", call=call))


def _stream() -> list[Any]:
    """Calls started, moved on and ended."""
    return [
        _start("x"),
        _start("y"),
        _start("z"),
        envelope(note("establishing", call="x")),
        envelope(note("established", call="x")),
        envelope(note("terminated", change="deleted", call="y")),
        _start("w"),
    ]


class TestSnapshotWhileIngesting:
    def test_ingests_during_a_snapshot_are_kept(self) -> None:
        """What arrives while a snapshot reads the table is not in it, and not lost."""
        before, during = _stream()[:3], _stream()[3:]
        tracker = Tracker(max_calls=3)
        plain = Tracker(max_calls=3)
        for body in before:
            tracker.ingest(body)
            plain.ingest(body)
        with tracker._frozen() as (live, _, _):
            found = [tracker.ingest(body) for body in during]  # evicts at the limit, too
            taken = list(live)
        assert [plain.ingest(body) for body in during] == found
        assert ["x", "y", "z"] == taken
        assert plain.snapshot() == tracker.snapshot()
        assert list(plain.live_calls()) == list(tracker.live_calls())

    def test_read_back_while_a_snapshot_runs(self) -> None:
        """State, length and changes read back as usual while a snapshot is under way."""
        tracker = Tracker()
        for body in _stream()[:3]:
            tracker.ingest(body)
        first = tracker.snapshot()
        with tracker._frozen():
            tracker.ingest(envelope(note("establishing", call="x")))
            assert "establishing" == tracker.state("x")
            assert 3 == len(tracker)
        assert first != tracker.snapshot()
        assert "establishing" == tracker.state("x")
