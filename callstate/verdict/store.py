"""Where call records live when several trackers share them: the ``CallStore`` protocol.

A tracker's step is a pure function of one call's record and one notice
(:func:`~callstate.verdict._step.decide`), so trackers in many processes can share
records through a store that offers a read and a compare-and-set: each one
reads the record with its version, decides, and writes back only if nobody else
wrote in between; otherwise it reads again and decides again. Nothing is lost,
whichever instance behind a load balancer gets a call's next notification.

:class:`MemoryStore` is the reference implementation, for trackers in one
process; ``callstate.contrib.redis.RedisStore`` shares records across processes.
A tracker built without a store keeps its own tables, at full speed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import NamedTuple, Protocol, runtime_checkable

from callstate.errors import UsageError
from callstate.graph.wire import describe_argument
from callstate.verdict._step import Ended, Record

__all__ = ["CallStore", "MemoryStore", "Saved", "Stored"]


class Stored(NamedTuple):
    """A call as a store holds it: its live record, or the end it reached, and a version.

    ``version`` is 0 for a call the store has no live record of.
    """

    record: Record | None
    ended: Ended | None
    version: int


class Saved(NamedTuple):
    """The answer to a compare-and-set: whether it was written, and what it pushed out.

    ``evicted`` is ``(call id, state)`` of the longest-idle live call, dropped to make
    room under the bound on live calls.
    """

    ok: bool
    evicted: tuple[str, str | None] | None = None


@runtime_checkable
class CallStore(Protocol):
    """Call records shared by trackers: read, compare-and-set, and a bound on live calls."""

    #: The most live calls the store keeps; a new one evicts the longest idle.
    max_calls: int

    def load(self, call_id: str) -> Stored:
        """The call's record (or its end) and the version a :meth:`save` must name."""
        ...

    def save(self, call_id: str, version: int, decision: Record | Ended) -> Saved:
        """Write ``decision`` if the call is still at ``version``; an :class:`Ended`
        moves the call to the recently ended ids (kept for a while, then forgotten)."""
        ...

    def touch(self, call_id: str) -> None:
        """Mark a live call as active, so it is not the next to be evicted."""
        ...

    def live_calls(self) -> Iterator[str]:
        """Ids of live calls, longest idle first."""
        ...

    def ended_calls(self) -> Iterator[str]:
        """Ids of recently ended calls."""
        ...

    def __len__(self) -> int:
        """How many live calls the store holds."""
        ...


class MemoryStore:
    """A thread-safe :class:`CallStore` in this process: for trackers sharing calls here.

    ``ended_limit`` bounds the recently ended ids (oldest forgotten first).
    """

    def __init__(self, *, max_calls: int = 1_000_000, ended_limit: int = 100_000) -> None:
        for name, value, low in (("max_calls", max_calls, 1), ("ended_limit", ended_limit, 0)):
            if type(value) is not int or value < low:
                raise UsageError(
                    name, f"must be a whole number >= {low}, got {describe_argument(value)}"
                )
        self.max_calls = max_calls
        self.ended_limit = ended_limit
        self._live: dict[str, tuple[int, Record]] = {}
        self._ended: dict[str, Ended] = {}
        #: Versions come from one counter, so a version is never reused after an end or an
        #: eviction, and a stale read can never be mistaken for the current one.
        self._versions = 0
        self._lock = threading.Lock()

    def load(self, call_id: str) -> Stored:
        """See :meth:`CallStore.load`."""
        with self._lock:
            found = self._live.get(call_id)
            if found is not None:
                return Stored(found[1], None, found[0])
            if call_id in self._ended:
                return Stored(None, self._ended[call_id], 0)
            return Stored(None, None, 0)

    def save(self, call_id: str, version: int, decision: Record | Ended) -> Saved:
        """See :meth:`CallStore.save`."""
        with self._lock:
            live = self._live
            current = live.get(call_id)
            if (0 if current is None else current[0]) != version:
                return Saved(False)
            if current is None and call_id in self._ended:
                return Saved(False)  # read before the call ended: a tracker never decides this
            if type(decision) is Ended:
                live.pop(call_id, None)
                if self.ended_limit:
                    self._ended.pop(call_id, None)
                    if len(self._ended) >= self.ended_limit:
                        del self._ended[next(iter(self._ended))]
                    self._ended[call_id] = decision
                return Saved(True)
            evicted = None
            if current is None and len(live) >= self.max_calls:
                old = next(iter(live))
                evicted = (old, live.pop(old)[1][0])
            live.pop(call_id, None)
            self._versions += 1
            live[call_id] = (self._versions, decision)  # type: ignore[assignment]
            return Saved(True, evicted)

    def touch(self, call_id: str) -> None:
        """See :meth:`CallStore.touch`."""
        with self._lock:
            found = self._live.pop(call_id, None)
            if found is not None:
                self._live[call_id] = found

    def live_calls(self) -> Iterator[str]:
        """See :meth:`CallStore.live_calls`."""
        with self._lock:
            return iter(list(self._live))

    def ended_calls(self) -> Iterator[str]:
        """See :meth:`CallStore.ended_calls`."""
        with self._lock:
            return iter(list(self._ended))

    def __len__(self) -> int:
        return len(self._live)
