"""Kept-alive connections the bot closes: found before use, or the envelope is sent again once.

uvicorn answers an app's exception with a 500 and closes the socket; a bot's idle
timeout closes it between two envelopes. Neither may stop the replay.
"""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn

from callstate.replay import BotUnreachable, Delivery, replay
from tests.replay.conftest import SERVER_WAIT, RawBot, Script, read_request

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def _answers(count: int, then_swallow: bool = False, received: list[bytes] | None = None) -> Script:
    """Answer ``count`` requests with 200 (kept alive), then maybe read one more and close."""

    def script(conn: socket.socket) -> None:
        for _ in range(count):
            body = read_request(conn)
            if received is not None:
                received.append(body)
            conn.sendall(_OK)
        if then_swallow:
            body = read_request(conn)
            if received is not None:
                received.append(body)

    return script


class TestClosedKeptAlive:
    def test_swallowed_envelope_is_sent_again_once(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """The bot reads line 2 on the kept-alive socket and closes: it goes again, and counts."""
        received: list[bytes] = []
        server = raw_bot(
            [_answers(1, then_swallow=True, received=received), _answers(2, received=received)]
        )
        report = replay(io.BytesIO(b"\n".join(envelopes[:3])), server.url, timeout=5)
        expected: object = (
            [(200, False), (200, True), (200, False)],
            [envelopes[0], envelopes[1], envelopes[1], envelopes[2]],
            2,
        )
        assert expected == (
            [(d.status, d.resent) for d in report.deliveries],
            received,
            server.accepted,
        )
        assert report.deliveries[1].reason.startswith("OK (sent again on a new connection")

    def test_idle_close_is_found_before_sending(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """A connection the bot closed while idle is replaced before use: nothing is sent twice."""
        closed = threading.Event()

        def answer_then_close(conn: socket.socket) -> None:
            read_request(conn)
            conn.sendall(_OK)
            conn.shutdown(socket.SHUT_RDWR)
            closed.set()

        def wait_for_close(delivery: Delivery) -> None:
            assert closed.wait(SERVER_WAIT), "the bot closed its side"

        server = raw_bot([answer_then_close, _answers(1)])
        report = replay(
            io.BytesIO(b"\n".join(envelopes[:2])),
            server.url,
            timeout=5,
            on_delivery=wait_for_close,
        )
        expected: object = ([(200, False), (200, False)], 2)
        assert expected == ([(d.status, d.resent) for d in report.deliveries], server.accepted)

    def test_fresh_connection_closed_is_not_retried(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """On a new connection, a close without answer is the bot's failure: no second try."""
        server = raw_bot([_answers(0, then_swallow=True)])
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(envelopes[0]), server.url, timeout=5)
        expected: object = (
            "the bot closed the connection without answering (waiting for the answer)",
            1,
        )
        assert expected == (caught.value.reason, server.accepted)

    def test_second_try_failing_stops_the_replay(
        self, raw_bot: Callable[[list[Script]], RawBot], envelopes: list[bytes]
    ) -> None:
        """Only one retry: when the new connection also closes unanswered, the replay stops."""
        server = raw_bot([_answers(1, then_swallow=True), _answers(0, then_swallow=True)])
        with pytest.raises(BotUnreachable) as caught:
            replay(io.BytesIO(b"\n".join(envelopes[:3])), server.url, timeout=5)
        expected: object = (
            2,
            "the bot closed the connection without answering "
            "(waiting for the answer again, on a new connection)",
            1,
        )
        assert expected == (caught.value.line, caught.value.reason, caught.value.report.sent)


class _App:
    """A tiny ASGI bot: the first request fails (``mode``), every later one gets 200."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.bodies: list[bytes] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        first = not self.bodies and self.mode != "done"
        if first and self.mode == "raise":
            self.mode = "done"
            raise RuntimeError("the bot crashed on this notification")
        if first and self.mode == "unread":
            self.mode = "done"
            await self._answer(send, 500)  # without reading the body: uvicorn must close
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.bodies.append(body)
        await self._answer(send, 200)

    @staticmethod
    async def _answer(send: Any, status: int) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-length", b"2")],
            }
        )
        await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture
def uvicorn_bot(request: pytest.FixtureRequest) -> Iterator[tuple[str, _App]]:
    """A real uvicorn server on 127.0.0.1 (a free port), serving :class:`_App`."""
    app = _App(request.param)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="critical", lifespan="off", timeout_keep_alive=30)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(500):  # bounded: at most about 5 s for uvicorn to start
        if server.started or not thread.is_alive():
            break
        time.sleep(0.01)
    assert server.started, "uvicorn started"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/calls", app
    finally:
        server.should_exit = True
        thread.join(SERVER_WAIT)
        sock.close()


class TestUvicorn:
    @pytest.mark.parametrize("uvicorn_bot", ["raise", "unread"], indirect=True)
    def test_500_then_200_goes_on(
        self, uvicorn_bot: tuple[str, _App], envelopes: list[bytes]
    ) -> None:
        """After uvicorn's 500 (and its closed socket) every later envelope arrives."""
        url, app = uvicorn_bot
        report = replay(io.BytesIO(b"\n".join(envelopes[:4])), url, timeout=5)
        expected: object = ([500, 200, 200, 200], envelopes[1:4])
        assert expected == ([d.status for d in report.deliveries], app.bodies)
