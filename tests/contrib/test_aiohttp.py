"""The aiohttp middleware under a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import http.client
import urllib.parse
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import orjson
import pytest
from aiohttp import web

from callstate import Finding, Tracker, UsageError
from callstate.contrib.aiohttp import CallstateMiddleware
from tests.contrib.conftest import aiohttp_server

GOOD = (
    b'{"value":[{"changeType":"created","resourceUrl":"/communications/calls/c1",'
    b'"resourceData":{"@odata.type":"#microsoft.graph.call","state":"incoming"}}]}'
)


def _app(middleware: CallstateMiddleware, **options: Any) -> tuple[web.Application, list[Any]]:
    """An app whose webhook handler keeps what ``request.json()`` gave, or the raw bytes."""
    got: list[Any] = []

    async def calls(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            got.append(await request.json())
        except ValueError:
            got.append(body)
        return web.Response(status=202, text="app")

    async def other(request: web.Request) -> web.Response:
        got.append(await request.read())
        return web.Response(status=200, text="other")

    app = web.Application(middlewares=[middleware], **options)
    app.router.add_post("/api/calls", calls)
    app.router.add_post("/other", other)
    return app, got


def _post(
    url: str, body: bytes | Iterable[bytes], *, path: str | None = None
) -> tuple[int, str, bytes]:
    """POST ``body`` (chunked when an iterable of chunks); ``(status, content type, body)``."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        chunked = not isinstance(body, bytes)
        conn.request("POST", path or parts.path, body=body, encode_chunked=chunked)
        answer = conn.getresponse()
        return answer.status, answer.getheader("Content-Type") or "", answer.read()
    finally:
        conn.close()


def _collect() -> tuple[list[Finding], Any]:
    found: list[Finding] = []

    def on_finding(finding: Finding, *, at: datetime) -> None:
        assert at.tzinfo is not None
        found.append(finding)

    return found, on_finding


class TestAiohttp:
    def test_handler_gets_the_same_json(self) -> None:
        """The middleware reads first; the handler's ``json()`` still gets the body."""
        tracker = Tracker()
        app, got = _app(CallstateMiddleware(tracker=tracker))
        with aiohttp_server(app) as url:
            status = _post(url, GOOD)[0]
        assert (202, [orjson.loads(GOOD)], "incoming") == (status, got, tracker.state("c1"))

    def test_chunked_body_is_checked(self) -> None:
        """A chunked body with no Content-Length is read whole and checked."""
        tracker = Tracker()
        app, got = _app(CallstateMiddleware(tracker=tracker))
        with aiohttp_server(app) as url:
            status = _post(url, [GOOD[:20], GOOD[20:]])[0]
        assert (202, [orjson.loads(GOOD)], "incoming") == (status, got, tracker.state("c1"))

    def test_other_paths_are_untouched(self) -> None:
        """A POST elsewhere is not ingested."""
        found, on_finding = _collect()
        app, got = _app(CallstateMiddleware(tracker=Tracker(), on_finding=on_finding))
        with aiohttp_server(app) as url:
            status = _post(url, b"not json", path="/other")[0]
        assert (200, [b"not json"], []) == (status, got, found)

    def test_reject_malformed(self) -> None:
        """``reject_malformed``: a 400 problem answer, and the handler never runs."""
        app, got = _app(CallstateMiddleware(tracker=Tracker(), reject_malformed=True))
        with aiohttp_server(app) as url:
            status, kind, body = _post(url, b"{")
        problem = orjson.loads(body)
        expected = (400, "application/problem+json", "malformed", 400, [])
        assert expected == (status, kind, problem["rule"], problem["status"], got)

    def test_declared_oversize_is_reported_and_passed_on(self) -> None:
        """A Content-Length over ``max_body``: reported unchecked; the handler gets the body."""
        found, on_finding = _collect()
        middleware = CallstateMiddleware(tracker=Tracker(), max_body=50, on_finding=on_finding)
        app, got = _app(middleware)
        with aiohttp_server(app) as url:
            status = _post(url, GOOD)[0]
        message = f"body over 50 bytes (Content-Length {len(GOOD)}); not checked"
        assert (202, [orjson.loads(GOOD)], [message]) == (status, got, [f.message for f in found])

    def test_chunked_oversize_is_reported(self) -> None:
        """A chunked body over ``max_body`` (within aiohttp's own bound) is reported too."""
        found, on_finding = _collect()
        middleware = CallstateMiddleware(tracker=Tracker(), max_body=50, on_finding=on_finding)
        app, got = _app(middleware)
        with aiohttp_server(app) as url:
            status = _post(url, [GOOD[:40], GOOD[40:]])[0]
        message = f"body over 50 bytes ({len(GOOD)} bytes); not checked"
        assert (202, [orjson.loads(GOOD)], [message]) == (status, got, [f.message for f in found])

    def test_over_client_max_size_is_aiohttp_413(self) -> None:
        """Past aiohttp's ``client_max_size`` it is aiohttp's 413, reported first."""
        found, on_finding = _collect()
        middleware = CallstateMiddleware(tracker=Tracker(), on_finding=on_finding)
        app, got = _app(middleware, client_max_size=100)
        with aiohttp_server(app) as url:
            status = _post(url, [b"x" * 80, b"y" * 80])[0]
        expected = (413, ["malformed"], [])
        assert expected == (status, [f.rule for f in found], got)

    @pytest.mark.parametrize(
        ("options", "argument"),
        [({"path": "calls"}, "path"), ({"reject_malformed": "no"}, "reject_malformed")],
    )
    def test_bad_option(self, options: dict[str, object], argument: str) -> None:
        """Options are checked as for the ASGI middleware."""
        with pytest.raises(UsageError) as raised:
            CallstateMiddleware(tracker=Tracker(), **options)  # type: ignore[arg-type]
        assert argument == raised.value.argument
