"""A figure measured several times: its median and its spread (min to max).

Figures are stored flat in the run's JSON: ``name`` is the median, ``name_min``,
``name_max`` and ``name_n`` its spread, so every value stays a plain number.
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Sequence
from typing import Any, Final

#: The clock of in-process figures: this thread's CPU time, not wall time. The machine is
#: shared, and a batch of a few milliseconds preempted by another process would time the
#: other process; CPU time still counts cache misses, which is what the figures are about.
#: (Whole-process figures are wall time, as the issues define them; their CPU time is a
#: reference beside them.)
clock: Final = time.thread_time


@dataclasses.dataclass(frozen=True)
class Spread:
    """Median, min, max and count of repeated measurements of one figure."""

    median: float
    low: float
    high: float
    n: int

    def fields(self, name: str) -> dict[str, Any]:
        """The flat JSON fields of this figure under ``name``."""
        return {
            name: self.median,
            f"{name}_min": self.low,
            f"{name}_max": self.high,
            f"{name}_n": self.n,
        }


def spread(values: Sequence[float]) -> Spread:
    """The spread of ``values`` (at least one)."""
    if not values:
        raise ValueError("no measurements")
    return Spread(statistics.median(values), min(values), max(values), len(values))


def ratio_pairs(a: Sequence[float], b: Sequence[float]) -> Spread:
    """``a[i] / b[i]`` for interleaved in-process rounds, as a spread."""
    return spread([x / y for x, y in zip(a, b, strict=True)])
