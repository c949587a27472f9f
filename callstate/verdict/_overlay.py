"""The live-call table while a snapshot reads it: changes land on top, the table below stays.

Copying a million live calls under the tracker's lock stalls every ingest for tens
of milliseconds. Instead, a snapshot puts an :class:`Overlay` in the table's place
(a constant-time swap under the lock) and reads the table below outside the lock:
nothing writes to it until :meth:`Overlay.settle` folds the changes back in, at a
cost that follows the changes made meanwhile, not the number of calls. The tracker's
hot path is unchanged: it only meets an overlay while a snapshot runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from callstate.verdict._packed import Stored

__all__ = ["Overlay", "oldest"]

_NO_DEFAULT: Any = object()


class Overlay(dict[str, "Stored"]):
    """A live table over ``base``, in the same order: ``base``'s calls not taken out, then
    the ones put in since (a put call is the most recently touched, as in a plain table)."""

    __slots__ = ("_next", "_scan", "base", "gone")

    def __init__(self, base: dict[str, Stored]) -> None:
        super().__init__()
        #: The table a snapshot is reading: left as it was until :meth:`settle`.
        self.base = base
        #: Calls of ``base`` taken out (or replaced) since.
        self.gone: set[str] = set()
        # Where the oldest call of ``base`` still here is: ``gone`` only grows, so it only
        # moves forward, and evicting one call after another costs no rescan.
        self._scan = iter(base)
        self._next: str | None = next(self._scan, None)

    def _below(self, call_id: object) -> bool:
        return call_id in self.base and call_id not in self.gone

    def __contains__(self, call_id: object) -> bool:
        return dict.__contains__(self, call_id) or self._below(call_id)

    def __getitem__(self, call_id: str) -> Stored:
        if dict.__contains__(self, call_id):
            return dict.__getitem__(self, call_id)
        if self._below(call_id):
            return self.base[call_id]
        raise KeyError(call_id)

    def get(self, call_id: str, default: Any = None) -> Any:
        """The call's record, or ``default``."""
        if dict.__contains__(self, call_id):
            return dict.__getitem__(self, call_id)
        return self.base[call_id] if self._below(call_id) else default

    def __setitem__(self, call_id: str, record: Stored) -> None:
        # Put back at the end, as after the tracker's pop; unlike a plain table, a call
        # still in ``base`` that is set without a pop moves to the end as well.
        if self._below(call_id):
            self.gone.add(call_id)
        dict.__setitem__(self, call_id, record)

    def pop(self, call_id: str, default: Any = _NO_DEFAULT) -> Any:
        """Take the call's record out (``default`` if it is not live)."""
        if dict.__contains__(self, call_id):
            return dict.pop(self, call_id)
        if self._below(call_id):
            self.gone.add(call_id)
            return self.base[call_id]
        if default is _NO_DEFAULT:
            raise KeyError(call_id)
        return default

    def __delitem__(self, call_id: str) -> None:
        self.pop(call_id)

    def __len__(self) -> int:
        return dict.__len__(self) + len(self.base) - len(self.gone)

    def __iter__(self) -> Iterator[str]:
        gone = self.gone
        yield from (cid for cid in self.base if cid not in gone)
        yield from dict.__iter__(self)

    def oldest(self) -> str:
        """The longest-idle call (``next(iter(...))`` of a plain table, without the rescan)."""
        while self._next is not None and self._next in self.gone:
            self._next = next(self._scan, None)
        return self._next if self._next is not None else next(dict.__iter__(self))

    def items(self) -> Any:
        """``(call id, record)`` pairs, longest idle first (a list: a copy)."""
        return [(cid, self[cid]) for cid in self]

    def copy(self) -> dict[str, Stored]:
        """A plain table with the same calls, in the same order."""
        return dict(self.items())

    def settle(self) -> dict[str, Stored]:
        """``base`` with every change folded in: the plain table to use from now on."""
        base = self.base
        for call_id in self.gone:
            del base[call_id]
        base.update(dict.items(self))
        return base


def oldest(live: dict[str, Stored]) -> str:
    """The longest-idle call of a live table, plain or overlaid."""
    return live.oldest() if type(live) is Overlay else next(iter(live))
