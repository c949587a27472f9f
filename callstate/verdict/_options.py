"""A tracker's options, checked before anything is built, each error naming its option."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from callstate.errors import UsageError
from callstate.graph.wire import describe_argument
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.verdict import _snapshot
from callstate.verdict._ledger import MAX_ROSTER
from callstate.verdict.store import CallStore

__all__ = ["ROSTER_LIMIT", "check_options"]

#: The participants followed per call by default: well past any meeting a bot transfers.
ROSTER_LIMIT: Final = 256
#: Each bounded option's lowest and highest value.
_BOUNDS: Final = {
    "max_calls": (1, _snapshot.MAX_LIMIT),
    "ended_limit": (0, _snapshot.MAX_LIMIT),
    "history_limit": (0, _snapshot.MAX_HISTORY),
    "roster_limit": (0, MAX_ROSTER),
}


def check_options(
    *,
    definition: object,
    limits: Mapping[str, object],
    flags: Mapping[str, object],
    on_step: object,
    store: object,
) -> MachineDefinition:
    """The definition to use (``None``: the call machine); a :class:`UsageError` naming
    the first option that is out of range or of the wrong type."""
    for name, value in limits.items():
        low, high = _BOUNDS[name]
        if type(value) is not int or not low <= value <= high:
            raise UsageError(
                name, f"must be an integer from {low} to {high}, got {describe_argument(value)}"
            )
    for name, flag in flags.items():
        if type(flag) is not bool:
            raise UsageError(name, f"must be True or False, got {describe_argument(flag)}")
    chosen: Any = CALL_MACHINE if definition is None else definition
    if not isinstance(chosen, MachineDefinition):
        raise UsageError(
            "definition", f"must be a MachineDefinition, got {describe_argument(chosen)}"
        )
    if on_step is not None and not callable(on_step):
        raise UsageError("on_step", "must be callable")
    if store is not None and not isinstance(store, CallStore):
        raise UsageError("store", f"must be a CallStore, got {describe_argument(store)}")
    return chosen
