"""What a tracker knows of its calls, read back: states, histories, ids, snapshots.

A base class of :class:`~callstate.verdict.tracker.Tracker`, kept apart so the
tracker's module holds the ingesting; it reads the tables the tracker keeps (or its
store) and never changes a call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from callstate.errors import ParseError, UsageError
from callstate.graph.wire import describe
from callstate.machine.compiled import Compiled, Step
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.machine.history import HistoryStep
from callstate.verdict import _snapshot
from callstate.verdict._asked import Policy, ask
from callstate.verdict._body import malformed
from callstate.verdict._options import ROSTER_LIMIT
from callstate.verdict._overlay import Overlay
from callstate.verdict._packed import Packing, Stored
from callstate.verdict._request import read_request
from callstate.verdict._shared import told
from callstate.verdict._step import Ended, Record
from callstate.verdict._time import read_at
from callstate.verdict.finding import CallWarning, Finding, StepRecord, Violation

if TYPE_CHECKING:
    from callstate.verdict.store import CallStore
    from callstate.verdict.tracker import StepObserver, Tracker

__all__ = ["ReadBack", "unfinished"]


class ReadBack:
    """Reading a tracker's calls back, and carrying them elsewhere as a snapshot."""

    _definition: MachineDefinition
    _strict: bool
    max_calls: int
    ended_limit: int
    _history_limit: int
    _roster_limit: int
    _require_requests: bool
    _timeouts: dict[str, float]
    _store: CallStore | None
    bodies: int
    notifications: int
    calls_started: int
    _machine: Compiled
    _live: dict[str, Stored]
    _packing: Packing
    _ended: dict[str, int | Ended | None]
    _lock: threading.Lock
    #: ``_lock``, or no lock with a store (which makes each call's update atomic itself).
    _guard: AbstractContextManager[object]
    _snapshotting: threading.Lock
    _policy: Policy
    on_step: Callable[[StepRecord], None] | None

    # The options the rules took at construction: read-only, so none can change under them
    # (nor under the answers remembered for them, see ``_moves``).

    @property
    def definition(self) -> MachineDefinition:
        """The machine this tracker checks calls against."""
        return self._definition

    @property
    def strict(self) -> bool:
        """Whether every call must start at the definition's first state."""
        return self._strict

    @property
    def history_limit(self) -> int:
        """The steps kept per call."""
        return self._history_limit

    @property
    def roster_limit(self) -> int:
        """The participants followed per call."""
        return self._roster_limit

    @property
    def require_requests(self) -> bool:
        """Whether a transfer no request announced is reported."""
        return self._require_requests

    @property
    def timeouts(self) -> Mapping[str, float]:
        """Each timeout's window in seconds, by name: the definition's, or the override."""
        return MappingProxyType(self._timeouts)

    @property
    def store(self) -> CallStore | None:
        """Where records live when trackers share them; ``None``: this tracker's own tables."""
        return self._store

    def preview(self, record: object) -> tuple[Finding, ...]:
        """The findings a request record (timed or not) would give, changing nothing.

        For a stand-in of Graph that must answer a request before it records it.
        """
        out: list[Finding] = []
        if type(record) is not dict:
            out.append(malformed(0, None, f"expected a request record, got {describe(record)}"))
            return tuple(out)
        at = None
        if "at" in record:
            try:
                at = read_at(record["at"], "/at")
            except ParseError as exc:
                out.append(malformed(0, None, f"{exc.pointer}: {exc.message}"))
                return tuple(out)
        with self._guard:
            asked = read_request(record, 0, out, self._machine)
            if asked is not None:
                call_id = asked.call_id
                if self._store is not None:
                    stored = self._store.load(call_id)
                    found, end = stored.record, stored.ended
                else:
                    found = self._packing.find(self._live.get(call_id))
                    end = None
                    if found is None and call_id in self._ended:
                        end = self._ended_of(call_id)
                ask(self._machine, self._policy, found, end, asked, at, 0, out)
        return tuple(out)

    def finish(self, *, line: int | None = None) -> tuple[Finding, ...]:
        """What the end of the input says, call by call in id order: each live call left in the
        middle of a transfer (``unfinished-transfer``, a violation when ``strict``, else a
        warning), and each accepted request whose expected notification never came
        (``no-transfer-notification``).

        A truncated trace would otherwise pass silently. ``line`` is where the input
        ended; the calls stay tracked.
        """
        if self._store is not None:
            store = self._store
            records = [(cid, store.load(cid).record) for cid in store.live_calls()]
        else:
            with self._lock:
                unpack = self._packing.unpack
                records = [(cid, unpack(stored)) for cid, stored in self._live.items()]
        return unfinished(self._machine, records, self._strict, line)

    def _tell(self, steps: list[StepRecord]) -> None:
        assert self.on_step is not None
        error: BaseException | None = None
        for step in steps:
            try:
                self.on_step(step)
            except Exception as exc:  # the first one propagates, after every step was told
                error = error or exc
        if error is not None:
            raise error

    def _told(self, where: int, call_id: str, stored: Stored | None, step: Step) -> StepRecord:
        """What the observer is told of the step a remembered answer took (in the tracker's
        ``_apply``, and in the validate loop)."""
        return told(where, call_id, self._packing.find(stored), step, None)

    def _tell_unlocked(self, steps: list[StepRecord]) -> None:
        """Tell the observer of ``steps`` outside the lock
        :meth:`Tracker.read_stream <callstate.Tracker.read_stream>` holds, so it may read the
        tracker (or ingest, or take a snapshot) as it may from ``ingest``."""
        lock = self._lock
        lock.release()
        try:
            self._tell(steps)
        finally:
            steps.clear()
            lock.acquire()

    def _ended_of(self, call_id: str) -> Ended:
        found = self._ended[call_id]
        return found if type(found) is Ended else Ended(found)  # type: ignore[arg-type]

    def _kept(self, call_id: str, stored: Stored | None) -> tuple[Record | None, Ended | None]:
        """The record of a call kept as ``stored`` (``None``: not live), or else its end, if
        it ended recently: what the rules are handed."""
        record = self._packing.find(stored)
        if record is None and call_id in self._ended:
            return None, self._ended_of(call_id)
        return record, None

    def _record(self, call_id: str) -> tuple[Record | None, bool]:
        """A call's live record, and whether it ended recently, from wherever they live."""
        if self._store is not None:
            stored = self._store.load(call_id)
            return stored.record, stored.ended is not None
        with self._lock:
            return self._packing.find(self._live.get(call_id)), call_id in self._ended

    def state(self, call_id: str) -> str | None:
        """The state of a live call, the final state of a recently ended one, else ``None``."""
        record, ended = self._record(call_id)
        if record is not None:
            return record[0]
        return self._machine.end_state if ended else None

    def history(self, call_id: str) -> tuple[HistoryStep, ...]:
        """The last ``history_limit`` steps of a live call, oldest first."""
        record, _ = self._record(call_id)
        if record is None:
            return ()
        return self._machine.history.unpack(record[3], self._history_limit)

    def live_calls(self) -> Iterator[str]:
        """Ids of live calls, longest idle first (a copy: safe to iterate while ingesting)."""
        if self._store is not None:
            return self._store.live_calls()
        with self._lock:
            return iter(list(self._live))

    def ended_calls(self) -> Iterator[str]:
        """Ids in the bounded table of recently ended calls, oldest first."""
        if self._store is not None:
            return self._store.ended_calls()
        with self._lock:
            return iter(list(self._ended))

    def __len__(self) -> int:
        return len(self._live) if self._store is None else len(self._store)

    def __contains__(self, call_id: object) -> bool:
        if type(call_id) is not str:
            return False
        return self._record(call_id)[0] is not None

    def __repr__(self) -> str:
        return (
            f"Tracker({self._definition.name!r}, {len(self)} live calls"
            f"{'' if self._store is None else ', shared store'})"
        )

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to carry on elsewhere, as JSON-ready data (see :meth:`restore`).

        The live table is not copied: under the lock, an overlay takes its place (and
        the ended table, bounded by ``ended_limit``, is copied), so an ingest never waits
        for a million calls to be copied. The table below is read outside the lock and
        the overlay's changes are folded back in afterwards. A tracker on a shared store
        has nothing of its own to carry: the store is the state (a :class:`UsageError`).
        """
        with self._frozen() as tables:
            return _snapshot.dump(self, *tables)

    def snapshot_json(self) -> bytes:
        """:meth:`snapshot` as JSON bytes, for a store of your choice (written a row at a
        time, so a big snapshot neither stalls other threads nor wakes the collector)."""
        with self._frozen() as tables:
            return _snapshot.dump_json(self, *tables)

    @classmethod
    def restore(
        cls,
        data: Mapping[str, Any] | bytes | str,
        *,
        definition: MachineDefinition | None = None,
        on_step: StepObserver | None = None,
        max_calls: int | None = None,
        ended_limit: int | None = None,
        roster_limit: int = ROSTER_LIMIT,
        timeouts: Mapping[str, float] | None = None,
        require_requests: bool = False,
    ) -> Tracker:
        """A tracker that carries on from a :meth:`snapshot`; ``ParseError`` naming the
        field if it is not one. New limits may be given; a lower one trims at once. The
        request options are the tracker's, not the snapshot's: give them again."""
        snap = _snapshot.load(data, CALL_MACHINE if definition is None else definition)
        tracker = cast("type[Tracker]", cls)(
            definition=definition,
            strict=snap.strict,
            max_calls=snap.max_calls if max_calls is None else max_calls,
            ended_limit=snap.ended_limit if ended_limit is None else ended_limit,
            history_limit=snap.history_limit,
            on_step=on_step,
            roster_limit=roster_limit,
            timeouts=timeouts,
            require_requests=require_requests,
        )
        tracker.bodies, tracker.notifications, tracker.calls_started = snap.counters
        live, tracker._ended = snap.trimmed(tracker.max_calls, tracker.ended_limit)
        tracker._live = cast("dict[str, Stored]", live)  # as they are: each packs at its next step
        return tracker

    @contextmanager
    def _frozen(
        self,
    ) -> Iterator[tuple[dict[str, Stored], dict[str, int | Ended | None], tuple[int, int, int]]]:
        """The tables as they are now, unchanged while the block runs; one snapshot at a time."""
        if self._store is not None:
            raise UsageError("snapshot", "this tracker's calls live in its store; keep the store")
        with self._snapshotting:
            with self._lock:
                live = self._live
                self._live = overlay = Overlay(live)
                ended = self._ended.copy()
                counters = (self.bodies, self.notifications, self.calls_started)
            try:
                yield live, ended, counters
            finally:
                with self._lock:
                    self._live = overlay.settle()


def unfinished(
    machine: Compiled, records: Iterable[tuple[str, Record | None]], strict: bool, line: int | None
) -> tuple[Finding, ...]:
    """The findings of calls the input left mid-transfer, or waiting for what a request expects,
    in call id order: the same however the calls were spread over trackers or processes."""
    out: list[Finding] = []
    finding = Violation if strict else CallWarning
    for cid, record in sorted(records, key=_call_id):
        if record is None:
            continue
        state, ledger = record[0], record[1]
        if state in machine.in_transfer:
            out.append(
                finding(
                    line=line,
                    call_id=cid,
                    rule="unfinished-transfer",
                    message=f"the input ended with the call in {state}: its transfer never "
                    "finished",
                    state=state,
                )
            )
        expect = None if ledger is None or ledger.expect is None else ledger.expect
        wanted = None if expect is None else machine.requests[expect].expect
        if wanted is not None and wanted.until_end:
            severity = Violation if wanted.severity == "violation" else CallWarning
            out.append(
                severity(
                    line=line,
                    call_id=cid,
                    rule=wanted.rule,
                    message=f"the input ended, and the {expect} request of line "
                    f"{ledger.expect_line} never got {' or '.join(wanted.states)}",  # type: ignore[union-attr]
                    state=state,
                )
            )
    return tuple(out)


def _call_id(item: tuple[str, Record | None]) -> str:
    return item[0]
