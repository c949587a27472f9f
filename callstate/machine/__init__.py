"""The call machine: one checked definition, compiled once, and its ``transitions`` engine.

Everything is imported eagerly but the engine: importing ``transitions`` costs
about 17 ms, a third of ``callstate validate``'s start, and validation never
needs it, so ``ENGINE`` and ``Engine`` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callstate._first_use import on_first_use
from callstate.machine.compiled import Compiled, Signal, SignalError, Step, compiled
from callstate.machine.definition import (
    CALL_MACHINE,
    TRANSFER_KINDS,
    Event,
    Guard,
    MachineDefinition,
    Marker,
    TransferKind,
    Transition,
    call_machine,
)
from callstate.machine.history import HistoryStep

if TYPE_CHECKING:
    from callstate.machine.engine import ENGINE, Engine

__all__ = [
    "CALL_MACHINE",
    "ENGINE",
    "TRANSFER_KINDS",
    "Compiled",
    "Engine",
    "Event",
    "Guard",
    "HistoryStep",
    "MachineDefinition",
    "Marker",
    "Signal",
    "SignalError",
    "Step",
    "TransferKind",
    "Transition",
    "call_machine",
    "compiled",
]


__getattr__ = on_first_use(
    __name__, {"ENGINE": "callstate.machine.engine", "Engine": "callstate.machine.engine"}
)
