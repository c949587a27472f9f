"""The registry without the network: Graph's answers, the stories it queues, its windows."""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

import pytest

from callstate.emulate import Emulator, Freedoms, Offer, Registry, VirtualClock, draw
from callstate.emulate._notes import after, transfer_story
from callstate.errors import UsageError
from callstate.facts import ANSWER_WINDOW, KEEPALIVE_WINDOW, MEETING_MODE_FAILURE
from callstate.machine.definition import CALL_MACHINE
from callstate.simulate import transfer_request
from callstate.simulate._requests import request_body
from callstate.verdict import validate_lines

BOT = "http://127.0.0.1:1/callback"
CALL = "0d6c3a5e-9b4f-4a6e-8c1d-2f3e4a5b6c7d"


def _registry() -> tuple[Registry, VirtualClock]:
    clock = VirtualClock()
    return Registry(clock=clock, bot=BOT), clock


def _deliver(registry: Registry) -> list[dict[str, Any]]:
    """Send everything queued, every call, as if the bot answered 202; the bodies sent."""
    sent = []
    for call in list(registry.calls.values()):
        while (taken := registry.take(call)) is not None:
            note, times = taken
            for _ in range(times):
                line = registry.send(call, note.body)
                registry.answered(call, line, 202, None)
                sent.append(note.body)
    return sent


def _state(body: dict[str, Any]) -> str | None:
    data = body["value"][0]["resourceData"]
    return data.get("state") if isinstance(data, dict) else None


def _ask(registry: Registry, name: str, call_id: str = CALL, body: Any = None) -> Any:
    request = CALL_MACHINE.request(name)
    path = request.path.replace("{id}", call_id)
    if body is None:
        body = request_body(request)
    return registry.request(request.method, "v1.0", path, body)[0]


def _transfer_body() -> Any:
    return transfer_request(CALL, target="user", client_context="c")["request"]["body"]


class TestAnswers:
    def test_accepted_statuses(self) -> None:
        """answer 202, keepAlive 200, DELETE 204: each request's own status."""
        registry, _ = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        statuses = [_ask(registry, n).status for n in ("answer", "keep_alive", "delete_call")]
        assert [202, 200, 204] == statuses

    def test_refused_request_names_the_rule(self) -> None:
        """A transfer while incoming: 400, Graph's error shape, the rule id inside."""
        registry, _ = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        reply = _ask(registry, "transfer_call", body=_transfer_body())
        error = reply.body["error"]
        assert (
            400,
            "BadRequest",
            "request-not-allowed",
            {"request-id", "date", "code", "rules"},
        ) == (
            reply.status,
            error["code"],
            error["innerError"]["code"],
            set(error["innerError"]),
        )

    def test_body_rules_refuse(self) -> None:
        """A transfer without transferTarget is refused 400 by the transfer body rules."""
        registry, _ = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        _ask(registry, "answer")
        _deliver(registry)
        reply = _ask(registry, "transfer_call", body={"clientContext": "c"})
        assert (400, True) == (reply.status, bool(reply.body["error"]["innerError"]["rules"]))

    def test_unknown_call_is_404(self) -> None:
        """A request about a call Graph never had: 404, and the verdict fails."""
        registry, _ = _registry()
        reply = _ask(registry, "answer", call_id="nope")
        assert (404, "NotFound", 1) == (
            reply.status,
            reply.body["error"]["code"],
            registry.verdict().exit_code,
        )

    def test_create_answers_the_call(self) -> None:
        """Creating a call: 201 with its id, state and direction; its story follows."""
        registry, _ = _registry()
        reply = _ask(registry, "create_call")
        sent = _deliver(registry)
        assert (201, "establishing", "outgoing", ["establishing", "established"]) == (
            reply.status,
            reply.body["state"],
            reply.body["direction"],
            [_state(b) for b in sent][:2],
        )

    def test_after_end_is_404(self) -> None:
        """A request on an ended call: 404, and request-not-allowed in the verdict."""
        registry, _ = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        _ask(registry, "reject")
        _deliver(registry)
        reply = _ask(registry, "delete_call")
        assert (404, ("request-not-allowed",)) == (reply.status, registry.verdict().rules)


class TestStories:
    def test_answer_story(self) -> None:
        """After answer: establishing then established, or the other way round when chosen."""
        request = CALL_MACHINE.request("answer")
        plain = after(request, Offer(call_id=CALL), answered=True)
        late = after(
            request, Offer(call_id=CALL, freedoms=Freedoms(late_establishing=True)), answered=True
        )
        assert (["establishing", "established"], ["established", "establishing"]) == (
            [_state(n.body) for n in plain],
            [_state(n.body) for n in late],
        )

    def test_meeting_transfer_fails_with_8523(self) -> None:
        """In meeting mode a transfer's outcome is the meeting-mode failure, whatever was chosen."""
        story = transfer_story(Offer(call_id=CALL), "blind", meeting=True, outcome="success")
        info = story[-1].body["value"][0]["resourceData"]["resultInfo"]
        assert (MEETING_MODE_FAILURE.code, MEETING_MODE_FAILURE.subcode) == (
            info["code"],
            info["subcode"],
        )

    def test_overtaken_story_is_dropped(self) -> None:
        """A hang-up queued behind a transfer that completes is dropped: the call has ended."""
        registry, _ = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        _ask(registry, "answer")
        _deliver(registry)
        _ask(registry, "transfer_call", body=_transfer_body())
        call = registry.calls[CALL]
        taken = registry.take(call)
        assert taken is not None
        registry.send(call, taken[0].body)  # transferring
        _ask(registry, "delete_call")
        sent = _deliver(registry)
        assert ["transferAccepted", "terminated"] == [_state(b) for b in sent]

    def test_duplicates_deliver_twice(self) -> None:
        """A duplicate position is sent twice."""
        registry, _ = _registry()
        registry.offer(Offer(call_id=CALL, freedoms=Freedoms(duplicates=frozenset({0}))))
        assert ["incoming", "incoming"] == [_state(b) for b in _deliver(registry)]

    def test_trace_validates(self) -> None:
        """A whole call's recorded trace validates with no violation."""
        registry, _ = _registry()
        registry.offer(
            Offer(call_id=CALL, freedoms=Freedoms(participants=True, operation="playPrompt"))
        )
        _deliver(registry)
        _ask(registry, "answer")
        _deliver(registry)
        _ask(registry, "transfer_call", body=_transfer_body())
        _deliver(registry)
        report = validate_lines(registry.recorder.jsonl())
        assert ([], "terminated", True) == (
            report.violations,
            registry.tracker.state(CALL),
            registry.verdict().conformed,
        )


class TestWindows:
    def test_sweep_ends_unanswered_call(self) -> None:
        """Past the answer window the sweep ends the call with 408/1106; not before."""
        registry, clock = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        clock.advance(ANSWER_WINDOW)
        early = registry.sweep()
        clock.advance(1)
        late = registry.sweep()
        ended = _deliver(registry)[-1]["value"][0]["resourceData"]["resultInfo"]
        assert ([], [CALL], (408, 1106)) == (
            early,
            [c.call_id for c in late],
            (ended["code"], ended["subcode"]),
        )

    def test_late_answer_is_judged_then_gone(self) -> None:
        """An answer past the window: answer-window-expired, a 404, then the call ends."""
        registry, clock = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        clock.advance(ANSWER_WINDOW + 1)
        reply = _ask(registry, "answer")
        _deliver(registry)
        assert (404, ("answer-window-expired",), "terminated") == (
            reply.status,
            registry.verdict().rules,
            registry.tracker.state(CALL),
        )

    def test_keep_alive_restarts_the_window(self) -> None:
        """A keepAlive inside the window restarts it; without one the call ends with 408/8537."""
        registry, clock = _registry()
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        _ask(registry, "answer")
        _deliver(registry)
        clock.advance(KEEPALIVE_WINDOW - 60)
        _ask(registry, "keep_alive")
        clock.advance(120)
        kept = registry.sweep()
        clock.advance(KEEPALIVE_WINDOW)
        ended = registry.sweep()
        info = _deliver(registry)[-1]["value"][0]["resourceData"]["resultInfo"]
        assert ([], 1, (408, 8537)) == (kept, len(ended), (info["code"], info["subcode"]))

    def test_timeouts_option(self) -> None:
        """A shorter answer window (policy-based recording) ends the call sooner."""
        clock = VirtualClock()
        registry = Registry(clock=clock, bot=BOT, timeouts={"answer": 5})
        registry.offer(Offer(call_id=CALL))
        _deliver(registry)
        clock.advance(6)
        assert 1 == len(registry.sweep())


class TestChoices:
    def test_draw_is_seeded(self) -> None:
        """The same seed draws the same offers."""
        first = [draw(random.Random(7)) for _ in range(3)]
        again = [draw(random.Random(7)) for _ in range(3)]
        assert first == again

    def test_bad_choice_is_a_usage_error(self) -> None:
        """A freedom out of its options names the argument."""
        with pytest.raises(UsageError) as raised:
            Freedoms(media_inactive="sideways")
        assert "media_inactive" == raised.value.argument

    def test_clock_never_goes_back(self) -> None:
        """A virtual clock refuses to move back."""
        with pytest.raises(UsageError) as raised:
            VirtualClock().advance(-1)
        assert "seconds" == raised.value.argument


class TestPumps:
    def test_a_story_queued_as_the_last_pump_returns_gets_a_pump(self) -> None:
        """A request answered between a pump's return and its done-callback still gets sent.

        The bot's transfer came just as the call's pump had sent its last notification:
        the transfer's story waited, never sent, until Graph's windows ended the call.
        """

        async def scenario() -> tuple[bool, bool, bool]:
            emulator = Emulator(bot="http://127.0.0.1:9/none", clock=VirtualClock())
            call = emulator.registry.offer(Offer(call_id=CALL))
            story = call.queue.pop()
            emulator._kick(call, 0.0)
            first = emulator._pumps[CALL]
            await asyncio.sleep(0)  # the pump finds nothing and returns; its callback waits
            ended = first.done() and emulator._pumps.get(CALL) is first
            call.queue.append(story)
            emulator._kick(call, 10.0)  # a long delay: this test never lets it send
            second = emulator._pumps[CALL]
            second.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await second
            return ended, second is not first, bool(call.queue)

        assert (True, True, True) == asyncio.run(scenario())
