"""The call machine: one checked definition, its ``transitions`` engine and compiled table.

Names load on first use (see :mod:`callstate._lazy`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callstate._lazy import lazy_exports

if TYPE_CHECKING:
    from callstate.machine.definition import (
        CALL_MACHINE as CALL_MACHINE,
        Event as Event,
        Guard as Guard,
        MachineDefinition as MachineDefinition,
        Marker as Marker,
        Transition as Transition,
    )
    from callstate.machine.engine import (
        ENGINE as ENGINE,
        Engine as Engine,
    )
    from callstate.machine.table import (
        compile_table as compile_table,
        signals as signals,
    )

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

_EXPORTS = {
    "callstate.machine.definition": (
        "CALL_MACHINE",
        "Event",
        "Guard",
        "MachineDefinition",
        "Marker",
        "Transition",
    ),
    "callstate.machine.engine": ("ENGINE", "Engine"),
    "callstate.machine.table": ("compile_table", "signals"),
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
