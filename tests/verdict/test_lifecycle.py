"""The bot's requests, time, group calls and the 2019 flow: each rule through the API and the CLI.

Every case is judged twice, by ``Tracker`` (with ``finish``) and by ``callstate validate
--format json``; each rule has an accepted case, a reported case and, where it needs
time, a case without times that applies no rule.
"""

from __future__ import annotations

from typing import Any

import pytest

from callstate import Tracker
from callstate.facts import ANSWER_WINDOW, KEEPALIVE_WINDOW
from callstate.simulate import rfc3339
from tests.verdict.conftest import CALL, Json, RunJson, envelope, jsonl, note

T0 = 1_767_261_600.0  # 2026-01-01T10:00:00Z
BLIND: Json = {"transferTarget": {"identity": {"user": {"id": "u1", "tenantId": "t1"}}}}
P1, P2, P3 = "p-bot", "p-caller", "p-third"


def at(seconds: float | None, line: Json) -> Json:
    """``line`` timed ``seconds`` after T0 (untimed when None)."""
    if seconds is None:
        return line
    if "request" in line:
        return {"at": rfc3339(T0 + seconds), **line}
    return {"at": rfc3339(T0 + seconds), "body": line}


def asks(
    action: str | None,
    body: Json | None = None,
    *,
    status: int | None = 202,
    method: str = "POST",
    call: str = CALL,
    answer: Json | None = None,
) -> Json:
    """A request record of the bot: ``action`` on the call (None: the call itself)."""
    url = f"/communications/calls/{call}" + ("" if action is None else f"/{action}")
    record: Json = {"request": {"method": method, "url": url}}
    if body is not None:
        record["request"]["body"] = body
    if status is not None:
        record["response"] = {"status": status} | ({} if answer is None else {"body": answer})
    return record


def state(name: str | None, change: str = "updated", **fields: Any) -> Json:
    """One call notification in its envelope."""
    return envelope(note(name, change=change, **fields))


def roster(*ids: str, change: str = "updated") -> Json:
    """A roster notification naming ``ids``."""
    people = [{"id": i, "info": {"identity": {"user": {"id": i}}}} for i in ids]
    return envelope(note(sub="/participants", change=change, data=people))


def offered(t: float | None = 0.0) -> list[Json]:
    """An incoming call at ``t``."""
    return [at(t, state("incoming", change="created"))]


def up(t: float | None = 0.0) -> list[Json]:
    """An incoming call answered in time and established, from ``t``."""
    step = None if t is None else 1.0
    return [
        *offered(t),
        at(None if t is None else t + step, asks("answer", {})),  # type: ignore[operator]
        at(None if t is None else t + 2, state("establishing")),
        at(None if t is None else t + 3, state("established")),
    ]


def judged(lines: list[Json], run_json: RunJson, *argv: str, **options: Any) -> tuple[Any, Any]:
    """``(line, rule)`` of every finding, from the API and from the CLI."""
    tracker = Tracker(**options)
    api: list[tuple[int | None, str]] = []
    for i, line in enumerate(lines, 1):
        api += [(f.line, f.rule) for f in tracker.ingest(line, line=i)]
    api += [(f.line, f.rule) for f in tracker.finish(line=len(lines))]
    _, report = run_json(jsonl(lines), *argv)
    cli = [(f["line"], f["rule"]) for f in report["violations"] + report["warnings"]]
    return sorted(api, key=str), sorted(cli, key=str)


def same(found: list[tuple[int, str]]) -> tuple[Any, Any]:
    """The same findings expected from the API and the CLI."""
    return sorted(found, key=str), sorted(found, key=str)


class TestRequestNotAllowed:
    def test_answer_while_incoming_is_accepted(self, run_json: RunJson) -> None:
        """Answering an incoming call, then its states: nothing to report."""
        assert same([]) == judged(up(), run_json)

    def test_answer_while_established_is_reported(self, run_json: RunJson) -> None:
        """An answer after the call is up breaks request-not-allowed."""
        lines = [*up(), at(10, asks("answer", {}))]
        assert same([(5, "request-not-allowed")]) == judged(lines, run_json)

    def test_transfer_while_incoming_is_reported(self, run_json: RunJson) -> None:
        """A transfer before the call is established is refused by the machine."""
        lines = [*offered(), at(1, asks("transfer", BLIND))]
        assert same([(2, "request-not-allowed")]) == judged(lines, run_json)

    def test_any_request_after_the_end_is_reported(self, run_json: RunJson) -> None:
        """Graph answers 404 to a request on an ended call: keepAlive, delete or transfer."""
        lines = [
            *up(),
            at(9, state(None, change="deleted")),
            at(10, asks("keepAlive", status=404)),
            at(11, asks(None, method="DELETE", status=404)),
        ]
        assert same([(6, "request-not-allowed"), (7, "request-not-allowed")]) == judged(
            lines, run_json
        )

    def test_judged_by_the_state_told_before_it_was_sent(self, run_json: RunJson) -> None:
        """A request logged after a notification that came after it was sent is judged by
        the state before that notification."""
        lines = [*offered(), at(2, state("establishing")), at(1, asks("answer", {}))]
        assert same([]) == judged(lines, run_json)

    def test_a_request_on_an_unseen_call_is_not_judged(self, run_json: RunJson) -> None:
        """A trace that starts mid-call tells no state to judge a request by."""
        other = envelope(note("incoming", change="created", call="another"))
        assert same([]) == judged([other, asks("keepAlive", status=200)], run_json)

    def test_delete_and_keepalive_from_every_live_state(self, run_json: RunJson) -> None:
        """DELETE and keepAlive are allowed wherever the call is live."""
        lines = [
            *up(),
            at(5, asks("keepAlive", status=200)),
            at(6, state("hold")),
            at(7, asks(None, method="DELETE", status=204)),
            at(8, state("terminating")),
            at(9, state("terminated", change="deleted")),
        ]
        assert same([]) == judged(lines, run_json)


class TestAnswerWindow:
    def test_answer_in_the_window_is_accepted(self, run_json: RunJson) -> None:
        """An answer just inside the window passes."""
        lines = [*offered(), at(ANSWER_WINDOW, asks("answer", {}))]
        assert same([]) == judged(lines, run_json)

    def test_late_answer_is_reported(self, run_json: RunJson) -> None:
        """An answer past the window breaks answer-window-expired."""
        lines = [*offered(), at(ANSWER_WINDOW + 1, asks("answer", {}))]
        assert same([(2, "answer-window-expired")]) == judged(lines, run_json)

    @pytest.mark.parametrize("action", ["reject", "redirect"])
    def test_late_reject_and_redirect_too(self, run_json: RunJson, action: str) -> None:
        """reject and redirect share the window."""
        lines = [*offered(), at(ANSWER_WINDOW + 1, asks(action, {}))]
        assert same([(2, "answer-window-expired")]) == judged(lines, run_json)

    def test_without_times_no_rule_applies(self, run_json: RunJson) -> None:
        """An untimed answer, or an untimed incoming, is never late."""
        untimed = [*offered(None), at(ANSWER_WINDOW + 1, asks("answer", {}))]
        untimed_answer = [*offered(), asks("answer", {})]
        assert (same([]), same([])) == (
            judged(untimed, run_json),
            judged(untimed_answer, run_json),
        )

    def test_the_recording_window_is_an_option(self, run_json: RunJson) -> None:
        """Tracker(timeouts={"answer": 5}) and --window answer=5: six seconds is late."""
        lines = [*offered(), at(6, asks("answer", {}))]
        assert same([(2, "answer-window-expired")]) == judged(
            lines, run_json, "--window", "answer=5", timeouts={"answer": 5}
        )

    def test_an_overridden_window_is_the_one_told(self) -> None:
        """The finding names the window in force, not the definition's 15 s."""
        tracker = Tracker(timeouts={"answer": 5})
        found = [
            f.message
            for line in [*offered(), at(6, asks("answer", {}))]
            for f in tracker.ingest(line)
        ]
        assert ["the answer request 6 s into the answer window of 5 s"] == found


class TestKeepAlive:
    def test_a_keepalive_restarts_the_clock(self, run_json: RunJson) -> None:
        """keepAlive every 40 minutes keeps a long call quiet."""
        lines = [
            *up(),
            at(2400, asks("keepAlive", status=200)),
            at(4800, asks("keepAlive", status=200)),
            at(5000, state("hold")),
        ]
        assert same([]) == judged(lines, run_json)

    def test_a_forgotten_keepalive_is_a_warning(self, run_json: RunJson) -> None:
        """A line more than 45 minutes after the start, with no keepAlive, warns once."""
        lines = [*up(), at(KEEPALIVE_WINDOW + 10, state("hold"))]
        assert same([(5, "keepalive-overdue")]) == judged(lines, run_json)

    def test_a_refused_keepalive_does_not_count(self, run_json: RunJson) -> None:
        """A keepAlive Graph answered 400 had no effect: the clock keeps running."""
        lines = [
            *up(),
            at(2400, asks("keepAlive", status=400)),
            at(KEEPALIVE_WINDOW + 10, state("hold")),
        ]
        assert same([(6, "keepalive-overdue")]) == judged(lines, run_json)

    def test_without_times_no_rule_applies(self, run_json: RunJson) -> None:
        """Untimed lines are never overdue."""
        assert same([]) == judged([*up(None), state("hold")], run_json)


class TestAfterRejectAndRedirect:
    def test_reject_then_deleted_is_accepted(self, run_json: RunJson) -> None:
        """A rejected call ends with deleted and no state."""
        lines = [
            *offered(),
            at(1, asks("reject", {"reason": "busy"})),
            at(2, state(None, change="deleted")),
        ]
        assert same([]) == judged(lines, run_json)

    def test_reject_then_established_is_reported(self, run_json: RunJson) -> None:
        """A rejected call never establishes."""
        lines = [*offered(), at(1, asks("reject", {"reason": "busy"})), at(2, state("established"))]
        assert same([(3, "state-after-reject")]) == judged(lines, run_json)

    def test_a_refused_reject_expects_nothing(self, run_json: RunJson) -> None:
        """A reject Graph answered 400 had no effect: the call may establish."""
        lines = [*offered(), at(1, asks("reject", {}, status=400)), at(2, state("established"))]
        assert same([]) == judged(lines, run_json)

    def test_redirect_then_redirecting_is_accepted(self, run_json: RunJson) -> None:
        """redirect, then redirecting, then the end."""
        lines = [
            *offered(),
            at(1, asks("redirect", {"targets": []})),
            at(2, state("redirecting")),
            at(3, state("terminated", change="deleted")),
        ]
        assert same([]) == judged(lines, run_json)

    def test_redirect_then_establishing_is_reported(self, run_json: RunJson) -> None:
        """After a redirect only redirecting or the end may follow."""
        lines = [*offered(), at(1, asks("redirect", {"targets": []})), at(2, state("establishing"))]
        assert same([(3, "state-after-redirect")]) == judged(lines, run_json)


class TestTransferNotification:
    def test_transferring_after_the_request_is_accepted(self, run_json: RunJson) -> None:
        """A 202 transfer, then transferring: nothing missing."""
        lines = [*up(), at(5, asks("transfer", BLIND)), at(6, state("transferring"))]
        expected = same([(6, "unfinished-transfer")])  # the trace ends mid-transfer
        assert expected == judged(lines, run_json)

    def test_another_state_instead_is_a_warning(self, run_json: RunJson) -> None:
        """comms-samples #849: the call moved on with no transferring."""
        lines = [*up(), at(5, asks("transfer", BLIND)), at(6, state("hold"))]
        assert same([(6, "no-transfer-notification")]) == judged(lines, run_json)

    @pytest.mark.parametrize("late", ["establishing", "ringing"])
    def test_a_late_notification_is_not_the_next_state(self, run_json: RunJson, late: str) -> None:
        """A late, out-of-order notice after the request still waits for transferring."""
        lines = [*up(), at(5, asks("transfer", BLIND)), at(6, state(late)), at(7, state("hold"))]
        assert same([(7, "no-transfer-notification")]) == judged(lines, run_json)

    def test_transferring_after_a_late_notification_is_accepted(self, run_json: RunJson) -> None:
        """The emulator's case: establishing comes late, between the request and transferring."""
        lines = [
            *up(),
            at(5, asks("transfer", BLIND)),
            at(6, state("establishing")),
            at(7, state("transferring")),
        ]
        assert same([(7, "unfinished-transfer")]) == judged(lines, run_json)

    def test_the_end_of_the_trace_too(self, run_json: RunJson) -> None:
        """An accepted transfer at the end of the trace never got its notification."""
        lines = [*up(), at(5, asks("transfer", BLIND))]
        assert same([(5, "no-transfer-notification")]) == judged(lines, run_json)

    def test_a_request_without_response_expects_nothing(self, run_json: RunJson) -> None:
        """Without Graph's answer, whether it accepted is unknown."""
        lines = [*up(), at(5, asks("transfer", BLIND, status=None)), at(6, state("hold"))]
        assert same([]) == judged(lines, run_json)


class TestRequireRequests:
    def test_unannounced_transferring_is_reported(self, run_json: RunJson) -> None:
        """--require-requests: transferring with no transfer request before it."""
        lines = [*up(), at(6, state("transferring"))]
        assert same([(5, "transfer-without-request"), (5, "unfinished-transfer")]) == judged(
            lines, run_json, "--require-requests", require_requests=True
        )

    def test_announced_transferring_is_accepted(self, run_json: RunJson) -> None:
        """With the request logged, nothing to report but the unfinished transfer."""
        lines = [*up(), at(5, asks("transfer", BLIND)), at(6, state("transferring"))]
        assert same([(6, "unfinished-transfer")]) == judged(
            lines, run_json, "--require-requests", require_requests=True
        )

    def test_off_by_default(self, run_json: RunJson) -> None:
        """Without the option an unannounced transfer is fine."""
        assert same([(5, "unfinished-transfer")]) == judged(
            [*up(), at(6, state("transferring"))], run_json
        )


def _with_transferee(participant: str) -> Json:
    return BLIND | {
        "transferee": {
            "identity": {"user": {"id": "x", "tenantId": "t1"}},
            "participantId": participant,
        }
    }
