"""What :func:`~callstate.verdict._step.decide` answered for packed records, remembered.

Most lines of a trace find their call kept as one int (a state, its history and at
most a transfer kind: see :mod:`~callstate.verdict._packed`), or not yet seen, and
carry a plain notice: no marker out of place, no unknown state, no group-call trait,
no time. ``decide`` is a pure function, and on such a notice what it reads is the
packed record, the signal and the result codes alone. So an answer that found nothing
and left the call packed is remembered, and the next such line costs one look-up.
The rules stay in ``decide``: this table holds only what it said, and is bounded.
"""

from __future__ import annotations

from typing import Final

from callstate.machine.compiled import Signal, Step

__all__ = ["MOVES_LIMIT", "Key", "Moves"]

#: At most this many answers are remembered; the table starts again when full.
MOVES_LIMIT: Final = 4096

#: ``(packed record or None for a new call, signal, code, subcode)``: the question.
Key = tuple["int | None", "Signal | None", "int | None", "int | None"]


class Moves:
    """One tracker's answers: :data:`Key` ``-> (packed record, step)``."""

    __slots__ = ("known",)

    def __init__(self) -> None:
        self.known: dict[Key, tuple[int, Step | None]] = {}

    def learn(self, key: Key, packed: int, step: Step | None) -> None:
        """Remember that ``decide``, asked ``key``, left the call packed as ``packed``."""
        known = self.known
        if len(known) >= MOVES_LIMIT:
            known.clear()
        known[key] = (packed, step)
