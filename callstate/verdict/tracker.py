"""Many live calls at once: ingest webhook bodies, apply the machine, say what broke.

One path: a body is decoded once (or not at all, when its bytes are those of a line
already read but for the call id: :mod:`~callstate.verdict._forms`), each notification
read into a :class:`~callstate.verdict._notice.Notice`, and
:func:`~callstate.verdict._step.decide`
applies the rules to the call's record (or its remembered answer stands for it, see
:mod:`~callstate.verdict._moves`). Observers hear of each step after the decision,
outside the lock; ``strict`` only adds its one rule. Memory follows the number of
*live* calls: most records are one int (:mod:`~callstate.verdict._packed`), and ended
calls leave only their id and a fingerprint in a bounded table.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import IO, Any, Final

from orjson import JSONEncodeError, dumps

from callstate.errors import ParseError
from callstate.machine.compiled import Compiled, compiled
from callstate.machine.definition import MachineDefinition
from callstate.machine.history import HistoryStep
from callstate.verdict._asked import Keep, Policy
from callstate.verdict._asks import Asks
from callstate.verdict._body import (
    decode_text,
    plain_json,
    too_deep,
    unread,
)
from callstate.verdict._forms import Forms, Looked, formed_notice
from callstate.verdict._moves import Moves
from callstate.verdict._notice import MAX_BODY_BYTES, Notice, Reader
from callstate.verdict._options import ROSTER_LIMIT, check_options
from callstate.verdict._overlay import oldest
from callstate.verdict._packed import Packing, Rostered, Stored
from callstate.verdict._readback import ReadBack
from callstate.verdict._roster import keep_part
from callstate.verdict._shared import decide_shared, evicted_warning, part_shared, told
from callstate.verdict._step import KEEP, Ended, decide
from callstate.verdict._stream import read_body, read_lines
from callstate.verdict._time import read_at, timeout_seconds
from callstate.verdict.finding import Finding, StepRecord
from callstate.verdict.store import CallStore

__all__ = ["MAX_BODY_BYTES", "HistoryStep", "StepObserver", "Tracker"]

#: Where a store makes each update atomic itself.
_UNLOCKED: Final = nullcontext()

#: Told of every step a call takes, after the tracker decided it.
StepObserver = Callable[[StepRecord], None]


class Tracker(ReadBack):
    """Tracks every call that a stream of Graph notifications talks about.

    Thread-safe: each :meth:`ingest` holds the tracker's lock, so concurrent webhook
    handlers lose no update. ``max_calls`` bounds live calls (the longest-idle one
    is evicted with a warning), ``ended_limit`` bounds the table of recently ended
    ids that makes a late notification for an ended call still reported, and
    ``history_limit`` the steps kept per call (up to 4096), and ``roster_limit`` the
    participants followed per call. ``timeouts`` overrides the definition's windows by
    name (``{"answer": 5}`` for a policy-based recording bot), and
    ``require_requests`` reports a transfer no request announced. ``on_step`` is told of each
    step after the body's decisions, outside the lock, so it may read the tracker;
    if it raises, the tracker's state is already updated, the remaining steps are
    still told, and the first exception propagates from :meth:`ingest`.
    """

    def __init__(
        self,
        *,
        definition: MachineDefinition | None = None,
        strict: bool = False,
        max_calls: int = 1_000_000,
        ended_limit: int = 100_000,
        history_limit: int = 8,
        roster_limit: int = ROSTER_LIMIT,
        timeouts: Mapping[str, float] | None = None,
        require_requests: bool = False,
        on_step: StepObserver | None = None,
        store: CallStore | None = None,
    ) -> None:
        definition = check_options(
            definition=definition,
            limits={
                "max_calls": max_calls,
                "ended_limit": ended_limit,
                "history_limit": history_limit,
                "roster_limit": roster_limit,
            },
            flags={"strict": strict, "require_requests": require_requests},
            on_step=on_step,
            store=store,
        )
        self._definition = definition
        self._strict = strict
        self.max_calls = max_calls
        self.ended_limit = ended_limit
        self._history_limit = history_limit
        self._roster_limit = roster_limit
        self._require_requests = require_requests
        self.on_step = on_step
        self._store = store
        self._machine: Compiled = compiled(definition)
        self._reader = Reader(self._machine)
        #: Lines of a form already read, for the validate loop's fast branch of reading.
        self._forms = Forms()
        self._mask = self._machine.history.mask(history_limit)
        self._timeouts = timeout_seconds(definition, timeouts)
        self._policy = Policy(
            strict, self._mask, require_requests, tuple(self._timeouts.values()), roster_limit
        )
        #: Live calls, longest idle first: a touched call is popped and put back at the end.
        self._live: dict[str, Stored] = {}
        self._packing = Packing(self._machine, self._mask)
        #: decide's answers for packed calls on plain notices, remembered.
        self._moves = Moves(self._packing)
        #: ask's answers for packed calls on untimed requests, remembered.
        self._asks = Asks()
        #: Recently ended calls, oldest first, with the fingerprint of their last notification.
        self._ended: dict[str, int | Ended | None] = {}
        self._lock = threading.Lock()
        # A store makes each call's update atomic itself: no need to hold our lock across
        # its round trips (only this tracker's counters would race, and they are only counts).
        self._guard: AbstractContextManager[object] = self._lock if store is None else _UNLOCKED
        #: Held by a snapshot from start to end: one overlay at a time.
        self._snapshotting = threading.Lock()
        #: Counters for reports: bodies ingested, notifications read, calls started.
        self.bodies = 0
        self.notifications = 0
        self.calls_started = 0

    def ingest(
        self, body: object, *, line: int | None = None, at: datetime | str | None = None
    ) -> tuple[Finding, ...]:
        """Check one webhook body: bytes, str, or a decoded dict (envelope, notification,
        request record, or a timed line). Returns the violations and warnings it caused,
        empty when it conforms. ``line`` locates them; without it, bodies are numbered in
        arrival order. ``at`` is when it was received (an aware datetime or RFC 3339),
        for the rules that need time; a timed line carries its own.
        """
        out: list[Finding] = []
        self._take(body, out, line, at)
        return tuple(out)

    def ingest_into(
        self,
        body: object,
        out: list[Finding],
        *,
        line: int | None = None,
        at: datetime | str | None = None,
    ) -> None:
        """Like :meth:`ingest`, appending the body's findings to ``out`` (a list, or a sink
        that keeps only some) instead of returning them."""
        # Each through _take, positional: through ingest, with keywords, a tuple and a
        # loop, cost a conforming dict body 4% more instructions.
        self._take(body, out, line, at)

    def _take(
        self, body: object, out: list[Finding], line: int | None, at: datetime | str | None
    ) -> None:
        """One body: a decoded dict straight to :func:`read_body`, any other to
        :meth:`_decoded` first; observers told after, outside the lock."""
        when = None if at is None else read_at(at, "at")
        steps: list[StepRecord] | None = None if self.on_step is None else []
        with self._guard:
            self.bodies += 1
            where = self.bodies if line is None else line
            if type(body) is dict:
                # orjson refuses what nests too deep: a decoded body was checked, a given
                # one is here (in place, not in a function: a frame fewer a body).
                try:
                    dumps(body)
                except JSONEncodeError:
                    if too_deep(body, where, out):
                        return  # refused whole: no step was taken, none to tell
                read_body(self, body, None, None, where, out, steps, when)
            else:
                self._decoded(body, where, out, steps, when)
        if steps:
            self._tell(steps)

    def read_stream(self, stream: IO[bytes], out: list[Finding], *, start: int = 0) -> int:
        """Check every line of a binary stream, appending findings; returns the number of its
        last line (``start`` lines came before it: its lines are numbered on from there).

        Each line is read with a bound, so a huge line is never held whole. This is
        the loop ``callstate validate`` runs; it goes through the same path as
        :meth:`ingest`, holding the lock while it reads. ``on_step`` is told of a line's
        steps outside the lock, before the next line is read, so it may read the tracker.
        The counters (``bodies``, ``notifications``) are brought up to date then and when
        the stream ends, not line by line.
        """
        with self._lock:
            return read_lines(self, stream, out, start)

    def _decoded(
        self,
        body: object,
        where: int,
        out: list[Finding],
        steps: list[StepRecord] | None,
        at: float | None,
    ) -> None:
        """A body that is no dict: bytes (of a form already read, or decoded), text, or a
        model object, to :func:`read_body` once decoded."""
        shape = type(body)
        looked: Looked | bytes | None = None
        if shape is bytes:  # a webhook's body as it came: tested first
            looked = self._forms.look(body)  # type: ignore[arg-type]
            if type(looked) is tuple:  # a body of a form already read: nothing to decode
                self._apply(None, where, out, steps, 0, at, looked)
                return
        if shape is bytes or shape is str or shape is bytearray or shape is memoryview:
            read, decoded = decode_text(body, where, out)  # type: ignore[arg-type]
            if not read:
                return
            raw, body = body, decoded
        else:
            raw, body = None, plain_json(body)
            if too_deep(body, where, out):  # a model's JSON, as deep as its fields
                return
        read_body(self, body, raw, looked, where, out, steps, at)  # type: ignore[arg-type]

    def _notification(
        self,
        n: object,
        where: int,
        out: list[Finding],
        steps: list[StepRecord] | None,
        index: int | None,
        at: float | None,
    ) -> None:
        """One notification, the ``index``-th of its envelope (``None``: a bare one)."""
        try:
            notice = self._reader.read(n)
        except ParseError as exc:
            unread(exc, where, index, out)
            return
        self._apply(notice, where, out, steps, index, at)

    def _apply(
        self,
        notice: Notice | None,
        where: int,
        out: list[Finding],
        steps: list[StepRecord] | None,
        index: int | None,
        at: float | None,
        looked: Looked | None = None,
    ) -> None:
        """The rules, applied to one notice: however it was read, this is its one path.
        A line read by its form comes as ``looked`` instead of ``notice``: its notice is
        built (:func:`formed_notice`) only when a remembered answer does not settle it.
        Either holds its question in slot 12."""
        self.notifications += 1
        if notice is None:  # a call's own notification: a sub-resource's line has no form
            call_id: str = looked[1]  # type: ignore[index]
            source = looked[2]  # type: ignore[index]
            asked = looked[0][12]  # type: ignore[index]
        else:
            call_id = notice[0]
            part = notice[3]
            if part is not None:  # activity on a sub-resource: its call is not idle
                if self._store is not None:
                    part_shared(self, self._store, call_id, part, where, out)
                else:
                    keep_part(self._policy, self._packing, self._live, part, call_id, where, out)
                return
            source = notice[10]
            asked = notice[12]
        if self._store is not None:
            if notice is None:
                notice = formed_notice(looked)  # type: ignore[arg-type]
            decide_shared(self, self._store, notice, where, out, steps, index, at)
            return
        stored: Stored | None = self._live.pop(call_id, None)
        # A packed call (or a new one) and a notice that carries nothing but its signal:
        # decide's answer is a function of the two alone, so a remembered one stands for it.
        key = None
        if at is not None:  # a time may start or end a window: no answer stands for it
            asked = None
        rostered = type(stored) is Rostered
        if asked is not None and (
            type(stored) is int or rostered or (stored is None and call_id not in self._ended)
        ):
            moves = self._moves
            low: Any = stored[0] if rostered else stored  # type: ignore[index]
            key = (None if low is None else low & self._packing.below_fp, asked)
            known = moves.known.get(key)
            if known is not None:
                answer = known[0] if not known[2] else moves.with_fingerprint(known, source)
                if answer is not None:
                    if type(answer) is int and stored is not None:  # the common case, inline
                        self._live[call_id] = (
                            Rostered(answer, stored[1]) if rostered else answer  # type: ignore[index, arg-type]
                        )
                    else:
                        self._settle(call_id, stored, answer, where, out)
                    if steps is not None and known[1] is not None:
                        steps.append(self._told(where, call_id, stored, known[1]))
                    return
        # What decide finds, apart: only an answer that found nothing is remembered (``out``
        # may be a sink that keeps nothing, so its length would not tell).
        found: list[Finding] = out if key is None else []
        if notice is None:
            notice = formed_notice(looked)  # type: ignore[arg-type]
        record, ended = self._kept(call_id, stored)
        try:
            decision, step, violation = decide(
                self._machine, record, ended, notice, where, found, self._policy, at
            )
        except ParseError as exc:  # the notification cannot be fingerprinted: kept as it was
            exc.call_id = call_id
            unread(exc, where, index, found)
            decision, step, violation = KEEP, None, None
        if found is not out:
            for finding in found:
                out.append(finding)
        settled = self._settle(call_id, stored, decision, where, out)
        if key is not None and not found:
            if type(settled) is Rostered:
                settled = settled[0]
            if type(settled) is int or type(settled) is Ended:
                self._moves.learn(key, settled, step)
        if steps is not None and step is not None:
            steps.append(told(where, call_id, record, step, violation))

    def _settle(
        self,
        call_id: str,
        stored: Stored | None,
        decision: Stored | Ended | Keep,
        where: int,
        out: list[Finding],
    ) -> Stored | Ended | Keep:
        """Keep what decide answered for the call that was ``stored`` (the same record, the
        end, or the next record, packed if it can be) and return it as kept."""
        if decision is KEEP:
            if stored is not None:
                self._live[call_id] = stored
        elif type(decision) is Ended:
            if self.ended_limit:
                ended_calls = self._ended
                ended_calls.pop(call_id, None)
                if len(ended_calls) >= self.ended_limit:
                    del ended_calls[next(iter(ended_calls))]
                ended_calls[call_id] = decision.fp if decision.at is None else decision
        else:
            if stored is None:
                self._start(call_id, where, out)
            if type(decision) is not int:
                decision = self._packing.pack(decision)  # type: ignore[arg-type]
            self._live[call_id] = decision
        return decision

    def _start(self, call_id: str, where: int, out: list[Finding]) -> None:
        """Count a new live call, evicting the longest-idle one past ``max_calls``."""
        self.calls_started += 1
        live = self._live
        if len(live) >= self.max_calls:
            evicted = oldest(live)
            state = self._packing.unpack(live.pop(evicted))[0]
            out.append(evicted_warning(where, evicted, state, self.max_calls))
