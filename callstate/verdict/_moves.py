"""What :func:`~callstate.verdict._step.decide` answered for packed records, remembered.

Most lines of a trace find their call kept as one int (a state and its history: no
ledger, no fingerprint, see :mod:`~callstate.verdict._packed`) and carry a plain
notice: no marker out of place, no unknown state, no group-call trait, no time.
``decide`` is a pure function, and on such a notice what it reads is the packed
record and the signal alone. So an answer that found nothing and left the call
packed is remembered, and the next such line costs one look-up. The rules stay in
``decide``: this table holds only what it said, and is bounded.
"""

from __future__ import annotations

from typing import Final

from callstate.machine.compiled import Signal, Step

__all__ = ["MOVES_LIMIT", "Moves"]

#: At most this many answers are remembered; the table starts again when full.
MOVES_LIMIT: Final = 4096

#: ``(packed record, signal)``: the question.
_Key = tuple[int, "Signal | None"]


class Moves:
    """One tracker's remembered answers: ``(packed record, signal) -> (packed record, step)``."""

    __slots__ = ("known",)

    def __init__(self) -> None:
        self.known: dict[_Key, tuple[int, Step | None]] = {}

    def learn(self, stored: int, signal: Signal | None, packed: int, step: Step | None) -> None:
        """Remember that ``decide`` took the call packed as ``stored`` to ``packed``."""
        known = self.known
        if len(known) >= MOVES_LIMIT:
            known.clear()
        known[(stored, signal)] = (packed, step)
