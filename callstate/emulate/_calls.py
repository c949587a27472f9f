"""The emulator's calls: one machine judges every request, and decides every answer.

A :class:`Registry` is Graph without the network: given a request it returns
Graph's answer (status and body) and queues the notifications that follow; the
server (:mod:`callstate.emulate._server`) delivers them. A :class:`Tracker`
judges each request first with :meth:`~callstate.verdict.Tracker.preview`, so
the answer can refuse what the rules refuse, then ingests the request with its
answer, and each notification as it is sent: the recorded trace and the verdict
are the tracker's own. Not thread-safe: the server's event loop owns it.
"""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Final, NamedTuple

import attrs

from callstate.emulate._clock import Clock
from callstate.emulate._notes import Note, after, ended, opening, transfer_story
from callstate.emulate._offer import Offer, draw
from callstate.emulate._record import Recorder
from callstate.emulate._verdict import Undelivered, Unknown, Verdict
from callstate.errors import ParseError, UsageError
from callstate.graph.wire import parse_request_path
from callstate.machine.compiled import compiled
from callstate.machine.definition import CALL_MACHINE
from callstate.simulate import JSONObject, rfc3339
from callstate.simulate._requests import GONE, error_body
from callstate.verdict import Finding, Tracker, Violation

__all__ = ["GRAPH", "Call", "Registry", "Reply"]

#: Where a recorded request says it went: Graph itself, so the trace reads as Graph's.
GRAPH: Final = "https://graph.microsoft.com"
_MACHINE: Final = compiled(CALL_MACHINE)
_CALL_TYPE: Final = "#microsoft.graph.call"
_NOT_FOUND: Final = GONE
_BAD_REQUEST: Final = 400
_PAIR: Final = 2


class Reply(NamedTuple):
    """Graph's answer to one request: its status, and its JSON body (``None``: empty)."""

    status: int
    body: JSONObject | None


@attrs.define(eq=False)
class Call:
    """One call the emulator holds: its offer, where its notifications go, what is queued."""

    offer: Offer
    callback: str
    direction: str
    #: Stories still to send, each a deque of notes, oldest first.
    queue: deque[deque[Note]] = attrs.field(factory=deque)
    #: Timeout index -> when its window started.
    clocks: dict[int, float] = attrs.field(factory=dict)
    #: Notifications sent so far (the positions ``Freedoms.duplicates`` names).
    sent: int = 0
    #: The last notification sent (to deliver again), and whether the call is ending.
    last: JSONObject | None = None
    closing: bool = False
    ended_at: float | None = None
    #: The call's roster grew past two on a peer-to-peer call: every transfer fails.
    meeting: bool = False
    #: What the bot saw, for tests: Graph's states in the order sent.
    states: list[str] = attrs.field(factory=list)

    @property
    def call_id(self) -> str:
        """The call's id."""
        return self.offer.call_id

    @property
    def live(self) -> bool:
        """Whether the call has not ended."""
        return self.ended_at is None


class Registry:
    """The calls, the tracker that judges them, the recorder, and the outcome of each one.

    ``bot`` is where a call's notifications go until the bot names a ``callbackUri``;
    ``timeouts`` overrides the definition's windows by name, as the tracker's option
    does; ``seed`` draws the freedoms of the calls the bot places.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        bot: str | None = None,
        recorder: Recorder | None = None,
        timeouts: Mapping[str, float] | None = None,
        seed: int = 0,
    ) -> None:
        self.clock = clock
        self.bot = bot
        self.recorder = recorder or Recorder()
        self.tracker = Tracker(timeouts=timeouts)
        self.seconds = tuple(self.tracker.timeouts.values())
        self.calls: dict[str, Call] = {}
        self.rng = random.Random(seed)
        self.requests: list[Finding] = []
        self.notes: list[Finding] = []
        self.unknown: list[Unknown] = []
        self.undelivered: list[Undelivered] = []

    # -- calls -----------------------------------------------------------------

    def offer(self, offer: Offer, *, callback: str | None = None) -> Call:
        """Register an incoming call and queue its ``created``/incoming notification."""
        target = callback or self.bot
        if target is None:
            raise UsageError("callback", "no bot URL to offer the call to")
        if offer.call_id in self.calls:
            raise UsageError("call_id", f"call {offer.call_id!r} was offered already")
        call = Call(offer=offer, callback=target, direction="incoming")
        self.calls[offer.call_id] = call
        call.queue.append(deque(opening(offer)))
        return call

    def take(self, call: Call) -> tuple[Note, int] | None:
        """The next notification to send for ``call``, and how many times (a duplicate: 2).

        A story whose next note the machine would refuse where the call now is (a
        transfer the bot's hang-up overtook) is dropped: Graph never sends what its
        own machine cannot take.
        """
        while call.queue:
            story = call.queue[0]
            if not story:
                call.queue.popleft()
                continue
            note = story[0]
            state = self.tracker.state(call.call_id)
            if note.signal is not None and state is not None:
                if _MACHINE.step(state, *note.signal) is None:
                    call.queue.popleft()
                    continue
            elif state is not None and state in _MACHINE.final:
                call.queue.clear()
                return None
            story.popleft()
            times = 2 if call.sent in call.offer.freedoms.duplicates else 1
            call.sent += 1
            return note, times
        return None

    def send(self, call: Call, body: JSONObject) -> int:
        """Record and judge a notification as it goes out; its trace line."""
        now = self.clock.now()
        timed = {"at": rfc3339(now), "body": body}
        line = self.recorder.add(timed)
        self.notes.extend(self.tracker.ingest(timed, line=line))
        call.last = body
        value = body["value"][0]
        data = value.get("resourceData")
        if isinstance(data, dict) and isinstance(data.get("state"), str):
            call.states.append(data["state"])
        if isinstance(data, list) and len(data) > _PAIR and call.offer.situation != "group":
            call.meeting = True
        self._clocks(call, now)
        return line

    def answered(self, call: Call, line: int, status: int | None, error: str | None) -> None:
        """The bot's answer to the notification of ``line``: anything but 2xx is kept."""
        if status is None or not 200 <= status < 300:
            self.undelivered.append(
                Undelivered(line=line, call_id=call.call_id, status=status, error=error)
            )

    def _clocks(self, call: Call, now: float) -> None:
        state = self.tracker.state(call.call_id)
        if state is None:
            return
        if state in _MACHINE.final:
            call.ended_at = now if call.ended_at is None else call.ended_at
            call.clocks.clear()
            return
        for i, states in enumerate(_MACHINE.timeout_states):
            if state in states:
                call.clocks.setdefault(i, now)
            else:
                call.clocks.pop(i, None)

    def due(self, call: Call, now: float) -> int | None:
        """The timeout whose window ran out on ``call``, if any."""
        for i, started in call.clocks.items():
            if now - started > self.seconds[i]:
                return i
        return None

    def sweep(self) -> list[Call]:
        """End every call whose window ran out, as Graph does; the calls with news to send."""
        now = self.clock.now()
        changed = []
        for call in self.calls.values():
            if call.live and not call.closing and (i := self.due(call, now)) is not None:
                self._expire(call, i)
                changed.append(call)
        return changed

    def _expire(self, call: Call, index: int) -> None:
        call.queue.clear()
        call.closing = True
        call.clocks.clear()
        call.queue.append(deque(ended(call.offer, _MACHINE.timeouts[index])))

    # -- requests --------------------------------------------------------------

    def request(self, method: str, version: str, path: str, body: Any) -> tuple[Reply, Call | None]:
        """Graph's answer to the bot's request, and the call with new notifications queued."""
        now = self.clock.now()
        sent: JSONObject = {"method": method, "url": f"{GRAPH}/{version}{path}"}
        if body is not None:
            sent["body"] = body
        line: JSONObject = {"at": rfc3339(now), "request": sent}
        try:
            where = parse_request_path(sent["url"], "/request/url")
            name = _MACHINE.request_paths.get((method, where.action, where.call_id is None))
            call_id = where.call_id
        except ParseError:
            name = call_id = None
        request = None if name is None else _MACHINE.requests[name]
        call = None if call_id is None else self.calls.get(call_id)
        created = None
        if request is not None and request.opens is not None:
            created = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            line["response"] = {"status": request.status, "body": {"id": created}}
        findings = self.tracker.preview(line)
        violations = [f for f in findings if isinstance(f, Violation)]
        timeout = None if call is None or not call.live else self.due(call, now)
        if call_id is not None and call is None:
            status, rules = _NOT_FOUND, []
        elif call is not None and (not call.live or call.closing or timeout is not None):
            status, rules = _NOT_FOUND, [f.rule for f in violations]
        elif violations or request is None:
            status, rules = _BAD_REQUEST, [f.rule for f in violations]
        else:
            status, rules = request.status, []
        reply = self._reply(status, rules, violations, created, body, now)
        line["response"] = {"status": status} | ({} if reply.body is None else {"body": reply.body})
        number = self.recorder.add(line)
        self.requests.extend(self.tracker.ingest(line, line=number))
        if call_id is not None and call is None:
            self.unknown.append(Unknown(line=number, method=method, url=sent["url"]))
        if call is not None and call.live and timeout is not None and not call.closing:
            self._expire(call, timeout)
            return reply, call
        if status >= _BAD_REQUEST or request is None:
            return reply, None
        return reply, self._accepted(request.name, call, created, body, now)

    def _reply(
        self,
        status: int,
        rules: list[str],
        violations: Sequence[Finding],
        created: str | None,
        body: Any,
        now: float,
    ) -> Reply:
        if status >= _BAD_REQUEST:
            if status == _NOT_FOUND and not violations:
                message = "Call not found."
            else:
                message = "; ".join(f"{f.message} [{f.rule}]" for f in violations) or "Bad request."
            error = error_body(message)
            error["error"]["code"] = "NotFound" if status == _NOT_FOUND else "BadRequest"
            inner = error["error"]["innerError"]
            inner["request-id"] = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            inner["date"] = rfc3339(now)
            if rules:
                inner["code"] = rules[0]
                inner["rules"] = list(dict.fromkeys(rules))
            return Reply(status, error)
        if created is None:
            return Reply(status, None)
        fields = body if isinstance(body, dict) else {}
        call = {k: v for k, v in fields.items() if k != "@odata.type"}
        opens = _MACHINE.opened_at
        return Reply(
            status,
            {
                "@odata.type": _CALL_TYPE,
                **call,
                "id": created,
                "state": opens,
                "direction": "outgoing",
            },
        )

    def _accepted(
        self, name: str, call: Call | None, created: str | None, body: Any, now: float
    ) -> Call | None:
        request = _MACHINE.requests[name]
        fields = body if isinstance(body, dict) else {}
        callback = fields.get("callbackUri")
        if created is not None:
            offer = attrs.evolve(draw(self.rng, situation="peer-to-peer"), call_id=created)
            target = callback if isinstance(callback, str) and callback else self.bot
            if target is None:
                return None
            call = Call(offer=offer, callback=target, direction="outgoing")
            self.calls[created] = call
            call.clocks.update(
                (i, now) for i, s in enumerate(_MACHINE.timeout_states) if request.opens in s
            )
        if call is None:
            return None
        if isinstance(callback, str) and callback:
            call.callback = callback
        for i in _MACHINE.reset_at[name]:
            call.clocks[i] = now
        kind = CALL_MACHINE.kind_of(fields) if request.leads_to in _MACHINE.in_transfer else None
        if kind is not None:
            freedoms = call.offer.freedoms
            # Graph knows the call grew before its roster notification reaches the bot.
            meeting = call.meeting or call.offer.situation == "meeting"
            story = transfer_story(call.offer, kind, meeting=meeting, outcome=freedoms.outcome)
        else:
            story = after(request, call.offer, answered=created is None)
            last = story[-1].signal if story else None
            if last is not None and _MACHINE.reports[last[0]] in _MACHINE.final:
                call.closing = True  # the call is ending: later requests find it gone
        if story:
            call.queue.append(deque(story))
        return call

    # -- the verdict -------------------------------------------------------------

    def verdict(self, calls: set[str] | None = None) -> Verdict:
        """The verdict so far, of ``calls`` (every call by default)."""
        chosen = set(self.calls) if calls is None else calls
        end = self.tracker.finish(line=None)

        def mine(f: Finding) -> bool:
            return f.call_id is None or f.call_id in chosen

        return Verdict(
            calls=len(chosen),
            requests=tuple(filter(mine, self.requests)),
            notes=tuple(filter(mine, (*self.notes, *end))),
            unknown=tuple(self.unknown) if calls is None else (),
            undelivered=tuple(u for u in self.undelivered if u.call_id in chosen),
            live=tuple(c for c, call in self.calls.items() if c in chosen and call.live),
        )
