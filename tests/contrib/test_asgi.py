"""The ASGI middleware, called directly and under uvicorn: same bytes, bounded, never in the way."""

from __future__ import annotations

import asyncio
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
import pytest

from callstate import Finding, Tracker, UsageError
from callstate.contrib.asgi import CallstateMiddleware
from tests.contrib.conftest import Records, uvicorn_server

Message = dict[str, Any]

GOOD = (
    b'{"value":[{"changeType":"created","resourceUrl":"/communications/calls/c1",'
    b'"resourceData":{"@odata.type":"#microsoft.graph.call","state":"incoming"}}]}'
)


class _Counting(Tracker):
    """A tracker that keeps every body it was handed."""

    def __init__(self) -> None:
        super().__init__()
        self.handed: list[object] = []

    def ingest(self, body: object, *, line: int | None = None) -> tuple[Finding, ...]:
        self.handed.append(body)
        return super().ingest(body, line=line)


class _App:
    """An app that reads its whole body and answers 202, or what ``status`` says."""

    def __init__(self, status: int = 202) -> None:
        self.status = status
        self.messages: list[Message] = []
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        if scope["type"] == "http":
            more = True
            while more:
                message = await receive()
                self.messages.append(message)
                more = message["type"] == "http.request" and message.get("more_body", False)
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b"app"})


def _request(chunks: list[bytes], *, path: str = "/api/calls", method: str = "POST") -> Any:
    """``(scope, receive)`` for a body sent in ``chunks``; past them, the sender disconnects."""
    scope = {"type": "http", "method": method, "path": path, "headers": []}
    messages: list[Message] = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]

    async def receive() -> Message:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return scope, receive


def _run(middleware: CallstateMiddleware, scope: Any, receive: Any) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    return sent


def _collect() -> tuple[list[tuple[Finding, datetime]], Callable[..., None]]:
    found: list[tuple[Finding, datetime]] = []

    def on_finding(finding: Finding, *, at: datetime) -> None:
        found.append((finding, at))

    return found, on_finding


class TestPassThrough:
    @pytest.mark.parametrize(
        ("path", "method"), [("/other", "POST"), ("/api/calls", "GET"), ("/api/calls/x", "POST")]
    )
    def test_other_requests_are_untouched(self, path: str, method: str) -> None:
        """Requests that are not a POST to the webhook path reach the app unread."""
        tracker, app = _Counting(), _App()
        scope, receive = _request([b"not json"], path=path, method=method)
        _run(CallstateMiddleware(app, tracker=tracker), scope, receive)
        assert (1, 0, [b"not json"]) == (
            app.calls,
            len(tracker.handed),
            [m["body"] for m in app.messages],
        )

    def test_lifespan_passes(self) -> None:
        """Non-HTTP scopes go straight to the app."""
        app = _App()
        _run(CallstateMiddleware(app, tracker=Tracker()), {"type": "lifespan"}, None)
        assert 1 == app.calls

    def test_chunked_body_is_replayed_whole(self) -> None:
        """A body in three messages is ingested joined, and the app gets the three messages."""
        tracker, app = _Counting(), _App()
        chunks = [GOOD[:10], GOOD[10:50], GOOD[50:]]
        sent = _run(CallstateMiddleware(app, tracker=tracker), *_request(chunks))
        expected = (chunks, "incoming", 202)
        assert expected == (
            [m["body"] for m in app.messages],
            tracker.state("c1"),
            sent[0]["status"],
        )

    def test_malformed_body_reaches_the_app_by_default(self) -> None:
        """Without ``reject_malformed`` the app answers, whatever the body."""
        found, on_finding = _collect()
        app = _App(status=400)
        sent = _run(
            CallstateMiddleware(app, tracker=Tracker(), on_finding=on_finding),
            *_request([b"{not json"]),
        )
        expected = ([b"{not json"], 400, b"app", ["malformed"])
        assert expected == (
            [m["body"] for m in app.messages],
            sent[0]["status"],
            sent[1]["body"],
            [f.rule for f, _at in found],
        )


class TestBounds:
    def test_oversize_is_reported_and_passed_on(self) -> None:
        """Past ``max_body`` the body is reported, not checked, and the app still gets all of it."""
        found, on_finding = _collect()
        tracker, app = _Counting(), _App()
        chunks = [b"x" * 60, b"y" * 60, b"z" * 60]
        middleware = CallstateMiddleware(app, tracker=tracker, max_body=100, on_finding=on_finding)
        _run(middleware, *_request(chunks))
        (finding, at) = found[0]
        expected = (
            chunks,
            0,
            "malformed",
            None,
            "body over 100 bytes (at least 120 bytes); not checked",
        )
        assert expected == (
            [m["body"] for m in app.messages],
            len(tracker.handed),
            finding.rule,
            finding.line,
            finding.message,
        )
        assert at.tzinfo is not None

    def test_oversize_names_content_length(self) -> None:
        """A declared length is named in the report."""
        found, on_finding = _collect()
        scope, receive = _request([b"x" * 200])
        scope["headers"] = [(b"content-length", b"200")]
        _run(
            CallstateMiddleware(_App(), tracker=Tracker(), max_body=100, on_finding=on_finding),
            scope,
            receive,
        )
        assert ["body over 100 bytes (Content-Length 200); not checked"] == [
            f.message for f, _ in found
        ]

    def test_disconnect_mid_body_is_not_checked(self) -> None:
        """A sender gone mid-body delivered nothing: no ingest, and the app sees the disconnect."""
        tracker, app = _Counting(), _App()
        scope = {"type": "http", "method": "POST", "path": "/api/calls", "headers": []}
        messages: list[Message] = [
            {"type": "http.request", "body": b"{", "more_body": True},
            {"type": "http.disconnect"},
        ]

        async def receive() -> Message:
            return messages.pop(0)

        _run(CallstateMiddleware(app, tracker=tracker), scope, receive)
        assert (0, ["http.request", "http.disconnect"]) == (
            len(tracker.handed),
            [m["type"] for m in app.messages],
        )


class TestReject:
    def test_malformed_is_a_problem_answer(self) -> None:
        """``reject_malformed``: 400, ``application/problem+json``, and the app is not called."""
        app = _App()
        middleware = CallstateMiddleware(app, tracker=Tracker(), reject_malformed=True)
        sent = _run(middleware, *_request([b"[1, 2]"]))
        headers = dict(sent[0]["headers"])
        problem = orjson.loads(sent[1]["body"])
        expected = (0, 400, b"application/problem+json", 400, "malformed", "/api/calls")
        assert expected == (
            app.calls,
            sent[0]["status"],
            headers[b"content-type"],
            problem["status"],
            problem["rule"],
            problem["instance"],
        )
        assert {"type", "title", "status", "detail", "instance", "violations"} <= set(problem)

    def test_oversize_is_413(self) -> None:
        """Too large a body is answered 413 when rejecting."""
        middleware = CallstateMiddleware(
            _App(), tracker=Tracker(), max_body=10, reject_malformed=True
        )
        sent = _run(middleware, *_request([b"x" * 50]))
        assert 413 == sent[0]["status"]

    def test_a_violation_is_not_malformed(self) -> None:
        """Only ``malformed`` is rejected: a state-machine violation reaches the app."""
        tracker, app = _Counting(), _App()
        accepted = GOOD.replace(b'"incoming"', b'"transferAccepted"').replace(
            b"created", b"updated"
        )
        middleware = CallstateMiddleware(app, tracker=tracker, reject_malformed=True)
        for body in (GOOD.replace(b"incoming", b"established"), accepted):
            sent = _run(middleware, *_request([body]))
        assert (2, 202) == (app.calls, sent[0]["status"])


class TestNeverInTheWay:
    def test_tracker_error_is_logged_and_passed(self, callstate_records: Records) -> None:
        """A tracker that raises: one ERROR record, and the app answers as usual."""

        class Broken:
            def ingest(self, body: object, *, line: int | None = None) -> tuple[Finding, ...]:
                raise RuntimeError("boom")

        app = _App()
        sent = _run(CallstateMiddleware(app, tracker=Broken()), *_request([GOOD]))
        errors = [r.getMessage() for r in callstate_records.records if r.levelno == logging.ERROR]
        expected = (202, ["callstate: checking a webhook body failed; passed on unchecked"])
        assert expected == (sent[0]["status"], errors)

    def test_observer_error_is_logged(self, callstate_records: Records) -> None:
        """An ``on_finding`` that raises is logged; the app still answers."""

        def on_finding(finding: Finding, *, at: datetime) -> None:
            raise ValueError("observer bug")

        app = _App()
        middleware = CallstateMiddleware(app, tracker=Tracker(), on_finding=on_finding)
        sent = _run(middleware, *_request([b"nope"]))
        errors = [r.getMessage() for r in callstate_records.records if r.levelno == logging.ERROR]
        assert (202, ["callstate: a finding observer failed"]) == (sent[0]["status"], errors)

    def test_in_thread(self) -> None:
        """``in_thread=True`` gives the same verdict, ingested off the event loop."""
        found, on_finding = _collect()
        middleware = CallstateMiddleware(
            _App(), tracker=Tracker(), in_thread=True, on_finding=on_finding
        )
        _run(middleware, *_request([b"nope"]))
        assert ["malformed"] == [f.rule for f, _ in found]


class TestOptions:
    @pytest.mark.parametrize(
        ("options", "argument"),
        [
            ({"path": "api/calls"}, "path"),
            ({"max_body": 0}, "max_body"),
            ({"max_body": (1 << 20) + 1}, "max_body"),
            ({"max_body": 1.5}, "max_body"),
            ({"on_finding": "log"}, "on_finding"),
            ({"reject_malformed": "false"}, "reject_malformed"),
            ({"reject_malformed": 1}, "reject_malformed"),
            ({"in_thread": None}, "in_thread"),
            ({"logger": "callstate"}, "logger"),
        ],
    )
    def test_bad_option_is_a_usage_error(self, options: dict[str, Any], argument: str) -> None:
        """Each bad option is a UsageError naming it: a flag must be a bool (the string
        "false" is not False), a logger must log."""
        with pytest.raises(UsageError) as raised:
            CallstateMiddleware(_App(), tracker=Tracker(), **options)
        assert argument == raised.value.argument

    @pytest.mark.parametrize(
        ("options", "said"),
        [
            ({"reject_malformed": "false"}, "must be True or False, got the string 'false'"),
            (
                {"max_body": 1.5},
                "expected a whole number of bytes from 1 to 1048576, got the number 1.5",
            ),
            ({"path": None}, "expected a URL path starting with '/', got None"),
            ({"logger": 3}, "expected a logging.Logger, got the number 3"),
        ],
    )
    def test_said_in_python_words(self, options: dict[str, Any], said: str) -> None:
        """What is wrong is said as the caller wrote it, bounded, never a repr."""
        with pytest.raises(UsageError) as raised:
            CallstateMiddleware(_App(), tracker=Tracker(), **options)
        assert said == raised.value.message

    def test_a_logger_adapter_logs(self) -> None:
        """Anything that logs as a Logger does (a LoggerAdapter) is taken."""
        adapter = logging.LoggerAdapter(logging.getLogger("bot"), {"bot": "b1"})
        middleware = CallstateMiddleware(_App(), tracker=Tracker(), logger=adapter)  # type: ignore[arg-type]
        assert adapter is middleware.webhook.logger

    def test_tracker_must_ingest(self) -> None:
        """Something that is not a tracker is refused at once."""
        with pytest.raises(UsageError, match="tracker"):
            CallstateMiddleware(_App(), tracker=object())  # type: ignore[arg-type]


class TestUvicorn:
    def test_reject_malformed_over_http(self) -> None:
        """Under uvicorn, a malformed body gets the 400 problem answer; a good one the app's."""
        app = CallstateMiddleware(_App(), tracker=Tracker(), reject_malformed=True)
        with uvicorn_server(app) as url:
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(
                    urllib.request.Request(url, data=b"{", method="POST"), timeout=10
                )
            with urllib.request.urlopen(
                urllib.request.Request(url, data=GOOD, method="POST"), timeout=10
            ) as answer:
                good = (answer.status, answer.read())
        problem = orjson.loads(refused.value.read())
        expected = (400, "application/problem+json", "malformed", (202, b"app"))
        assert expected == (
            refused.value.code,
            refused.value.headers["content-type"],
            problem["rule"],
            good,
        )
