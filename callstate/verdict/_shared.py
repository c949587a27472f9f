"""Applying the rules against a shared :class:`~callstate.verdict.store.CallStore`.

Read the record and its version, decide (the same pure function as ever), and
compare-and-set; when another tracker wrote first, read again and decide again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from callstate.errors import CallstateError, ParseError
from callstate.machine.compiled import Step
from callstate.verdict._asked import ask
from callstate.verdict._body import malformed
from callstate.verdict._notice import Notice, Part
from callstate.verdict._request import Asked
from callstate.verdict._roster import take_part
from callstate.verdict._step import KEEP, Decision, Ended, Record, decide
from callstate.verdict.finding import CallWarning, Finding, StepRecord, Violation
from callstate.verdict.store import CallStore

if TYPE_CHECKING:
    from callstate.verdict.tracker import Tracker

__all__ = ["ATTEMPTS", "ask_shared", "decide_shared", "evicted_warning", "part_shared", "told"]

#: How many times a shared record is read again when another tracker wrote it first.
ATTEMPTS: Final = 64


def decide_shared(
    tracker: Tracker,
    store: CallStore,
    notice: Notice,
    where: int,
    out: list[Finding],
    steps: list[StepRecord] | None,
    index: int | None,
    at: float | None,
) -> None:
    """:func:`decide` against a shared store: read, decide, compare-and-set, or again."""
    call_id = notice[0]
    for _ in range(ATTEMPTS):
        stored = store.load(call_id)
        found: list[Finding] = []
        try:
            decision, step, violation = decide(
                tracker._machine, stored.record, stored.ended, notice, where, found,
                tracker._policy, at,
            )  # fmt: skip
        except ParseError as exc:
            within = "" if index is None else f"/value/{index}"
            out.append(malformed(where, call_id, f"{within}{exc.pointer}: {exc.message}"))
            return
        if decision is KEEP:
            if stored.record is not None:
                store.touch(call_id)
        else:
            saved = store.save(call_id, stored.version, decision)  # type: ignore[arg-type]
            if not saved.ok:
                continue
            if stored.record is None and type(decision) is not Ended:
                tracker.calls_started += 1
            if saved.evicted is not None:
                found.insert(0, evicted_warning(where, *saved.evicted, store.max_calls))
        out.extend(found)
        if steps is not None and step is not None:
            steps.append(told(where, call_id, stored.record, step, violation))
        return
    raise CallstateError(
        f"call {call_id}: the store changed under each of {ATTEMPTS} attempts to update it"
    )


def ask_shared(
    tracker: Tracker,
    store: CallStore,
    asked: Asked,
    where: int,
    out: list[Finding],
    at: float | None,
) -> None:
    """:func:`ask` against a shared store."""
    machine, policy = tracker._machine, tracker._policy
    _update(
        tracker,
        store,
        asked.call_id,
        where,
        out,
        lambda record, ended, found: ask(machine, policy, record, ended, asked, at, where, found),
    )


def part_shared(
    tracker: Tracker, store: CallStore, call_id: str, part: Part, where: int, out: list[Finding]
) -> None:
    """:func:`take_part` against a shared store: a roster change of a live call, or a touch."""
    policy = tracker._policy

    def change(record: Record | None, ended: Ended | None, found: list[Finding]) -> Decision:
        if record is None:
            return KEEP
        changed = take_part(policy, record, part, call_id, where, found)
        if changed is None:
            store.touch(call_id)
            return KEEP
        return changed

    _update(tracker, store, call_id, where, out, change)


def _update(
    tracker: Tracker,
    store: CallStore,
    call_id: str,
    where: int,
    out: list[Finding],
    change: Callable[[Record | None, Ended | None, list[Finding]], Decision],
) -> None:
    """Read, ``change``, compare-and-set, or again: the loop of every shared update."""
    for _ in range(ATTEMPTS):
        stored = store.load(call_id)
        found_here: list[Finding] = []
        decision = change(stored.record, stored.ended, found_here)
        if decision is not KEEP:
            saved = store.save(call_id, stored.version, decision)  # type: ignore[arg-type]
            if not saved.ok:
                continue
            if stored.record is None:
                tracker.calls_started += 1
            if saved.evicted is not None:
                found_here.insert(0, evicted_warning(where, *saved.evicted, store.max_calls))
        out.extend(found_here)
        return
    raise CallstateError(
        f"call {call_id}: the store changed under each of {ATTEMPTS} attempts to update it"
    )


def told(
    line: int, call_id: str, record: Record | None, step: Step, violation: Violation | None
) -> StepRecord:
    """What an observer is told of one step."""
    source = None if record is None else record[0]
    return StepRecord(
        line=line,
        call_id=call_id,
        event=None if source is None else step.event,
        kind=step.kind,
        source=source,
        dest=step.dest,
        violation=violation,
    )


def evicted_warning(line: int, call_id: str, state: str | None, limit: int) -> CallWarning:
    return CallWarning(
        line=line,
        call_id=call_id,
        rule="evicted",
        message=f"more than {limit} live calls: the longest-idle call was evicted and is no "
        "longer tracked",
        state=state,
    )
