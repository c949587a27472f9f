"""The emulator against a small bot over HTTP: Graph's answers, its notifications, its verdict.

Every wait is for something to happen (a call to end, the bot to go quiet), bounded;
time inside the emulator is virtual, so no test waits for Graph's windows.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from callstate.emulate import Freedoms, Offer
from callstate.facts import ANSWER_WINDOW, KEEPALIVE_WINDOW, MEETING_MODE_FAILURE
from callstate.machine.definition import CALL_MACHINE
from callstate.simulate._requests import request_body
from callstate.testing import EmulatedGraph
from callstate.verdict import validate_lines
from tests.emulate.conftest import WAIT, MiniBot

Start = Callable[..., MiniBot]
ANSWERED = ["incoming", "establishing", "established"]
TRANSFERRED = [*ANSWERED, "transferring", "transferAccepted", "terminated"]


def _send(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else orjson.dumps(body)
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as answer:
            raw = answer.read()
            return int(answer.status), orjson.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return int(error.code), orjson.loads(raw) if raw else None


def _violations(graph: EmulatedGraph) -> list[str]:
    report = validate_lines([orjson.dumps(line) for line in graph.trace])
    return [f.rule for f in report.violations]


def _result(data: dict[str, Any]) -> tuple[int, int]:
    info = data["resultInfo"]
    return (info["code"], info.get("subcode", info.get("subCode")))


class TestAnsweredCalls:
    def test_answered_call_is_transferred(self, graph: EmulatedGraph, minibot: Start) -> None:
        """An answered call establishes, the bot transfers it, and the transfer completes."""
        bot = minibot()
        call = graph.offer_call()
        assert graph.wait(timeout=WAIT)
        assert (TRANSFERRED, True, []) == (
            bot.states(call),
            graph.verdict.conformed,
            _violations(graph),
        )

    def test_late_establishing(self, graph: EmulatedGraph, minibot: Start) -> None:
        """With the freedom chosen, established comes before establishing."""
        bot = minibot(then="hangup")
        call = graph.offer_call(freedoms=Freedoms(late_establishing=True))
        assert graph.wait(timeout=WAIT)
        assert ["incoming", "established", "establishing"] == bot.states(call)[:3]

    def test_failed_transfer_returns_the_call(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A failing transfer brings the call back to established with the failure code."""
        bot = minibot()
        call = graph.offer_call(freedoms=Freedoms(outcome="failure", fail_from="transferring"))
        assert graph.wait(timeout=WAIT)
        failed = [
            d for d in bot.seen[call] if d.get("state") == "established" and "resultInfo" in d
        ]
        expected = (
            ["incoming", "establishing", "established", "transferring", "established"],
            (500, 7000),
        )
        assert expected == (bot.states(call)[:5], _result(failed[0]))

    def test_meeting_mode_fails_every_transfer(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A call whose roster grew past two fails its transfer with the meeting-mode code."""
        bot = minibot()
        call = graph.offer_call(situation="meeting")
        assert graph.wait(timeout=WAIT)
        failed = [
            d for d in bot.seen[call] if d.get("state") == "established" and "resultInfo" in d
        ]
        warnings = {f.rule for f in graph.verdict.requests}  # the roster may come after the request
        code = (MEETING_MODE_FAILURE.code, MEETING_MODE_FAILURE.subcode)
        assert (code, True, True) == (
            _result(failed[0]),
            warnings <= {"meeting-mode-transfer"},
            graph.verdict.conformed,
        )

    def test_media_and_subcode_freedoms(self, graph: EmulatedGraph, minibot: Start) -> None:
        """media inactive falls where chosen, and the failure's subcode is spelt as chosen."""
        bot = minibot()
        freedoms = Freedoms(outcome="failure", media_inactive="before", subcode_key="subCode")
        call = graph.offer_call(freedoms=freedoms)
        assert graph.wait(timeout=WAIT)
        seen = bot.seen[call]
        media = [i for i, d in enumerate(seen) if "mediaState" in d]
        transferring = [i for i, d in enumerate(seen) if d.get("state") == "transferring"]
        failed = next(d for d in seen if "resultInfo" in d)
        assert (transferring[0] + 1, True) == (media[0], "subCode" in failed["resultInfo"])

    def test_duplicate_delivery(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A duplicate position is delivered twice in a row, and the bot still conforms."""
        bot = minibot()
        call = graph.offer_call(freedoms=Freedoms(duplicates=frozenset({0})))
        assert graph.wait(timeout=WAIT)
        assert (["incoming", *TRANSFERRED], True) == (bot.states(call), graph.verdict.conformed)


class TestOtherRequests:
    def test_reject_ends_with_no_state(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A rejected call gets a deleted notification without a state."""
        bot = minibot(incoming="reject")
        call = graph.offer_call()
        assert graph.wait(timeout=WAIT)
        assert ([{"@odata.type": "#microsoft.graph.call"}], ["incoming"]) == (
            bot.seen[call][1:],
            bot.states(call),
        )

    def test_redirect(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A redirected call goes redirecting, then ends."""
        bot = minibot(incoming="redirect")
        call = graph.offer_call()
        assert graph.wait(timeout=WAIT)
        assert ["incoming", "redirecting", "terminated"] == bot.states(call)

    def test_hang_up_and_keep_alive(self, graph: EmulatedGraph, minibot: Start) -> None:
        """keepAlive gets 200, DELETE 204, then terminating and terminated."""
        bot = minibot(then="keepalive")
        call = graph.offer_call()
        assert graph.wait(timeout=WAIT)
        statuses = [(a.action, a.status) for a in bot.answers]
        expected = [("answer", 202), ("keep_alive", 200), ("delete_call", 204)]
        assert (expected, [*ANSWERED, "terminating", "terminated"]) == (statuses, bot.states(call))

    def test_outgoing_call(self, graph: EmulatedGraph, minibot: Start) -> None:
        """Creating a call answers 201 with its id; establishing and established follow."""
        bot = minibot(then="hangup")
        body = request_body(CALL_MACHINE.request("create_call"))
        assert body is not None
        body["callbackUri"] = bot.url
        status, created = _send("POST", graph.base_url + "/communications/calls", body)
        assert graph.wait(timeout=WAIT)
        expected = (201, "establishing", "outgoing", ["establishing", "established"])
        assert expected == (
            status,
            created["state"],
            created["direction"],
            bot.states(created["id"])[:2],
        )


class TestGraphAnswers:
    def test_refused_request_has_graph_error_shape(
        self, graph: EmulatedGraph, minibot: Start
    ) -> None:
        """A group call's transfer without transferee is refused 400, naming the rule."""
        bot = minibot()
        graph.offer_call(situation="group")
        assert graph.wait(timeout=WAIT)
        (refused,) = [a for a in bot.answers if a.action == "transfer_call"]
        error = refused.body["error"]
        assert (400, "BadRequest", "transferee-required", ("transferee-required",)) == (
            refused.status,
            error["code"],
            error["innerError"]["code"],
            graph.verdict.rules,
        )

    def test_group_call_with_transferee(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A group call's transfer naming the caller as transferee completes."""
        bot = minibot(transferee=True)
        call = graph.offer_call(situation="group")
        assert graph.wait(timeout=WAIT)
        assert (TRANSFERRED, True) == (bot.states(call), graph.verdict.conformed)

    def test_request_on_ended_call_is_404(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A DELETE after the call ended gets 404, and breaks request-not-allowed."""
        minibot()
        call = graph.offer_call()
        assert graph.wait(timeout=WAIT)
        status, body = _send("DELETE", f"{graph.base_url}/communications/calls/{call}")
        assert (404, "NotFound", ("request-not-allowed",)) == (
            status,
            body["error"]["code"],
            graph.verdict.rules,
        )

    def test_get_call_and_beta(self, graph: EmulatedGraph, minibot: Start) -> None:
        """GET returns the live call under /v1.0 and /beta; an unknown call is 404."""
        minibot(incoming="none")
        call = graph.offer_call()
        beta = graph.base_url.removesuffix("/v1.0") + "/beta"
        got = [
            _send("GET", f"{base}/communications/calls/{call}") for base in (graph.base_url, beta)
        ]
        missing = _send("GET", f"{graph.base_url}/communications/calls/nope")[0]
        assert ([(200, "incoming")] * 2, 404) == ([(s, b["state"]) for s, b in got], missing)

    def test_invalid_json_is_400(self, graph: EmulatedGraph) -> None:
        """A body that is not JSON gets Graph's 400."""
        request = urllib.request.Request(
            f"{graph.base_url}/communications/calls/x/answer", data=b"{", method="POST"
        )
        try:
            urllib.request.urlopen(request, timeout=WAIT)
            status = 200
        except urllib.error.HTTPError as error:
            status = error.code
        assert 400 == status

    def test_unreachable_callback_is_undelivered(self, graph: EmulatedGraph) -> None:
        """A notification no one answers is in the verdict, which fails."""
        graph.offer_call(Offer(), callback="http://127.0.0.1:9/callback")
        verdict = graph.verdict
        assert (1, None, 1) == (
            len(verdict.undelivered),
            verdict.undelivered[0].status,
            verdict.exit_code,
        )


class TestTime:
    def test_unanswered_call_ends_after_the_window(
        self, graph: EmulatedGraph, minibot: Start
    ) -> None:
        """Past the answer window Graph ends the incoming call with 408/1106."""
        bot = minibot(incoming="none")
        call = graph.offer_call()
        graph.advance(ANSWER_WINDOW - 1)
        before = bot.states(call)
        graph.advance(2)
        ended = bot.seen[call][-1]
        assert (["incoming"], "terminated", (408, 1106)) == (before, ended["state"], _result(ended))

    def test_forgotten_keep_alive_ends_the_call(self, graph: EmulatedGraph, minibot: Start) -> None:
        """A call left without keepAlive for 45 minutes ends with 408/8537."""
        bot = minibot(then="none")
        call = graph.offer_call()
        assert graph.quiet(timeout=WAIT)
        graph.advance(KEEPALIVE_WINDOW + 1)
        ended = bot.seen[call][-1]
        notes = [f.rule for f in graph.verdict.notes]
        assert ((408, 8537), ["keepalive-overdue"], []) == (
            _result(ended),
            notes,
            _violations(graph),
        )


class TestRecording:
    def test_recorded_trace_replays(self, tmp_path: Any) -> None:
        """The --record trace validates, and replay resends its notifications, not its requests."""
        from callstate.replay import replay

        path = tmp_path / "trace.jsonl"
        with EmulatedGraph(record=path) as graph:
            bot = MiniBot(graph.base_url)
            graph.bot = bot.url
            try:
                call = graph.offer_call()
                assert graph.wait(timeout=WAIT)
            finally:
                bot.close()
        listener = MiniBot("", incoming="none", then="none")
        try:
            report = replay(path, listener.url)
            told = listener.states(call)
        finally:
            listener.close()
        lines = path.read_bytes().splitlines()
        assert ([], TRANSFERRED, 2, ()) == (
            validate_lines(lines).violations,
            told,
            report.skipped,
            report.failed,
        )


class TestFixture:
    def test_callstate_graph(self, callstate_graph: EmulatedGraph) -> None:
        """The plugin's fixture is a running emulator on 127.0.0.1 with a virtual clock."""
        from callstate.emulate import VirtualClock

        assert (True, True, True) == (
            callstate_graph.base_url.startswith("http://127.0.0.1:"),
            callstate_graph.base_url.endswith("/v1.0"),
            isinstance(callstate_graph.clock, VirtualClock),
        )

    def test_offer_needs_a_bot(self, graph: EmulatedGraph) -> None:
        """Offering a call with no bot to offer it to names the argument."""
        from callstate.errors import UsageError

        with pytest.raises(UsageError) as raised:
            graph.offer_call()
        assert "callback" == raised.value.argument
