"""The HTTP/1.1 client replay sends with: stdlib ``http.client`` held to one deadline.

``http.client`` alone bounds each socket operation, so a bot dripping one byte at a
time could hold one answer for ever. Here every wait (name lookup, connect, TLS
handshake, each send, each read) is cut to what is left of one deadline per envelope,
so ``timeout`` bounds the whole answer. Bodies are read up to :data:`BODY_CAP` bytes and
the connection is dropped past that, so an endless body costs neither memory nor time.
A kept-alive connection the bot closed is found before use when it can be, and an
envelope it swallowed without an answer is sent once more on a new connection.
"""

from __future__ import annotations

import http.client
import io
import selectors
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from typing import Any, Final

import attrs

from callstate.replay._target import Target

__all__ = ["BODY_CAP", "Answer", "Deadline", "Failure", "Poster"]

#: Bytes of each answer's body that are read; past that the connection is closed.
BODY_CAP: Final = 64 * 1024
_CHUNK: Final = 16 * 1024
#: The longest single wait handed to a socket (``settimeout`` overflows far above this).
_LONGEST_WAIT: Final = 1e6
#: Kept-alive connections held at once (one per origin: the webhook and redirect targets).
_POOL: Final = 4
_REASON_CAP: Final = 120


class Failure(Exception):
    """The bot could not be reached, or broke off; ``reason`` says how, in one line."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@attrs.frozen
class Answer:
    """The bot's answer to one POST: status, reason phrase, and Location when it redirects."""

    status: int
    reason: str
    location: str | None
    #: Whether the envelope went out again on a new connection (the kept-alive one was closed).
    resent: bool


class Deadline:
    """The moment by which the current envelope's answer must be complete."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def start(self) -> None:
        """Give the next envelope its full ``seconds``."""
        self.at = time.monotonic() + self.seconds

    def left(self) -> float:
        """Seconds left for the current answer; raises ``TimeoutError`` when none are."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("out of time")
        return min(left, _LONGEST_WAIT)


def printable(text: str, limit: int = _REASON_CAP) -> str:
    """``text`` on one line, control characters escaped, cut to ``limit`` characters."""
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return out if len(out) <= limit else out[: limit - 1] + "…"


class _Reader(io.RawIOBase):
    """Reads of the wire's socket, each cut to what is left of the deadline."""

    def __init__(self, wire: _Wire) -> None:
        self._wire = wire

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        return self._wire.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._wire.reader_closed()
        super().close()


class _Wire:
    """What ``http.client`` sees as its socket: sends and reads held to the deadline.

    Like ``socket.makefile``, an open reader keeps the socket open after ``close``:
    a response that ends with the connection is read after the connection lets go.
    """

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline
        self._readers = 0
        self._closed = False

    def sendall(self, data: bytes) -> None:
        with memoryview(data) as view, view.cast("B") as octets:
            sent = 0
            while sent < len(octets):
                self._sock.settimeout(self._deadline.left())
                sent += self._sock.send(octets[sent:])

    def recv_into(self, buffer: memoryview) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)

    def makefile(self, mode: str) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_Reader(self))

    def reader_closed(self) -> None:
        self._readers -= 1
        if self._closed and not self._readers:
            self._sock.close()

    def dropped(self) -> bool:
        """Whether the bot closed the idle connection (or sent something unasked).

        On TLS, a readable socket may only hold session tickets: a read that finds no
        application data (``SSLWantReadError``) means the connection is still good.
        """
        with selectors.DefaultSelector() as selector:
            selector.register(self._sock, selectors.EVENT_READ)
            if not selector.select(0):
                return False
        if not isinstance(self._sock, ssl.SSLSocket):
            return True
        self._sock.settimeout(0.0)
        try:
            self._sock.recv(1)
        except ssl.SSLWantReadError:
            return False
        except OSError:
            return True
        return True  # the end of the stream, or bytes nobody asked for

    def close(self) -> None:
        self._closed = True
        if not self._readers:
            self._sock.close()


def _resolve(host: str, port: int, deadline: Deadline) -> Sequence[tuple[Any, ...]]:
    """``getaddrinfo``, which has no timeout of its own, run in a thread held to the deadline."""
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    except socket.gaierror:
        pass
    found: list[Sequence[tuple[Any, ...]]] = []
    errors: list[OSError] = []

    def look_up() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            errors.append(exc)

    worker = threading.Thread(target=look_up, name="callstate-replay-lookup", daemon=True)
    worker.start()
    worker.join(deadline.left())
    if errors:
        raise Failure(f"cannot resolve {printable(host)}: {errors[0].strerror or errors[0]}")
    if not found:
        raise TimeoutError("name lookup")
    return found[0]


class _Connection(http.client.HTTPConnection):
    """One kept-alive connection to an origin; it connects through :func:`_open`."""

    def __init__(self, target: Target, deadline: Deadline, tls: _TLS) -> None:
        super().__init__(target.host, target.port)
        self._target = target
        self._deadline = deadline
        self._tls = tls
        #: Answers read on the current socket: more than 0 means the next request reuses it.
        self.answered = 0

    def connect(self) -> None:
        self.answered = 0
        self.sock = _Wire(self._open(), self._deadline)

    def _open(self) -> socket.socket:
        last: OSError | None = None
        for family, kind, proto, _name, address in _resolve(
            self._target.host, self._target.port, self._deadline
        ):
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self._deadline.left())
                sock.connect(address)
            except TimeoutError:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                last = exc
                continue
            break
        else:
            raise last or OSError(f"no address for {self._target.host}")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self._target.tls:
            return sock
        try:
            tls = self._tls.context().wrap_socket(
                sock, server_hostname=self._target.host, do_handshake_on_connect=False
            )
        except BaseException:
            sock.close()
            raise
        try:
            tls.settimeout(self._deadline.left())
            tls.do_handshake()
        except BaseException:
            tls.close()  # wrap_socket took the descriptor over from sock
            raise
        return tls

    @property
    def reused(self) -> bool:
        """Whether the next request goes out on a socket that already carried an answer."""
        return self.sock is not None and self.answered > 0

    def dropped(self) -> bool:
        """Whether the kept-alive socket is known to be closed by the bot."""
        return isinstance(self.sock, _Wire) and self.sock.dropped()


class _TLS:
    """The TLS context: the caller's, or the system's trust store made on first use."""

    def __init__(self, context: ssl.SSLContext | None) -> None:
        self._context = context

    def context(self) -> ssl.SSLContext:
        if self._context is None:
            self._context = ssl.create_default_context()
        return self._context


#: Errors meaning a kept-alive connection had been closed before any answer came.
_CLOSED = (
    BrokenPipeError,
    ConnectionResetError,  # http.client.RemoteDisconnected is one
    ConnectionAbortedError,
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
)
_BEFORE_ANSWER = ("sending", "waiting for the answer")


class Poster:
    """POSTs bodies to targets over kept-alive connections, one deadline per envelope."""

    def __init__(self, deadline: Deadline, context: ssl.SSLContext | None) -> None:
        self._deadline = deadline
        self._tls = _TLS(context)
        self._pool: dict[tuple[bool, str, int], _Connection] = {}
        self._stage = ""

    def post(self, target: Target, body: bytes, headers: Sequence[tuple[str, bytes]]) -> Answer:
        """Send one body and read the answer; raises :class:`Failure` when there is none.

        An envelope that a reused connection swallowed (closed before any answer) is
        sent once more on a new connection, within the same deadline.
        """
        connection = self._connection(target)
        try:
            if connection.reused and connection.dropped():
                connection.close()
            try:
                return self._exchange(connection, target, body, headers, resent=False)
            except _CLOSED:
                if not (connection.answered and self._stage in _BEFORE_ANSWER):
                    raise
            connection.close()
            return self._exchange(connection, target, body, headers, resent=True)
        except Exception as exc:
            self._forget(target)
            raise Failure(_describe(exc, self._deadline.seconds, self._stage)) from None
        except BaseException:
            self._forget(target)
            raise

    def close(self) -> None:
        """Close every connection."""
        for connection in self._pool.values():
            connection.close()
        self._pool.clear()

    def _connection(self, target: Target) -> _Connection:
        connection = self._pool.pop(target.origin, None)
        if connection is None:
            connection = _Connection(target, self._deadline, self._tls)
            while len(self._pool) >= _POOL:
                self._pool.pop(next(iter(self._pool))).close()
        self._pool[target.origin] = connection  # the most recently used is last
        return connection

    def _forget(self, target: Target) -> None:
        connection = self._pool.pop(target.origin, None)
        if connection is not None:
            connection.close()

    def _exchange(
        self,
        connection: _Connection,
        target: Target,
        body: bytes,
        headers: Sequence[tuple[str, bytes]],
        *,
        resent: bool,
    ) -> Answer:
        again = " again, on a new connection" if resent else ""
        if connection.sock is None:
            self._stage = f"connecting{again}"
            connection.connect()
        self._stage = f"sending{again}"
        connection.putrequest("POST", target.request_target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        self._stage = f"waiting for the answer{again}"
        response = connection.getresponse()
        connection.answered += 1
        self._stage = f"reading the body of its {response.status} answer"
        answer = Answer(
            response.status,
            printable(response.reason or ""),
            response.getheader("Location"),
            resent,
        )
        try:
            complete = _discard_body(response)
        finally:
            response.close()  # a response that ended its connection holds the socket till here
        if not complete:
            connection.close()
        return answer


def _discard_body(response: http.client.HTTPResponse) -> bool:
    """Read and drop up to :data:`BODY_CAP` bytes; whether the body ended within them."""
    left = BODY_CAP + 1
    while left > 0:
        chunk = response.read(min(left, _CHUNK))
        if not chunk:
            return True
        left -= len(chunk)
    return False


def _describe(exc: Exception, seconds: float, stage: str) -> str:
    """One bounded line saying why there was no answer, and at which stage."""
    if isinstance(exc, Failure):
        return exc.reason
    if isinstance(exc, TimeoutError):
        return f"no complete answer within {seconds:g} s ({stage})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {printable(exc.verify_message or str(exc))}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {printable(exc.reason or str(exc))} ({stage})"
    if isinstance(exc, http.client.RemoteDisconnected):
        return f"the bot closed the connection without answering ({stage})"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the answer broke off after {len(exc.partial)} bytes ({stage})"
    if isinstance(exc, http.client.HTTPException):
        kind = type(exc).__name__
        return f"the answer is not HTTP/1.1 ({kind}: {printable(str(exc), 80)})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError):
        return f"{printable(exc.strerror or str(exc) or type(exc).__name__)} ({stage})"
    return f"{type(exc).__name__}: {printable(str(exc))} ({stage})"
