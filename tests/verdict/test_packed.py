"""Live records kept as ints: the same record back, and a table the collector never walks."""

from __future__ import annotations

import gc
import itertools
from typing import Any

from hypothesis import given, strategies as st

from callstate.machine import CALL_MACHINE, compiled
from callstate.simulate import event_notification
from callstate.verdict import Tracker
from callstate.verdict._ledger import EMPTY, Ledger
from callstate.verdict._moves import MOVES_LIMIT, Moves
from callstate.verdict._packed import Packing, Rostered
from callstate.verdict._roster import regroup, take_part
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


def _stripped(decision: Any, roster: frozenset[str] | None) -> Any:
    """A decision with ``roster`` taken out of its ledger (it must hold it), as a call
    without one would have it."""
    if type(decision) is not tuple:
        return (decision,)
    state, ledger, fp, hist = decision
    if roster is None:
        return (decision,)
    if ledger is None or ledger.roster != roster:
        return ("roster lost", decision)
    bare = ledger.but(roster=None)
    return ((state, None if bare == EMPTY else bare, fp, hist),)


class TestRosteredCalls:
    """A call whose roster is followed packs like one without, and is answered alike."""

    def test_decide_reads_no_roster(self) -> None:
        """decide answers a call with a roster as it answers the same call without one, and
        keeps the roster: so one remembered answer stands for both. Every state, packable
        ledger, signal and option, with and without a fingerprint."""
        differ = []
        for require, state, ledger, (event, kind), fp in itertools.product(
            (False, True),
            CALL_MACHINE.states,
            (None, Ledger(kind="blind"), Ledger(kind="consultative")),
            MACHINE.signals,
            (None, 5),
        ):
            tracker = Tracker(require_requests=require)
            notice = tracker._reader.read(event_notification("c1", event, kind)["value"][0])
            answers = []
            for roster in (None, frozenset({"p1", "p2"})):
                found: list[Any] = []
                record = (state, _rostered(ledger, roster), fp, 3)
                decision, *rest = decide(MACHINE, record, None, notice, 7, found, tracker._policy)
                answers.append((*_stripped(decision, roster), rest, found))
            if answers[0] != answers[1]:
                differ.append((require, state, ledger, event, kind, fp))
        assert [] == differ

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


class TestRegroup:
    """A packed call's roster change is read from its values, as its ledger would say."""

    def test_regroup_is_take_part_on_the_unpacked_record(self) -> None:
        """For every state, packable kind, fingerprint, roster, part and cap, ``regroup``
        keeps what packing ``take_part``'s record would keep, with the same warnings."""
        packed = [
            PACKING.pack((state, _rostered(ledger, roster), fp, 3))
            for state, ledger, roster, fp in itertools.product(
                CALL_MACHINE.states,
                (None, Ledger(kind="blind"), Ledger(kind="consultative")),
                (None, frozenset(), frozenset({"p1"}), frozenset({"p1", "p2"})),
                (None, 5),
            )
        ]
        parts = [
            (kind, change, ids, invites)
            for kind, change, ids, invites in itertools.product(
                ("participants", "operation"),
                ("updated", "deleted"),
                ((), ("p1",), ("p2", "p3"), ("p1", "p2", "p3", "p4")),
                (False, True),
            )
        ]
        differ = []
        for limit in (3, 64):
            policy = Tracker(roster_limit=limit)._policy
            for kept, part in itertools.product(packed, parts):
                fast: list[Any] = []
                slow: list[Any] = []
                got = regroup(policy, PACKING, kept, part, "c1", 9, fast)
                record = take_part(policy, PACKING.unpack(kept), part, "c1", 9, slow)
                expected = kept if record is None else PACKING.pack(record)
                if (expected, slow) != (got, fast):
                    differ.append((limit, kept, part))
        assert [] == differ
        assert all(type(kept) in (int, Rostered) for kept in packed)
