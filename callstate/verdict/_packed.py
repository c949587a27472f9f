"""A live call's record as the in-memory tracker keeps it: most of them as one int.

A record with no ledger and no fingerprint (most live calls, most of the time) is kept
as ``history << bits | state index``. An int takes less than half a 4-tuple's memory and
refers to nothing, so a table of them is one the garbage collector never walks: with a
million tuples in it, each full collection stalled every thread for about 50 ms.
The rules never see the packed form: :func:`~callstate.verdict._step.decide` takes and
returns records.
"""

from __future__ import annotations

from typing import TypeAlias

from callstate.machine.compiled import Compiled
from callstate.verdict._step import Record

__all__ = ["Packing", "Stored"]

#: A record as the live table holds it: packed into an int, or as it is.
Stored: TypeAlias = "Record | int"


class Packing:
    """Packs and unpacks the records of one compiled machine's calls."""

    __slots__ = ("_bits", "_index", "_mask", "_states")

    def __init__(self, machine: Compiled) -> None:
        states = tuple(machine.states)
        self._bits = max(1, (len(states) - 1).bit_length())
        self._mask = (1 << self._bits) - 1
        self._index = {state: i for i, state in enumerate(states)}
        self._states = states

    def pack(self, record: Record) -> Stored:
        """``record`` as the table keeps it."""
        state, ledger, fp, hist = record
        if ledger is None and fp is None and state is not None:
            return hist << self._bits | self._index[state]
        return record

    def unpack(self, stored: Stored) -> Record:
        """The record the table keeps as ``stored``."""
        if type(stored) is int:
            return (self._states[stored & self._mask], None, None, stored >> self._bits)
        return stored  # type: ignore[return-value]

    def find(self, stored: Stored | None) -> Record | None:
        """:meth:`unpack`, passing ``None`` (no such call) through."""
        return None if stored is None else self.unpack(stored)
