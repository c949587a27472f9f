"""Real servers on 127.0.0.1 (uvicorn, aiohttp) for the adapters, and a trace with findings.

Each server runs in a thread of this process on a socket bound to a free port, so
a test can read the tracker and the log records its middleware produced. Every
wait is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from callstate.simulate import mix

REPO = Path(__file__).resolve().parents[2]
#: How long a test server may take to start or to stop.
SERVER_WAIT = 10.0


@contextlib.contextmanager
def uvicorn_server(app: Any, path: str = "/api/calls", *, lifespan: str = "off") -> Iterator[str]:
    """Serve the ASGI ``app`` with a real uvicorn; yields the URL of ``path``."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="critical", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_WAIT
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn started"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{path}"
    finally:
        server.should_exit = True
        thread.join(SERVER_WAIT)
        sock.close()


@contextlib.contextmanager
def aiohttp_server(app: Any, path: str = "/api/calls") -> Iterator[str]:
    """Serve the aiohttp ``app`` on its own event loop in a thread; yields the URL of ``path``."""
    from aiohttp import web

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.SockSite(runner, sock).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{path}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(SERVER_WAIT)
        loop.run_until_complete(runner.cleanup())
        loop.close()
        sock.close()


def load_example(name: str) -> ModuleType:
    """``examples/NAME.py`` imported afresh (its own tracker), not as ``__main__``; ``NAME``
    may name a file in a folder (``emulated_bot/bot``)."""
    path = REPO / "examples" / f"{name}.py"
    unique = f"_example_{name.replace('/', '_')}_{time.monotonic_ns()}"
    spec = importlib.util.spec_from_file_location(unique, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Records(logging.Handler):
    """Every record of the ``callstate`` logger, while installed."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self._lock_records = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock_records:
            self.records.append(record)


@pytest.fixture
def callstate_records() -> Iterator[Records]:
    """The ``callstate`` logger's records during the test (level DEBUG)."""
    logger = logging.getLogger("callstate")
    handler = Records()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture(scope="session")
def mixed_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``callstate simulate mix --calls 50 --seed 1``, then ``examples/violations.jsonl``.

    The mix conforms; the second part gives findings of many rules (a malformed line
    and a kind mismatch that needs its request record among them).
    """
    path = tmp_path_factory.mktemp("trace") / "mixed.jsonl"
    broken = (REPO / "examples" / "violations.jsonl").read_bytes()
    path.write_bytes(b"".join(mix(50, seed=1)) + broken)
    return path


class StandInGraph:
    """An ASGI app standing in for Graph: keeps every request, answers 202 (or ``status``)."""

    def __init__(self, status: int = 202) -> None:
        self.status = status
        self.requests: list[tuple[str, str, bytes]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.requests.append((scope["method"], scope["path"], body))
        await send({"type": "http.response.start", "status": self.status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def graph() -> Iterator[tuple[str, StandInGraph]]:
    """A stand-in Graph under uvicorn on 127.0.0.1: ``(base URL ending in /v1.0, app)``."""
    app = StandInGraph()
    with uvicorn_server(app, path="/v1.0") as base:
        yield base, app
