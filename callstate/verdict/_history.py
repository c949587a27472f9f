"""A call's recent steps packed into one int: a million live calls keep their history small.

Each step is one code: the event's index (1 for the state a call was first seen
in) above the destination state's index. The newest code sits in the low bits;
one more step than the limit is kept, so the oldest kept step knows its source.
"""

from __future__ import annotations

import attrs

from callstate.machine.definition import MachineDefinition

__all__ = ["HistoryPacking", "HistoryStep"]


@attrs.frozen
class HistoryStep:
    """One step a call took; ``event`` is ``None`` for the state a call was first seen in."""

    event: str | None
    source: str | None
    dest: str


class HistoryPacking:
    """How ``definition``'s steps pack into an int that keeps ``limit`` of them."""

    def __init__(self, definition: MachineDefinition, limit: int) -> None:
        self.definition = definition
        self.limit = limit
        self.state_ix = {s: i for i, s in enumerate(definition.states)}
        self.event_ix = {e.name: i + 2 for i, e in enumerate(definition.events)}
        self.state_bits = max(1, (len(definition.states) - 1).bit_length())
        #: Bits per step.
        self.width = self.state_bits + (len(definition.events) + 1).bit_length()
        #: What survives of a packed history: ``limit`` steps, plus one for the oldest's source.
        self.mask = (1 << (self.width * (limit + 1))) - 1 if limit else 0

    def code(self, event: str | None, dest: str) -> int:
        """The code of one step; ``event`` is ``None`` for the state a call was first seen in."""
        event_code = 1 if event is None else self.event_ix[event]
        return (event_code << self.state_bits) | self.state_ix[dest]

    def push(self, hist: int, code: int) -> int:
        """``hist`` with one more step, the oldest dropped past the limit."""
        return ((hist << self.width) | code) & self.mask

    def unpack(self, hist: int) -> tuple[HistoryStep, ...]:
        """The kept steps, oldest first."""
        events = [e.name for e in self.definition.events]
        mask = (1 << self.width) - 1
        codes = []
        while hist:
            codes.append(hist & mask)
            hist >>= self.width
        steps: list[HistoryStep] = []
        source: str | None = None
        state_mask = (1 << self.state_bits) - 1
        if len(codes) > self.limit:
            source = self.definition.states[codes.pop() & state_mask]
        for code in reversed(codes):
            event_ix = code >> self.state_bits
            dest = self.definition.states[code & state_mask]
            event = None if event_ix == 1 else events[event_ix - 2]
            steps.append(HistoryStep(event, source, dest))
            source = dest
        return tuple(steps)
