"""callstate: a Microsoft Graph call, above all its transfer, as one checked state machine.

The data flows parse -> model -> machine -> verdict:

- :mod:`callstate.graph` reads and writes Graph JSON (:mod:`callstate.graph.wire` is
  the one reader of raw values);
- :mod:`callstate.machine` holds the one definition, compiled once, and its
  ``transitions`` engine;
- :mod:`callstate.verdict` tracks live calls and reports violations, located;
- :mod:`callstate.transfer` checks transfer requests; :mod:`callstate.rules` lists
  every rule id; :mod:`callstate.facts` holds what Graph documents;
- :mod:`callstate.diagrams`, :mod:`callstate.explorer`, :mod:`callstate.simulate`,
  :mod:`callstate.strategies` and :mod:`callstate.testing` are derived from the definition.

The validator's names are imported eagerly; the rest load on first use (see
``_HOMES`` below for what each costs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callstate._first_use import on_first_use
from callstate.errors import (
    CallstateError,
    CallstateWarning,
    DefinitionError,
    IllegalTransition,
    ParseError,
    UnknownValueWarning,
    UsageError,
)
from callstate.machine import (
    CALL_MACHINE,
    MachineDefinition,
    TransferKind,
    call_machine,
    compiled,
)
from callstate.rules import Rule, catalogue
from callstate.transfer import TransferVerdict, validate_transfer_request
from callstate.verdict import (
    CallWarning,
    Finding,
    Report,
    StepRecord,
    Tracker,
    Violation,
    validate_lines,
    validate_path,
)

if TYPE_CHECKING:
    from callstate.call import Call
    from callstate.explorer import Exploration, explore
    from callstate.graph import (
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
    from callstate.machine.engine import ENGINE, Engine

__version__ = "0.2.0.dev0"

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
    "Rule",
    "StepRecord",
    "Tracker",
    "TransferKind",
    "TransferRequest",
    "TransferVerdict",
    "UnknownValueWarning",
    "UsageError",
    "Violation",
    "call_machine",
    "catalogue",
    "compiled",
    "dump",
    "dumps",
    "explore",
    "parse",
    "parse_notifications",
    "validate_lines",
    "validate_path",
    "validate_transfer_request",
]

#: What ``callstate validate`` never needs loads on first use (measured: the engine's
#: ``transitions`` about 17 ms, the explorer with the simulator about 10 ms, the codec and
#: resource classes about 15 ms, against a start of a few tens of milliseconds).
_HOMES = {
    "Call": "callstate.call",
    "ENGINE": "callstate.machine.engine",
    "Engine": "callstate.machine.engine",
    "Exploration": "callstate.explorer",
    "explore": "callstate.explorer",
    **dict.fromkeys(
        (
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
        "callstate.graph",
    ),
}

__getattr__ = on_first_use(__name__, _HOMES)
