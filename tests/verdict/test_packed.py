"""Live records kept as ints: the same record back, and a table the collector never walks."""

from __future__ import annotations

import gc
from typing import Any

from hypothesis import given, strategies as st

from callstate.machine import CALL_MACHINE, compiled
from callstate.simulate import event_notification
from callstate.verdict import Tracker
from callstate.verdict._ledger import EMPTY, Ledger
from callstate.verdict._moves import MOVES_LIMIT, Moves
from callstate.verdict._packed import Packing, Rostered
from callstate.verdict._step import decide
from tests.verdict.conftest import envelope, note, opening

MACHINE = compiled(CALL_MACHINE)
HISTORY = MACHINE.history.mask(8)
PACKING = Packing(MACHINE, HISTORY)
LEDGERS = st.sampled_from(
    [None, Ledger(kind="blind"), Ledger(kind="consultative"), Ledger(kind="blind", group=True)]
)
ROSTERS = st.none() | st.frozensets(st.sampled_from(["p1", "p2", "p3"]))


def _rostered(ledger: Ledger | None, roster: frozenset[str] | None) -> Ledger | None:
    """``ledger`` holding ``roster`` too (``None``: none)."""
    if roster is None:
        return ledger
    return (EMPTY if ledger is None else ledger).but(roster=roster)


RECORDS = st.tuples(
    st.sampled_from([None, *CALL_MACHINE.states]),
    st.builds(_rostered, LEDGERS, ROSTERS),
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
        """A record with a state, a history in bounds and no ledger but a kind is an int;
        one with a roster too is that int beside the roster."""
        state, ledger, _, hist = record
        roster = None if ledger is None else ledger.roster
        bare = None if ledger is None else ledger.but(roster=None)
        kind_only = bare is None or (
            bare == Ledger(kind=bare.kind) and (bare.kind, roster) != (None, None)
        )
        packed = state is not None and kind_only and hist <= HISTORY
        expected = tuple if not packed else int if roster is None else Rostered
        assert expected is type(PACKING.pack(record))


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


def _stripped(decision: Any) -> Any:
    """A decision with its ledger's roster left out, as a call without one would have it,
    and the roster it kept."""
    if type(decision) is not tuple:
        return decision, None
    state, ledger, fp, hist = decision
    bare = None if ledger is None else ledger.but(roster=None)
    return (state, None if bare == EMPTY else bare, fp, hist), ledger and ledger.roster


class TestRosteredCalls:
    """A call whose roster is followed packs like one without, and is answered alike."""

    @given(
        state=st.sampled_from(CALL_MACHINE.states),
        ledger=st.sampled_from([None, Ledger(kind="blind"), Ledger(kind="consultative")]),
        roster=st.frozensets(st.sampled_from(["p1", "p2", "p3"])),
        fp=st.none() | st.integers(0, 2**32),
        hist=st.integers(0, HISTORY),
        signal=st.sampled_from(MACHINE.signals),
        require=st.booleans(),
    )
    def test_decide_reads_no_roster(
        self,
        state: str,
        ledger: Ledger | None,
        roster: frozenset[str],
        fp: int | None,
        hist: int,
        signal: Any,
        require: bool,
    ) -> None:
        """decide answers a call with a roster as it answers the same call without one, and
        keeps the roster: so one remembered answer stands for both."""
        tracker = Tracker(require_requests=require)
        notice = tracker._reader.read(event_notification("c1", *signal)["value"][0])
        record = (state, ledger, fp, hist)
        with_roster = (state, _rostered(ledger, roster), fp, hist)
        found: list[Any] = []
        found_with_roster: list[Any] = []
        plain = decide(MACHINE, record, None, notice, 7, found, tracker._policy)
        rostered = decide(MACHINE, with_roster, None, notice, 7, found_with_roster, tracker._policy)
        (decision, _), (decision_with_roster, kept) = _stripped(plain[0]), _stripped(rostered[0])
        expected = (decision, plain[1:], found, roster if type(decision) is tuple else None)
        assert expected == (decision_with_roster, rostered[1:], found_with_roster, kept)

    def test_a_group_call_is_packed_and_answered_from_the_table(self) -> None:
        """A call with a roster is kept as an int beside it, and its next step is a
        remembered one: the table does not grow, and the roster stays."""
        tracker = Tracker()
        for call in ("c1", "c2"):
            for body in opening(call):
                tracker.ingest(body)
            roster = [{"id": f"{call}-a"}, {"id": f"{call}-b"}]
            tracker.ingest(envelope(note(call=call, sub="/participants", data=roster)))
        remembered = len(tracker._moves.known)
        tracker.ingest(envelope(note("hold", call="c1")))
        tracker.ingest(envelope(note("hold", call="c2")))
        kept = tracker._live["c2"]
        expected = (Rostered, frozenset({"c2-a", "c2-b"}), remembered + 1, "hold")
        assert expected == (type(kept), kept.roster, len(tracker._moves.known), tracker.state("c2"))
