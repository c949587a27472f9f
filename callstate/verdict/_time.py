"""Time in a trace: RFC 3339 stamps read into seconds, and each timeout's window.

A timed line carries ``"at"``; the rules compare seconds since the epoch, so a
stamp in any offset compares with any other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from callstate.errors import ParseError, UsageError
from callstate.graph.wire import describe, describe_argument
from callstate.machine.definition import MachineDefinition

__all__ = ["read_at", "timeout_seconds"]

#: Longer than any RFC 3339 stamp with a fraction and an offset.
_MAX_STAMP: Final = 64
#: The longest window an option may set: a year.
_MAX_WINDOW: Final = 366 * 24 * 3600.0


def read_at(value: object, pointer: str) -> float:
    """Seconds since the epoch of an RFC 3339 stamp (or an aware datetime); ``ParseError``
    at ``pointer`` for anything else, a stamp without an offset included."""
    if isinstance(value, datetime):
        when = value
    else:
        if type(value) is not str or len(value) > _MAX_STAMP:
            raise ParseError(f"expected an RFC 3339 time, got {describe(value)}", pointer=pointer)
        text = value.strip()
        if text[-1:] in ("z", "Z"):
            text = text[:-1] + "+00:00"
        try:
            when = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError:
            raise ParseError(
                f"expected an RFC 3339 time, got {describe(value)}", pointer=pointer
            ) from None
    if when.tzinfo is None:
        raise ParseError(
            f"a time needs an offset (Z or +hh:mm), got {describe(str(value))}", pointer=pointer
        )
    return when.timestamp()


def timeout_seconds(
    definition: MachineDefinition, overrides: Mapping[str, float] | None
) -> dict[str, float]:
    """Each timeout's window by name: the definition's, or ``overrides`` (a
    :class:`UsageError` for a name the definition has no timeout of, or a bad number)."""
    seconds = {t.name: t.seconds for t in definition.timeouts}
    if overrides is None:
        return seconds
    if not isinstance(overrides, Mapping):
        raise UsageError(
            "timeouts", f"must be a mapping of name to seconds, got {describe_argument(overrides)}"
        )
    for name, value in overrides.items():
        if name not in seconds:
            raise UsageError(
                "timeouts",
                f"no timeout {describe_argument(name)}; the definition has {', '.join(seconds)}",
            )
        if (
            type(value) not in (int, float)
            or not math.isfinite(value)
            or not 0 < value <= _MAX_WINDOW
        ):
            raise UsageError(
                "timeouts",
                f"{name}: expected seconds above 0, up to a year, got {describe_argument(value)}",
            )
        seconds[name] = float(value)
    return seconds
