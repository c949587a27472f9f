"""A small bot on the standard library, and the emulated Graph it talks to, both on 127.0.0.1.

The bot answers Graph's webhook with 202 at once and sends its requests afterwards,
one at a time in the order it decided them, from one worker thread, as a real bot
does; it keeps what it saw and what Graph answered.
"""

from __future__ import annotations

import http.server
import queue
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import orjson
import pytest

from callstate.machine.definition import CALL_MACHINE
from callstate.simulate import participant_id, transfer_request, transferee
from callstate.simulate._requests import request_body
from callstate.testing import EmulatedGraph

#: The longest any one request or wait of these tests takes, in real seconds.
WAIT = 5.0
CALLER = "caller"


@attrs.define
class Answered:
    """One request the bot sent, and Graph's answer."""

    action: str
    call_id: str
    status: int
    body: Any


class MiniBot:
    """A bot: ``incoming`` is what it does to an incoming call (answer, reject, redirect, none),
    ``then`` what it does once the call is established (transfer, hangup, keepalive, none).

    It hangs up after a refused or failed transfer. ``transferee`` names the caller as the
    transferee of a group call's transfer.
    """

    def __init__(
        self,
        graph: str,
        *,
        incoming: str = "answer",
        then: str = "transfer",
        transferee: bool = False,
    ) -> None:
        #: Graph's ``/v1.0`` URL (it may be given later: set it, then ``ready``).
        self.graph = graph.rstrip("/")
        self.incoming = incoming
        self.then = then
        self.transferee = transferee
        self.seen: dict[str, list[dict[str, Any]]] = {}
        self.answers: list[Answered] = []
        self.done: set[str] = set()
        self.answered: set[str] = set()
        self.hung_up: set[str] = set()
        #: Set once the bot knows Graph's URL; requests wait for it (at most WAIT).
        self.ready = threading.Event()
        if graph:
            self.ready.set()
        self._work: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._lock = threading.Lock()
        #: Requests decided and not yet answered (queued or in flight).
        self._pending = 0
        bot = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                body = orjson.loads(self.rfile.read(size))
                bot.notified(body)  # noted before Graph has its answer; the requests go later
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self._threads = [
            threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True),
            threading.Thread(target=self._worker, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        """Stop serving and working."""
        self._work.put(None)
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(WAIT)

    def _worker(self) -> None:
        while (job := self._work.get(timeout=60)) is not None:
            try:
                job()
            finally:
                with self._lock:
                    self._pending -= 1

    def idle(self) -> bool:
        """Whether the bot has no request left to send (``run_calls(idle=...)``)."""
        with self._lock:
            return self._pending == 0

    def states(self, call_id: str) -> list[str]:
        """The states the bot was told of ``call_id``, in order."""
        with self._lock:
            return [d["state"] for d in self.seen.get(call_id, []) if "state" in d]

    def notified(self, body: dict[str, Any]) -> None:
        """One webhook body: note what it says and queue the requests it calls for."""
        for note in body.get("value", []):
            url = note.get("resourceUrl", "")
            data = note.get("resourceData")
            parts = url.strip("/").split("/")
            if len(parts) != 3 or not isinstance(data, dict):
                continue
            call_id = parts[2]
            with self._lock:
                self.seen.setdefault(call_id, []).append(data)
            self._decide(call_id, note.get("changeType"), data)

    def _decide(self, call_id: str, change: str, data: dict[str, Any]) -> None:
        state = data.get("state")
        failed = "resultInfo" in data and state == "established"
        if state == "incoming" and change == "created":
            if self.incoming != "none" and call_id not in self.answered:
                self.answered.add(call_id)
                name = {"redirect": "redirect_call"}.get(self.incoming, self.incoming)
                self._send(call_id, name)
        elif state == "established" and failed:
            self._hang_up(call_id)  # a duplicated failure must not hang up twice
        elif state == "established" and call_id not in self.done:
            self.done.add(call_id)
            if self.then == "transfer":
                self._send(call_id, "transfer_call")
            elif self.then == "hangup":
                self._hang_up(call_id)
            elif self.then == "keepalive":
                self._send(call_id, "keep_alive")
                self._hang_up(call_id)

    def _hang_up(self, call_id: str) -> None:
        with self._lock:
            if call_id in self.hung_up:
                return
            self.hung_up.add(call_id)
        self._send(call_id, "delete_call")

    def _body(self, call_id: str, name: str) -> Any:
        request = CALL_MACHINE.request(name)
        if name == "transfer_call":
            body = transfer_request(call_id, target="user", client_context="ctx")["request"]["body"]
            group = any("meetingInfo" in d for d in self.seen.get(call_id, []))
            if self.transferee and group:
                body["transferee"] = transferee(participant_id(call_id, 0), CALLER)
            return body
        body = request_body(request)
        if body is not None and "callbackUri" in body:
            body["callbackUri"] = self.url
        return body

    def _send(self, call_id: str, name: str) -> None:
        request = CALL_MACHINE.request(name)
        body = self._body(call_id, name)

        def job() -> None:
            self.ready.wait(WAIT)
            url = self.graph + request.path.replace("{id}", call_id)
            data = None if body is None else orjson.dumps(body)
            sent = urllib.request.Request(url, data=data, method=request.method)
            sent.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(sent, timeout=WAIT) as answer:
                    status, raw = int(answer.status), answer.read()
            except urllib.error.HTTPError as error:
                status, raw = int(error.code), error.read()
            answered = orjson.loads(raw) if raw else None
            with self._lock:
                self.answers.append(Answered(name, call_id, status, answered))
            if name == "transfer_call" and status >= 400:
                self._hang_up(call_id)

        with self._lock:
            self._pending += 1
        self._work.put(job)


@pytest.fixture
def graph() -> Iterator[EmulatedGraph]:
    """An emulated Graph on a virtual clock."""
    with EmulatedGraph() as running:
        yield running


@pytest.fixture
def minibot(graph: EmulatedGraph) -> Iterator[Callable[..., MiniBot]]:
    """``minibot(**options)``: a :class:`MiniBot` talking to ``graph``, offered its calls."""
    bots: list[MiniBot] = []

    def start(**options: Any) -> MiniBot:
        bot = MiniBot(graph.base_url, **options)
        bots.append(bot)
        graph.bot = bot.url
        return bot

    yield start
    for bot in bots:
        bot.close()
