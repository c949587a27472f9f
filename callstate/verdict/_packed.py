"""A live call's record as the in-memory tracker keeps it: most of them as one int.

A record whose ledger is absent or holds only the transfer kind the bot's request
announced (most live calls, most of the time) is kept as one int, from the top:
the fingerprint plus one (0: none), the history, the kind's slot, the state's index.
A call whose roster is followed too is kept as that int beside its roster
(:class:`Rostered`): the roster is the one thing a call of a group grows, and
:func:`~callstate.verdict._step.decide` never reads it, so what it answered for the
int stands for the call with a roster as well (:mod:`~callstate.verdict._moves`).
An int takes less than half a 4-tuple's memory and refers to nothing, so a table of
them is one the garbage collector never walks: with a million tuples in it, each
full collection stalled every thread for about 50 ms. The rules never see the packed
form: :func:`~callstate.verdict._step.decide` takes and returns records.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Final, NamedTuple, TypeAlias

import attrs

from callstate.machine.compiled import Compiled
from callstate.verdict._ledger import EMPTY, Ledger
from callstate.verdict._step import Record

__all__ = ["Packing", "Rostered", "Stored"]


class Rostered(NamedTuple):
    """A packed record whose ledger holds a roster too: the int its ledger without the
    roster packs to, and the roster (only a roster notification and a transfer request
    read it)."""

    low: int
    roster: frozenset[str]


#: A ledger's fields but its kind and its roster, which a packed record leaves at their defaults.
_REST: Final = attrgetter(
    *(name for name in attrs.fields_dict(Ledger) if name not in ("kind", "roster"))
)
_DEFAULT_REST: Final = _REST(EMPTY)

#: A record as the live table holds it: packed into an int (beside its roster), or as it is.
Stored: TypeAlias = "Record | int | Rostered"


class Packing:
    """Packs and unpacks the records of one compiled machine's calls, whose histories
    ``history_mask`` bounds."""

    __slots__ = (
        "_bits",
        "_fp_shift",
        "_hist_bits",
        "_hist_mask",
        "_kind_bits",
        "_kind_mask",
        "_kinds",
        "_ledgers",
        "_mask",
        "_slot",
        "_states",
        "below_fp",
    )

    def __init__(self, machine: Compiled, history_mask: int) -> None:
        states = tuple(machine.states)
        self._bits = max(1, (len(states) - 1).bit_length())
        self._mask = (1 << self._bits) - 1
        self._slot = {state: i for i, state in enumerate(states)}
        self._states = states
        #: Slot 0: no ledger; slot i: a ledger that holds only the i-th kind.
        self._ledgers: tuple[Ledger | None, ...] = (
            None,
            *(Ledger(kind=k.name) for k in machine.definition.kinds),
        )
        self._kinds = {ledger.kind: i for i, ledger in enumerate(self._ledgers) if ledger}
        self._kind_bits = max(1, (len(self._ledgers) - 1).bit_length())
        self._kind_mask = (1 << self._kind_bits) - 1
        self._hist_bits = history_mask.bit_length()
        self._hist_mask = (1 << self._hist_bits) - 1
        self._fp_shift = self._hist_bits + self._kind_bits + self._bits
        #: The bits of a packed record below its fingerprint: the record without it.
        self.below_fp = (1 << self._fp_shift) - 1

    def pack(self, record: Record) -> Stored:
        """``record`` as the table keeps it."""
        state, ledger, fp, hist = record
        if state is None or hist >> self._hist_bits or (fp is not None and fp < 0):
            return record
        roster = None
        if ledger is None:
            kind = 0
        else:
            roster = ledger.roster
            kind = self._kinds.get(ledger.kind, 0)
            # An EMPTY ledger alone stays as it is: decide hands back None for it.
            if _REST(ledger) != _DEFAULT_REST or (
                not kind and (roster is None or ledger.kind is not None)
            ):
                return record
        low = ((hist << self._kind_bits | kind) << self._bits) | self._slot[state]
        packed = low if fp is None else self.with_fingerprint(low, fp)
        return packed if roster is None else Rostered(packed, roster)

    def with_fingerprint(self, low: int, fp: int) -> int:
        """The packed record ``low`` (which has none) with the fingerprint ``fp``."""
        return low | (fp + 1) << self._fp_shift

    def unpack(self, stored: Stored) -> Record:
        """The record the table keeps as ``stored``."""
        if type(stored) is not int:
            if type(stored) is Rostered:
                state, ledger, fp, hist = self.unpack(stored[0])
                named = None if ledger is None else ledger.kind
                return (state, Ledger(kind=named, roster=stored[1]), fp, hist)
            return stored  # type: ignore[return-value]
        rest = stored >> self._bits
        kind = rest & self._kind_mask
        rest >>= self._kind_bits
        fp = rest >> self._hist_bits
        return (
            self._states[stored & self._mask],
            self._ledgers[kind],
            fp - 1 if fp else None,
            rest & self._hist_mask,
        )

    def state_of(self, packed: int) -> str:
        """The state of the record packed as ``packed``, alone."""
        return self._states[packed & self._mask]

    def find(self, stored: Stored | None) -> Record | None:
        """:meth:`unpack`, passing ``None`` (no such call) through."""
        return None if stored is None else self.unpack(stored)
