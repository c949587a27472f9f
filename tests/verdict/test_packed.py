"""Live records kept as ints: the same record back, and a table the collector never walks."""

from __future__ import annotations

import gc
from typing import Any

from hypothesis import given, strategies as st

from callstate.machine import CALL_MACHINE, compiled
from callstate.verdict import Tracker
from callstate.verdict._ledger import Ledger
from callstate.verdict._moves import MOVES_LIMIT, Moves
from callstate.verdict._packed import Packing
from tests.verdict.conftest import envelope, note

MACHINE = compiled(CALL_MACHINE)
HISTORY = MACHINE.history.mask(8)
PACKING = Packing(MACHINE, HISTORY)
RECORDS = st.tuples(
    st.sampled_from([None, *CALL_MACHINE.states]),
    st.sampled_from(
        [None, Ledger(kind="blind"), Ledger(kind="consultative"), Ledger(kind="blind", group=True)]
    ),
    st.none() | st.integers(0, 2**64 - 1),
    st.integers(0, HISTORY) | st.integers(0, 2**90),
)


class TestPacking:
    @given(record=RECORDS)
    def test_round_trip(self, record: Any) -> None:
        """Every record unpacks to itself, packed or not."""
        assert record == PACKING.unpack(PACKING.pack(record))

    @given(record=RECORDS)
    def test_plain_records_are_ints(self, record: Any) -> None:
        """A record with a state, a history in bounds and no ledger but a kind is an int."""
        state, ledger, _, hist = record
        kind_only = ledger is None or ledger == Ledger(kind=ledger.kind)
        expected = state is not None and kind_only and hist <= HISTORY
        assert expected == (type(PACKING.pack(record)) is int)


def test_a_table_of_plain_calls_is_not_walked_by_the_collector() -> None:
    """Calls holding only a state and a history leave the live table untracked by the GC."""
    tracker = Tracker()
    for i in range(50):
        call = f"c{i}"
        tracker.ingest(envelope(note("incoming", change="created", call=call)))
        tracker.ingest(envelope(note("establishing", call=call)))
    gc.collect()
    assert [] == [v for v in tracker._live.values() if type(v) is not int]
    assert False is gc.is_tracked(tracker._live)
    assert "establishing" == tracker.state("c7")
    assert 2 == len(tracker.history("c7"))


class TestRememberedMoves:
    """decide's answers for packed calls on plain notices are remembered, and bounded."""

    def test_a_second_call_on_the_same_path_is_answered_from_the_table(self) -> None:
        """The second call's steps add nothing to the table and end where the first's did."""
        tracker = Tracker()
        remembered = []
        for call in ("c1", "c2"):
            tracker.ingest(envelope(note("incoming", change="created", call=call)))
            tracker.ingest(envelope(note("establishing", call=call)))
            tracker.ingest(envelope(note("established", call=call)))
            remembered.append(len(tracker._moves.known))
        assert (tracker._live["c1"], [3, 3]) == (tracker._live["c2"], remembered)
        assert tracker.history("c1") == tracker.history("c2")

    def test_a_remembered_end_keeps_each_calls_own_fingerprint(self) -> None:
        """A second call ended from the table keeps its own last notification: its retry is
        recognised, and another notification after its end is still reported."""
        tracker = Tracker()
        ends = {}
        for call in ("c1", "c2"):
            tracker.ingest(envelope(note("incoming", change="created", call=call)))
            tracker.ingest(envelope(note("established", call=call)))
            ends[call] = envelope(note("terminated", change="deleted", call=call, extra=call))
            tracker.ingest(ends[call])
        retry = tracker.ingest(ends["c2"])
        other = tracker.ingest(ends["c1"] | {"value": [note("terminated", call="c2")]})
        assert ((), ["terminated-is-absorbing"]) == (retry, [f.rule for f in other])

    def test_the_table_is_bounded(self) -> None:
        """Past its limit the table starts again, whatever arrives."""
        moves = Moves(PACKING)
        for i in range(MOVES_LIMIT + 10):
            moves.learn((i, ("connect", None), None, None), i + 1, None)
        assert 10 == len(moves.known)
