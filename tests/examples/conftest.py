"""``examples/emulated_bot`` under a real uvicorn, with a recording fake Graph on 127.0.0.1.

The fake stands in for Graph's calls API only as far as the bot's own tests need: it
records each request (method, path, headers, JSON body) and answers 202, or the status
a test sets for an action. The emulator's end-to-end test drives the bot for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import attrs
import orjson
import pytest

from tests.contrib.conftest import SERVER_WAIT, load_example, uvicorn_server

#: The longest a test waits for the bot's requests to reach the fake Graph.
WAIT = 5.0


def load_bot() -> ModuleType:
    """``examples/emulated_bot/bot.py``, imported afresh (it is no package)."""
    return load_example("emulated_bot/bot")


@attrs.frozen
class Sent:
    """One request the fake Graph received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeGraph:
    """An ASGI app that records the bot's Graph requests and answers 202 (or ``status``)."""

    def __init__(self) -> None:
        #: action (the path's last segment, ``answer`` or ``transfer``) -> status to answer.
        self.status: dict[str, int] = {}
        #: When set, requests wait (in a worker thread, at most SERVER_WAIT) for it.
        self.gate: threading.Event | None = None
        self.requests: list[Sent] = []
        self._lock = threading.Lock()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self._lock:
            self.requests.append(
                Sent(scope["method"], scope["path"], headers, orjson.loads(body) if body else None)
            )
        if self.gate is not None:
            await asyncio.to_thread(self.gate.wait, SERVER_WAIT)
        status = self.status.get(scope["path"].rpartition("/")[2], 202)
        error = b'{"error":{"code":"NotFound","message":"Call not found"}}'
        content = [(b"content-type", b"application/json")] if status >= 400 else []
        await send({"type": "http.response.start", "status": status, "headers": content})
        await send({"type": "http.response.body", "body": error if status >= 400 else b""})

    def sent(self) -> list[Sent]:
        """The requests so far, in the order they arrived."""
        with self._lock:
            return list(self.requests)

    def wait_for(self, count: int) -> list[Sent]:
        """The requests, once there are ``count`` of them (at most WAIT seconds)."""
        deadline = time.monotonic() + WAIT
        while len(self.sent()) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.sent()


@attrs.frozen
class Running:
    """A bot being served, and the fake Graph it talks to."""

    app: Any
    url: str
    graph: FakeGraph

    def notify(self, call_id: str, change: str, **data: Any) -> int:
        """POST one commsNotification about ``call_id`` to the bot; its HTTP status."""
        return self.post({"value": [notification(call_id, change, **data)]})

    def post(self, body: object) -> int:
        """POST ``body`` (JSON, or bytes as they are) to the bot's ``/callback``."""
        data = body if isinstance(body, bytes) else orjson.dumps(body)
        request = urllib.request.Request(self.url, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=WAIT) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as error:
            return int(error.code)


def notification(call_id: str, change: str, **data: Any) -> dict[str, Any]:
    """A commsNotification about the call, with ``data`` as its resourceData."""
    return {
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": change,
        "resourceUrl": f"/communications/calls/{call_id}",
        "resourceData": {"@odata.type": "#microsoft.graph.call", **data},
    }


@pytest.fixture
def bot() -> ModuleType:
    """The bot module."""
    return load_bot()


@pytest.fixture
def serve(bot: ModuleType) -> Iterator[Callable[..., Running]]:
    """``serve(**create_app options)``: the bot and a fake Graph, both under uvicorn."""
    with contextlib.ExitStack() as stack:

        def start(**options: Any) -> Running:
            graph = FakeGraph()
            base = stack.enter_context(uvicorn_server(graph, path="/v1.0"))
            app = bot.create_app(base, **options)
            url = stack.enter_context(uvicorn_server(app, path="/callback", lifespan="on"))
            return Running(app, url, graph)

        yield start


@pytest.fixture
def resolved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host name this process resolves during the test (the bot's threads included)."""
    hosts: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        hosts.append(host.decode() if isinstance(host, bytes) else str(host))
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return hosts
