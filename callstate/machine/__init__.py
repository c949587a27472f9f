"""The call machine: one checked definition, its ``transitions`` engine and compiled table."""

from callstate.machine.definition import (
    CALL_MACHINE,
    Event,
    Guard,
    MachineDefinition,
    Marker,
    Transition,
)
from callstate.machine.engine import ENGINE, Engine
from callstate.machine.table import compile_table, signals

__all__ = [
    "CALL_MACHINE",
    "ENGINE",
    "Engine",
    "Event",
    "Guard",
    "MachineDefinition",
    "Marker",
    "Transition",
    "compile_table",
    "signals",
]
