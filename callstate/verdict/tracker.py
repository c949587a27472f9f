"""Many live calls at once: ingest webhook bodies, apply the machine, say what broke.

The hot path reads the raw JSON dicts (no model objects per notification) and
steps through the definition's compiled table; a test proves that table agrees
with the ``transitions`` engine. Memory follows the number of *live* calls: a
call's record is four slots, its history packed into one int, and ended calls
leave only their id and a fingerprint in a bounded set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any, Final, cast

import orjson

from callstate.errors import ParseError, UsageError
from callstate.graph.resource_url import ResourceRef, parse_resource_url
from callstate.machine.definition import CALL_MACHINE, MachineDefinition
from callstate.machine.signal import Classifier, SignalError
from callstate.machine.table import compile_table
from callstate.transfer import validate_transfer_request
from callstate.verdict._history import HistoryPacking, HistoryStep
from callstate.verdict._notice import (
    MAX_BODY_BYTES,
    Malformed,
    check_operation,
    check_participants,
    fingerprint,
    oversize,
    read_result,
)
from callstate.verdict.finding import CallWarning, Finding, Violation

__all__ = ["MAX_BODY_BYTES", "HistoryStep", "StepObserver", "Tracker"]

_CALLS: Final = "/communications/calls/"
_CALLS_PATH: Final = _CALLS[:-1]
#: Exact-case change types the fast path takes (a tuple: membership never hashes the value).
_FAST_CHANGE_TYPES: Final = ("updated", "created", "deleted")
_CHANGE_TYPES: Final = {"created": "created", "updated": "updated", "deleted": "deleted"}
_MISSING: Final = object()
#: At most this many classified (state, codes, reason) combinations are remembered.
_SIGNAL_CACHE: Final = 1024


#: Called for every step a call takes:
#: (line, call id, event, marker kind, source, dest, violation or None).
StepObserver = Callable[[int, str, str | None, str | None, str | None, str, Violation | None], None]


class _Call:
    """A live call: four slots, so a million of them stay small."""

    __slots__ = ("fp", "hist", "kind", "state")

    def __init__(self, state: str | None) -> None:
        self.state = state
        #: The transfer kind a request announced, until the transfer ends.
        self.kind: str | None = None
        #: Fingerprint of the last notification, kept only when its repeat would be illegal.
        self.fp: int | None = None
        self.hist = 0


class Tracker:
    """Tracks every call that a stream of Graph notifications talks about.

    Thread-safe: each :meth:`ingest` holds the tracker's lock, so concurrent webhook
    handlers lose no update. ``max_calls`` bounds live calls (the longest-idle one
    is evicted with a warning), ``ended_limit`` bounds the set of recently ended
    ids that makes a late notification for an ended call still reported, and
    ``history_limit`` bounds the steps kept per call.
    """

    def __init__(
        self,
        *,
        definition: MachineDefinition = CALL_MACHINE,
        strict: bool = False,
        max_calls: int = 1_000_000,
        ended_limit: int = 100_000,
        history_limit: int = 8,
        on_step: StepObserver | None = None,
    ) -> None:
        for name, value, low in (
            ("max_calls", max_calls, 1),
            ("ended_limit", ended_limit, 0),
            ("history_limit", history_limit, 0),
        ):
            if type(value) is not int or value < low:
                raise UsageError(name, f"must be an integer >= {low}, got {value!r}")
        if not isinstance(definition, MachineDefinition):
            raise UsageError("definition", f"must be a MachineDefinition, got {definition!r}")
        self.definition = definition
        self.strict = strict
        self.max_calls = max_calls
        self.ended_limit = ended_limit
        self.history_limit = history_limit
        self.on_step = on_step
        self._table = compile_table(definition)
        self._classifier = Classifier(definition)
        self._states = {s: s for s in definition.states}
        self._states_lower = {s.lower(): s for s in definition.states}
        self._reports = {e.name: e.reports for e in definition.events}
        self._marked = {e.name for e in definition.events if e.markers}
        self._refusals = {e.name: (e.rule, e.refusal) for e in definition.events}
        #: state -> (event, None) for a notification with no result or reason: the common case.
        self._plain: dict[str, tuple[str, str | None]] = {
            s: (e, None) for s, e in self._classifier.plain.items()
        }
        #: The signal of a ``deleted`` notification with no state: the call ended.
        self._end_signal = self._plain[self._classifier.ended]
        self._final = definition.final
        self._packing = HistoryPacking(definition, history_limit)
        # The hot paths do the packing's arithmetic inline, from these.
        self._width = self._packing.width
        self._hist_mask = self._packing.mask
        #: state -> exact state string -> (dest, history code or 0 for an update, repeat illegal)
        self._fast_steps: dict[str, dict[str, tuple[str, int, bool]]] = {
            s: {} for s in definition.states
        }
        for (source, event, kind), (dest, transition) in self._table.items():
            if kind is None and dest not in self._final and event not in self._marked:
                code = 0
                if transition is not None:
                    code = self._packing.code(event, dest)
                illegal = (dest, event, None) not in self._table
                self._fast_steps[source][self._reports[event]] = (dest, code, illegal)
        #: signal -> (dest, history code) of a call's first notification that needs no fingerprint
        self._openings: dict[tuple[str, str | None], tuple[str, int]] = {}
        for (state, event, kind), (dest, _transition) in self._table.items():
            opened = self._reports[event]
            if opened == dest == state and opened not in self._final:
                code = self._packing.code(None, opened)
                self._openings[(event, kind)] = (opened, code & self._hist_mask)
        #: Classified result-bearing notifications: few distinct (state, codes, reason) recur.
        self._signals: dict[tuple[object, ...], tuple[str, str | None] | None] = {}
        self._live: OrderedDict[str, _Call] = OrderedDict()
        self._ended: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        #: Counters for reports: bodies ingested, notifications read, calls started.
        self.bodies = 0
        self.notifications = 0
        self.calls_started = 0

    # -- public API -------------------------------------------------------------

    def ingest(self, body: object, *, line: int | None = None) -> tuple[Finding, ...]:
        """Check one webhook body: bytes, str, a dict (envelope, notification or request record).

        Returns the violations and warnings it caused, empty when it conforms.
        ``line`` locates them; without it, bodies are numbered in arrival order.
        """
        out: list[Finding] = []
        self.ingest_into(body, out, line=line)
        return tuple(out)

    def ingest_into(self, body: object, out: list[Finding], *, line: int | None = None) -> None:
        """Like :meth:`ingest`, appending to ``out`` instead of returning a tuple."""
        with self._lock:
            self._ingest(body, out, line)

    def _ingest(
        self, body: object, out: list[Finding], line: int | None, *, fast: bool = True
    ) -> None:
        """One body, without the lock: the caller holds it, or owns the tracker alone.

        ``fast=False`` when the caller already tried :meth:`_fast_body` on it.
        """
        self.bodies += 1
        where = self.bodies if line is None else line
        shape = type(body)
        if shape is dict:
            pass
        elif shape is bytes or shape is str or isinstance(body, bytearray | memoryview):
            text = cast("bytes | str | bytearray | memoryview", body)
            if len(text) > MAX_BODY_BYTES and oversize(text):
                out.append(
                    Violation(where, None, "malformed", f"body over 1 MiB ({len(text)} bytes)")
                )
                return
            try:
                body = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                out.append(Violation(where, None, "malformed", f"not valid JSON: {exc}"))
                return
        elif hasattr(body, "__attrs_attrs__"):
            from callstate.graph import dump

            body = dump(body)
        if fast and self._fast_body(body):
            return
        self._body(body, where, out)

    def _fast_body(self, body: object) -> bool:
        """Apply a decoded body that holds one notification no rule can object to.

        ``False`` leaves the body untouched for the full path.
        """
        if type(body) is not dict or self.on_step is not None:
            return False
        value = body.get("value")
        if type(value) is not list or len(value) != 1:
            return False
        try:
            return self._fast(value[0])
        except Malformed:
            return False  # nothing was changed yet: the full path reports it, located

    def _read_stream(self, stream: IO[bytes], out: list[Finding]) -> int:
        """The validate hot loop over a binary stream, unlocked; returns the number of lines.

        Reads each line with a bound, so a huge line is never held whole, and parses
        each once: a body the fast path takes costs one parse and one call.
        """
        loads = orjson.loads
        fast = self._fast if self.on_step is None else None
        readline = stream.readline
        limit = MAX_BODY_BYTES + 1
        count = taken = 0
        while line := readline(limit):
            count += 1
            if len(line) == limit and not line.endswith(b"\n"):
                while (rest := readline(1 << 16)) and not rest.endswith(b"\n"):
                    pass
                self._ingest(line, out, count)  # reported as over 1 MiB
                continue
            if line.isspace():
                continue
            try:
                body = loads(line)
            except orjson.JSONDecodeError:
                self._ingest(line, out, count)  # reported, located
                continue
            if fast is not None and type(body) is dict:
                value = body.get("value")
                if type(value) is list and len(value) == 1:
                    try:
                        if fast(value[0]):
                            taken += 1
                            continue
                    except Malformed:
                        pass  # nothing was changed yet: the full path reports it
            self._ingest(body, out, count, fast=False)
        self.bodies += taken
        return count

    def state(self, call_id: str) -> str | None:
        """The state of a live call, the final state of a recently ended one, else ``None``."""
        with self._lock:
            call = self._live.get(call_id)
            if call is not None:
                return call.state
            if call_id in self._ended:
                return self._classifier.ended
            return None

    def history(self, call_id: str) -> tuple[HistoryStep, ...]:
        """The last ``history_limit`` steps of a live call, oldest first."""
        with self._lock:
            call = self._live.get(call_id)
            return () if call is None else self._packing.unpack(call.hist)

    def live_calls(self) -> Iterator[str]:
        """Ids of live calls, longest idle first (a snapshot: safe to iterate while ingesting)."""
        with self._lock:
            return iter(list(self._live))

    def ended_calls(self) -> Iterator[str]:
        """Ids in the bounded set of recently ended calls, oldest first."""
        with self._lock:
            return iter(list(self._ended))

    def __len__(self) -> int:
        return len(self._live)

    def __contains__(self, call_id: object) -> bool:
        return call_id in self._live

    # -- snapshot ---------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to carry on elsewhere, as JSON-ready data (see :meth:`restore`)."""
        with self._lock:
            return {
                "format": "callstate.tracker/1",
                "definition": self.definition.name,
                "options": {
                    "strict": self.strict,
                    "maxCalls": self.max_calls,
                    "endedLimit": self.ended_limit,
                    "historyLimit": self.history_limit,
                },
                "counters": {
                    "bodies": self.bodies,
                    "notifications": self.notifications,
                    "callsStarted": self.calls_started,
                },
                # The packed history can pass 64 bits, past what JSON stores take: hex.
                "live": [
                    [cid, c.state, c.kind, c.fp, format(c.hist, "x")]
                    for cid, c in self._live.items()
                ],
                "ended": [[cid, fp] for cid, fp in self._ended.items()],
            }

    def snapshot_json(self) -> bytes:
        """:meth:`snapshot` as JSON bytes, for a store of your choice."""
        return orjson.dumps(self.snapshot())

    @classmethod
    def restore(
        cls,
        data: Mapping[str, Any] | bytes | str,
        *,
        definition: MachineDefinition = CALL_MACHINE,
        on_step: StepObserver | None = None,
    ) -> Tracker:
        """A tracker that carries on from a :meth:`snapshot`; ``ParseError`` if it is not one."""
        try:
            snap = orjson.loads(data) if isinstance(data, bytes | str) else data
            if snap.get("format") != "callstate.tracker/1":
                raise ParseError("not a callstate tracker snapshot", pointer="/format")
            if snap.get("definition") != definition.name:
                raise ParseError(
                    f"snapshot of machine {snap.get('definition')!r}, not {definition.name!r}",
                    pointer="/definition",
                )
            opts = snap["options"]
            tracker = cls(
                definition=definition,
                strict=bool(opts["strict"]),
                max_calls=opts["maxCalls"],
                ended_limit=opts["endedLimit"],
                history_limit=opts["historyLimit"],
                on_step=on_step,
            )
            counters = snap["counters"]
            tracker.bodies = int(counters["bodies"])
            tracker.notifications = int(counters["notifications"])
            tracker.calls_started = int(counters["callsStarted"])
            for cid, state, kind, fp, hist in snap["live"]:
                if state is not None and state not in tracker._states:
                    raise ParseError(f"unknown state {state!r}", pointer="/live")
                call = _Call(state)
                call.kind, call.fp = kind, fp
                call.hist = int(hist, 16) if type(hist) is str else int(hist)
                tracker._live[str(cid)] = call
            for cid, fp in snap["ended"]:
                tracker._ended[str(cid)] = int(fp)
        except ParseError:
            raise
        except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ParseError(f"not a valid tracker snapshot: {exc!r}") from None
        return tracker

    # -- bodies -----------------------------------------------------------------

    def _fast(self, n: object) -> bool:
        """Apply a notification that cannot cause a finding; ``False`` hands it to the full path.

        Takes only a canonical call URL, exact-case values and integer codes, and only
        a legal step: a live call's update or end, or a new call's first notification.
        It decides everything (and computes any fingerprint, which may raise) before it
        changes anything, so the full path can always take over. A test checks both
        paths agree.
        """
        if type(n) is not dict:
            return False
        url = n.get("resourceUrl")
        if type(url) is not str:
            return False
        calls, _, call_id = url.rpartition("/")
        data = n.get("resourceData")
        change = n.get("changeType")
        if change not in _FAST_CHANGE_TYPES:
            return False
        if calls != _CALLS_PATH or not call_id:
            return self._fast_part(url, data)
        if type(data) is not dict:
            return False
        raw = data.get("state")
        if raw is not None and type(raw) is not str:
            return False
        call = self._live.get(call_id)
        plain = "resultInfo" not in data and "terminationReason" not in data
        if call is not None and call.state is not None and plain:
            if raw is None:
                if change == "deleted":
                    return self._fast_step(call_id, call, self._end_signal, n)
                call.fp = None
            else:
                step = self._fast_steps[call.state].get(raw)
                if step is None:
                    return self._fast_step(call_id, call, self._plain.get(raw), n)
                dest, code, repeat_illegal = step
                if code:
                    fp = fingerprint(n) if repeat_illegal else None
                    call.state = dest
                    call.fp = fp
                    call.hist = ((call.hist << self._width) | code) & self._hist_mask
                else:
                    call.fp = None
            self.notifications += 1
            self._live.move_to_end(call_id)
            return True
        signal = self._fast_signal(change, data, raw, plain)
        if signal is None:
            return False
        if call is not None:
            return call.state is not None and self._fast_step(call_id, call, signal, n)
        if self.strict or call_id in self._ended or len(self._live) >= self.max_calls:
            return False
        opening = self._openings.get(signal)
        if opening is None:
            call = _Call(None)
            self._move(
                call_id, call, signal, None, self._reports[signal[0]], n, 0, None, fresh=True
            )
        else:
            call = self._live[call_id] = _Call(opening[0])
            call.hist = opening[1]
        self.calls_started += 1
        self.notifications += 1
        return True

    def _fast_part(self, url: str, data: object) -> bool:
        """A sub-resource's notification in a canonical URL; ``False`` for anything else."""
        if not url.startswith(_CALLS):
            return False
        try:
            ref = parse_resource_url(url)
        except ParseError:
            return False
        if ref.kind == "call":
            return False
        self._part(ref, data)
        self.notifications += 1
        return True

    def _fast_signal(
        self, change: str, data: dict[str, Any], raw: str | None, plain: bool
    ) -> tuple[str, str | None] | None:
        """The signal of a well-formed, exact-case notification, else ``None``."""
        if plain:
            if raw is None:
                return self._end_signal if change == "deleted" else None
            return self._plain.get(raw)
        if raw is not None and raw not in self._states:
            return None
        try:
            code, subcode = read_result(data.get("resultInfo"), "/resourceData/resultInfo")
        except Malformed:
            return None  # the full path reports it, located
        reason = data.get("terminationReason")
        if reason is not None and type(reason) is not str:
            return None
        deleted = change == "deleted" and raw is None
        key = (raw, deleted, code, subcode, reason)
        signal = self._signals.get(key, _MISSING)
        if signal is _MISSING:
            try:
                signal = self._classifier.classify(
                    raw, deleted=deleted, code=code, subcode=subcode, termination_reason=reason
                )
            except SignalError:
                signal = None  # a finding: the full path reports it
            if len(self._signals) >= _SIGNAL_CACHE:
                self._signals.clear()
            self._signals[key] = signal
        return signal  # type: ignore[return-value]

    def _fast_step(
        self, call_id: str, call: _Call, signal: tuple[str, str | None] | None, n: object
    ) -> bool:
        """A live call's legal step by ``signal``; ``False`` when it could be a finding."""
        if signal is None:
            return False
        event, kind = signal
        source = call.state
        step = self._table.get((source, event, kind))  # type: ignore[arg-type]
        if step is None or (kind is not None and call.kind is not None and kind != call.kind):
            return False
        dest, transition = step
        if transition is None:
            call.fp = None
        else:
            self._live.move_to_end(call_id)
            self._move(call_id, call, signal, source, dest, n, 0, None)
            if event in self._marked:
                call.kind = None
        self.notifications += 1
        if transition is None:
            self._live.move_to_end(call_id)
        return True

    def _body(self, body: object, where: int, out: list[Finding]) -> None:
        if type(body) is dict:
            value = body.get("value")
            if value is not None:
                if type(value) is not list:
                    out.append(Violation(where, None, "malformed", "/value: expected an array"))
                    return
                for i, notification in enumerate(value):
                    self._guarded(notification, where, out, "/value/", i)
            elif "request" in body:
                self._request(body["request"], where, out)
            elif "changeType" in body or "resourceUrl" in body or "resource" in body:
                self._guarded(body, where, out, "", None)
            else:
                out.append(
                    Violation(
                        where,
                        None,
                        "malformed",
                        "expected a commsNotifications envelope (value), "
                        "a commsNotification or a request record",
                    )
                )
        elif type(body) is list:
            for i, notification in enumerate(body):
                self._guarded(notification, where, out, "/", i)
        else:
            out.append(
                Violation(where, None, "malformed", f"expected a JSON object, got {body!r:.40}")
            )

    def _guarded(
        self, n: object, where: int, out: list[Finding], prefix: str, index: int | None
    ) -> None:
        try:
            self._notification(n, where, out)
        except Malformed as exc:
            base = prefix if index is None else f"{prefix}{index}"
            call_id = None
            if type(n) is dict:
                url = n.get("resourceUrl") or n.get("resource")
                if type(url) is str:
                    try:
                        call_id = parse_resource_url(url).call_id
                    except ParseError:
                        call_id = None
            out.append(
                Violation(where, call_id, "malformed", f"{base}{exc.pointer}: {exc.message}")
            )

    def _notification(self, n: object, where: int, out: list[Finding]) -> None:
        if type(n) is not dict:
            raise Malformed("", "expected a commsNotification object")
        change = n.get("changeType")
        if type(change) is not str:
            raise Malformed("/changeType", f"expected a string, got {change!r}")
        change_type = _CHANGE_TYPES.get(change) or _CHANGE_TYPES.get(change.lower())
        if change_type is None:
            raise Malformed(
                "/changeType", f"unknown changeType {change!r} (created, updated or deleted)"
            )
        field = "resourceUrl"
        url = n.get(field)
        if url is None:
            field = "resource"
            url = n.get(field)
        if type(url) is not str:
            raise Malformed(f"/{field}", f"expected a resource URL string, got {url!r}")
        try:
            ref = parse_resource_url(url)
        except ParseError as exc:
            raise Malformed(f"/{field}", exc.message) from None
        self.notifications += 1
        data = n.get("resourceData")
        if ref.kind == "call":
            self._call(ref.call_id, change_type, data, n, where, out)
        else:
            self._part(ref, data)

    # -- sub-resources: checked for shape, never move the call ------------------

    def _part(self, ref: ResourceRef, data: object) -> None:
        """An operation's or the roster's notification; ``Malformed`` if its shape is wrong."""
        if ref.kind == "operation":
            check_operation(data)
        else:
            check_participants(data)
        if ref.call_id in self._live:
            # Activity on a sub-resource keeps its call from being evicted as idle.
            self._live.move_to_end(ref.call_id)

    # -- calls --------------------------------------------------------------------

    def _call(
        self,
        call_id: str,
        change_type: str,
        data: object,
        n: dict[str, Any],
        where: int,
        out: list[Finding],
    ) -> None:
        if type(data) is list:
            if len(data) != 1:
                raise Malformed("/resourceData", "a call's resourceData array must hold one call")
            data = data[0]
        if data is None:
            data = {}
        elif type(data) is not dict:
            raise Malformed("/resourceData", "expected a call object")
        raw = data.get("state")
        state = None
        if raw is not None:
            if type(raw) is not str:
                raise Malformed("/resourceData/state", f"expected a string, got {raw!r}")
            state = self._states.get(raw) or self._states_lower.get(raw.lower())
            if state is None:
                out.append(
                    CallWarning(
                        where,
                        call_id,
                        "unknown-state",
                        f"unknown state {raw!r}: read as unknownFutureValue, state unchanged",
                        self._live_state(call_id),
                        raw,
                    )
                )
        info = data.get("resultInfo")
        code = subcode = None
        if info is not None:
            code, subcode = read_result(info, "/resourceData/resultInfo")
        reason = data.get("terminationReason")
        if reason is not None and type(reason) is not str:
            raise Malformed("/resourceData/terminationReason", f"expected a string, got {reason!r}")
        deleted = change_type == "deleted"
        signal: tuple[str, str | None] | None = None
        violation: Violation | None = None
        if state is not None and code is None and subcode is None and reason is None:
            signal = self._plain.get(state)
        if signal is None:
            signal, violation = self._classify(
                call_id, state, raw, deleted, code, subcode, reason, where
            )
        call = self._live.get(call_id)
        if call is not None and violation is not None:
            if call.fp is not None and call.fp == fingerprint(n):
                self._live.move_to_end(call_id)
                return
            out.append(violation)
        if call is None:
            ended_fp = self._ended.get(call_id, _MISSING)
            if ended_fp is not _MISSING:
                if fingerprint(n) != ended_fp:
                    out.append(
                        Violation(
                            where,
                            call_id,
                            "terminated-is-absorbing",
                            f"{self._received(raw, deleted, code, subcode, reason)} after the "
                            "call ended: nothing may follow but an exact duplicate",
                            self._classifier.ended,
                            raw,
                        )
                    )
                return
            if violation is not None:
                out.append(violation)
            call = self._start(call_id, where, out)
        else:
            self._live.move_to_end(call_id)
        if signal is None:
            call.fp = None if violation is None else fingerprint(n)
            return
        event, kind = signal
        if call.state is None:
            self._first(call_id, call, signal, n, where, out, violation)
            return
        source = call.state
        step = self._table.get((source, event, kind))
        if step is None:
            # After a reported misplaced marker, no second finding for the same notification.
            if violation is None:
                if call.fp is not None and call.fp == fingerprint(n):
                    return
                rule, refusal = self._refusals[event]
                violation = Violation(
                    where,
                    call_id,
                    rule,
                    f"{self._received(raw, deleted, code, subcode, reason)} while {source}: "
                    f"{refusal}",
                    source,
                    raw,
                )
                out.append(violation)
            dest = self._reports[event]
        else:
            dest = step[0]
            if kind is not None and call.kind is not None and kind != call.kind:
                violation = Violation(
                    where,
                    call_id,
                    "transfer-kind-mismatch",
                    f"a {call.kind} transfer ended with the {kind} result "
                    f"{self._received(raw, deleted, code, subcode, reason)}",
                    source,
                    raw,
                )
                out.append(violation)
            if step[1] is None:
                call.fp = None if violation is None else fingerprint(n)
                return
        if event in self._marked:
            call.kind = None
        self._move(call_id, call, signal, source, dest, n, where, violation)

    def _classify(
        self,
        call_id: str,
        state: str | None,
        raw: str | None,
        deleted: bool,
        code: int | None,
        subcode: int | None,
        reason: str | None,
        where: int,
    ) -> tuple[tuple[str, str | None] | None, Violation | None]:
        """The signal, or for a misplaced marker the plain one and the (unreported) violation."""
        deleted = deleted and raw is None
        try:
            signal = self._classifier.classify(
                state, deleted=deleted, code=code, subcode=subcode, termination_reason=reason
            )
        except SignalError as exc:
            violation = Violation(
                where, call_id, exc.rule, exc.message, self._live_state(call_id), raw
            )
            return self._classifier.classify(state, deleted=deleted), violation
        return signal, None

    def _start(self, call_id: str, where: int, out: list[Finding]) -> _Call:
        if len(self._live) >= self.max_calls:
            evicted, gone = self._live.popitem(last=False)
            out.append(
                CallWarning(
                    where,
                    evicted,
                    "evicted",
                    f"more than {self.max_calls} live calls: the longest-idle call was "
                    "evicted and is no longer tracked",
                    gone.state,
                    None,
                )
            )
        call = _Call(None)
        self._live[call_id] = call
        self.calls_started += 1
        return call

    def _first(
        self,
        call_id: str,
        call: _Call,
        signal: tuple[str, str | None],
        n: object,
        where: int,
        out: list[Finding],
        violation: Violation | None = None,
    ) -> None:
        dest = self._reports[signal[0]]
        if self.strict and dest != self.definition.initial:
            violation = Violation(
                where,
                call_id,
                "strict-start",
                f"the call's first state is {dest}, not {self.definition.initial} (--strict)",
                None,
                dest,
            )
            out.append(violation)
        self._move(call_id, call, signal, None, dest, n, where, violation)

    def _move(
        self,
        call_id: str,
        call: _Call,
        signal: tuple[str, str | None],
        source: str | None,
        dest: str,
        n: object,
        where: int,
        violation: Violation | None,
        *,
        fresh: bool = False,
    ) -> None:
        """Take the step; a ``fresh`` call is not in the live table yet."""
        event = signal[0] if source is not None else None
        final = dest in self._final
        repeat_reported = violation is not None or (dest, *signal) not in self._table
        fp = fingerprint(n) if final or repeat_reported else None
        if self.on_step is not None:
            self.on_step(where, call_id, event, signal[1], source, dest, violation)
        if final:
            if not fresh:
                del self._live[call_id]
            if self.ended_limit:
                if len(self._ended) >= self.ended_limit:
                    self._ended.popitem(last=False)
                self._ended[call_id] = fp  # type: ignore[assignment]
            return
        if fresh:
            self._live[call_id] = call
        call.state = dest
        call.fp = fp
        if self.history_limit:
            call.hist = self._packing.push(call.hist, self._packing.code(event, dest))

    # -- requests -------------------------------------------------------------------

    def _request(self, request: object, where: int, out: list[Finding]) -> None:
        if type(request) is not dict:
            out.append(Violation(where, None, "malformed", "/request: expected an object"))
            return
        method = request.get("method", "POST")
        url = request.get("url")
        verdict = validate_transfer_request(
            request.get("body"), path=url if type(url) is str else None
        )
        call_id = verdict.call_id
        if type(method) is not str or method.upper() != "POST":
            out.append(
                Violation(
                    where, call_id, "invalid-request", f"/request/method: {method!r} is not POST"
                )
            )
        if type(url) is not str:
            out.append(
                Violation(where, call_id, "invalid-request", "/request/url: expected a string")
            )
        for problem in verdict.problems:
            out.append(
                Violation(
                    where,
                    call_id,
                    problem.rule,
                    f"transfer request {problem.pointer or '/'}: {problem.message}",
                )
            )
        for problem in verdict.warnings:
            out.append(
                CallWarning(
                    where,
                    call_id,
                    problem.rule,
                    f"transfer request {problem.pointer or '/'}: {problem.message}",
                )
            )
        if call_id is None:
            return
        call = self._live.get(call_id)
        if call is None:
            if call_id in self._ended:
                out.append(
                    Violation(
                        where,
                        call_id,
                        "terminated-is-absorbing",
                        "transfer request after the call ended",
                        self._classifier.ended,
                        "transfer request",
                    )
                )
                return
            call = self._start(call_id, where, out)
        else:
            self._live.move_to_end(call_id)
        call.kind = verdict.kind

    # -- reading back -----------------------------------------------------------------

    def _live_state(self, call_id: str) -> str | None:
        call = self._live.get(call_id)
        if call is not None:
            return call.state
        return self._classifier.ended if call_id in self._ended else None

    @staticmethod
    def _received(
        raw: str | None, deleted: bool, code: int | None, subcode: int | None, reason: str | None
    ) -> str:
        text = raw if raw is not None else ("deleted (no state)" if deleted else "(no state)")
        if code is not None or subcode is not None:
            text += f" {code}/{subcode}"
        if reason is not None:
            text += f" {reason}"
        return text
