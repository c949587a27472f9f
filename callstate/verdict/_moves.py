"""What :func:`~callstate.verdict._step.decide` answered for packed records, remembered.

Most lines of a trace find their call kept as one int (a state, its history, at most
a transfer kind and a fingerprint: see :mod:`~callstate.verdict._packed`), or not yet
seen, and carry a plain notice: no marker out of place, no unknown state, no
group-call trait, no time. ``decide`` is a pure function, and on such a notice what
it reads is the record, the signal and the result codes. The fingerprint it reads
only where it refuses the step, and a refusal is never remembered: so the question
leaves the fingerprint out. An answer that found nothing and left the call packed
(or ended it) is remembered, and the next such line costs one look-up, plus the
notification's fingerprint where the answer keeps one. The rules stay in ``decide``:
this table holds only what it said, and is bounded.

What a notice asks is its :data:`~callstate.verdict._notice.Question`, which the
reader puts in it (:func:`~callstate.verdict._notice.asks`, written once), and a line's
form holds it too, so the validate loop (which settles the usual line itself, without
building its notice) asks the same table by the same key.
"""

from __future__ import annotations

from typing import Final

from callstate.errors import ParseError
from callstate.machine.compiled import Step
from callstate.verdict._notice import Question, fingerprint
from callstate.verdict._packed import Packing
from callstate.verdict._step import Ended

__all__ = ["MOVES_LIMIT", "Key", "Moves"]

#: At most this many answers are remembered; the table starts again when full.
MOVES_LIMIT: Final = 4096

#: ``(packed record below its fingerprint or None for a new call, the question)``.
Key = tuple["int | None", Question]


class Moves:
    """One tracker's answers: :data:`Key` ``-> (packed record below its fingerprint, or
    None for the end; the step; whether the answer keeps the notification's fingerprint)``."""

    __slots__ = ("known", "packing")

    def __init__(self, packing: Packing) -> None:
        self.packing = packing
        self.known: dict[Key, tuple[int | None, Step | None, bool]] = {}

    def with_fingerprint(
        self, known: tuple[int | None, Step | None, bool], source: object
    ) -> int | Ended | None:
        """A remembered answer that keeps the notification's fingerprint (of ``source``, a
        notice's slot 10), completed with it; ``None`` if it has none (decide then says what
        is wrong)."""
        try:
            fp = fingerprint(source)
        except ParseError:
            return None
        low = known[0]
        return Ended(fp) if low is None else self.packing.with_fingerprint(low, fp)

    def learn(self, key: Key, decision: int | Ended, step: Step | None) -> None:
        """Remember that ``decide``, asked ``key``, left the call as ``decision``."""
        known = self.known
        if len(known) >= MOVES_LIMIT:
            known.clear()
        if type(decision) is int:
            low = decision & self.packing.below_fp
            known[key] = (low, step, low != decision)
        else:
            known[key] = (None, step, True)
