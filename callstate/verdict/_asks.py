"""What :func:`~callstate.verdict._asked.ask` answered for packed records, remembered.

The requests of a trace, like its notifications, mostly find their call kept as one
int (:mod:`~callstate.verdict._packed`) and carry no time. ``ask`` is a pure function,
and on such a request what it reads is the record below its fingerprint and the request
as read, all of :class:`~callstate.verdict._request.Asked` but the call id, which only
its findings name. It reads the line only for an accepted request's expectation, and
that ledger is never packed; the fingerprint it keeps as it was. An answer that found
nothing and left the call packed is remembered, and the next such request costs one look-up:
the same ask :mod:`~callstate.verdict._moves` makes of ``decide``. The rules stay in
``ask``: this table holds only what it said, and is bounded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from callstate.verdict._asked import ask
from callstate.verdict._request import Asked
from callstate.verdict.finding import Finding

if TYPE_CHECKING:
    from callstate.verdict.tracker import Tracker

__all__ = ["ASKS_LIMIT", "Asks", "Key", "take_request"]

#: At most this many answers are remembered; the table starts again when full.
ASKS_LIMIT: Final = 4096

#: ``(packed record below its fingerprint, the request as read but its call id)``.
Key = tuple[int, tuple[str, "str | None", "int | None", bool, bool, "str | None"]]


class Asks:
    """One tracker's answers: :data:`Key` ``->`` the packed record below its fingerprint
    that ``ask`` left the call as."""

    __slots__ = ("known",)

    def __init__(self) -> None:
        self.known: dict[Key, int] = {}

    def learn(self, key: Key, low: int) -> None:
        """Remember that ``ask``, asked ``key``, left the call as ``low`` (and its fingerprint)."""
        known = self.known
        if len(known) >= ASKS_LIMIT:
            known.clear()
        known[key] = low


def take_request(
    tracker: Tracker, asked: Asked, where: int, out: list[Finding], at: float | None
) -> None:
    """The bot's request ``asked``, applied to the tracker's own table: ``ask``'s answer,
    or what it answered before for the same packed record and request."""
    call_id = asked.call_id
    live = tracker._live
    stored = live.pop(call_id, None)
    below = tracker._packing.below_fp
    key: Key | None = None
    if type(stored) is int and at is None:
        low = stored & below
        high = stored - low  # the fingerprint, which ask keeps as it is
        key = (low, asked[1:])
        known = tracker._asks.known.get(key)
        if known is not None:
            live[call_id] = high + known
            return
    # What ask finds, apart: only an answer that found nothing is remembered (``out``
    # may be a sink that keeps nothing, so its length would not tell).
    found: list[Finding] = out if key is None else []
    record, ended = tracker._kept(call_id, stored)
    decision = ask(tracker._machine, tracker._policy, record, ended, asked, at, where, found)
    settled = tracker._settle(call_id, stored, decision, where, found)
    if key is None:
        return
    for finding in found:
        out.append(finding)
    if not found and type(settled) is int:  # ask keeps the fingerprint as it was
        tracker._asks.learn(key, settled & below)
