"""``examples/emulated_bot``: the requests the real msgraph-sdk sends, and what the bot infers.

The bot runs under uvicorn on 127.0.0.1 and sends through msgraph-sdk to a recording
fake Graph, also on 127.0.0.1. The bot sends its requests one at a time in the order it
decided them, so once a later request has arrived, every earlier one has been answered:
the tests wait for a request, never for a time.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from callstate import UsageError, validate_transfer_request
from callstate.facts import BLIND, CONSULTATIVE, TRANSFER_FAILURE, TRANSFER_SUCCESS
from tests.examples.conftest import Running, notification

#: msgraph-sdk warns about its own generated request configurations.
pytestmark = [
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]

CALL = "341a0500-d4bf-4224-8b19-1581168d328b"
OTHER = "4a1f0c00-9f3e-4e4c-9a4b-0b5d4e1a2c3d"
Serve = Callable[..., Running]


def _incoming(running: Running, call_id: str = CALL) -> int:
    return running.notify(call_id, "created", state="incoming")


def _established(running: Running, call_id: str = CALL, **data: Any) -> int:
    return running.notify(call_id, "updated", state="established", **data)


def _result(code: int | None, subcode: int | None, key: str = "subcode") -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.resultInfo", "code": code, key: subcode}


def _answered_and_transferred(serve: Serve, **options: Any) -> tuple[Running, Any]:
    """A call answered, then established: the bot's transfer body."""
    running = serve(**options)
    _incoming(running)
    _established(running)
    _answer, transfer = running.graph.wait_for(2)
    assert f"/v1.0/communications/calls/{CALL}/transfer" == transfer.path
    return running, transfer.body


class TestAnswer:
    def test_incoming_call_is_answered(self, serve: Serve) -> None:
        """created/incoming: POST .../answer with callbackUri, audio and service-hosted media."""
        running = serve()
        status = _incoming(running)
        (answer,) = running.graph.wait_for(1)
        expected = (
            202,
            "POST",
            f"/v1.0/communications/calls/{CALL}/answer",
            {
                "callbackUri": running.url,
                "acceptedModalities": ["audio"],
                "mediaConfig": {"@odata.type": "#microsoft.graph.serviceHostedMediaConfig"},
            },
        )
        assert expected == (status, answer.method, answer.path, answer.body)

    def test_callback_url_is_the_given_one(self, serve: Serve) -> None:
        """callback_url= is the callbackUri the bot answers with."""
        running = serve(callback_url="https://bot.contoso.com/api/calls")
        _incoming(running)
        (answer,) = running.graph.wait_for(1)
        assert "https://bot.contoso.com/api/calls" == answer.body["callbackUri"]

    def test_requests_carry_the_static_token_as_json(self, serve: Serve) -> None:
        """The SDK sends the fixed bearer token and a JSON content type."""
        running, _body = _answered_and_transferred(serve)
        expected = [("Bearer emulated-bot-token", "application/json")] * 2
        assert expected == [
            (r.headers.get("authorization"), r.headers.get("content-type"))
            for r in running.graph.sent()
        ]

    def test_webhook_is_answered_before_graph_answers(self, serve: Serve) -> None:
        """The bot's 202 does not wait for its answer request, still held by Graph."""
        running = serve()
        gate = threading.Event()
        running.graph.gate = gate
        try:
            status = _incoming(running)
            held = running.graph.wait_for(1)
        finally:
            gate.set()
        assert (202, ["answer"]) == (status, [r.path.rpartition("/")[2] for r in held])


class TestTransfer:
    def test_blind_transfer_targets_the_user(self, bot: ModuleType, serve: Serve) -> None:
        """established: a blind transfer to the Teams user, with its tenant."""
        _running, body = _answered_and_transferred(serve)
        verdict = validate_transfer_request(body, path=f"/communications/calls/{CALL}/transfer")
        user = {"id": bot.TARGET_USER, "tenantId": bot.TARGET_TENANT}
        expected = ({"transferTarget": {"identity": {"user": user}}}, True, BLIND)
        assert expected == (body, verdict.ok, verdict.kind)

    def test_consultative_transfer_replaces_the_consult_call(
        self, bot: ModuleType, serve: Serve
    ) -> None:
        """mode consultative: the same target, with the call's deterministic replacesCallId."""
        _running, body = _answered_and_transferred(serve, mode=CONSULTATIVE)
        verdict = validate_transfer_request(body, path=f"/communications/calls/{CALL}/transfer")
        target = body["transferTarget"]
        expected = (
            {"id": bot.TARGET_USER, "tenantId": bot.TARGET_TENANT},
            str(uuid.uuid5(bot.CONSULT_NAMESPACE, CALL)),
            True,
            CONSULTATIVE,
        )
        assert expected == (
            target["identity"]["user"],
            target["replacesCallId"],
            verdict.ok,
            verdict.kind,
        )

    def test_pstn_transfer_targets_the_phone(self, bot: ModuleType, serve: Serve) -> None:
        """mode pstn: a communicationsIdentitySet with the phone number."""
        _running, body = _answered_and_transferred(serve, mode="pstn")
        identity = {
            "@odata.type": "#microsoft.graph.communicationsIdentitySet",
            "phone": {"id": bot.TARGET_PHONE},
        }
        assert {"transferTarget": {"identity": identity}} == body

    def test_established_twice_transfers_once(self, serve: Serve) -> None:
        """A repeated established does not send a second transfer."""
        running = serve()
        _incoming(running)
        _established(running)
        _established(running)
        _incoming(running, OTHER)  # sent after anything the repeat caused
        sent = running.graph.wait_for(3)
        assert [(CALL, "answer"), (CALL, "transfer"), (OTHER, "answer")] == [
            tuple(r.path.split("/")[-2:]) for r in sent
        ]


class TestOutcome:
    @pytest.mark.parametrize(
        "data",
        [
            {"resultInfo": _result(r.code, r.subcode)}
            if r.termination_reason is None
            else {"terminationReason": r.termination_reason}
            for results in TRANSFER_SUCCESS.values()
            for r in results
        ],
    )
    def test_documented_success_is_completed(self, serve: Serve, data: dict[str, Any]) -> None:
        """deleted/terminated with 0/7015 or AppTransferred: the transfer completed."""
        running = serve()
        _incoming(running)
        _established(running)
        running.notify(CALL, "updated", state="transferring")
        running.notify(CALL, "updated", state="transferAccepted")
        running.notify(CALL, "deleted", state="terminated", **data)
        view = running.app.state.calls[CALL]
        expected = (
            ["incoming", "established", "transferring", "transferAccepted", "terminated"],
            "completed",
        )
        assert expected == (view.states, view.outcome)

    @pytest.mark.parametrize("key", ["subcode", "subCode"])
    @pytest.mark.parametrize(
        "result", [r for results in TRANSFER_FAILURE.values() for r in results], ids=str
    )
    def test_documented_failure_is_failed(self, serve: Serve, key: str, result: Any) -> None:
        """established again with 500/7000 or 500/7700, either spelling: the transfer failed."""
        running = serve()
        _incoming(running)
        _established(running)
        running.notify(CALL, "updated", state="transferring")
        _established(running, resultInfo=_result(result.code, result.subcode, key))
        view = running.app.state.calls[CALL]
        expected = (["incoming", "established", "transferring", "established"], "failed")
        assert expected == (view.states, view.outcome)

    def test_other_end_is_no_outcome(self, serve: Serve) -> None:
        """A call hung up with 200/5001 says nothing about a transfer."""
        running = serve()
        _incoming(running)
        running.notify(CALL, "deleted", state="terminated", resultInfo=_result(200, 5001))
        assert None is running.app.state.calls[CALL].outcome

    def test_graph_errors_are_kept(self, serve: Serve) -> None:
        """A 404 Graph answers is raised by the SDK and kept in the call's errors."""
        running = serve()
        running.graph.status["answer"] = 404
        _incoming(running)
        _incoming(running, OTHER)  # its answer is sent after the first one failed
        running.graph.wait_for(2)
        assert ["answer 404: Call not found (status 404)"] == running.app.state.calls[CALL].errors


class TestBugs:
    def test_early_transfer_transfers_before_established(self, serve: Serve) -> None:
        """bug early-transfer: answer, then transfer at once, before any established."""
        running = serve(bug="early-transfer")
        _incoming(running)
        sent = running.graph.wait_for(2)
        assert ["answer", "transfer"] == [r.path.rpartition("/")[2] for r in sent]

    def test_late_answer_answers_on_the_next_notification(self, serve: Serve) -> None:
        """bug late-answer: nothing on incoming; the answer goes out with the next notification."""
        running = serve(bug="late-answer")
        _incoming(running)
        waiting = running.app.state.calls[CALL].answer_pending
        running.notify(CALL, "deleted", state="terminated", resultInfo=_result(408, 1106))
        sent = running.graph.wait_for(1)
        assert (True, [(CALL, "answer")]) == (
            waiting,
            [tuple(r.path.split("/")[-2:]) for r in sent],
        )

    def test_late_answer_gets_the_error(self, serve: Serve) -> None:
        """The late answer to an ended call is refused; the bot keeps Graph's 404."""
        running = serve(bug="late-answer")
        running.graph.status["answer"] = 404
        _incoming(running)
        running.notify(CALL, "deleted", state="terminated", resultInfo=_result(408, 1106))
        _incoming(running, OTHER)  # answered late too, on its next notification:
        _established(running, OTHER)
        running.graph.wait_for(2)
        assert ["answer 404: Call not found (status 404)"] == running.app.state.calls[CALL].errors


class TestOptions:
    @pytest.mark.parametrize("options", [{"mode": "attended"}, {"bug": "slow"}])
    def test_unknown_option_is_a_usage_error(self, bot: ModuleType, options: Any) -> None:
        """An unknown mode or bug is a UsageError naming the argument."""
        with pytest.raises(UsageError) as caught:
            bot.create_app("http://127.0.0.1:1/v1.0", **options)
        assert next(iter(options)) == caught.value.argument

    @pytest.mark.parametrize(
        "base", ["http://bot.example:8080/v1.0", "ftp://127.0.0.1/v1.0", "https:///v1.0"]
    )
    def test_non_loopback_http_is_a_usage_error(self, bot: ModuleType, base: str) -> None:
        """kiota would refuse plain http off loopback at the first request: refused up front."""
        with pytest.raises(UsageError) as caught:
            bot.create_app(base)
        assert "graph_base_url" == caught.value.argument


class TestWebhook:
    @pytest.mark.parametrize("body", [b"{not json", b'{"value": 1}', b"[]"])
    def test_not_a_webhook_body_is_400(self, serve: Serve, body: bytes) -> None:
        """A body that is not ``{"value": [...]}`` is answered 400."""
        assert 400 == serve().post(body)

    def test_batch_is_handled_in_order(self, serve: Serve) -> None:
        """One POST with incoming then established: answer, then transfer."""
        running = serve()
        batch = [
            notification(CALL, "created", state="incoming"),
            notification(CALL, "updated", state="established"),
        ]
        status = running.post({"value": batch})
        sent = running.graph.wait_for(2)
        assert (202, ["answer", "transfer"]) == (status, [r.path.rpartition("/")[2] for r in sent])


class TestNetwork:
    def test_only_loopback_is_reached(self, serve: Serve, resolved: list[str]) -> None:
        """A whole call resolves no host but 127.0.0.1: no login.microsoftonline.com."""
        running = serve()
        _incoming(running)
        _established(running)
        running.graph.wait_for(2)
        assert ({"127.0.0.1"}, 2) == (set(resolved), len(running.graph.sent()))
