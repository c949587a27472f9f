"""The Tracker API: history, live and ended calls, bounds, eviction, inputs and options."""

from __future__ import annotations

from typing import Any

import pytest

from callstate.errors import ParseError, UsageError
from callstate.graph import CommsNotifications, parse
from callstate.verdict import HistoryStep, Tracker
from tests.verdict.conftest import CALL, envelope, jsonl, note, opening, signal_note


def feed(tracker: Tracker, *bodies: object) -> list[tuple[int | None, str | None, str]]:
    """Ingest ``bodies``; ``(line, call id, rule)`` of every finding."""
    found = []
    for body in bodies:
        found += [(f.line, f.call_id, f.rule) for f in tracker.ingest(body)]
    return found


def start(call: str, state: str = "established") -> dict[str, object]:
    """A body that starts tracking ``call`` mid-call, in ``state``."""
    return envelope(note(state, call=call))


def end(call: str) -> dict[str, object]:
    """A body that ends ``call``."""
    return envelope(note(change="deleted", call=call))


class TestHistory:
    """Each call keeps its last ``history_limit`` steps."""

    BODIES = (
        *opening(),
        envelope(note("established")),
        envelope(note("establishing")),
        envelope(note("transferring")),
        envelope(note("transferAccepted")),
    )

    def test_steps(self) -> None:
        """First state, transitions and internal steps; same-state updates leave no step."""
        tracker = Tracker()
        feed(tracker, *self.BODIES)
        expected = (
            HistoryStep(None, None, "incoming"),
            HistoryStep("establish", "incoming", "establishing"),
            HistoryStep("connect", "establishing", "established"),
            HistoryStep("establish", "established", "established"),
            HistoryStep("transfer", "established", "transferring"),
            HistoryStep("accept_transfer", "transferring", "transferAccepted"),
        )
        assert expected == tracker.history(CALL)

    def test_limit_keeps_latest_with_their_source(self) -> None:
        """history_limit=2 keeps the last two steps, the oldest still naming where it came from."""
        tracker = Tracker(history_limit=2)
        feed(tracker, *self.BODIES)
        expected = (
            HistoryStep("transfer", "established", "transferring"),
            HistoryStep("accept_transfer", "transferring", "transferAccepted"),
        )
        assert expected == tracker.history(CALL)

    def test_limit_zero(self) -> None:
        """history_limit=0 keeps nothing, and the state is still tracked."""
        tracker = Tracker(history_limit=0)
        feed(tracker, *self.BODIES)
        expected = ((), "transferAccepted")
        assert expected == (tracker.history(CALL), tracker.state(CALL))

    def test_violation_step_recorded(self) -> None:
        """A reported step is in the history too: the call took the state that arrived."""
        tracker = Tracker()
        feed(tracker, start(CALL, "hold"), envelope(note("transferAccepted")))
        expected = (
            HistoryStep(None, None, "hold"),
            HistoryStep("accept_transfer", "hold", "transferAccepted"),
        )
        assert expected == tracker.history(CALL)

    def test_unknown_and_ended_calls_have_none(self) -> None:
        """No history for a call never seen or already ended."""
        tracker = Tracker()
        feed(tracker, *opening(), end(CALL))
        expected = ((), ())
        assert expected == (tracker.history(CALL), tracker.history("never"))


class TestLiveAndEnded:
    """Terminated calls are forgotten; their ids stay in a bounded set."""

    def test_live_longest_idle_first(self) -> None:
        """Touching a call makes it the most recent."""
        tracker = Tracker()
        feed(tracker, start("a"), start("b"), start("c"), envelope(note("hold", call="a")))
        expected = (["b", "c", "a"], 3, True, False)
        actual = (list(tracker.live_calls()), len(tracker), "a" in tracker, "z" in tracker)
        assert expected == actual

    def test_ended_leave_live(self) -> None:
        """An ended call is no longer live; its id is in ended_calls, oldest first."""
        tracker = Tracker()
        feed(tracker, start("a"), start("b"), start("c"), end("b"), end("a"))
        expected = (["c"], ["b", "a"], "terminated", None)
        actual = (
            list(tracker.live_calls()),
            list(tracker.ended_calls()),
            tracker.state("a"),
            tracker.state("never"),
        )
        assert expected == actual

    def test_late_notification_reported(self) -> None:
        """A change for an ended call is reported with the state terminated."""
        tracker = Tracker()
        feed(tracker, start("a"), end("a"))
        findings = tracker.ingest(envelope(note("established", call="a")), line=9)
        expected = [(9, "a", "terminated-is-absorbing", "terminated", "established")]
        assert expected == [(f.line, f.call_id, f.rule, f.state, f.received) for f in findings]

    def test_ended_limit(self) -> None:
        """Only the last ``ended_limit`` ids are kept; an older one is no longer recognised."""
        tracker = Tracker(ended_limit=2)
        feed(tracker, start("a"), start("b"), start("c"), end("a"), end("b"), end("c"))
        ended = list(tracker.ended_calls())
        late = feed(tracker, start("a"), start("b"))
        expected = (["b", "c"], [(8, "b", "terminated-is-absorbing")], ["a"])
        assert expected == (ended, late, list(tracker.live_calls()))

    def test_ended_limit_zero(self) -> None:
        """ended_limit=0 keeps no ended ids at all."""
        tracker = Tracker(ended_limit=0)
        feed(tracker, start("a"), end("a"))
        expected: tuple[list[str], None] = ([], None)
        assert expected == (list(tracker.ended_calls()), tracker.state("a"))


class TestEviction:
    """Past ``max_calls`` the longest-idle call is evicted with a warning."""

    def test_longest_idle_evicted(self) -> None:
        """a and b live, a touched, c arrives: b goes, with an evicted warning at c's line."""
        tracker = Tracker(max_calls=2)
        feed(tracker, start("a"), start("b", "hold"), envelope(note("hold", call="a")))
        findings = tracker.ingest(start("c"), line=4)
        expected = ([(4, "b", "evicted", "hold")], ["a", "c"], None)
        actual = (
            [(f.line, f.call_id, f.rule, f.state) for f in findings],
            list(tracker.live_calls()),
            tracker.state("b"),
        )
        assert expected == actual

    def test_sub_resource_activity_counts(self) -> None:
        """An operation or roster update for a call makes it recent: the other call goes."""
        tracker = Tracker(max_calls=2)
        feed(
            tracker,
            start("a"),
            start("b"),
            envelope(note(call="a", sub="/operations/op", data={"status": "running"})),
        )
        found = feed(tracker, start("c"))
        expected = ([(4, "b", "evicted")], ["a", "c"])
        assert expected == (found, list(tracker.live_calls()))

    def test_flood_stays_bounded(self) -> None:
        """A flood of unique ids never holds more than max_calls, one warning per eviction."""
        tracker = Tracker(max_calls=10)
        found = feed(tracker, *(start(f"flood-{i}") for i in range(100)))
        expected = (10, 90, {"evicted"})
        assert expected == (len(tracker), len(found), {rule for _, _, rule in found})

    def test_request_touches_and_counts(self) -> None:
        """A transfer request record starts tracking its call too, within the cap."""
        tracker = Tracker(max_calls=1)
        body = {"transferTarget": {"identity": {"user": {"id": "u"}}}}
        found = feed(
            tracker,
            start("a"),
            {"request": {"url": "/communications/calls/b/transfer", "body": body}},
        )
        expected = ([(2, "a", "evicted")], ["b"])
        assert expected == (found, list(tracker.live_calls()))


class TestInputs:
    """A body may be bytes, str, a dict or a parsed resource; lines number findings."""

    def test_forms_agree(self) -> None:
        """bytes, str, dict and a parsed CommsNotifications give the same verdict."""
        bodies = [*opening(), envelope(note("transferAccepted"))]
        raw = jsonl(bodies)
        forms: dict[str, list[Any]] = {
            "bytes": raw,
            "str": [b.decode() for b in raw],
            "dict": bodies,
            "parsed": [parse(CommsNotifications, b) for b in raw],
        }
        expected = {name: [(4, CALL, "transfer-not-in-progress")] for name in forms}
        actual = {name: feed(Tracker(), *items) for name, items in forms.items()}
        assert expected == actual

    def test_sequence_numbers_without_line(self) -> None:
        """Without ``line``, bodies are numbered in arrival order from 1."""
        tracker = Tracker()
        expected = [(3, None, "malformed")]
        assert expected == feed(tracker, start("a"), start("b"), b"nope")

    def test_bare_notification_is_read_like_an_envelope(self) -> None:
        """A bare commsNotification is read like an envelope holding it."""
        tracker = Tracker()
        feed(tracker, note("established"), note("transferring"))
        expected = ("transferring", 2)
        assert expected == (tracker.state(CALL), tracker.notifications)

    def test_top_level_array_is_malformed(self) -> None:
        """A JSON array of notifications is not a webhook body: reported, nothing moves."""
        tracker = Tracker()
        found = feed(tracker, note("established"), [note("transferring")])
        expected = ([(2, None, "malformed")], "established")
        assert expected == (found, tracker.state(CALL))

    def test_counters(self) -> None:
        """bodies, notifications and calls_started count what was read."""
        tracker = Tracker()
        feed(tracker, *opening(), start("b"), b"{bad", envelope(signal_note("terminate")))
        expected = (6, 5, 2)
        assert expected == (tracker.bodies, tracker.notifications, tracker.calls_started)


class TestOptions:
    """Invalid options are UsageErrors naming the argument."""

    @pytest.mark.parametrize(
        ("argument", "value"),
        [
            ("max_calls", 0),
            ("max_calls", "10"),
            ("ended_limit", -1),
            ("history_limit", -1),
            ("history_limit", 1.5),
            ("definition", "call"),
        ],
    )
    def test_rejected(self, argument: str, value: object) -> None:
        """Each bad value raises UsageError with the argument's name."""
        with pytest.raises(UsageError) as info:
            Tracker(**{argument: value})  # type: ignore[arg-type]
        expected = argument
        assert expected == info.value.argument

    @pytest.mark.parametrize(
        ("options", "message"),
        [
            ({"ended_limit": None}, "ended_limit: must be an integer from 0 to 2**63, got None"),
            ({"max_calls": True}, "max_calls: must be an integer from 1 to 2**63, got True"),
            ({"strict": None}, "strict: must be True or False, got None"),
            ({"strict": "yes"}, "strict: must be True or False, got the string 'yes'"),
            ({"store": False}, "store: must be a CallStore, got False"),
            (
                {"history_limit": 10**9},
                "history_limit: must be an integer from 0 to 4096, got the number 1000000000",
            ),
        ],
    )
    def test_said_in_python_words(self, options: dict[str, object], message: str) -> None:
        """A bad argument is named as the caller wrote it: None and True, not null and true
        (and a history of 10**9 steps, once built as a mask of gigabits for seconds, is refused)."""
        with pytest.raises(UsageError) as info:
            Tracker(**options)  # type: ignore[arg-type]
        expected = message.replace("2**63", str(2**63))
        assert expected == str(info.value)


class TestRestoreErrors:
    """restore() rejects what is not a snapshot with a ParseError."""

    @pytest.mark.parametrize(
        "data",
        [
            b"not json",
            b"[]",
            b'{"format": "other"}',
            b'{"format": "callstate.tracker/1", "definition": "call"}',
            b'{"format": "callstate.tracker/1", "definition": "elevator"}',
        ],
    )
    def test_parse_error(self, data: bytes) -> None:
        """Garbage, a wrong format or machine, missing parts: ParseError, nothing else."""
        with pytest.raises(ParseError):
            Tracker.restore(data)

    def test_unknown_state_in_snapshot(self) -> None:
        """A live call in a state the machine does not know."""
        snap = Tracker().snapshot()
        snap["live"] = [["a", "parked", None, None, "0"]]
        with pytest.raises(ParseError) as info:
            Tracker.restore(snap)
        expected = "/live/0/1"
        assert expected == info.value.pointer


class TestOptionsHeld:
    """The options the rules took at construction cannot change under them."""

    @pytest.mark.parametrize(
        ("name", "value"),
        [
            ("definition", None),
            ("strict", True),
            ("history_limit", 2),
            ("roster_limit", 2),
            ("require_requests", True),
            ("timeouts", {}),
            ("store", None),
        ],
    )
    def test_read_only(self, name: str, value: object) -> None:
        """Assigning one is an error, not an option silently ignored."""
        tracker = Tracker()
        with pytest.raises(AttributeError):
            setattr(tracker, name, value)

    def test_strict_as_built(self) -> None:
        """A tracker built strict reports a mid-call start, and says it is strict."""
        tracker = Tracker(strict=True)
        assert (True, [(1, "c1", "strict-start")]) == (
            tracker.strict,
            feed(tracker, start("c1")),
        )

    def test_timeouts_cannot_be_edited(self) -> None:
        """The windows read back are the tracker's, and a copy cannot change them."""
        tracker = Tracker(timeouts={"answer": 5})
        with pytest.raises(TypeError):
            tracker.timeouts["answer"] = 1  # type: ignore[index]
        assert 5 == tracker.timeouts["answer"]
