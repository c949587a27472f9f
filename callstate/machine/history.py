"""A call's recent steps packed into one int: a million live calls keep their history small.

Each step is one code: the event's index (1 for the state a call was first seen
in) above the destination state's index. The newest code sits in the low bits;
one more step than the limit is kept, so the oldest kept step knows its source.
"""

from __future__ import annotations

import attrs

from callstate.errors import ParseError
from callstate.machine.definition import MachineDefinition

__all__ = ["HistoryPacking", "HistoryStep"]


@attrs.frozen
class HistoryStep:
    """One step a call took; ``event`` is ``None`` for the state a call was first seen in."""

    event: str | None
    source: str | None
    dest: str


class HistoryPacking:
    """How ``definition``'s steps pack into an int; :meth:`mask` keeps ``limit`` of them."""

    def __init__(self, definition: MachineDefinition) -> None:
        self.definition = definition
        self.state_ix = {s: i for i, s in enumerate(definition.states)}
        self.event_ix = {e.name: i + 2 for i, e in enumerate(definition.events)}
        self.state_bits = max(1, (len(definition.states) - 1).bit_length())
        #: Bits per step.
        self.width = self.state_bits + (len(definition.events) + 1).bit_length()

    def mask(self, limit: int) -> int:
        """What survives of a packed history: ``limit`` steps, plus one for the oldest's source."""
        return (1 << (self.width * (limit + 1))) - 1 if limit else 0

    def code(self, event: str | None, dest: str) -> int:
        """The code of one step; ``event`` is ``None`` for the state a call was first seen in."""
        event_code = 1 if event is None else self.event_ix[event]
        # A state outside an unchecked definition gets an index no state has.
        return (event_code << self.state_bits) | self.state_ix.get(dest, len(self.state_ix))

    def push(self, hist: int, code: int, mask: int) -> int:
        """``hist`` with one more step, the oldest dropped past the :meth:`mask`."""
        return ((hist << self.width) | code) & mask

    def unpack(self, hist: int, limit: int) -> tuple[HistoryStep, ...]:
        """The kept steps of a history packed with ``limit``, oldest first.

        ``ParseError`` for a number that no packing with ``limit`` produces (a hostile
        snapshot): negative, too long, or naming an unknown state or event.
        """
        if hist < 0 or hist.bit_length() > self.width * (limit + 1):
            raise ParseError(f"not a packed history of at most {limit} steps", pointer="/hist")
        events = [e.name for e in self.definition.events]
        mask = (1 << self.width) - 1
        codes = []
        while hist:
            codes.append(hist & mask)
            hist >>= self.width
        steps: list[HistoryStep] = []
        source: str | None = None
        state_mask = (1 << self.state_bits) - 1
        states = self.definition.states
        if len(codes) > limit:
            source = self._name(states, codes.pop() & state_mask)
        for code in reversed(codes):
            event_ix = code >> self.state_bits
            dest = self._name(states, code & state_mask)
            event = None if event_ix == 1 else self._name(events, event_ix - 2)
            steps.append(HistoryStep(event, source, dest))
            source = dest
        return tuple(steps)

    @staticmethod
    def _name(names: list[str] | tuple[str, ...], index: int) -> str:
        if 0 <= index < len(names):
            return names[index]
        raise ParseError(f"packed history names no step at index {index}", pointer="/hist")
