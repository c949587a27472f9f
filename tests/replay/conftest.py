"""Fixtures for replay: real HTTP servers on 127.0.0.1, well-behaved and hostile.

``bot`` is a ThreadingHTTPServer that records every request; ``raw_bot`` runs a
scripted raw socket server (one function per accepted connection) for the answers
a well-behaved server never gives. Envelopes come from ``callstate.simulate``, so
the tests need no copy of the spec.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import attrs
import pytest

from callstate.simulate import SCENARIOS, jsonl, simulate

#: How long any test server waits on one socket operation before giving up by itself.
SERVER_WAIT = 5.0


@attrs.frozen
class Received:
    """One request as the bot saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@attrs.define
class Bot:
    """What the recording bot received, and the answers it gives."""

    url: str
    received: list[Received] = attrs.field(factory=list)
    #: 1-based request number -> status; every other request gets ``default``.
    statuses: dict[int, int] = attrs.field(factory=dict)
    default: int = 202
    #: path -> (status, Location) answered instead of the usual status.
    redirects: dict[str, tuple[int, str]] = attrs.field(factory=dict)
    lock: threading.Lock = attrs.field(factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bot: Bot

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.bot.lock:
            self.bot.received.append(
                Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = self.bot.statuses.get(len(self.bot.received), self.bot.default)
            redirect = self.bot.redirects.get(self.path)
        self.send_response(redirect[0] if redirect else status)
        if redirect:
            self.send_header("Location", redirect[1])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


def serve_bot(
    record: Bot, *, wrap: Callable[[ThreadingHTTPServer], None] | None = None
) -> Iterator[Bot]:
    """Run a recording bot until the generator is closed; ``wrap`` may change its socket."""

    class Handler(_Handler):
        bot = record

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if wrap is not None:
        wrap(server)
    record.url = f"http://127.0.0.1:{server.server_address[1]}/api/calls"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
        thread.join(SERVER_WAIT)


@pytest.fixture
def bot() -> Iterator[Bot]:
    """A recording webhook at ``bot.url`` (``/api/calls`` on an ephemeral port)."""
    yield from serve_bot(Bot(""))


@pytest.fixture
def other_bot() -> Iterator[Bot]:
    """A second recording webhook, on another port: another origin."""
    yield from serve_bot(Bot(""))


@pytest.fixture
def closed_url() -> str:
    """A URL on a port nothing listens on: connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/calls"


@pytest.fixture(scope="session")
def envelopes() -> list[bytes]:
    """commsNotifications envelopes of simulated calls, one compact JSON line each."""
    lines = [
        line.rstrip(b"\n")
        for seed, scenario in enumerate(SCENARIOS[:4])
        for line in jsonl(simulate(scenario, seed=seed))
    ]
    found = [line for line in lines if line.startswith(b'{"@odata.type":"#microsoft.graph.comms')]
    assert len(found) > 8, "the simulator gives envelopes"
    return found[:12]


#: ``(argv) -> (exit code, stdout, stderr)``
RunCli = Callable[[list[str]], tuple[int, str, str]]


@pytest.fixture
def run_cli(run_command: RunCli) -> RunCli:
    """Run ``callstate replay`` in-process; argparse exits become exit codes."""
    return lambda argv: run_command(["replay", *argv])


REQUEST = b'{"request": {"method": "POST", "url": "/communications/calls/1/transfer", "body": {}}}'


def odd_trace(tmp_path: Path, envelopes: list[bytes]) -> tuple[Path, list[bytes], list[int]]:
    """A trace with odd but legal lines; returns it, the bodies to expect, and their lines."""
    odd = [
        b'  { "value" : [ ] , "note": "H\xc3\xa9 \xe2\x9c\x93" }  ',
        b'{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/x"}]}\r',
        b"not json at all",
    ]
    raw = [envelopes[0], b"", odd[0], b"   \t", REQUEST, *envelopes[1:], odd[1], odd[2]]
    path = tmp_path / "trace.jsonl"
    path.write_bytes(b"\n".join(raw))  # no newline after the last line
    expected = [envelopes[0], odd[0], *envelopes[1:], odd[1][:-1], odd[2]]
    lines = [n for n, line in enumerate(raw, 1) if line.strip() and line != REQUEST]
    return path, expected, lines


def read_request(conn: socket.socket) -> bytes:
    """Read one HTTP request (headers and a Content-Length body); b"" if the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(h.split(b":", 1)[1])
            for h in head.split(b"\r\n")
            if h.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return body


#: One accepted connection's script: it reads and answers what it likes, then returns.
Script = Callable[[socket.socket], None]


@attrs.define
class RawBot:
    """A raw socket server: the n-th accepted connection runs ``scripts[n]``."""

    url: str
    scripts: list[Script]
    accepted: int = 0
    errors: list[BaseException] = attrs.field(factory=list)


@pytest.fixture
def raw_bot() -> Iterator[Callable[[list[Script]], RawBot]]:
    """Start a scripted raw socket server: ``raw_bot([script, ...])`` gives its URL."""
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(scripts: list[Script]) -> RawBot:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(SERVER_WAIT)
        listeners.append(listener)
        record = RawBot(f"http://127.0.0.1:{listener.getsockname()[1]}/api/calls", scripts)

        def serve() -> None:
            for script in scripts:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                record.accepted += 1
                with conn:
                    conn.settimeout(SERVER_WAIT)
                    try:
                        script(conn)
                    except OSError:
                        pass  # the client went away: that is the client's story to tell
                    except BaseException as exc:  # pragma: no cover - a broken script
                        record.errors.append(exc)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return record

    yield start
    for listener in listeners:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept()
        listener.close()
    for thread in threads:
        thread.join(SERVER_WAIT * 2)
