"""What a tracker knows of its calls, read back: states, histories, ids, snapshots.

A base class of :class:`~callstate.verdict.tracker.Tracker`, kept apart so the
tracker's module holds the ingesting; it reads the tables the tracker keeps (or its
store) and never changes a call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from callstate.errors import UsageError
from callstate.machine.compiled import Compiled
from callstate.machine.definition import MachineDefinition
from callstate.machine.history import HistoryStep
from callstate.verdict import _snapshot
from callstate.verdict._step import Record

if TYPE_CHECKING:

    from callstate.verdict.store import CallStore

__all__ = ["ReadBack"]


class ReadBack:
    """Reading a tracker's calls back, and carrying them elsewhere as a snapshot."""

    definition: MachineDefinition
    strict: bool
    max_calls: int
    ended_limit: int
    history_limit: int
    store: CallStore | None
    bodies: int
    notifications: int
    calls_started: int
    _machine: Compiled
    _live: dict[str, Record]
    _ended: dict[str, int | None]
    _lock: threading.Lock

    def _record(self, call_id: str) -> tuple[Record | None, bool]:
        """A call's live record, and whether it ended recently, from wherever they live."""
        if self.store is not None:
            stored = self.store.load(call_id)
            return stored.record, stored.ended is not None
        with self._lock:
            return self._live.get(call_id), call_id in self._ended

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
        return self._machine.history.unpack(record[3], self.history_limit)

    def live_calls(self) -> Iterator[str]:
        """Ids of live calls, longest idle first (a copy: safe to iterate while ingesting)."""
        if self.store is not None:
            return self.store.live_calls()
        with self._lock:
            return iter(list(self._live))

    def ended_calls(self) -> Iterator[str]:
        """Ids in the bounded table of recently ended calls, oldest first."""
        if self.store is not None:
            return self.store.ended_calls()
        with self._lock:
            return iter(list(self._ended))

    def __len__(self) -> int:
        return len(self._live) if self.store is None else len(self.store)

    def __contains__(self, call_id: object) -> bool:
        if type(call_id) is not str:
            return False
        return self._record(call_id)[0] is not None

    def __repr__(self) -> str:
        return (
            f"Tracker({self.definition.name!r}, {len(self)} live calls"
            f"{'' if self.store is None else ', shared store'})"
        )

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to carry on elsewhere, as JSON-ready data (see :meth:`restore`).

        Each table is copied under the lock on its own, and turned into JSON data
        outside it, so an ingest waits at most for one copy. A call that ended between
        the two copies is kept as ended, which it is. A tracker on a shared store has
        nothing of its own to carry: the store is the state (a :class:`UsageError`).
        """
        return _snapshot.dump(self, *self._tables())

    def _tables(self) -> tuple[dict[str, Record], dict[str, int | None], tuple[int, int, int]]:
        if self.store is not None:
            raise UsageError("snapshot", "this tracker's calls live in its store; keep the store")
        with self._lock:
            live = self._live.copy()
        with self._lock:
            ended = self._ended.copy()
            counters = (self.bodies, self.notifications, self.calls_started)
        for call_id in [cid for cid in ended if cid in live]:
            del live[call_id]
        return live, ended, counters

    def snapshot_json(self) -> bytes:
        """:meth:`snapshot` as JSON bytes, for a store of your choice (written in chunks,
        so a big snapshot does not stall other threads)."""
        return _snapshot.dump_json(self, *self._tables())
