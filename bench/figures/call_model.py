"""One event through the public ``callstate.Call.fire`` over one raw ``transitions`` trigger.

Both walk the shortest loop of real moves in ``CALL_MACHINE``; rounds alternate (CPU
time of this thread) and the figure (a ratio, despite its historical name) is the median
of per-round ratios.
"""

from __future__ import annotations

import gc
import statistics
from collections import deque
from typing import Any, Final

from bench.figures._engines import Slot
from bench.report import Row, Target
from bench.settings import Settings, say
from bench.spread import clock, ratio_pairs

TITLE: Final = "the public Call model over a raw transitions trigger (in process)"
IN_WORKER: Final = True
TARGETS: Final = (Target("call_model_event_us", "<=", 1.2),)


def call_cycle() -> tuple[str, list[tuple[str, str | None]]]:
    """The shortest loop of real moves in CALL_MACHINE: (start state, [(event, kind)])."""
    from callstate import CALL_MACHINE as D

    moves = [t for t in D.transitions if not t.internal and t.dest not in D.final]
    for length in range(2, len(D.states) + 1):
        paths: deque[tuple[str, list[Any]]] = deque((t.source, [t]) for t in moves)
        while paths:
            origin, path = paths.popleft()
            here = path[-1].dest
            if here == origin and len(path) == length:
                cycle = [(t.event, D.guard(t.guard).kind if t.guard else None) for t in path]
                return origin, cycle
            if len(path) < length:
                paths.extend((origin, [*path, t]) for t in moves if t.source == here)
    raise RuntimeError("CALL_MACHINE has no cycle of real moves")


def measure(s: Settings) -> dict[str, Any]:
    """``Call.fire`` against ``ENGINE.machine.events[e].trigger`` on the same loop."""
    from callstate import ENGINE, Call

    origin, cycle = call_cycle()
    laps = max(1, s.model_events // len(cycle))
    batch = 500  # a fresh Call every 500 laps, so its history list stays short
    events = ENGINE.machine.events

    def fire() -> float:
        total = 0.0
        for done in range(0, laps, batch):
            call = Call(id="bench", state=origin)
            gc.collect()
            start = clock()
            for _ in range(min(batch, laps - done)):
                for event, kind in cycle:
                    call.fire(event, kind=kind)
            total += clock() - start
        return total / (laps * len(cycle))

    def raw() -> float:
        model = Slot(origin)
        gc.collect()
        start = clock()
        for _ in range(laps):
            for event, kind in cycle:
                events[event].trigger(model, kind=kind)
        return (clock() - start) / (laps * len(cycle))

    fires: list[float] = []
    raws: list[float] = []
    for rnd in range(s.model_rounds):
        say(f"Call.fire vs trigger: round {rnd + 1}/{s.model_rounds}")
        fires.append(fire())
        raws.append(raw())
    out: dict[str, Any] = {
        "call_model_cycle": " -> ".join(e if k is None else f"{e}({k})" for e, k in cycle),
        "call_fire_us": statistics.median(fires) * 1e6,
        "raw_trigger_us": statistics.median(raws) * 1e6,
    }
    out.update(ratio_pairs(fires, raws).fields("call_model_event_us"))
    return out


def rows(fig: dict[str, Any]) -> list[Row]:
    """The ratio and both costs."""
    return [
        Row(
            f"Call.fire / raw trigger, loop {fig.get('call_model_cycle', '')}",
            "call_model_event_us",
            headline=True,
        ),
        Row("callstate.Call.fire, us", "call_fire_us"),
        Row("ENGINE.machine.events[e].trigger(model), us", "raw_trigger_us"),
    ]
