"""callstate benchmark harness: every figure of the Performance issue, side by side.

Run ``python bench/run.py`` (``--quick`` for a short smoke run, ``--json-only`` to print
only the JSON). Each figure is measured in this one run against named baselines and
reported as a ratio, because absolute times on a shared machine are noise. A readable
table goes first; the LAST line is exactly one JSON object with every figure and a
``targets`` map saying whether each target is met.

1. ``validate_vs_json_floor``: wall time of ``callstate validate --format json`` on the
   ``simulate mix --calls 30000 --seed 1`` trace as a whole process, over a whole process
   that only ``json.loads`` every line with the stdlib. Interleaved runs, medians.
2. ``tracker_events_per_s``: the tracker fed pre-decoded dicts (JSON parsing excluded)
   of a 10,000-call mix, against transitions (one shared Machine), a hand-written dict
   table and python-statemachine, all replaying the same event sequence (the steps the
   tracker takes: the baselines get them pre-classified, the tracker the notification
   that carries each one). ``tracker_all_bodies_per_s`` is the tracker on every body of
   the trace, transfer requests and roster updates included, as a reference.
   ``tracker_vs_transitions`` is against ``add_model`` per call, the issue's baseline;
   ``tracker_vs_transitions_trigger`` against the engine's faster, add_model-free way.
3. ``bytes_per_live_call`` at 1,000,000 live calls (tracemalloc; RSS as a cross-check).
4. ``add_call_scaling``: time to start tracking one call at 1,000,000 live calls over the
   time at 1,000.
5. ``call_model_event_us`` (a ratio, despite its name): one event through the public
   ``callstate.graph.Call.fire`` over one raw ``machine.events[e].trigger(model)``.
6. ``validate_peak_rss_mb``: the largest max RSS of the validate processes of figure 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import json
import linecache
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import orjson

ROOT: Final = Path(__file__).resolve().parent.parent
OUT: Final = ROOT / "bench" / "out"

#: Figure -> (comparison, limit): the targets of the Performance issue.
TARGETS: Final[dict[str, tuple[str, float]]] = {
    "validate_vs_json_floor": ("<=", 1.25),
    "tracker_vs_transitions": (">=", 10.0),
    "bytes_per_live_call": ("<=", 300.0),
    "add_call_scaling": ("<=", 1.5),
    "call_model_event_us": ("<=", 1.2),
    "validate_peak_rss_mb": ("<=", 150.0),
}

#: The JSON floor process, exactly as the issue words it (and its orjson twin, for reference).
JSON_FLOOR: Final = (
    "import json,sys\nfor l in open(sys.argv[1],'rb'): l.strip() and json.loads(l)\n"
)
ORJSON_FLOOR: Final = (
    "import orjson,sys\nfor l in open(sys.argv[1],'rb'): l.strip() and orjson.loads(l)\n"
)
#: Used only when ``python -m callstate validate --help`` fails (a half-edited CLI).
VALIDATE_FALLBACK: Final = (
    "import argparse,sys\nfrom callstate.cli import _validate\n"
    "p=argparse.ArgumentParser();_validate.register(p.add_subparsers())\n"
    "a=p.parse_args(sys.argv[1:]);sys.exit(a.handler(a))\n"
)
CALL_URL: Final = "/communications/calls/"


@dataclasses.dataclass(frozen=True)
class Settings:
    """How much work each figure does: the full run, or ``--quick`` (smaller, said so)."""

    quick: bool
    seed: int = 1
    validate_calls: int = 30_000
    validate_reps: int = 5
    tracker_calls: int = 10_000
    tracker_rounds: int = 3
    statemachine_calls: int = 1_000
    live_calls: int = 1_000_000
    small_live_calls: int = 1_000
    add_batch: int = 1_000
    add_rounds: int = 15
    model_events: int = 20_000
    model_rounds: int = 7


QUICK: Final = Settings(
    quick=True,
    validate_calls=1_000,
    validate_reps=1,
    tracker_calls=300,
    tracker_rounds=1,
    statemachine_calls=50,
    live_calls=20_000,
    add_batch=200,
    add_rounds=3,
    model_events=1_000,
    model_rounds=2,
)


def say(message: str) -> None:
    """Progress goes to stderr, so stdout stays the table and the JSON line."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- the machine it ran on ----------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU model, cores, Python and load: what the ratios were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import transitions

    try:
        from importlib.metadata import version

        psm = version("python-statemachine")
    except Exception:
        psm = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(terse=True),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "transitions": transitions.__version__,
        "python_statemachine": psm,
        "orjson": orjson.__version__,
    }


# -- traces -------------------------------------------------------------------------------


def _simulator_digest() -> str:
    """A hash of the simulator's source: a changed generator invalidates the cached traces."""
    h = hashlib.sha1()
    for path in sorted((ROOT / "callstate" / "simulate").glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()[:10]


def trace(calls: int, seed: int) -> Path:
    """``callstate simulate mix --calls N --seed S``, generated once into bench/out and reused."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"mix-{calls}-seed{seed}-{_simulator_digest()}.jsonl"
    if path.exists():
        return path
    say(f"generating {path.name} with `callstate simulate mix`")
    tmp = path.with_suffix(".tmp")
    cmd = [sys.executable, "-m", "callstate", "simulate", "mix", "--calls", str(calls)]
    with tmp.open("wb") as out:
        done = subprocess.run([*cmd, "--seed", str(seed)], stdout=out, stderr=subprocess.PIPE)
    if done.returncode != 0:
        say(f"`callstate simulate` failed ({done.stderr.decode()[-200:]!r}); using the library")
        from callstate.simulate import mix

        with tmp.open("wb") as out:
            for line in mix(calls, seed=seed):
                out.write(line)
    tmp.replace(path)
    return path


# -- figure 1 and 6: whole processes ------------------------------------------------------


@dataclasses.dataclass
class Run:
    """One whole-process run: wall seconds, max RSS, exit code, what it printed."""

    seconds: float
    max_rss_mb: float
    code: int
    stdout: bytes


#: Children may write bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE
#: set, every run would compile callstate from source and time the compiler, not the code.
_CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_process(argv: Sequence[str]) -> Run:
    """Run ``argv`` to completion; its own rusage comes from ``wait4``, not from siblings."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=_CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(argv[:4])} exited {proc.returncode}: {stderr[-400:]!r}")
    # ru_maxrss is in KiB on Linux.
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode, stdout)


def validate_command() -> tuple[list[str], str]:
    """``python -m callstate validate``, or a direct call of its handler if the CLI cannot start."""
    cli = [sys.executable, "-m", "callstate", "validate"]
    probe = subprocess.run([*cli, "--help"], capture_output=True, cwd=ROOT)
    if probe.returncode == 0:
        return cli, "python -m callstate validate"
    say("`python -m callstate validate --help` failed: timing the validate handler directly")
    return [sys.executable, "-c", VALIDATE_FALLBACK], "callstate.cli._validate (fallback)"


def measure_processes(s: Settings) -> dict[str, Any]:
    """Figures 1 and 6: validate against the JSON floors, interleaved, medians."""
    path = trace(s.validate_calls, s.seed)
    cli, label = validate_command()
    commands: dict[str, list[str]] = {
        "validate": [*cli, str(path), "--format", "json"],
        "json_floor": [sys.executable, "-c", JSON_FLOOR, str(path)],
        "orjson_floor": [sys.executable, "-c", ORJSON_FLOOR, str(path)],
        "cli_startup": [*cli, "--help"],
        "python_startup": [sys.executable, "-c", "pass"],
    }
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    names = list(commands)
    for name in names:  # warm the page cache and the .pyc files
        run_process(commands[name])
    for rep in range(s.validate_reps):
        say(f"processes: round {rep + 1}/{s.validate_reps}")
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            runs[name].append(run_process(commands[name]))
    med = {name: statistics.median(r.seconds for r in rs) for name, rs in runs.items()}
    report = orjson.loads(runs["validate"][-1].stdout.splitlines()[-1])
    return {
        "validate_command": label,
        "validate_trace": path.name,
        "validate_trace_mb": round(path.stat().st_size / 1e6, 1),
        "validate_lines": report.get("lines"),
        "validate_ok": bool(report.get("ok")),
        "validate_s": med["validate"],
        "json_floor_s": med["json_floor"],
        "orjson_floor_s": med["orjson_floor"],
        "cli_startup_s": med["cli_startup"],
        "python_startup_s": med["python_startup"],
        "validate_vs_json_floor": med["validate"] / med["json_floor"],
        "validate_vs_orjson_floor": med["validate"] / med["orjson_floor"],
        "validate_peak_rss_mb": max(r.max_rss_mb for r in runs["validate"]),
        "json_floor_peak_rss_mb": max(r.max_rss_mb for r in runs["json_floor"]),
    }


# -- figure 2: events per second against the baselines ------------------------------------


Op = tuple[str, str | None, str | None, str]  # call id, event (None: first seen), kind, dest


def decode(path: Path) -> list[Any]:
    """Every non-blank line of a trace, decoded once, so the timed loops parse no JSON."""
    with path.open("rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def event_sequence(bodies: Sequence[Any]) -> tuple[list[Op], list[Any]]:
    """The steps the tracker takes on ``bodies``, and the bodies that carry them.

    The steps are the one sequence every engine replays; the tracker replays the
    bodies that carry them (one notification each), so all do the same events.
    """
    from callstate.verdict import Tracker

    ops: list[Op] = []
    carriers: list[Any] = []

    def record(step: Any) -> None:
        if step.violation is not None:
            bad = step.violation
            raise SystemExit(f"bench: the mix has a violation at body {step.line}: {bad}")
        ops.append((step.call_id, step.event, step.kind, step.dest))
        carriers.append(bodies[step.line])

    tracker = Tracker(on_step=record)
    for i, body in enumerate(bodies):
        tracker.ingest(body, line=i)
    return ops, carriers


class _Slot:
    """The hand-written baseline's call: one slot."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class _Model:
    """A transitions model: add_model writes trigger methods into its ``__dict__``."""

    def __init__(self, state: str) -> None:
        self.state = state


def time_tracker(bodies: Sequence[Any]) -> float:
    """The tracker's own per-body work on pre-decoded dicts; construction not timed."""
    from callstate.verdict import Tracker, Violation

    tracker = Tracker()
    found: list[Any] = []
    ingest = tracker.ingest_into
    gc.collect()
    start = time.perf_counter()
    for line, body in enumerate(bodies, 1):
        ingest(body, found, line=line)
    seconds = time.perf_counter() - start
    if any(isinstance(f, Violation) for f in found):
        raise SystemExit(f"bench: the tracker reported violations on the mix: {found[:3]}")
    return seconds


def time_dict_table(ops: Sequence[Op]) -> float:
    """A dict of slotted objects stepping through the compiled table: the floor."""
    from callstate.machine.compiled import compiled
    from callstate.machine.definition import CALL_MACHINE

    table = compiled(CALL_MACHINE).table
    final = CALL_MACHINE.final
    live: dict[str, _Slot] = {}
    gc.collect()
    start = time.perf_counter()
    for cid, event, kind, dest in ops:
        if event is None:
            live[cid] = _Slot(dest)
            continue
        call = live[cid]
        state = table[(call.state, event, kind)][0]
        if state in final:
            del live[cid]
        else:
            call.state = state
    return time.perf_counter() - start


def _transitions_machine() -> Any:
    """A fresh shared Machine built from CALL_MACHINE by the engine (states not restated)."""
    from callstate.machine.definition import CALL_MACHINE
    from callstate.machine.engine import Engine

    return Engine(CALL_MACHINE).machine


def time_transitions_add_model(ops: Sequence[Op]) -> float:
    """transitions, one shared Machine: ``add_model`` per call, then ``model.trigger``."""
    from callstate.machine.definition import CALL_MACHINE

    machine = _transitions_machine()
    final = CALL_MACHINE.final
    live: dict[str, _Model] = {}
    gc.collect()
    start = time.perf_counter()
    for cid, event, kind, dest in ops:
        if event is None:
            model = live[cid] = _Model(dest)
            machine.add_model(model, initial=dest)
            continue
        model = live[cid]
        model.trigger(event, kind=kind)  # type: ignore[attr-defined]
        if model.state in final:
            machine.remove_model(model)
            del live[cid]
    return time.perf_counter() - start


def time_transitions_trigger(ops: Sequence[Op]) -> float:
    """transitions, one shared Machine, no add_model: ``machine.events[e].trigger(model)``."""
    from callstate.machine.definition import CALL_MACHINE

    machine = _transitions_machine()
    events = machine.events
    final = CALL_MACHINE.final
    live: dict[str, _Slot] = {}
    gc.collect()
    start = time.perf_counter()
    for cid, event, kind, dest in ops:
        if event is None:
            live[cid] = _Slot(dest)
            continue
        model = live[cid]
        events[event].trigger(model, kind=kind)
        if model.state in final:
            del live[cid]
    return time.perf_counter() - start


def statemachine_class() -> Any:
    """A python-statemachine class generated from CALL_MACHINE (one instance per call)."""
    from statemachine import State, StateMachine

    from callstate.machine.definition import CALL_MACHINE as D

    states = {s: State(s, value=s, initial=s == D.initial, final=s in D.final) for s in D.states}
    attributes: dict[str, Any] = dict(states)

    def guard(kind: str) -> Callable[..., bool]:
        def holds(kind_: str | None = None, **kwargs: Any) -> bool:
            return kwargs.get("kind", kind_) == kind

        return holds

    for i, t in enumerate(D.transitions):
        cond = {"cond": guard(D.guard(t.guard).kind)} if t.guard else {}
        source = states[t.source]
        if t.internal:
            attributes[f"_t{i}"] = source.to.itself(  # type: ignore[no-untyped-call]
                event=t.event, internal=True, **cond
            )
        else:
            attributes[f"_t{i}"] = source.to(states[t.dest], event=t.event, **cond)
    return type("CallStateMachine", (StateMachine,), attributes)


def time_statemachine(ops: Sequence[Op], cls: Any) -> float:
    """python-statemachine 3.2: one instance per call, ``send`` per event."""
    from callstate.machine.definition import CALL_MACHINE

    final = CALL_MACHINE.final
    live: dict[str, Any] = {}
    gc.collect()
    start = time.perf_counter()
    for cid, event, kind, dest in ops:
        if event is None:
            live[cid] = cls(start_value=dest)
            continue
        sm = live[cid]
        sm.send(event, kind=kind)
        if sm.current_state_value in final:
            del live[cid]
    return time.perf_counter() - start


def first_calls(ops: Sequence[Op], calls: int) -> list[Op]:
    """The ops of the first ``calls`` calls to start: a prefix workload for slow engines."""
    keep: set[str] = set()
    out: list[Op] = []
    for op in ops:
        if op[1] is None and len(keep) < calls:
            keep.add(op[0])
        if op[0] in keep:
            out.append(op)
    return out


def measure_events(s: Settings) -> dict[str, Any]:
    """Figure 2: the same event sequence through the tracker and every baseline."""
    bodies = decode(trace(s.tracker_calls, s.seed))
    ops, carriers = event_sequence(bodies)
    notifications = sum(
        len(b["value"]) if "value" in b else 1 for b in bodies if "request" not in b
    )
    engines: dict[str, Callable[[], float]] = {
        "tracker": lambda: time_tracker(carriers),
        "tracker_all_bodies": lambda: time_tracker(bodies),
        "dict_table": lambda: time_dict_table(ops),
        "transitions_add_model": lambda: time_transitions_add_model(ops),
        "transitions_trigger": lambda: time_transitions_trigger(ops),
    }
    times: dict[str, list[float]] = {name: [] for name in engines}
    psm_ops: list[Op] = []
    psm_times: list[float] = []
    psm_cls = None
    try:
        psm_cls = statemachine_class()
        psm_ops = first_calls(ops, s.statemachine_calls)
    except ImportError:
        say("python-statemachine is not installed: its baseline is skipped")
    for rnd in range(s.tracker_rounds):
        say(f"events: round {rnd + 1}/{s.tracker_rounds} over {len(ops)} events")
        for name, timed in engines.items():
            times[name].append(timed())
        if psm_cls is not None:
            psm_times.append(time_statemachine(psm_ops, psm_cls))
    eps = {name: len(ops) / statistics.median(ts) for name, ts in times.items()}
    out: dict[str, Any] = {
        "events_calls": s.tracker_calls,
        "events": len(ops),
        "events_bodies": len(bodies),
        "events_notifications": notifications,
        "tracker_events_per_s": eps["tracker"],
        "tracker_all_bodies_per_s": len(bodies) / statistics.median(times["tracker_all_bodies"]),
        "tracker_notifications_per_s": notifications
        / statistics.median(times["tracker_all_bodies"]),
        "transitions_add_model_events_per_s": eps["transitions_add_model"],
        "transitions_trigger_events_per_s": eps["transitions_trigger"],
        "dict_table_events_per_s": eps["dict_table"],
        "tracker_vs_transitions": eps["tracker"] / eps["transitions_add_model"],
        "tracker_vs_transitions_trigger": eps["tracker"] / eps["transitions_trigger"],
        "tracker_vs_dict_table": eps["tracker"] / eps["dict_table"],
    }
    if psm_times:
        out["statemachine_calls"] = s.statemachine_calls
        out["statemachine_events_per_s"] = len(psm_ops) / statistics.median(psm_times)
    return out


# -- figures 3 and 4: a million live calls, in a child process -----------------------------


def _call_id(i: int) -> str:
    """A 36-character uuid-shaped id, distinct for every ``i``."""
    return f"{i:08x}-0000-4000-8000-{(i * 2654435761) % (1 << 48):012x}"


def _body(call_id: str, change: str, state: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"@odata.type": "#microsoft.graph.call"}
    if state is not None:
        data["state"] = state
    return {
        "value": [{"changeType": change, "resourceUrl": CALL_URL + call_id, "resourceData": data}]
    }


def _fill(tracker: Any, start: int, count: int) -> None:
    """Start ``count`` calls (``incoming``); the bodies are built here and dropped at once."""
    ingest = tracker.ingest_into
    found: list[Any] = []
    for i in range(start, start + count):
        ingest(_body(_call_id(i), "created", "incoming"), found)
    if found:
        raise SystemExit(f"bench: filling the tracker reported {found[:2]}")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _add_call_seconds(tracker: Any, live: int, batch: int, rounds: int) -> list[float]:
    """Seconds per started call at ``live`` live calls; each batch is ended again untimed."""
    per_call: list[float] = []
    found: list[Any] = []
    ingest = tracker.ingest_into
    for r in range(rounds):
        ids = [_call_id(10_000_000 + (r * batch) + j) for j in range(batch)]
        starts = [_body(cid, "created", "incoming") for cid in ids]
        ends = [_body(cid, "deleted", None) for cid in ids]
        gc.collect()
        start = time.perf_counter()
        for body in starts:
            ingest(body, found)
        per_call.append((time.perf_counter() - start) / batch)
        for body in ends:
            ingest(body, found)
        if len(tracker) != live:
            raise SystemExit(f"bench: expected {live} live calls, found {len(tracker)}")
    return per_call


def _dict_insert_seconds(live: int, batch: int, rounds: int) -> float:
    """Median seconds to look up and insert one new id in a plain dict of ``live`` entries.

    The memory floor under figure 4: the same work at a million entries misses the CPU
    caches, whatever the code around it does.
    """
    table = {_call_id(i): _Slot("incoming") for i in range(live)}
    per_call: list[float] = []
    for r in range(rounds):
        ids = [_call_id(10_000_000 + (r * batch) + j) for j in range(batch)]
        gc.collect()
        start = time.perf_counter()
        for cid in ids:
            if table.get(cid) is None:
                table[cid] = _Slot("incoming")
        per_call.append((time.perf_counter() - start) / batch)
        for cid in ids:
            del table[cid]
    return statistics.median(per_call)


def live_worker(calls: int, small: int, batch: int, rounds: int) -> dict[str, Any]:
    """Figures 3 and 4, in a fresh process so RSS and the heap start clean."""
    import callstate.verdict.tracker as tracker_module
    from callstate.verdict import Tracker

    # Cache the source as imported: the allocation sites are named by its line numbers.
    linecache.getlines(tracker_module.__file__)

    cap = calls + batch + 1  # past max_calls the tracker evicts; keep eviction out of this
    tracker = Tracker(max_calls=cap)
    _fill(tracker, 0, small)
    at_small = _add_call_seconds(tracker, small, batch, rounds)
    del tracker
    gc.collect()

    rss0 = _rss_bytes()
    tracker = Tracker(max_calls=cap)
    start = time.perf_counter()
    _fill(tracker, 0, calls)
    fill_s = time.perf_counter() - start
    gc.collect()
    rss_per_call = (_rss_bytes() - rss0) / calls
    at_large = _add_call_seconds(tracker, calls, batch, rounds)
    del tracker
    gc.collect()

    tracemalloc.start()
    tracker = Tracker(max_calls=cap)
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    _fill(tracker, 0, calls)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - base
    stats = tracemalloc.take_snapshot().statistics("lineno")
    tracemalloc.stop()
    sites = [
        {
            "site": f"{Path(st.traceback[0].filename).name}:{st.traceback[0].lineno}",
            "code": linecache.getline(st.traceback[0].filename, st.traceback[0].lineno).strip(),
            "bytes_per_call": st.size / calls,
            "blocks_per_call": st.count / calls,
        }
        for st in stats[:6]
    ]
    return {
        "live_calls": calls,
        "bytes_per_live_call": held / calls,
        "rss_bytes_per_live_call": rss_per_call,
        "fill_us_per_call": fill_s / calls * 1e6,
        "add_call_us_small": statistics.median(at_small) * 1e6,
        "add_call_us_large": statistics.median(at_large) * 1e6,
        "add_call_scaling": statistics.median(at_large) / statistics.median(at_small),
        "dict_insert_scaling": _dict_insert_seconds(calls, batch, rounds)
        / _dict_insert_seconds(small, batch, rounds),
        "memory_sites": sites,
    }


def measure_live(s: Settings) -> dict[str, Any]:
    """Run :func:`live_worker` in a child process and read back its JSON."""
    say(f"live calls: filling a tracker to {s.live_calls:,} calls (three times)")
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker-live", str(s.live_calls)]
    argv += [str(s.small_live_calls), str(s.add_batch), str(s.add_rounds)]
    done = subprocess.run(argv, capture_output=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"bench: live-calls worker failed: {done.stderr.decode()[-600:]}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    result["small_live_calls"] = s.small_live_calls
    return result


# -- figure 5: the public Call model over raw transitions ---------------------------------


def call_cycle() -> tuple[str, list[tuple[str, str | None]]]:
    """The shortest loop of real moves in CALL_MACHINE: (start state, [(event, kind)])."""
    from callstate.machine.definition import CALL_MACHINE as D

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
    raise SystemExit("bench: CALL_MACHINE has no cycle of real moves")


def measure_call_model(s: Settings) -> dict[str, Any]:
    """Figure 5: ``Call.fire`` against ``ENGINE.machine.events[e].trigger`` on the same loop."""
    from callstate.call import Call
    from callstate.machine.engine import ENGINE

    origin, cycle = call_cycle()
    laps = max(1, s.model_events // len(cycle))
    batch = 500  # a fresh Call every 500 laps, so its history list stays short
    events = ENGINE.machine.events

    def fire() -> float:
        total = 0.0
        for done in range(0, laps, batch):
            call = Call(id="bench", state=origin)
            gc.collect()
            start = time.perf_counter()
            for _ in range(min(batch, laps - done)):
                for event, kind in cycle:
                    call.fire(event, kind=kind)
            total += time.perf_counter() - start
        return total / (laps * len(cycle))

    def raw() -> float:
        model = _Slot(origin)
        gc.collect()
        start = time.perf_counter()
        for _ in range(laps):
            for event, kind in cycle:
                events[event].trigger(model, kind=kind)
        return (time.perf_counter() - start) / (laps * len(cycle))

    fires: list[float] = []
    raws: list[float] = []
    for rnd in range(s.model_rounds):
        say(f"Call.fire vs trigger: round {rnd + 1}/{s.model_rounds}")
        fires.append(fire())
        raws.append(raw())
    return {
        "call_model_cycle": " -> ".join(e if k is None else f"{e}({k})" for e, k in cycle),
        "call_fire_us": statistics.median(fires) * 1e6,
        "raw_trigger_us": statistics.median(raws) * 1e6,
        "call_model_event_us": statistics.median(fires) / statistics.median(raws),
    }


# -- output -------------------------------------------------------------------------------


def verdicts(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target: its limit and whether the figure of this run meets it."""
    out: dict[str, dict[str, Any]] = {}
    for key, (op, limit) in TARGETS.items():
        value = figures[key]
        out[key] = {
            "target": f"{op} {limit:g}",
            "pass": bool(value <= limit if op == "<=" else value >= limit),
        }
    return out


def _fmt(value: float) -> str:
    if value >= 10_000:
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def table(fig: dict[str, Any], s: Settings) -> Iterator[str]:
    """The readable report: the machine, then one section per figure."""
    m = fig["machine"]
    yield f"callstate benchmarks{' (--quick: small sizes, indicative only)' if s.quick else ''}"
    yield f"machine: {m['cpu']}, {m['cores']} cores, {m['python']}, load {m['loadavg']}"
    yield (
        f"libraries: transitions {m['transitions']}, python-statemachine "
        f"{m['python_statemachine']}, orjson {m['orjson']}"
    )
    yield ""
    t = fig["targets"]

    def row(label: str, value: str, note: str = "", key: str = "") -> str:
        mark = ""
        if key:
            mark = f"{t[key]['target']:>8}  {'PASS' if t[key]['pass'] else 'FAIL'}"
        return f"  {label:<50}{value:>12}  {mark:<14}  {note}".rstrip()

    yield f"1/6. validate ({fig['validate_trace']}, {fig['validate_trace_mb']} MB, "
    yield f"     {fig['validate_lines']:,} lines; command: {fig['validate_command']})"
    yield row("callstate validate --format json, s", _fmt(fig["validate_s"]))
    yield row("stdlib json.loads floor, s", _fmt(fig["json_floor_s"]))
    yield row("orjson.loads floor, s", _fmt(fig["orjson_floor_s"]), "(reference)")
    yield row("CLI startup (validate --help), s", _fmt(fig["cli_startup_s"]), "(reference)")
    yield row("python -c pass, s", _fmt(fig["python_startup_s"]), "(reference)")
    yield row(
        "validate / json floor", _fmt(fig["validate_vs_json_floor"]), "", "validate_vs_json_floor"
    )
    yield row("validate / orjson floor", _fmt(fig["validate_vs_orjson_floor"]), "(reference)")
    yield row(
        "validate peak RSS, MB", _fmt(fig["validate_peak_rss_mb"]), "", "validate_peak_rss_mb"
    )
    yield row("json floor peak RSS, MB", _fmt(fig["json_floor_peak_rss_mb"]), "(reference)")
    yield ""
    yield (
        f"2. events/s: {fig['events']:,} events of {fig['events_calls']:,} calls "
        "(same sequence for all: the tracker gets the notification that carries each event,"
    )
    yield "   pre-decoded, no JSON parsing; every engine keeps the calls' states)"
    yield row("tracker, events/s", _fmt(fig["tracker_events_per_s"]))
    yield row(
        "  every body of the trace (requests, roster...), bodies/s",
        _fmt(fig["tracker_all_bodies_per_s"]),
        "(reference)",
    )
    yield row("  same run, notifications/s", _fmt(fig["tracker_notifications_per_s"]))
    yield row("hand-written dict table, slotted objects", _fmt(fig["dict_table_events_per_s"]))
    yield row(
        "transitions, shared Machine, add_model", _fmt(fig["transitions_add_model_events_per_s"])
    )
    yield row(
        "transitions, shared Machine, events[e].trigger",
        _fmt(fig["transitions_trigger_events_per_s"]),
    )
    if "statemachine_events_per_s" in fig:
        yield row(
            "python-statemachine, one per call",
            _fmt(fig["statemachine_events_per_s"]),
            f"(first {fig['statemachine_calls']:,} calls only)",
        )
    yield row(
        "tracker / transitions add_model",
        _fmt(fig["tracker_vs_transitions"]),
        "",
        "tracker_vs_transitions",
    )
    yield row(
        "tracker / transitions events[e].trigger",
        _fmt(fig["tracker_vs_transitions_trigger"]),
        "(stricter reference)",
    )
    yield row("tracker / dict table", _fmt(fig["tracker_vs_dict_table"]), "(reference)")
    yield ""
    quick = " (--quick: NOT 1,000,000)" if s.quick else ""
    yield f"3/4. live calls: {fig['live_calls']:,}{quick}, start at 'incoming', 36-char ids"
    yield row(
        "bytes per live call (tracemalloc)",
        _fmt(fig["bytes_per_live_call"]),
        "",
        "bytes_per_live_call",
    )
    yield row("bytes per live call (RSS, cross-check)", _fmt(fig["rss_bytes_per_live_call"]))
    for site in fig["memory_sites"]:
        yield row(
            f"  {site['site']}",
            _fmt(site["bytes_per_call"]),
            f"{site['blocks_per_call']:.2f} blocks/call  {site['code'][:60]}",
        )
    yield row(
        f"start one call at {fig['small_live_calls']:,} live, us", _fmt(fig["add_call_us_small"])
    )
    yield row(f"start one call at {fig['live_calls']:,} live, us", _fmt(fig["add_call_us_large"]))
    yield row("ratio", _fmt(fig["add_call_scaling"]), "", "add_call_scaling")
    yield row(
        "plain dict get+insert, same ratio (memory floor)",
        _fmt(fig["dict_insert_scaling"]),
        "(reference)",
    )
    yield ""
    yield f"5. one event through Call.fire vs raw trigger, loop {fig['call_model_cycle']}"
    yield row("callstate.graph.Call.fire, us", _fmt(fig["call_fire_us"]))
    yield row("ENGINE.machine.events[e].trigger(model), us", _fmt(fig["raw_trigger_us"]))
    yield row("ratio", _fmt(fig["call_model_event_us"]), "", "call_model_event_us")


def main(argv: Sequence[str] | None = None) -> int:
    """Measure everything, print the table, then the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: proves the harness runs")
    parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
    parser.add_argument("--worker-live", nargs=4, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_live:
        print(json.dumps(live_worker(*args.worker_live)))
        return 0
    s = QUICK if args.quick else Settings(quick=False)
    figures: dict[str, Any] = {"quick": s.quick, "machine": machine()}
    figures.update(measure_processes(s))
    figures.update(measure_events(s))
    figures.update(measure_live(s))
    figures.update(measure_call_model(s))
    figures["targets"] = verdicts(figures)
    if not args.json_only:
        for line in table(figures, s):
            print(line)
    print(json.dumps(figures, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
