"""Several processes, each with its own Tracker on one Redis, give one tracker's verdict.

One mixed trace is dealt across the processes: each call's lines in the call's
order (a line goes out only once the previous one is done), many calls at once.
To get real contention without breaking that order, a transfer request and the
call's next line go out together, to two processes, whenever the two commute:
the request only sets the record's transfer kind, and an unmarked notification
never reads it. Whether they commute is not assumed but checked, by applying
them in both orders to one in-memory tracker. Each such pair races on the same
record; the request's read is held open a few milliseconds to make sure of it.
"""

from __future__ import annotations

import heapq
import multiprocessing
import queue
import random
import re
import runpy
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
import pytest

from callstate.contrib.redis import RedisStore
from callstate.simulate import mix
from callstate.verdict import Finding, Tracker

_WORKER = Path(__file__).with_name("_worker.py")
_CALL = re.compile(rb"/communications/calls/([^/\"?]+)")
#: Processes sharing the store, and the trace they share.
PROCESSES = 3
CALLS = 200
SEED = 7
#: The longest any one answer may take (a spawned process starts within it too).
ANSWER_TIMEOUT = 30
_POLL = 0.5

Verdict = tuple[list[tuple[Any, ...]], dict[str, Any]]


def _shown(found: list[Finding]) -> list[tuple[Any, ...]]:
    return sorted((f.line, f.call_id, f.rule, f.message, f.state) for f in found)


def alone(lines: Sequence[bytes]) -> Verdict:
    """Findings, final states and histories of one in-memory tracker."""
    tracker = Tracker()
    found: list[Finding] = []
    for number, line in enumerate(lines, 1):
        tracker.ingest_into(line, found, line=number)
    ids = {*tracker.live_calls(), *tracker.ended_calls()}
    return _shown(found), {cid: (tracker.state(cid), tracker.history(cid)) for cid in ids}


def _calls(lines: Sequence[bytes]) -> dict[str, list[int]]:
    """Each call's line indices, in order; every line of the trace is about one call."""
    calls: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        ids = set(_CALL.findall(line))
        assert 1 == len(ids), f"line {index + 1} names calls {ids}"
        calls.setdefault(ids.pop().decode(), []).append(index)
    return calls


def _commute(lines: Sequence[bytes], before: list[int], first: int, second: int) -> bool:
    """Whether two lines of a call leave the same record and findings in either order."""

    def after(order: tuple[int, int]) -> tuple[Any, ...]:
        tracker = Tracker()
        found: list[Finding] = []
        for index in (*before, *order):
            tracker.ingest_into(lines[index], found, line=index + 1)
        return _shown(found), tracker.snapshot()

    return after((first, second)) == after((second, first))


def _steps(lines: Sequence[bytes]) -> dict[str, list[tuple[int, ...]]]:
    """Each call's lines as steps: one line, or a request and the next line raced."""
    steps: dict[str, list[tuple[int, ...]]] = {}
    for call_id, indices in _calls(lines).items():
        out: list[tuple[int, ...]] = []
        at = 0
        while at < len(indices):
            index = indices[at]
            if (
                at + 1 < len(indices)
                and "request" in orjson.loads(lines[index])
                and _commute(lines, indices[:at], index, indices[at + 1])
            ):
                out.append((index, indices[at + 1]))
                at += 2
            else:
                out.append((index,))
                at += 1
        steps[call_id] = out
    return steps


def _answer(results: Any, processes: Sequence[Any]) -> tuple[Any, int, Any, int]:
    """The next answer of any process; a process that died or hangs fails the test."""
    for _ in range(int(ANSWER_TIMEOUT / _POLL)):
        try:
            answer: tuple[Any, int, Any, int] = results.get(timeout=_POLL)
        except queue.Empty:
            dead = [p.exitcode for p in processes if p.exitcode is not None]
            assert [] == dead, "a tracker process exited early"
            continue
        if answer[0] == "error":
            raise AssertionError(f"process {answer[1]} failed:\n{answer[2]}")
        return answer
    raise AssertionError(f"no process answered within {ANSWER_TIMEOUT}s")


def _deal(
    processes: Sequence[Any],
    lines: Sequence[bytes],
    steps: dict[str, list[tuple[int, ...]]],
    tasks: list[Any],
    results: Any,
    seed: int,
) -> tuple[list[tuple[Any, ...]], int]:
    """Send every step to idle processes, calls in trace order; collect the findings.

    A call's next step goes out once every line of its previous step is answered;
    a raced pair goes to two processes at the same moment.
    """
    deal = random.Random(seed)
    ready = [(found[0][0], call_id) for call_id, found in steps.items()]
    heapq.heapify(ready)
    position = dict.fromkeys(steps, 0)
    pending: dict[int, tuple[str, int]] = {}  # seq -> (call, lines of its step still out)
    idle = list(range(len(tasks)))
    conflicts = dict.fromkeys(idle, 0)
    found: list[tuple[Any, ...]] = []
    seq = 0
    for _ in range(2 * len(lines) + 1):  # each round sends or answers at least one line
        while ready and idle:
            call_id = ready[0][1]
            step = steps[call_id][position[call_id]]
            if len(step) > len(idle):
                break
            heapq.heappop(ready)
            seq += 1
            pending[seq] = (call_id, len(step))
            chosen = deal.sample(idle, len(step))
            roles = ("plain",) if len(step) == 1 else ("racer", "partner")
            for worker, index, role in zip(chosen, step, roles, strict=True):
                idle.remove(worker)
                tasks[worker].put((seq, index + 1, lines[index], role))
        if not pending:
            break
        answered, worker, shown, count = _answer(results, processes)
        idle.append(worker)
        conflicts[worker] = count
        found.extend(tuple(f) for f in shown)
        call_id, left = pending.pop(answered)
        if left > 1:
            pending[answered] = (call_id, left - 1)
            continue
        position[call_id] += 1
        if position[call_id] < len(steps[call_id]):
            heapq.heappush(ready, (steps[call_id][position[call_id]][0], call_id))
    assert ({}, []) == (pending, ready), "the trace was not dealt completely"
    return sorted(found), sum(conflicts.values())


def shared(
    url: str, lines: Sequence[bytes], *, blind: bool, seed: int = SEED
) -> tuple[Verdict, int]:
    """The trace dealt across PROCESSES spawned trackers on one Redis: verdict, conflicts."""
    steps = _steps(lines)
    prefix = f"test-{uuid.uuid4().hex}:"
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    tasks = [context.Queue() for _ in range(PROCESSES)]
    processes = [
        context.Process(
            target=runpy.run_path,
            args=(str(_WORKER),),
            kwargs={
                "run_name": "__callstate_worker__",
                "init_globals": {
                    "_ARGS": {
                        "url": url,
                        "prefix": prefix,
                        "blind": blind,
                        "name": name,
                        "tasks": tasks[name],
                        "results": results,
                    }
                },
            },
            daemon=True,
        )
        for name in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        assert {"ready"} == {_answer(results, processes)[0] for _ in processes}
        found, conflicts = _deal(processes, lines, steps, tasks, results, seed)
    finally:
        for box in tasks:
            box.put(None)
        for process in processes:
            process.join(ANSWER_TIMEOUT)
            if process.is_alive():
                process.terminate()
                process.join(ANSWER_TIMEOUT)
    store = RedisStore.from_url(url, prefix=prefix)
    reader = Tracker(store=store)
    ids = {*_calls(lines), *store.live_calls(), *store.ended_calls()}
    states = {cid: (reader.state(cid), reader.history(cid)) for cid in ids}
    store.client.close()
    return (found, states), conflicts


@pytest.fixture(scope="module")
def trace() -> tuple[list[bytes], Verdict]:
    """The mixed trace, and one in-memory tracker's verdict on it."""
    # Timed, so that a request logged after the notification it caused means the same.
    lines = list(mix(CALLS, seed=SEED, timed=True))
    return lines, alone(lines)


class TestSharedStore:
    """Trackers in several processes on one Redis: nothing lost, or the test says so."""

    def test_the_trace_races(self, trace: tuple[list[bytes], Verdict]) -> None:
        """The trace has many request-and-next-line pairs to race (checked to commute)."""
        lines, _ = trace
        pairs = sum(len(step) == 2 for found in _steps(lines).values() for step in found)
        assert 50 <= pairs

    def test_processes_on_one_redis_give_one_trackers_verdict(
        self, redis_url: str, trace: tuple[list[bytes], Verdict]
    ) -> None:
        """Same findings, final states and histories; compare-and-set retried on conflicts."""
        lines, expected = trace
        verdict, conflicts = shared(redis_url, lines, blind=False)
        assert (expected, True) == (verdict, conflicts > 0)

    def test_without_compare_and_set_updates_are_lost(
        self, redis_url: str, trace: tuple[list[bytes], Verdict]
    ) -> None:
        """A store that writes blind loses updates, and the test sees the verdict change."""
        lines, expected = trace
        verdict, _ = shared(redis_url, lines, blind=True)
        assert expected != verdict
