"""Tracker events per second against the engines of :mod:`bench.figures._engines`.

The tracker is fed pre-decoded dicts of a mix trace (no JSON parsing); the engines
replay the same steps, pre-classified (the tracker's ``on_step`` observer records
them). The tracker gets the one notification that carries each step, so all do the
same events. Rounds interleave the engines (CPU time of this thread); each ratio is the
median of per-round ratios. ``tracker_all_bodies`` is every body of the trace
(requests, roster updates...).
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import orjson

from bench import traces
from bench.figures import _engines as engines
from bench.figures._engines import Op
from bench.report import Row, Target
from bench.settings import Settings, say
from bench.spread import clock, ratio_pairs

TITLE: Final = "events/s: tracker against transitions and the other engines (in process)"
IN_WORKER: Final = True
TARGETS: Final = (Target("tracker_vs_transitions", ">=", 20.0),)


def _decode(path: Path) -> list[Any]:
    """Every non-blank line of a trace, decoded once, so the timed loops parse no JSON."""
    with path.open("rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def event_sequence(bodies: Sequence[Any]) -> tuple[list[Op], list[Any]]:
    """The steps the tracker takes on ``bodies``, and the bodies that carry them."""
    from callstate import Tracker

    ops: list[Op] = []
    carriers: list[Any] = []

    def record(*args: Any) -> None:
        # One StepRecord (line, call_id, event, kind, dest, violation), or the older
        # seven positional values (line, call id, event, kind, source, dest, violation).
        if len(args) == 1:
            step = args[0]
            line, cid, event, kind, dest = (
                step.line,
                step.call_id,
                step.event,
                step.kind,
                step.dest,
            )
            bad = step.violation
        else:
            line, cid, event, kind, _source, dest, bad = args
        if bad is not None:
            raise RuntimeError(f"the mix has a violation at body {line}: {bad}")
        ops.append((cid, event, kind, dest))
        carriers.append(bodies[line])

    tracker = Tracker(on_step=record)
    for i, body in enumerate(bodies):
        tracker.ingest(body, line=i)
    return ops, carriers


def _time_tracker(bodies: Sequence[Any]) -> float:
    """The tracker's own per-body work on pre-decoded dicts; construction not timed."""
    from callstate import Tracker, Violation

    found: list[Any] = []
    ingest = Tracker().ingest_into
    gc.collect()
    start = clock()
    for line, body in enumerate(bodies, 1):
        ingest(body, found, line=line)
    seconds = clock() - start
    if any(isinstance(f, Violation) for f in found):
        raise RuntimeError(f"the tracker reported violations on the mix: {found[:3]}")
    return seconds


def measure(s: Settings) -> dict[str, Any]:
    """The same event sequence through the tracker and every engine, interleaved rounds."""
    bodies = _decode(traces.mix(s.tracker_calls, s.seed))
    ops, carriers = event_sequence(bodies)
    notifications = sum(
        len(b["value"]) if "value" in b else 1 for b in bodies if "request" not in b
    )
    timed: dict[str, Callable[[], float]] = {
        "tracker": lambda: _time_tracker(carriers),
        "tracker_all_bodies": lambda: _time_tracker(bodies),
        "dict_table": lambda: engines.time_dict_table(ops),
        "transitions_add_model": lambda: engines.time_transitions_add_model(ops),
        "transitions_trigger": lambda: engines.time_transitions_trigger(ops),
    }
    psm_ops: list[Op] = []
    try:
        psm_cls = engines.statemachine_class()
        psm_ops = engines.first_calls(ops, s.statemachine_calls)
        timed["statemachine"] = lambda: engines.time_statemachine(psm_ops, psm_cls)
    except ImportError:
        say("events: python-statemachine is not installed, its baseline is skipped")
    times: dict[str, list[float]] = {name: [] for name in timed}
    for rnd in range(s.tracker_rounds):
        say(f"events: round {rnd + 1}/{s.tracker_rounds} over {len(ops):,} events")
        for name, run in timed.items():
            times[name].append(run())
    eps = {name: len(ops) / statistics.median(ts) for name, ts in times.items()}
    all_bodies = statistics.median(times["tracker_all_bodies"])
    out: dict[str, Any] = {
        "events_calls": s.tracker_calls,
        "events": len(ops),
        "events_bodies": len(bodies),
        "events_notifications": notifications,
        "tracker_events_per_s": eps["tracker"],
        "tracker_all_bodies_per_s": len(bodies) / all_bodies,
        "tracker_notifications_per_s": notifications / all_bodies,
        "transitions_add_model_events_per_s": eps["transitions_add_model"],
        "transitions_trigger_events_per_s": eps["transitions_trigger"],
        "dict_table_events_per_s": eps["dict_table"],
    }
    tracker = times["tracker"]
    out.update(
        ratio_pairs(times["transitions_add_model"], tracker).fields("tracker_vs_transitions")
    )
    out.update(
        ratio_pairs(times["transitions_trigger"], tracker).fields("tracker_vs_transitions_trigger")
    )
    out.update(ratio_pairs(times["dict_table"], tracker).fields("tracker_vs_dict_table"))
    if "statemachine" in times:
        out["statemachine_calls"] = s.statemachine_calls
        out["statemachine_events_per_s"] = len(psm_ops) / statistics.median(times["statemachine"])
    return out


def rows(fig: dict[str, Any]) -> list[Row]:
    """Events per second of each engine, then the ratios."""
    psm = f"(first {fig.get('statemachine_calls', 0):,} calls only)"
    return [
        Row(
            "tracker / transitions (one shared Machine, add_model), events/s",
            "tracker_vs_transitions",
            headline=True,
        ),
        Row(
            "tracker / transitions events[e].trigger",
            "tracker_vs_transitions_trigger",
            "(stricter reference)",
            headline=True,
        ),
        Row("tracker / hand-written dict table", "tracker_vs_dict_table", "(reference)"),
        Row("tracker, events/s", "tracker_events_per_s"),
        Row("tracker on every body of the trace, bodies/s", "tracker_all_bodies_per_s"),
        Row("  same run, notifications/s", "tracker_notifications_per_s"),
        Row("hand-written dict table, events/s", "dict_table_events_per_s"),
        Row(
            "transitions, shared Machine, add_model, events/s", "transitions_add_model_events_per_s"
        ),
        Row(
            "transitions, shared Machine, events[e].trigger, events/s",
            "transitions_trigger_events_per_s",
        ),
        Row("python-statemachine, one per call, events/s", "statemachine_events_per_s", psm),
    ]
