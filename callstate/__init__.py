"""callstate: Microsoft Graph call transfer as an explicit, checked state machine.

The data flows parse -> model -> machine -> verdict:

- :mod:`callstate.graph` reads and writes Graph JSON into attrs resources (``Call``...);
- :mod:`callstate.machine` holds the one definition, its ``transitions`` engine and table;
- :mod:`callstate.verdict` tracks live calls and reports violations, located;
- :mod:`callstate.transfer` checks transfer requests;
- :mod:`callstate.diagrams`, :mod:`callstate.explore`, :mod:`callstate.simulate`,
  :mod:`callstate.strategies` and :mod:`callstate.testing` are derived from the definition.

Names are loaded on first use, so ``callstate validate`` starts without importing
the diagram, Hypothesis or HTTP code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callstate._lazy import lazy_exports

if TYPE_CHECKING:
    from callstate.errors import (
        CallstateError,
        CallstateWarning,
        DefinitionError,
        IllegalTransition,
        ParseError,
        UnknownValueWarning,
        UsageError,
    )
    from callstate.explore import Exploration, explore
    from callstate.graph import (
        Call,
        CallState,
        CommsNotification,
        CommsNotifications,
        ResultInfo,
        TransferRequest,
        dump,
        dumps,
        parse,
        parse_notifications,
    )
    from callstate.machine import CALL_MACHINE, ENGINE, Engine, MachineDefinition
    from callstate.transfer import TransferVerdict, validate_transfer_request
    from callstate.verdict import (
        CallWarning,
        Finding,
        Report,
        Tracker,
        Violation,
        validate_lines,
        validate_path,
    )

__version__ = "0.1.0"

_EXPORTS = {
    "callstate.errors": (
        "CallstateError",
        "CallstateWarning",
        "DefinitionError",
        "IllegalTransition",
        "ParseError",
        "UnknownValueWarning",
        "UsageError",
    ),
    "callstate.explore": ("Exploration", "explore"),
    "callstate.graph": (
        "Call",
        "CallState",
        "CommsNotification",
        "CommsNotifications",
        "ResultInfo",
        "TransferRequest",
        "dump",
        "dumps",
        "parse",
        "parse_notifications",
    ),
    "callstate.machine": ("CALL_MACHINE", "ENGINE", "Engine", "MachineDefinition"),
    "callstate.transfer": ("TransferVerdict", "validate_transfer_request"),
    "callstate.verdict": (
        "CallWarning",
        "Finding",
        "Report",
        "Tracker",
        "Violation",
        "validate_lines",
        "validate_path",
    ),
}

__all__ = [
    "CALL_MACHINE",
    "ENGINE",
    "Call",
    "CallState",
    "CallWarning",
    "CallstateError",
    "CallstateWarning",
    "CommsNotification",
    "CommsNotifications",
    "DefinitionError",
    "Engine",
    "Exploration",
    "Finding",
    "IllegalTransition",
    "MachineDefinition",
    "ParseError",
    "Report",
    "ResultInfo",
    "Tracker",
    "TransferRequest",
    "TransferVerdict",
    "UnknownValueWarning",
    "UsageError",
    "Violation",
    "dump",
    "dumps",
    "explore",
    "parse",
    "parse_notifications",
    "validate_lines",
    "validate_path",
    "validate_transfer_request",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
