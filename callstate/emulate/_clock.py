"""The emulator's clocks: the wall clock for ``callstate emulate``, a virtual one for tests.

The windows Graph enforces (answering an incoming call, keepAlive) are read against
one of these, so a test moves time by hand and never waits: with a
:class:`VirtualClock` nothing happens on its own, and a window is enforced when the
test advances the clock or when the next request finds its window run out.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Final, Protocol

from callstate.errors import UsageError
from callstate.graph.wire import describe_argument

__all__ = ["START", "Clock", "RealClock", "VirtualClock"]

#: Where a virtual clock starts by default: 2024-05-01T12:00:00Z, as the simulator's timed calls.
START: Final = 1_714_564_800.0


class Clock(Protocol):
    """What the emulator reads the time from: seconds since the Unix epoch."""

    #: Whether time passes on its own (the emulator then sweeps the windows itself).
    ticking: bool

    def now(self) -> float:
        """The current time, in seconds since the Unix epoch."""
        ...


class RealClock:
    """The wall clock; it ticks, so the emulator ends calls whose windows run out by itself."""

    ticking = True

    def now(self) -> float:
        """``time.time()``."""
        return time.time()


def _seconds(argument: str, value: object, *, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UsageError(argument, f"expected a number of seconds, got {describe_argument(value)}")
    if value < 0 or (positive and value == 0):
        raise UsageError(argument, f"expected a number of seconds >= 0, got {value!r}")
    return float(value)


class VirtualClock:
    """A clock that moves only when told (:meth:`advance`), so no test ever waits.

    Thread-safe: the test thread advances it while the emulator's thread reads it.
    """

    ticking = False

    def __init__(self, start: float = START) -> None:
        self._now = _seconds("start", start, positive=False)
        self._lock = threading.Lock()

    def now(self) -> float:
        """The virtual time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move the clock ``seconds`` forward (never back); returns the new time."""
        step = _seconds("seconds", seconds, positive=False)
        with self._lock:
            self._now += step
            return self._now

    def __repr__(self) -> str:
        return f"VirtualClock({self.now()!r})"
