"""The call machine: one checked definition, compiled once, and its ``transitions`` engine.

Everything is imported eagerly but the engine: importing ``transitions`` costs
about 17 ms, a third of ``callstate validate``'s start, and validation never
needs it, so ``ENGINE`` and ``Engine`` load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in ("ENGINE", "Engine"):
        value = getattr(importlib.import_module("callstate.machine.engine"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
